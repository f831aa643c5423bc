# SPDX-License-Identifier: EUPL-1.2
"""A techpartner's own candidate database becomes a VUM source: two functions and one router."""

# Run it:  python examples/adapter_source.py --port 8090
# Ask it:  see docs/adapter-kit.md (curl with the six VUM headers and a vraagObject).

from __future__ import annotations

import argparse
import random
import sqlite3
import threading
from typing import Any

import uvicorn
from fastapi import FastAPI

from vum.api import UnknownParty, current_call, make_bron_router
from vum.geo import distance_km
from vum.matching import Explanation, Hit, SearchResult
from vum.standard import Kind, Query, matches, strip_detail_only

#: The OIN this source answers for (X-VUM-toParty); a real one is the municipality's own.
OUR_OIN = "00000001234567890123"
REGISTER = "https://data.openvum.nl/id/beroep/"

# ---------------------------------------------------------------------------------------------
# 1. The techpartner's own database: its own table, its own column names. Nothing VUM about it.
# ---------------------------------------------------------------------------------------------
SCHEMA = """
CREATE TABLE kandidaat (
    nummer            TEXT PRIMARY KEY,  -- our own id; becomes idWerkzoekende
    postcode          TEXT NOT NULL,     -- where the candidate looks for work
    max_reisafstand   INTEGER,           -- km
    beroep            TEXT NOT NULL,     -- occupation key in the open VUM register
    contract          TEXT,              -- 'O' (vast) or 'B' (tijdelijk)
    uren_min          INTEGER,
    uren_max          INTEGER,
    rijbewijzen       TEXT,              -- 'B,C'
    talen             TEXT,              -- 'nld:4:3,eng:3:2' (taal:mondeling:schriftelijk)
    beschikbaar_vanaf TEXT,              -- YYYY-MM-DD
    niveau            INTEGER,           -- werk- en denkniveau 1..6
    presentatie       TEXT,              -- detail only
    consulent         TEXT,              -- detail only: the consultant, not the candidate
    consulent_email   TEXT,
    ldr               INTEGER            -- labour-disability register (1 ja, 2 nee): sensitive
)
"""

_POSTCODES = ["1315AB", "1012AB", "3511AB", "3011AD", "2511CV", "9711LM", "7511JG", "6811AA"]
_BEROEPEN = ["magazijnmedewerker", "kok", "helpende-zorg-welzijn", "heftruckchauffeur"]


def create_database(rows: int = 250, seed: int = 7) -> sqlite3.Connection:
    """An in-memory database with ``rows`` made-up candidates (deterministic for ``seed``)."""
    rnd = random.Random(seed)
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute(SCHEMA)
    for n in range(rows):
        uren_min = rnd.choice([8, 16, 24, 32])
        db.execute(
            "INSERT INTO kandidaat VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                f"K{n:05d}",
                rnd.choice(_POSTCODES),
                rnd.choice([10, 25, 50]),
                rnd.choice(_BEROEPEN),
                rnd.choice(["O", "B"]),
                uren_min,
                uren_min + rnd.choice([0, 8, 16]),
                rnd.choice(["", "B", "B,C", "B,C,CE"]),
                rnd.choice(["nld:4:3", "nld:3:2,eng:3:3", "nld:2:1,ara:4:4"]),
                f"2026-{rnd.randint(1, 12):02d}-01",
                rnd.randint(1, 6),
                "Gemotiveerde kandidaat met ervaring.",
                "J. de Vries",
                "j.devries@gemeente.example",
                rnd.choice([2, 2, 2, 1]),
            ),
        )
    return db


