# SPDX-License-Identifier: EUPL-1.2
"""Every enum of the contracts is exactly a code list of ours, and every code has a Dutch label."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract import contracts
from vum.standard import Kind
from vum.standard.codelists import ALL
from vum.standard.schema import Part, Side, json_schema


def enums(node: Any, defs: dict[str, Any], path: str = "") -> dict[str, list[Any]]:
    """path -> enum values, for every enum in a schema (refs resolved, null branches ignored)."""
    if "$ref" in node:
        return enums(defs[node["$ref"].rsplit("/", 1)[1]], defs, path)
    out: dict[str, list[Any]] = {}
    if "enum" in node:
        out[path] = sorted(node["enum"], key=str)
    for branch in node.get("anyOf", []):
        out |= enums(branch, defs, path)
    for name, sub in node.get("properties", {}).items():
        out |= enums(sub, defs, f"{path}/{name}")
    if "items" in node:
        out |= enums(node["items"], defs, path + "/*")
    return out


CASES = [
    (Kind.WERKZOEKENDE, Part.DETAIL, contracts.BRON_WERKZOEKENDE, "Werkzoekende"),
    (Kind.WERKZOEKENDE, Part.SUMMARY, contracts.BRON_WERKZOEKENDE, "MPWerkzoekendeMatch"),
    (Kind.VACATURE, Part.DETAIL, contracts.BRON_VACATURES, "Vacature"),
    (Kind.VACATURE, Part.SUMMARY, contracts.BRON_VACATURES, "MPVacatureMatch"),
    (Kind.WERKZOEKENDE, Part.QUERY, contracts.BRON_WERKZOEKENDE, "MPWerkzoekende"),
    (Kind.VACATURE, Part.QUERY, contracts.BRON_VACATURES, "MPVacature"),
]


@pytest.mark.parametrize(
    ("kind", "part", "contract", "name"), CASES, ids=[f"{c[0].value}-{c[1].value}" for c in CASES]
)
def test_enums_match_the_contract(
    koppelvlak_dir: object, kind: Kind, part: Part, contract: str, name: str
) -> None:
    schemas = contracts.contract(contract)["components"]["schemas"]
    theirs = enums(schemas[name], schemas)
    ours_schema = json_schema(kind, part, Side.BRON)
    ours = enums(ours_schema, ours_schema.get("$defs", {}))
    assert len(theirs) >= 3
    # The contract writes the vacancy level range as oneOf; every other enum matches one to one.
    if part is Part.QUERY and kind is Kind.VACATURE:
        theirs = {k: v for k, v in theirs.items() if "codeWerkEnDenkniveauMinimaal" not in k}
        ours = {k: v for k, v in ours.items() if "codeWerkEnDenkniveauMinimaal" not in k}
    assert ours == theirs


def test_every_code_has_a_dutch_label() -> None:
    for codelist in ALL.values():
        assert codelist.choices()
        for code, label in codelist.choices():
            assert label and label != str(code), (codelist.name, code)
