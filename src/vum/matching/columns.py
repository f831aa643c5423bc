# SPDX-License-Identifier: EUPL-1.2
"""The columnar index of a dataset: one array per searchable attribute, posting lists per code, a point index.

Built once from the records (wire detail dicts). Absent values are -1 in the integer columns, so a
comparison with any valid query value fails, as "absent never matches" demands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from vum.geo import PostcodeError, pc4_of, pc4_table, resolve
from vum.matching.arrays import Int16Array, IntArray, postings
from vum.matching.text import TextIndex
from vum.standard.kinds import Kind

_ABSENT = -1


@dataclass
class LanguageColumn:
    """One row per language element of a record (which record, its oral and written levels),
    and per record the best oral and written level over its elements of this language."""

    rows: IntArray
    oral: Int16Array
    written: Int16Array
    best_oral: Int16Array
    best_written: Int16Array


def _language_column(
    n: int, rows: list[int], oral: list[int], written: list[int]
) -> LanguageColumn:
    r = np.asarray(rows, dtype=np.int32)
    o = np.asarray(oral, dtype=np.int16)
    w = np.asarray(written, dtype=np.int16)
    # -2: the record has no element of this language; -1: it has one without that level.
    best_o = np.full(n, -2, dtype=np.int16)
    best_w = np.full(n, -2, dtype=np.int16)
    np.maximum.at(best_o, r, o)
    np.maximum.at(best_w, r, w)
    return LanguageColumn(r, o, w, best_o, best_w)


@lru_cache(maxsize=20_000)
def _date_ordinal(value: Any) -> int:
    if not isinstance(value, str):
        return _ABSENT
    try:
        return dt.date.fromisoformat(value).toordinal()
    except ValueError:
        return _ABSENT


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else _ABSENT


def _items(record: Mapping[str, Any], *path: str) -> Iterator[Mapping[str, Any]]:
    """The objects at a path, arrays traversed (Mongo style)."""
    nodes: list[Any] = [record]
    for part in path:
        nxt: list[Any] = []
        for node in nodes:
            value = node.get(part) if isinstance(node, Mapping) else None
            if isinstance(value, list):
                nxt.extend(value)
            elif value is not None:
                nxt.append(value)
        nodes = nxt
    return (n for n in nodes if isinstance(n, Mapping))


# Members whose presence makes a record more useful to a mediator (completeness in the ranking).
_COMPLETENESS: dict[Kind, tuple[tuple[str, ...], ...]] = {
    Kind.WERKZOEKENDE: (
        ("bemiddelingsberoep",),
        ("werktijden",),
        ("contractvorm",),
        ("flexibiliteit",),
        ("vervoermiddel",),
        ("arbeidsmarktkwalificatie", "opleiding"),
        ("arbeidsmarktkwalificatie", "rijbewijs"),
        ("arbeidsmarktkwalificatie", "taalbeheersing"),
        ("arbeidsmarktkwalificatie", "werkervaring"),
        ("mobiliteit", "maximaleReisafstand"),
    ),
    Kind.VACATURE: (
        ("beroep",),
        ("omschrijvingVacature",),
        ("werktijden",),
        ("contractvorm",),
        ("werkgever", "handelsnaamOrganisatie"),
        ("arbeidsVoorwaarden", "salarisIndicatie"),
        ("opleiding",),
        ("taalbeheersing",),
        ("sluitingsdatumVacature",),
        ("codeWerkEnDenkniveauMinimaal",),
    ),
}


def _has(record: Mapping[str, Any], path: tuple[str, ...]) -> bool:
    node: Any = record
    for part in path:
        # Records are plain dicts parsed from JSON: a type check is far cheaper than an ABC check.
        node = node.get(part) if type(node) is dict else None
        if node is None or node == "" or node == [] or node == {}:
            return False
    return True


def _text_of(kind: Kind, record: Mapping[str, Any], labels: Mapping[str, str]) -> list[str]:
    """What ``$text`` searches. Never the detail-only personal presentation (privacy)."""
    out: list[str] = []
    if kind is Kind.WERKZOEKENDE:
        amk = record.get("arbeidsmarktkwalificatie") or {}
        for o in amk.get("opleiding") or []:
            out.append(o.get("toelichtingOpleiding", ""))
        for w in amk.get("werkervaring") or []:
            out.append(w.get("toelichtingWerkervaring", ""))
        for c in amk.get("cursus") or []:
            out += [c.get("naamCursus", ""), c.get("toelichtingCursus", "")]
        for i in amk.get("interesse") or []:
            out.append(i.get("naamInteresse", ""))
        for b in record.get("bemiddelingsberoep") or []:
            out.append(labels.get(b.get("codeBeroepsnaam", ""), ""))
    else:
        out += [record.get("naamVacature", ""), record.get("omschrijvingVacature", "")]
        out.append(
            (record.get("arbeidsVoorwaarden") or {}).get("omschrijvingArbeidsvoorwaarden", "")
        )
        out.append((record.get("werkgever") or {}).get("handelsnaamOrganisatie", ""))
        for o in record.get("opleiding") or []:
            out.append(o.get("toelichtingOpleiding", ""))
        for c in record.get("cursus") or []:
            out += [c.get("naamCursus", ""), c.get("toelichtingCursus", "")]
        out.append(labels.get((record.get("beroep") or {}).get("codeBeroepsnaam", ""), ""))
    return [t for t in out if t]


def _occupation_labels() -> Mapping[str, str]:
    try:
        from vum.register import load_builtin

        return {o.uri: o.label for o in load_builtin()}
    except Exception:  # the register is an aid to free text, never a reason to fail a dataset
        return {}


class Columns:
    """Every index the engine needs over one dataset of one kind."""

    def __init__(self, kind: Kind, records: Sequence[Mapping[str, Any]]) -> None:
        self.kind = kind
        self.n = n = len(records)
        self.ids: list[str] = [str(r[kind.id_field]) for r in records]
        self.row_of: dict[str, int] = {rid: i for i, rid in enumerate(self.ids)}
        prof = kind is Kind.WERKZOEKENDE

        occupations: dict[str, list[int]] = {}
        contracts: dict[str, list[int]] = {}
        licences: dict[str, list[int]] = {}
        langs: dict[str, tuple[list[int], list[int], list[int]]] = {}
        # Plain lists in the loop, arrays at the end: numpy item assignment is slow per call.
        pc4: list[int] = []
        irregular: list[int] = []
        office: list[int] = []
        hours_min: list[int] = []
        hours_max: list[int] = []
        day: list[int] = []
        level: list[int] = []
        complete: list[int] = []
        wanted = _COMPLETENESS[kind]
        container, member_name = kind.postcode_path
        pc4_cache: dict[str, int] = {}
        empty: dict[str, Any] = {}

        for i, r in enumerate(records):
            code = (r.get(container) or empty).get(member_name)
            placed_pc4 = 0
            if isinstance(code, str):
                found = pc4_cache.get(code)
                if found is None:
                    try:
                        found = pc4_of(code)
                    except PostcodeError:
                        found = 0  # cannot be placed: lies in no selectiegebied
                    pc4_cache[code] = found
                placed_pc4 = found
            pc4.append(placed_pc4)
            occ_items = r.get("bemiddelingsberoep") if prof else [r.get("beroep")]
            for b in occ_items or ():
                if b and b.get("codeBeroepsnaam"):
                    occupations.setdefault(b["codeBeroepsnaam"], []).append(i)
            for c in r.get("contractvorm") or ():
                if c.get("codeTypeArbeidscontract"):
                    contracts.setdefault(c["codeTypeArbeidscontract"], []).append(i)
            amk = (r.get("arbeidsmarktkwalificatie") or empty) if prof else r
            for lic in amk.get("rijbewijs") or ():
                if lic.get("codeSoortRijbewijs"):
                    licences.setdefault(lic["codeSoortRijbewijs"], []).append(i)
            for t in amk.get("taalbeheersing") or ():
                if t.get("codeTaal"):
                    rows, oral, written = langs.setdefault(t["codeTaal"], ([], [], []))
                    rows.append(i)
                    oral.append(_int(t.get("codeNiveauTaalbeheersingMondeling")))
                    written.append(_int(t.get("codeNiveauTaalbeheersingSchriftelijk")))
            flex = r.get("flexibiliteit") or empty
            irregular.append(_int(flex.get("indicatieOnregelmatigWerkOfPloegendienst")))
            hours = r.get("werktijden") or empty
            office.append(_int(hours.get("indicatieKantoortijden")))
            hours_min.append(_int(hours.get("aantalWerkurenPerWeekMinimaal")))
            hours_max.append(_int(hours.get("aantalWerkurenPerWeekMaximaal")))
            if prof:
                day.append(_date_ordinal(flex.get("datumAanvangBeschikbaarVoorWerk")))
            else:
                day.append(
                    _date_ordinal(
                        (r.get("arbeidsVoorwaarden") or empty).get("datumAanvangWerkzaamheden")
                    )
                )
                lv = r.get("codeWerkEnDenkniveauMinimaal")
                level.append(int(lv) if isinstance(lv, str) and lv.isdigit() else _ABSENT)
            complete.append(sum([_has(r, p) for p in wanted]))

        self.occupations = postings(occupations)
        self.contracts = postings(contracts)
        self.licences = postings(licences)
        self.languages = {code: _language_column(n, *lists) for code, lists in langs.items()}
        self.irregular = np.array(irregular, dtype=np.int8)
        self.office = np.array(office, dtype=np.int8)
        self.hours_min = np.array(hours_min, dtype=np.int16)
        self.hours_max = np.array(hours_max, dtype=np.int16)
        self.day = np.array(day, dtype=np.int32)
        self.level = np.array(level if level else [_ABSENT] * n, dtype=np.int8)
        self.completeness = np.array(complete, dtype=np.float32) / len(wanted)
        pc4_arr = np.array(pc4, dtype=np.int32)

        # Records are placed on the centroid of their PC4, from the same table as
        # vum.geo.distance_km, so the engine and the reference evaluator agree on every distance.
        # The "postcode grid": records grouped by PC4 (CSR), so a radius query costs the PC4s
        # in reach plus the records found, never the records it excludes.
        table = pc4_table()
        self.grid_lat, self.grid_lon = table.lat, table.lon
        slot = np.searchsorted(table.pc4, pc4_arr)
        slot = np.clip(slot, 0, len(table.pc4) - 1).astype(np.int32)
        exact = table.pc4[slot] == pc4_arr
        cell = np.where(exact, slot, -1).astype(np.int32)
        for row in np.flatnonzero(~exact & (pc4_arr >= 1000)).tolist():
            # A valid PC4 the table lacks: vum.geo falls back to the nearest known one.
            fallback = table.row_of(resolve(str(int(pc4_arr[row]))).pc4)
            cell[row] = -1 if fallback is None else fallback
        self.cell: IntArray = cell
        placed = np.flatnonzero(cell >= 0).astype(np.int32)
        order = placed[np.argsort(cell[placed], kind="stable")]
        self.cell_rows: IntArray = order
        counts = np.bincount(cell[placed], minlength=len(table.pc4))
        self.cell_offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)

        self._records = records
        self._text: TextIndex | None = None

    @property
    def text(self) -> TextIndex:
        """The free-text index, built on the first ``$text`` query (most queries never need it)."""
        if self._text is None:
            labels = _occupation_labels()
            self._text = TextIndex([_text_of(self.kind, r, labels) for r in self._records])
        return self._text