# ---------------------------------------------------------------------------------------------
# 2. Mapping: one row of ours -> the wire JSON of a Werkzoekende (gegevensstandaard 1.5).
# ---------------------------------------------------------------------------------------------
def to_werkzoekende(row: sqlite3.Row, *, with_ldr: bool) -> dict[str, Any]:
    languages = []
    for item in filter(None, row["talen"].split(",")):
        code, oral, written = item.split(":")
        languages.append(
            {
                "codeTaal": code,
                "codeNiveauTaalbeheersingMondeling": int(oral),
                "codeNiveauTaalbeheersingSchriftelijk": int(written),
            }
        )
    record: dict[str, Any] = {
        "idWerkzoekende": row["nummer"],
        "mobiliteit": {
            "bemiddelingspostcode": row["postcode"],
            "maximaleReisafstand": row["max_reisafstand"],
        },
        "bemiddelingsberoep": [{"codeBeroepsnaam": REGISTER + row["beroep"]}],
        "contractvorm": [{"codeTypeArbeidscontract": row["contract"]}],
        "werktijden": {
            "aantalWerkurenPerWeekMinimaal": row["uren_min"],
            "aantalWerkurenPerWeekMaximaal": row["uren_max"],
        },
        "flexibiliteit": {"datumAanvangBeschikbaarVoorWerk": row["beschikbaar_vanaf"]},
        "arbeidsmarktkwalificatie": {
            "codeWerkEnDenkniveauWerkzoekende": row["niveau"],
            "taalbeheersing": languages,
        },
        "persoonlijkePresentatie": row["presentatie"],
        "contactpersoon": [
            {
                "naamContactpersoonAfdeling": row["consulent"],
                "emailadres": row["consulent_email"],
            }
        ],
    }
    licences = [{"codeSoortRijbewijs": c} for c in row["rijbewijzen"].split(",") if c]
    if licences:  # VUM: an empty array counts as absent; leave it out
        record["arbeidsmarktkwalificatie"]["rijbewijs"] = licences
    if with_ldr:
        record["indicatieLdrRegistratie"] = row["ldr"]
    return record


# ---------------------------------------------------------------------------------------------
# 3. The two functions the adapter kit asks for.
# ---------------------------------------------------------------------------------------------
class CandidateSource:
    """``search`` and ``detail`` over our database. Plain (sync) methods: the router runs them in
    a worker thread, so a slow query never blocks other callers."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.lock = threading.Lock()  # one sqlite connection, many worker threads

    def _rows(self, where: str = "", args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self.db.execute(f"SELECT * FROM kandidaat {where}", args).fetchall()

    def search(self, kind: Kind, party: str, query: Query, limit: int) -> SearchResult:
        if party != OUR_OIN:
            raise UnknownParty(party, kind)  # -> 400.01, documented in docs/source-api.md
        # (a) Narrow down in SQL with what maps onto our columns directly ...
        clauses: list[str] = []
        args: list[Any] = []
        if query.occupations:
            keys = [u.removeprefix(REGISTER) for u in query.occupations]
            clauses.append(f"beroep IN ({','.join('?' * len(keys))})")
            args += keys
        if query.hours_min is not None:
            clauses.append("uren_max >= ?")
            args.append(query.hours_min)
        if query.hours_max is not None:
            clauses.append("uren_min <= ?")
            args.append(query.hours_max)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        # (b) ... and let the reference evaluator decide the rest exactly (area, ALL of licences
        # and languages with levels, OR of contract types): correct before fast.
        found: list[tuple[float, dict[str, Any]]] = []
        for row in self._rows(where, tuple(args)):
            record = to_werkzoekende(row, with_ldr=False)
            if matches(query, record, distance_km):
                found.append((distance_km(query.postcode, row["postcode"]), record))
        # (c) Rank: nearest first; say why (shown with X-OpenVUM-Explain: 1).
        found.sort(key=lambda item: item[0])
        hits = []
        for km, record in found[:limit]:
            score = 100.0 * (1 - km / max(query.radius_km, 1))
            hits.append(
                Hit(
                    record_id=record["idWerkzoekende"],
                    score=score,
                    distance_km=km,
                    # VUM: a summary carries no detail-only members (privacy by design).
                    summary=strip_detail_only(Kind.WERKZOEKENDE, record),
                    explanations=(
                        Explanation("afstand", None, score, f"{km:.1f} km van {query.postcode}"),
                    ),
                )
            )
        return SearchResult(hits, total=len(found), limit=limit)

    def detail(self, kind: Kind, party: str, record_id: str) -> dict[str, Any] | None:
        if party != OUR_OIN:
            raise UnknownParty(party, kind)
        rows = self._rows("WHERE nummer = ?", (record_id,))
        if not rows:
            return None  # the router answers 400.01 "onbekend id"
        # A policy of this source: the LDR flag goes to SUWI parties only.
        return to_werkzoekende(rows[0], with_ldr=current_call().suwi_party)


# ---------------------------------------------------------------------------------------------
# 4. Mount the router: this is all the HTTP there is.
# ---------------------------------------------------------------------------------------------
def create_app(rows: int = 250) -> FastAPI:
    source = CandidateSource(create_database(rows))
    app = FastAPI(title="Kandidatenbank — VUM-bron (voorbeeld)")
    app.include_router(make_bron_router(source.search, source.detail, kinds=[Kind.WERKZOEKENDE]))
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="Example VUM source built with the adapter kit")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--rows", type=int, default=250, help="candidates to make up")
    args = parser.parse_args()
    uvicorn.run(create_app(args.rows), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
