# SPDX-License-Identifier: EUPL-1.2
"""The PostgreSQL peer selects exactly what the engine selects, and its throwaway server always stops."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from vum.bench.mix import build_mix
from vum.bench.pg import missing_binaries, throwaway_postgres
from vum.geo import distance_km
from vum.matching import build_engine
from vum.matching.engine import ColumnarEngine
from vum.standard.kinds import Kind
from vum.standard.query import Query, parse_query
from vum.synthetic import generate

REASON = missing_binaries()
pytestmark = pytest.mark.skipif(
    REASON is not None, reason=f"the PostgreSQL peer needs the server binaries: {REASON}"
)
COUNT = 5000


def _edge_cases(kind: Kind) -> list[dict[str, Any]]:
    """Corners the mix does not reach: radius 0, a PC4 the table lacks, $text without known terms."""
    area = {"selectiegebied": {"postcode": "3512JC", "afstand": 40}}
    prefix = "arbeidsmarktkwalificatie." if kind is Kind.WERKZOEKENDE else ""
    cases: list[dict[str, Any]] = [
        {"selectiegebied": {"postcode": "3512JC", "afstand": 0}},
        {"selectiegebied": {"postcode": "1000AA", "afstand": 30}},
        {**area, "$text": {"$search": "xyzzyq"}},
        {**area, "$text": {"$search": "de het een"}},
        {**area, "$text": {"$search": "Chauffeur  vrachtwagen"}},
        {
            **area,
            prefix + "taalbeheersing": {"$all": [{"$elemMatch": {"codeTaal": {"$eq": "eng"}}}]},
        },
        {
            **area,
            prefix + "taalbeheersing": {
                "$all": [
                    {
                        "$elemMatch": {
                            "codeTaal": {"$eq": "nld"},
                            "codeNiveauTaalbeheersingSchriftelijk": {"$gte": 4},
                        }
                    }
                ]
            },
        },
        {**area, "werktijden.aantalWerkurenPerWeekMaximaal": {"$gte": 38}},
        {**area, "flexibiliteit.indicatieOnregelmatigWerkOfPloegendienst": {"$eq": 2}},
    ]
    if kind is Kind.WERKZOEKENDE:
        cases += [
            {**area, "werktijden.indicatieKantoortijden": {"$eq": 2}},
            {
                **area,
                "contractvorm": {
                    "$elemMatch": {"$or": [{"codeTypeArbeidscontract": {"$eq": "O"}}]}
                },
            },
            {**area, "werktijden.aantalWerkurenPerWeekMinimaal": {"$lte": 12}},
        ]
    else:
        cases += [
            {**area, "codeWerkEnDenkniveauMinimaal": {"$eq": "7"}},
            {**area, "codeWerkEnDenkniveauMinimaal": {"$gte": "1", "$lt": "7"}},
            {**area, "datumAanvangWerkzaamheden": {"$gte": "2026-12-20"}},
        ]
    return cases


@pytest.fixture(scope="module")
def peer_conn() -> Iterator[psycopg.Connection[Any]]:
    with throwaway_postgres() as dsn, psycopg.connect(dsn, autocommit=True) as conn:
        yield conn


@pytest.mark.parametrize("kind", list(Kind))
def test_peer_selects_exactly_what_the_engine_selects(
    kind: Kind, peer_conn: psycopg.Connection[Any]
) -> None:
    from vum.bench.peer import PostgresPeer

    records = list(generate(kind, COUNT, seed=1))
    engine = build_engine(kind, records)
    assert isinstance(engine, ColumnarEngine)
    peer = PostgresPeer(peer_conn, kind)
    peer.load(records)
    container, member = kind.postcode_path
    postcodes: dict[str, str] = {str(r[kind.id_field]): r[container][member] for r in records}
    queries: list[Query] = [q for form in build_mix(kind, records, 4) for q in form.queries]
    queries += [parse_query(kind, wire) for wire in _edge_cases(kind)]
    nonempty = 0
    for query in queries:
        expected = {engine.cols.ids[row] for row in engine.select(query)}
        assert peer.select_ids(query) == expected, query.to_wire()
        found = peer.search(query, limit=100)
        assert found.total == len(expected)
        # The nearest 100, ties by id: what the reference distance says.
        nearest = sorted(expected, key=lambda i: (distance_km(query.postcode, postcodes[i]), i))
        assert found.ids == nearest[:100], query.to_wire()
        nonempty += bool(expected)
    assert nonempty > len(queries) * 0.7  # the sample must actually select something


def _server_pid(dsn: str) -> tuple[int, Path]:
    match = re.search(r"host=(\S+)", dsn)
    assert match is not None
    root = Path(match.group(1))
    pid = int((root / "data" / "postmaster.pid").read_text().split()[0])
    return pid, root


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _processes_under(root: Path) -> list[int]:
    """Processes whose command line names the server's directory."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(root) in cmdline:
            found.append(int(entry.name))
    return found


def test_the_throwaway_server_is_stopped_and_removed_afterwards() -> None:
    with throwaway_postgres() as dsn:
        pid, root = _server_pid(dsn)
        assert _alive(pid)
        with psycopg.connect(dsn) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    assert not _alive(pid)
    assert _processes_under(root) == []
    assert not root.exists()


def test_the_server_is_stopped_when_the_body_fails() -> None:
    with pytest.raises(RuntimeError, match="boom"), throwaway_postgres() as dsn:
        pid, root = _server_pid(dsn)
        conn = psycopg.connect(dsn)  # a connection left open must not keep it alive
        assert conn.execute("SELECT 1").fetchone() == (1,)
        raise RuntimeError("boom")
    assert not _alive(pid)
    assert _processes_under(root) == []
    assert not root.exists()
    conn.close()
