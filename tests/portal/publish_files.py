# SPDX-License-Identifier: EUPL-1.2
"""Files a bronbeheerder uploads in the publishing tests: a municipal CSV export with its mapping, JSON, Excel."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import yaml

from tests.portal.world import HEFTRUCK, REACHTRUCK
from vum.standard.kinds import Kind
from vum.synthetic import generate

#: A municipality's own column names, as its client system exports them.
MAPPING: dict[str, Any] = {
    "kind": "werkzoekende",
    "columns": {
        "Klantnummer": "idWerkzoekende",
        "Postcode": "mobiliteit.bemiddelingspostcode",
        "Beroep": "bemiddelingsberoep[].codeBeroepsnaam",
        "Uren min": "werktijden.aantalWerkurenPerWeekMinimaal",
        "Uren max": "werktijden.aantalWerkurenPerWeekMaximaal",
        "Contract": "contractvorm[].codeTypeArbeidscontract",
    },
    "values": {"contractvorm[].codeTypeArbeidscontract": {"vast": "O", "tijdelijk": "B"}},
}
HEADER = "Klantnummer;Postcode;Beroep;Uren min;Uren max;Contract;Opmerking"
#: Row 3: a postcode without letters; row 4: hours in words and an unknown contract word.
BAD_ROWS = [
    f"K1;1315 AB;{HEFTRUCK};24;40;vast;vrije tekst, wordt niet gedeeld",
    f"K2;12345;{HEFTRUCK};32;40;tijdelijk;",
    "K3;1316AB;;veertig;;oproep;",
    f"K4;1317 ab;{REACHTRUCK};;;;",
]
GOOD_ROWS = [
    BAD_ROWS[0],
    f"K2;1325 AB;{HEFTRUCK};32;40;tijdelijk;",
    "K3;1316AB;;40;;vast;",
    BAD_ROWS[3],
]


def csv_bytes(rows: list[str]) -> bytes:
    return ("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8")


def yaml_bytes(data: dict[str, Any] = MAPPING) -> bytes:
    text: str = yaml.safe_dump(data, allow_unicode=True)
    return text.encode("utf-8")


def json_bytes(count: int, seed: int) -> bytes:
    return json.dumps(list(generate(Kind.WERKZOEKENDE, count, seed=seed))).encode("utf-8")


def xlsx_bytes(rows: list[str]) -> bytes:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    for line in [HEADER, *rows]:
        sheet.append(line.split(";"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
