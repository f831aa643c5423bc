# SPDX-License-Identifier: EUPL-1.2
"""The peer: the same records in PostgreSQL (jsonb + GIN, a lat/lon btree, expression indexes), queried in SQL."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from vum.bench.translate import DISTANCE, Translation, expression_indexes, translate
from vum.geo import PostcodeError, resolve
from vum.matching.columns import _occupation_labels, _text_of
from vum.matching.text import terms
from vum.standard.kinds import Kind
from vum.standard.query import Query


@dataclass(frozen=True)
class PeerResult:
    """The best ``limit`` ids by distance (then id) and how many records matched in all."""

    ids: list[str]
    total: int


@dataclass
class PeerLoad:
    """How long the peer took to take the records, and how large it made them."""

    copy_seconds: float = 0.0
    index_seconds: float = 0.0
    analyze_seconds: float = 0.0
    table_mb: float = 0.0
    indexes_mb: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return self.copy_seconds + self.index_seconds + self.analyze_seconds

    def as_dict(self) -> dict[str, Any]:
        return {
            "seconds": self.seconds,
            "copy_seconds": self.copy_seconds,
            "index_seconds": self.index_seconds,
            "analyze_seconds": self.analyze_seconds,
            "table_mb": self.table_mb,
            "indexes_mb": dict(self.indexes_mb),
        }


def _place(kind: Kind, record: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """The record's PC4 centroid, as the engine places it (vum.geo.resolve); None when unplaceable."""
    container, member = kind.postcode_path
    holder = record.get(container)
    code = holder.get(member) if isinstance(holder, Mapping) else None
    if not isinstance(code, str):
        return None, None
    try:
        where = resolve(code)
    except PostcodeError:
        return None, None
    return where.lat, where.lon


