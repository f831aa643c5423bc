# SPDX-License-Identifier: EUPL-1.2
"""Injection strings in uploads: every text member of records sent to the HTTP import, CSV cells and mapping files.

A hostile value is either refused with every place named (422, ``/index/pointer``; the live data
untouched) or kept verbatim as text and served back JSON-encoded. Never a 500, never another
exception than the import's own.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.security.inputs import INJECTIONS, OPERATORS, encode, set_at
from tests.security.tally import count
from tests.security.world import PARTY_A, World
from vum.sources.errors import ImportRejected, SourceFileError, SourcesError
from vum.standard import Kind

#: a hosted party of its own, so the imports here never change the other tests' data
PARTY = "00000001000000000099"


def _leaves(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Paths of every string member of a record (the places a hostile text can go)."""
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _leaves(item, (*path, key))]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _leaves(item, (*path, i))]
    return [path] if isinstance(value, str) else []


@pytest.fixture(scope="module")
def token(world: World) -> str:
    return world.hosted.create_token(PARTY, "beveiligingstest")


def _put(world: World, token: str, kind: Kind, content: bytes) -> Any:
    return world.http.put(
        f"{world.source_url}/admin/v1/datasets/{PARTY}/{kind.value}",
        content=content,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )


@pytest.mark.parametrize("kind", list(Kind), ids=[k.value for k in Kind])
def test_hostile_values_in_every_text_member_of_uploaded_records(
    world: World, token: str, kind: Kind
) -> None:
    base = world.records[(PARTY_A, kind)][0]
    places = _leaves(base)
    id_path = (kind.id_field,)
    assert id_path in places and len(places) >= 5
    for name, value in [*INJECTIONS, *OPERATORS[:5]]:
        records = []
        for i, path in enumerate(places):
            record = set_at(base, path, value)
            if path != id_path:
                record[kind.id_field] = f"inj{i}"
            records.append(record)
        before = world.live_version(PARTY, kind)
        response = _put(world, token, kind, encode(records))
        count("injection: hostile values in uploaded record members", len(places))
        assert response.status_code in (200, 400, 422), (name, response.text[:500])
        assert response.headers["content-type"].startswith("application/json")
        answer = json.loads(response.content)
        if response.status_code == 400:  # not JSON text at all (a lone surrogate)
            assert name == "lone-surrogate" and "line 1 column" in answer["message_en"]
            assert world.live_version(PARTY, kind) == before
            continue
        if response.status_code == 200:
            continue
        # 422: nothing written, and every problem names a record and a place it was put.
        assert world.live_version(PARTY, kind) == before, name
        refused = set()
        for problem in answer["problems"]:
            index = problem["index"]
            assert problem["pointer"].startswith(f"/{index}"), problem
            refused.add(index)
        kept = [r for i, r in enumerate(records) if i not in refused]
        if not kept:
            continue
        # What was not refused is text the standard allows: it is stored and served as JSON.
        accepted = _put(world, token, kind, encode(kept))
        assert accepted.status_code == 200, (name, accepted.text[:500])
        record_id = kept[0][kind.id_field]
        detail = world.http.get(
            f"{world.source_url}/api/v3/{kind.resource}/{record_id}",
            headers=world.source_headers(to_party=PARTY),
        )
        assert detail.status_code == 200 and detail.headers["x-content-type-options"] == "nosniff"
        json.loads(detail.content)


# --- CSV cells and mapping files, through HostedSources.import_file -------------------------

MAPPING: dict[str, Any] = {
    "kind": "vacature",
    "columns": {
        "Nummer": "idVacature",
        "Naam": "naamVacature",
        "Postcode": "adres.postcode",
        "Werkgever": "werkgever.handelsnaamOrganisatie",
        "Beroep": "beroep.codeBeroepsnaam",
        "Contract": "contractvorm[].codeTypeArbeidscontract",
    },
}


def _csv(path: Path, rows: list[list[str]]) -> Path:
    lines = [";".join(MAPPING["columns"])]
    for row in rows:
        lines.append(";".join('"' + cell.replace('"', '""') + '"' for cell in row))
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8", errors="surrogatepass")
    return path


