# SPDX-License-Identifier: EUPL-1.2
"""Hostile Excel uploads: zip bombs and links to other workbooks are refused clearly, unread, offline."""

from __future__ import annotations

import socket
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.security import xlsx
from tests.security.tally import count
from tests.security.world import World
from vum.sources.errors import SourceFileError
from vum.standard import Kind

PARTY = "00000001000000000097"
MAPPING: dict[str, Any] = {
    "kind": "vacature",
    "columns": {"Nummer": "idVacature", "Naam": "naamVacature", "Postcode": "adres.postcode"},
}


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every outgoing connection attempt is recorded and fails: reading a file must not fetch."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts


def _import(world: World, path: Path, mapping: dict[str, Any] | None = None) -> Any:
    return world.hosted.import_file(PARTY, Kind.VACATURE, path, mapping=mapping or MAPPING)


def _refused(world: World, path: Path, words: str) -> tuple[float, int]:
    """Import ``path``: refused with ``words`` in the message; (seconds, peak bytes allocated)."""
    before = world.live_version(PARTY, Kind.VACATURE)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(SourceFileError) as raised:
            _import(world, path)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert words in str(raised.value), str(raised.value)
    assert world.live_version(PARTY, Kind.VACATURE) == before
    return seconds, peak


def test_a_clean_workbook_built_the_same_way_imports(world: World, tmp_path: Path) -> None:
    parts = [xlsx._part(name, data) for name, data in xlsx._workbook_parts().items()]
    result = _import(world, xlsx.write_zip(tmp_path / "schoon.xlsx", parts))
    assert result.records == 1


def test_a_zip_bomb_of_gigabytes_is_refused_before_it_is_unpacked(
    world: World, tmp_path: Path, offline: list[Any]
) -> None:
    path = xlsx.bomb(tmp_path / "bom.xlsx", 2048)  # 2 GiB of sheet XML in ~6 MB
    assert path.stat().st_size < 10 * xlsx.MiB
    seconds, peak = _refused(world, path, "zip bomb")
    count("excel: zip bombs")
    assert peak < 32 * xlsx.MiB, f"{peak} bytes allocated while refusing a zip bomb"
    assert seconds < 5 and offline == []


def test_a_part_packed_far_denser_than_xml_is_refused(world: World, tmp_path: Path) -> None:
    path = xlsx.bomb(tmp_path / "dicht.xlsx", 64)  # 64 MiB that packs ~330:1
    _, peak = _refused(world, path, "zip bomb")
    count("excel: zip bombs")
    assert peak < 32 * xlsx.MiB


def test_a_bomb_that_lies_about_its_size_unpacks_no_further_than_it_says(
    world: World, tmp_path: Path
) -> None:
    # Declares 2 MiB, holds 2 GiB: zipfile stops at the declared size, the XML is cut off.
    path = xlsx.bomb(tmp_path / "leugen.xlsx", 2048, declared=2 * xlsx.MiB)
    seconds, peak = _refused(world, path, "(.xlsx)")
    count("excel: zip bombs")
    assert peak < 64 * xlsx.MiB and seconds < 10


@pytest.mark.parametrize(
    "part_name", ["xl/externalLinks/externalLink1.xml", "xl/media/verstopt.xml"]
)
def test_a_workbook_linking_to_other_workbooks_is_refused_offline(
    world: World, tmp_path: Path, offline: list[Any], part_name: str
) -> None:
    path = xlsx.linked(tmp_path / "gekoppeld.xlsx", part_name=part_name)
    _refused(world, path, "external links")
    count("excel: workbooks with external links")
    assert offline == [], "reading a workbook tried to connect somewhere"


def test_a_sheet_name_cannot_reach_outside_the_workbook(world: World, tmp_path: Path) -> None:
    parts = [xlsx._part(name, data) for name, data in xlsx._workbook_parts().items()]
    path = xlsx.write_zip(tmp_path / "blad.xlsx", parts)
    for sheet in ("../../etc/passwd", "xl/worksheets/sheet1.xml", "/etc/passwd"):
        with pytest.raises(SourceFileError, match="bestaat niet"):
            _import(world, path, {**MAPPING, "sheet": sheet})
        count("excel: hostile sheet names")


def test_the_http_import_never_unzips_a_workbook(world: World, tmp_path: Path) -> None:
    """The HTTP import takes JSON only: a workbook (here a bomb) is not JSON, 400, unread."""
    body = xlsx.bomb(tmp_path / "bom.xlsx", 2048).read_bytes()
    response = world.http.put(
        f"{world.source_url}/admin/v1/datasets/00000001000000000011/vacature",
        content=body,
        headers={"Authorization": f"Bearer {world.tokens['A']}"},
    )
    count("excel: workbooks sent to the HTTP import")
    assert response.status_code == 400
    assert response.json()["message_nl"] == "Geen geldige JSON"