class PostgresPeer:
    """One kind's records in one table, answering parsed queries in SQL ordered by distance."""

    def __init__(self, conn: psycopg.Connection[Any], kind: Kind) -> None:
        self.conn = conn
        self.kind = kind
        self.table = sql.Identifier(kind.value)

    # -- loading --------------------------------------------------------------------------------
    def load(self, records: Sequence[Mapping[str, Any]]) -> PeerLoad:
        """Create the table, COPY the records in, build the indexes, ANALYZE.

        ``terms`` holds each record's free-text terms made by the engine's own tokenizer (folded,
        Dutch-stemmed), just as ``lat``/``lon`` are the engine's geocoding: ``$text`` and the
        selectiegebied mean the same on both sides.
        """
        stats = PeerLoad()
        t = self.table
        with self.conn.transaction():
            self.conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(t))
            # toast_tuple_target: keep documents inline and uncompressed; a filter that reads a
            # pglz-compressed doc decompresses it once per expression (2-3x slower queries).
            self.conn.execute(
                sql.SQL(
                    "CREATE TABLE {} (id text PRIMARY KEY, doc jsonb NOT NULL, lat float8, "
                    "lon float8, terms text[] NOT NULL) WITH (toast_tuple_target = 8160)"
                ).format(t)
            )
        started = time.perf_counter()
        labels = _occupation_labels()
        with self.conn.transaction(), self.conn.cursor() as cur:
            copy_sql = sql.SQL("COPY {} (id, doc, lat, lon, terms) FROM STDIN").format(t)
            with cur.copy(copy_sql) as copy:
                for record in records:
                    lat, lon = _place(self.kind, record)
                    words = sorted(
                        {w for text in _text_of(self.kind, record, labels) for w in terms(text)}
                    )
                    copy.write_row(
                        (str(record[self.kind.id_field]), Jsonb(record), lat, lon, words)
                    )
        stats.copy_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with self.conn.transaction():
            for statement in self._index_statements():
                self.conn.execute(statement)
        stats.index_seconds = time.perf_counter() - started
        started = time.perf_counter()
        self.conn.execute(sql.SQL("ANALYZE {}").format(t))
        stats.analyze_seconds = time.perf_counter() - started
        stats.table_mb, stats.indexes_mb = self._sizes()
        return stats

    def _index_statements(self) -> Iterable[sql.Composed]:
        t = self.table
        name = self.kind.value
        yield sql.SQL("CREATE INDEX {} ON {} USING gin (doc jsonb_path_ops)").format(
            sql.Identifier(f"{name}_doc_gin"), t
        )
        yield sql.SQL("CREATE INDEX {} ON {} (lat, lon)").format(
            sql.Identifier(f"{name}_lat_lon"), t
        )
        yield sql.SQL("CREATE INDEX {} ON {} USING gin (terms)").format(
            sql.Identifier(f"{name}_terms_gin"), t
        )
        for i, expression in enumerate(expression_indexes(self.kind)):
            yield sql.SQL("CREATE INDEX {} ON {} (({}))").format(
                sql.Identifier(f"{name}_expr_{i}"), t, sql.SQL(expression)
            )

    def _sizes(self) -> tuple[float, dict[str, float]]:
        mb = 1024.0 * 1024.0
        row = self.conn.execute("SELECT pg_table_size(%s::regclass)", (self.kind.value,)).fetchone()
        table = float(row[0]) / mb if row else 0.0
        indexes = {
            str(name): float(size) / mb
            for name, size in self.conn.execute(
                "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) "
                "FROM pg_index WHERE indrelid = %s::regclass ORDER BY 1",
                (self.kind.value,),
            ).fetchall()
        }
        return table, indexes

    # -- answering ------------------------------------------------------------------------------
    def search(self, query: Query, limit: int = 100) -> PeerResult:
        """The nearest ``limit`` matches and the total, in one statement (``count(*) OVER ()``)."""
        where = translate(query)
        if where.impossible:
            return PeerResult([], 0)
        statement = sql.SQL(
            "SELECT id, count(*) OVER () FROM "
            "(SELECT id, {distance} AS dist FROM {table} WHERE {where}) AS hits "
            "WHERE dist <= %(radius_km)s ORDER BY dist, id LIMIT %(limit)s"
        ).format(distance=sql.SQL(DISTANCE), table=self.table, where=sql.SQL(where.where))
        # prepare=False: psycopg prepares a statement after 5 runs, and PostgreSQL then moves to a
        # generic plan that cannot see the box or the codes (5-20x slower here); plan each query.
        rows = self.conn.execute(
            statement, {**where.params, "limit": limit}, prepare=False
        ).fetchall()
        return PeerResult([str(r[0]) for r in rows], int(rows[0][1]) if rows else 0)

    def select_ids(self, query: Query) -> set[str]:
        """Every matching id, before any limit (for checking the translation)."""
        where = translate(query)
        if where.impossible:
            return set()
        statement = sql.SQL(
            "SELECT id FROM {table} WHERE {where} AND {distance} <= %(radius_km)s"
        ).format(distance=sql.SQL(DISTANCE), table=self.table, where=sql.SQL(where.where))
        rows = self.conn.execute(statement, where.params, prepare=False).fetchall()
        return {str(r[0]) for r in rows}

    def explain(self, query: Query) -> str:
        """The plan PostgreSQL picks for the search of ``query`` (EXPLAIN ANALYZE), for the docs."""
        where: Translation = translate(query)
        statement = sql.SQL(
            "EXPLAIN (ANALYZE, BUFFERS) SELECT id, count(*) OVER () FROM "
            "(SELECT id, {distance} AS dist FROM {table} WHERE {where}) AS hits "
            "WHERE dist <= %(radius_km)s ORDER BY dist, id LIMIT 100"
        ).format(distance=sql.SQL(DISTANCE), table=self.table, where=sql.SQL(where.where))
        return "\n".join(
            str(r[0]) for r in self.conn.execute(statement, where.params, prepare=False)
        )