def test_a_clean_csv_imports(world: World, tmp_path: Path) -> None:
    path = _csv(tmp_path / "schoon.csv", [["v1", "Kok", "3511AB", "Bakkerij", "", "vast"]])
    mapping = {**MAPPING, "values": {"contractvorm[].codeTypeArbeidscontract": {"vast": "O"}}}
    result = world.hosted.import_file(PARTY, Kind.VACATURE, path, mapping=mapping)
    assert result.records == 1


def test_hostile_csv_cells(world: World, tmp_path: Path) -> None:
    """Each row carries one hostile string in every cell; all refused or all kept, never a crash."""
    for name, value in INJECTIONS:
        if name == "lone-surrogate":
            continue  # a file holds bytes, not code points: its raw form is an invalid-byte case
        path = _csv(tmp_path / f"{name}.csv", [[f"r{name}"[:40].replace("-", "_"), *[value] * 5]])
        before = world.live_version(PARTY, Kind.VACATURE)
        try:
            world.hosted.import_file(PARTY, Kind.VACATURE, path, mapping=MAPPING)
        except ImportRejected as exc:
            assert exc.problems, name
            assert world.live_version(PARTY, Kind.VACATURE) == before
        except SourceFileError as exc:
            assert str(exc), name  # an unreadable file is named, nothing is read
        count("injection: hostile CSV cells", 5)
    for name, raw in [
        ("overlong", b"\xc0\xaf"),
        ("cesu-surrogate", b"\xed\xa0\x80"),
        ("nul", b"\x00"),
        ("invalid", b"\xff\xfe\xfd"),
    ]:
        path = tmp_path / f"raw-{name}.csv"
        header = ";".join(MAPPING["columns"]).encode()
        path.write_bytes(header + b"\r\nv9;" + raw + b";3511AB;x;;O\r\n")
        # Refused (SourcesError) or read as Windows-1252 text; nothing else may come out.
        with contextlib.suppress(SourcesError):
            world.hosted.import_file(PARTY, Kind.VACATURE, path, mapping=MAPPING)
        count("injection: raw odd bytes in CSV cells")


HOSTILE_MAPPINGS = {
    "python-object": '!!python/object/apply:os.system ["touch {marker}"]\n',
    "python-name": "kind: !!python/name:os.system\ncolumns: {{Nummer: idVacature}}\n",
    "path-traversal-member": "kind: vacature\ncolumns: {{Nummer: ../../etc/passwd}}\n",
    "dunder-member": "kind: vacature\ncolumns: {{Nummer: __class__.__init__.__globals__}}\n",
    "encoding-trick": "kind: vacature\nencoding: ../../x\ncolumns: {{Nummer: idVacature}}\n",
    "billion-laughs": "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "kind: vacature\ncolumns: {{Nummer: idVacature}}\n",
    "formula-column": 'kind: vacature\ncolumns: {{"=HYPERLINK(1)": idVacature}}\n',
    "null-in-key": 'kind: vacature\ncolumns: {{"Num\\0mer": idVacature}}\n',
}


@pytest.mark.parametrize("name", list(HOSTILE_MAPPINGS))
def test_hostile_mapping_files(world: World, tmp_path: Path, name: str) -> None:
    marker = tmp_path / "pwned"
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(HOSTILE_MAPPINGS[name].format(marker=marker), encoding="utf-8")
    data = _csv(tmp_path / "data.csv", [["v1", "Kok", "3511AB", "Bakkerij", "", "O"]])
    before = world.live_version(PARTY, Kind.VACATURE)
    with pytest.raises(SourcesError) as raised:
        world.hosted.import_file(PARTY, Kind.VACATURE, data, mapping=mapping)
    count("injection: hostile mapping files")
    assert str(raised.value)
    assert not marker.exists(), "YAML must never construct Python objects"
    assert world.live_version(PARTY, Kind.VACATURE) == before
