# SPDX-License-Identifier: EUPL-1.2
"""The columnar index of a dataset: one array per searchable attribute, posting lists per code, a point index.

Built once from the records (wire detail dicts). Absent values are -1 in the integer columns, so a
comparison with any valid query value fails, as "absent never matches" demands.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, Generic, TypeVar, overload

import numpy as np

from vum.geo import EARTH_RADIUS_KM, PostcodeError, pc4_of, pc4_table, resolve
from vum.matching.arrays import (
    BoolArray,
    FloatArray,
    Int8Array,
    Int16Array,
    IntArray,
    OnFirstRead,
    mask,
    masks,
    postings,
)
from vum.matching.text import TextIndex
from vum.standard.kinds import Kind
from vum.standard.msgcheck import MirrorRecord

_ABSENT = -1
_T = TypeVar("_T")
_K = TypeVar("_K")


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


# Slack on the band of latitudes of a radius (~1 km): far above any rounding in the haversine.
_BAND_MARGIN_DEG = 0.01
# Entries in each cache of Grid (_recent, _distances): ~10 MB together at most.
_CACHED = 256


class Reach:
    """What a centre and a radius make of the grid: km to the cells, which are in reach.

    Read-only and shared by every query from that centre with that radius (Grid.reach).
    """

    __slots__ = ("_cells", "_inside", "km", "radius_km")

    def __init__(self, km: FloatArray, radius_km: float | None) -> None:
        #: km to every cell, and inf in one extra last slot (cell -1: unplaced records); with a
        #: radius, exact at least for every cell within it, and inf for some beyond it
        self.km = km
        self.radius_km = radius_km
        # Made on first use (another thread may make them too: the same values)
        self._inside: BoolArray | None = None
        self._cells: IntArray | None = None

    @property
    def inside(self) -> BoolArray:
        """Per cell, and the extra slot: within the radius? (Far smaller than ``km`` to read.)"""
        inside = self._inside
        if inside is None:
            # (Without a radius every placed cell: the extra slot is inf.)
            inside = self.km < math.inf if self.radius_km is None else self.km <= self.radius_km
            inside.flags.writeable = False
            self._inside = inside
        return inside

    @property
    def cells(self) -> IntArray:
        """The cells within the radius, ascending."""
        cells = self._cells
        if cells is None:
            cells = np.flatnonzero(self.inside).astype(np.int32)
            cells.flags.writeable = False
            self._cells = cells
        return cells


@dataclass(frozen=True)
class Grid:
    """The PC4 centroids records are placed on (one cell per PC4), ready for distances."""

    # In degrees, in radians with the cosine of the latitude; the cells by latitude, with
    # their latitudes (a list, for bisect) and radians and cosines in that order.
    lat: FloatArray
    lon: FloatArray
    phi: FloatArray
    lam: FloatArray
    cos_phi: FloatArray
    by_lat: IntArray
    lat_sorted: list[float]
    phi_by_lat: FloatArray
    lam_by_lat: FloatArray
    cos_phi_by_lat: FloatArray
    #: Recent reaches: mediators search from a few office postcodes and radii again and
    #: again. A FIFO of at most _CACHED entries (~4 KB each, and the km they share).
    _recent: dict[tuple[float, float, float | None], Reach] = field(
        default_factory=dict, compare=False, repr=False
    )
    #: Per recent centre, its km to the cells and the radius within which they are all exact
    #: (inf: every cell): a centre's distances serve every radius up to that one. A FIFO of at
    #: most _CACHED entries (~32 KB each).
    _distances: dict[tuple[float, float], tuple[float, FloatArray]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __len__(self) -> int:
        return len(self.lat)

    def cell_km(self, lat0: float, lon0: float, radius_km: float | None = None) -> FloatArray:
        """Km from (lat0, lon0) to every cell (with a radius: exact within it, beyond it exact
        or inf), inf in an extra last slot for cell -1."""
        return self.reach(lat0, lon0, radius_km).km

    def reach(self, lat0: float, lon0: float, radius_km: float | None = None) -> Reach:
        """The cells' distances from (lat0, lon0) and which are within ``radius_km``."""
        key = (lat0, lon0, radius_km)
        found = self._recent.get(key)
        if found is None:
            found = Reach(self._km(lat0, lon0, radius_km), radius_km)
            _remember(self._recent, key, found)
        return found

    def _km(self, lat0: float, lon0: float, radius_km: float | None) -> FloatArray:
        """Km to every cell, exact at least within ``radius_km``: a recent centre's when they
        reach that far (as when a mediator widens the radius), else computed."""
        wanted = math.inf if radius_km is None else radius_km
        known = self._distances.get((lat0, lon0))
        if known is not None and known[0] >= wanted:
            return known[1]
        km = self._cell_km(lat0, lon0, radius_km)
        km.flags.writeable = False
        _remember(self._distances, (lat0, lon0), (wanted, km))
        return km

    def _cell_km(self, lat0: float, lon0: float, radius_km: float | None) -> FloatArray:
        # One extra last slot, inf, for cell -1 (unplaced records).
        km = np.full(len(self.lat) + 1, np.inf)
        if radius_km is None:
            km[:-1] = self._haversine(self.phi, self.lam, self.cos_phi, lat0, lon0)
            return km
        # With a radius only the cells in the band of latitudes the spherical cap spans (its
        # centre's ± the radius's angle, with a margin) are computed: a query pays for the
        # cells near it. The band is one slice of the cells by latitude, so no gathering: that
        # costs more numpy calls than the few hundred cells beside the cap cost to compute.
        dlat = math.degrees(radius_km / EARTH_RADIUS_KM) + _BAND_MARGIN_DEG
        lo = bisect.bisect_left(self.lat_sorted, lat0 - dlat)
        hi = bisect.bisect_right(self.lat_sorted, lat0 + dlat)
        band = slice(lo, hi)
        km.put(
            self.by_lat[band],
            self._haversine(
                self.phi_by_lat[band], self.lam_by_lat[band], self.cos_phi_by_lat[band], lat0, lon0
            ),
        )
        return km

    @staticmethod
    def _haversine(
        phi: FloatArray, lam: FloatArray, cos_phi: FloatArray, lat0: float, lon0: float
    ) -> FloatArray:
        """vum.geo.haversine_km_array for these cells, with radians and cosines precomputed."""
        # Operation for operation as vum.geo, so a record on the radius is judged as by the
        # reference evaluator (tests/matching/test_fast_paths.py compares the bits).
        phi0 = math.radians(lat0)
        lam0 = math.radians(lon0)
        a = (
            np.sin((phi - phi0) / 2.0) ** 2
            + math.cos(phi0) * cos_phi * np.sin((lam - lam0) / 2.0) ** 2
        )
        # np.clip(a, 0.0, 1.0) as two ufuncs: the same bits, without clip's Python layers.
        np.maximum(a, 0.0, out=a)
        np.minimum(a, 1.0, out=a)
        result: FloatArray = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
        return result


def _remember(cache: dict[_K, _T], key: _K, value: _T) -> None:
    """Keep ``value`` in a FIFO of at most _CACHED entries."""
    if key not in cache and len(cache) >= _CACHED:
        with contextlib.suppress(KeyError, StopIteration, RuntimeError):
            del cache[next(iter(cache))]  # another thread may race us
    cache[key] = value


@lru_cache(maxsize=1)
def grid() -> Grid:
    """The grid of the PC4 table (one per process: it is the same for every dataset)."""
    table = pc4_table()
    phi = np.radians(table.lat)
    lam = np.radians(table.lon)
    cos_phi = np.cos(phi)
    by_lat = np.argsort(table.lat, kind="stable").astype(np.int32)
    return Grid(
        table.lat,
        table.lon,
        phi,
        lam,
        cos_phi,
        by_lat,
        table.lat[by_lat].tolist(),
        phi[by_lat],
        lam[by_lat],
        cos_phi[by_lat],
    )


def _int32_rows(_: str, rows: list[int]) -> IntArray:
    return np.array(rows, dtype=np.int32)


def _pc4(code: str) -> int:
    """The PC4 of a postcode, 0 when it is no postcode (cannot be placed)."""
    # The canonical form ("1012AB", ASCII) needs no regular expression; anything else does.
    ascii_pc6 = len(code) == 6 and code.isascii() and code[0] != "0"
    if ascii_pc6 and code[:4].isdigit() and code[4:].isalpha():
        return int(code[:4])
    try:
        return pc4_of(code)
    except PostcodeError:
        return 0


@lru_cache(maxsize=20_000)
def _date_ordinal(value: Any) -> int:
    if type(value) is dt.date:  # a checked summary's date (``vum.standard.msgcheck``)
        return value.toordinal()
    if not isinstance(value, str):
        return _ABSENT
    try:
        return dt.date.fromisoformat(value).toordinal()
    except ValueError:
        return _ABSENT


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else _ABSENT


def _add(lists: dict[str, list[int]], key: str, row: int) -> None:
    """Append ``row`` to the key's list once (rows come in ascending order)."""
    rows = lists.get(key)
    if rows is None:
        lists[key] = [row]
    elif rows[-1] != row:
        rows.append(row)


def _get(node: Any, name: str) -> Any:
    """A member of a record that is neither a dict nor a Struct (any Mapping)."""
    return node.get(name)


def _member(node: Any, name: str) -> Any:
    """A member of a Struct, or None when its type has no such member."""
    return getattr(node, name, None)


class _Nothing:
    """An absent object read like a Struct: every member is absent."""

    def __getattr__(self, name: str) -> None:
        return None


_NOTHING = _Nothing()


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


@cache
def _completeness_counter(kind: Kind) -> Callable[[type], Callable[[Any], int]]:
    """For a record type (a dict, a checked answer's Struct): how many of the kind's
    completeness members (one or two deep) a record of it fills.

    One per kind (cached): it learns the Struct types it reads.
    """
    # Filled: present and not None, "", [] or {}; for JSON values that is truthy, or a number
    # (or false) equal to 0.
    singles = tuple(p[0] for p in _COMPLETENESS[kind] if len(p) == 1)
    pairs = tuple((p[0], p[1]) for p in _COMPLETENESS[kind] if len(p) == 2)

    def by_get(record: Mapping[str, Any]) -> int:
        filled = 0
        for key in singles:
            value = record.get(key)
            if value or value == 0:
                filled += 1
        for outer, inner in pairs:
            node = record.get(outer)
            if type(node) is dict or isinstance(node, MirrorRecord):
                value = node.get(inner)
                if value or value == 0:
                    filled += 1
        return filled

    count_struct = _StructCompleteness(singles, pairs, by_get)

    def counter_for(record_type: type) -> Callable[[Any], int]:
        # Records are plain dicts parsed from JSON, or a checked answer's Structs, which read
        # alike; any other mapping counts nothing.
        if record_type is dict:
            return by_get
        if issubclass(record_type, MirrorRecord):
            return count_struct.counter(record_type)
        return _nothing_filled

    return counter_for


def _nothing_filled(_: Any) -> int:
    return 0


class _StructCompleteness:
    """The completeness count of a checked answer's Structs, as one straight function per kind.

    Members are read as attributes and counted as filled when truthy or equal to 0: ``UNSET``,
    ``""`` and ``[]`` are falsy and equal no 0, and a Struct is truthy (a checked answer holds
    no ``{}``). The function is written out once per kind (as ``dataclasses`` writes
    ``__init__``): a generic loop over the members cost three times as much. A Struct type that
    lacks one of the top-level members is counted member by member, as a dict is.
    """

    def __init__(
        self,
        singles: tuple[str, ...],
        pairs: tuple[tuple[str, str], ...],
        by_get: Callable[[Any], int],
    ) -> None:
        self.names = set(singles) | {outer for outer, _ in pairs}
        self.by_get = by_get
        self._by_type: dict[type, Callable[[Any], int]] = {}
        lines = ["def count(r):", "    n = 0"]
        for name in singles:
            lines += [f"    v = r.{name}", "    if v or v == 0:", "        n += 1"]
        for outer in dict.fromkeys(outer for outer, _ in pairs):
            # Only an object counts its members (as ``by_get``): not a list, not absent.
            lines += [f"    o = r.{outer}", "    if isinstance(o, MirrorRecord):"]
            for inner in (i for o, i in pairs if o == outer):
                lines += [
                    f"        v = getattr(o, {inner!r}, None)",
                    "        if v or v == 0:",
                    "            n += 1",
                ]
        lines.append("    return n")
        namespace: dict[str, Any] = {"MirrorRecord": MirrorRecord}
        exec(compile("\n".join(lines), "<completeness count>", "exec"), namespace)
        self._count: Callable[[Any], int] = namespace["count"]

    def counter(self, struct: type) -> Callable[[Any], int]:
        """The count for records of ``struct``, learned on first sight."""
        count = self._by_type.get(struct)
        if count is None:
            fields = set(getattr(struct, "__struct_fields__", ()))
            count = self._by_type[struct] = self._count if self.names <= fields else self.by_get
        return count


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


class _Later(Generic[_T]):
    """A column only criteria and some score parts read: built with the others on first read."""

    # Non-data descriptor: once built, the columns are plain instance attributes.

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, cols: None, owner: type) -> _Later[_T]: ...

    @overload
    def __get__(self, cols: Columns, owner: type | None = None) -> _T: ...

    def __get__(self, cols: Columns | None, owner: type | None = None) -> _T | _Later[_T]:
        if cols is None:
            return self
        cols.build_criteria_columns()
        value: _T = cols.__dict__[self.name]
        return value


#: Per record: its PC4 (0: cannot be placed) and how many completeness members it fills.
RankingBase = tuple[list[int], list[int]]


#: The PC4 of postcodes seen (a postcode's PC4 never changes): summaries of many queries share
#: them. Bounded; past the bound a postcode is read again each time.
_PC4_OF: dict[str, int] = {}
PC4_REMEMBERED = 50_000


def ranking_base(kind: Kind, records: Iterable[Mapping[str, Any]]) -> RankingBase:
    """What ranking any record needs of it, read once: its PC4 and its completeness count.

    Records read a part at a time give the parts of the whole (the facility reads each
    source's summaries as they arrive, while they are still in the CPU's caches).
    """
    pc4: list[int] = []
    complete: list[int] = []
    counter_for = _completeness_counter(kind)
    counters: dict[type, Callable[[Any], int]] = {}
    container, member_name = kind.postcode_path
    known = _PC4_OF
    empty: dict[str, Any] = {}
    code: Any
    for r in records:
        record_type = type(r)
        count = counters.get(record_type)
        if count is None:
            count = counters[record_type] = counter_for(record_type)
        if record_type is dict or not isinstance(r, MirrorRecord):
            code = (r.get(container) or empty).get(member_name)
        else:  # a Struct: attributes, an absent member is UNSET (not a str)
            code = getattr(getattr(r, container, None), member_name, None)
        placed_pc4 = 0
        if isinstance(code, str):
            found = known.get(code)
            if found is None:
                found = _pc4(code)
                if len(known) < PC4_REMEMBERED:
                    known[code] = found
            placed_pc4 = found
        pc4.append(placed_pc4)
        complete.append(count(r))
    return pc4, complete


class Columns:
    """Every index the engine needs over one dataset of one kind."""

    # ``lazy``: only what ranking any record needs (ids, placement, completeness) at once, the
    # criteria columns on first use. The facility ranks a few thousand summaries once, and most
    # of its queries read none of them.

    occupations: _Later[dict[str, IntArray]] = _Later()
    #: the cell of every row of each occupation's list
    occupation_cells: _Later[dict[str, Int16Array]] = _Later()
    contracts: _Later[dict[str, BoolArray]] = _Later()
    licences: _Later[dict[str, BoolArray]] = _Later()
    languages: _Later[dict[str, LanguageColumn]] = _Later()
    irregular: _Later[Int8Array] = _Later()
    office: _Later[Int8Array] = _Later()
    hours_min: _Later[Int16Array] = _Later()
    hours_max: _Later[Int16Array] = _Later()
    day: _Later[IntArray] = _Later()
    level: _Later[Int8Array] = _Later()

    def __init__(
        self,
        kind: Kind,
        records: Sequence[Mapping[str, Any]],
        *,
        lazy: bool = False,
        ids: list[str] | None = None,
        base: RankingBase | None = None,
    ) -> None:
        """``ids``: the records' ids, when not their id members; ``base``: what
        :func:`ranking_base` makes of the records, when made already (a part at a time)."""
        self.kind = kind
        self.n = len(records)
        if ids is None:
            id_field = kind.id_field
            ids = [str(r[id_field]) for r in records]
        elif len(ids) != self.n:
            raise ValueError(f"{len(ids)} ids for {self.n} records")
        self.ids: list[str] = ids
        self.row_of: dict[str, int] = {rid: i for i, rid in enumerate(self.ids)}
        self._records = records
        self._text: TextIndex | None = None
        self._lazy = lazy

        pc4, complete = base if base is not None else ranking_base(kind, records)
        if len(pc4) != self.n or len(complete) != self.n:
            raise ValueError(f"a ranking base of {len(pc4)} rows for {self.n} records")
        #: how many completeness members each record fills, and the completeness of each count
        #: (a byte per record: ranking many rows gathers from far fewer cache lines)
        self.filled = np.array(complete, dtype=np.uint8)
        members = len(_COMPLETENESS[kind])
        self.completeness_levels = np.arange(members + 1, dtype=np.float32) / members
        self.completeness = self.completeness_levels[self.filled]
        pc4_arr = np.array(pc4, dtype=np.int32)

        # Records are placed on the centroid of their PC4, from the same table as
        # vum.geo.distance_km, so the engine and the reference evaluator agree on every distance.
        # The "postcode grid": records grouped by PC4 (CSR), so a radius query costs the PC4s
        # in reach plus the records found, never the records it excludes.
        table = pc4_table()
        self.grid = grid()
        slot = np.searchsorted(table.pc4, pc4_arr)
        slot = np.clip(slot, 0, len(table.pc4) - 1).astype(np.int32)
        exact = table.pc4[slot] == pc4_arr
        cell = np.where(exact, slot, -1).astype(np.int32)
        for row in np.flatnonzero(~exact & (pc4_arr >= 1000)).tolist():
            # A valid PC4 the table lacks: vum.geo falls back to the nearest known one.
            fallback = table.row_of(resolve(str(int(pc4_arr[row]))).source_pc4)
            cell[row] = -1 if fallback is None else fallback
        self.cell: IntArray = cell
        # Cells beside posting lists (int16: there are ~4,000 PC4s), so that a query keeps a
        # list's rows in reach without gathering from the whole cell column.
        self._cell16: Int16Array = cell.astype(np.int16)
        placed = np.flatnonzero(cell >= 0).astype(np.int32)
        order = placed[np.argsort(cell[placed], kind="stable")]
        self.cell_rows: IntArray = order
        counts = np.bincount(cell[placed], minlength=len(table.pc4))
        self.cell_offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        if not lazy:
            self.build_criteria_columns()

    def build_criteria_columns(self) -> None:
        """The posting lists, masks and value columns that criteria read (once)."""
        if "occupations" in self.__dict__:
            return
        n = self.n
        try:
            lists = self._criteria_lists(struct_get=getattr)
        except AttributeError:
            # A Struct type without one of the members read (not a summary of this kind's
            # schema): read member by member, absent members as None.
            lists = self._criteria_lists(struct_get=_member)
        occupations, contracts, licences, langs = lists[:4]
        irregular, office, hours_min, hours_max, day, level = lists[4:]

        cell16 = self._cell16
        if self._lazy:
            # Ranked once, read at the few codes a query asks for: arrays on first read only.
            occupation_rows: dict[str, IntArray] = OnFirstRead(occupations, _int32_rows)
            self.__dict__.update(
                occupations=occupation_rows,
                occupation_cells=OnFirstRead(
                    dict.fromkeys(occupations), lambda u, _: cell16[occupation_rows[u]]
                ),
                contracts=OnFirstRead(contracts, lambda _, rows: mask(n, rows)),
                licences=OnFirstRead(licences, lambda _, rows: mask(n, rows)),
                languages=OnFirstRead(langs, lambda _, lists: _language_column(n, *lists)),
            )
        else:
            occupation_rows = postings(occupations)
            self.__dict__.update(
                occupations=occupation_rows,
                occupation_cells={u: cell16[rows] for u, rows in occupation_rows.items()},
                # Few codes with many records each (licence B: two in three profiles): a byte
                # per record and code answers "has it" for any set of candidates with one gather.
                contracts=masks(n, contracts),
                licences=masks(n, licences),
                languages={code: _language_column(n, *lists) for code, lists in langs.items()},
            )
        self.__dict__.update(
            irregular=np.array(irregular, dtype=np.int8),
            office=np.array(office, dtype=np.int8),
            hours_min=np.array(hours_min, dtype=np.int16),
            hours_max=np.array(hours_max, dtype=np.int16),
            day=np.array(day, dtype=np.int32),
            level=np.array(level if level else [_ABSENT] * n, dtype=np.int8),
        )

    def _criteria_lists(self, struct_get: Callable[[Any, str], Any]) -> tuple[Any, ...]:
        """The criteria columns as plain lists (numpy item assignment is slow per call).

        Records are wire dicts or a checked answer's Structs; each is read by what suits it:
        ``dict.get``, or ``struct_get`` (``getattr`` gives ``UNSET`` for an absent member,
        which every reading below takes as absent, as it does None).
        """
        prof = self.kind is Kind.WERKZOEKENDE
        occupations: dict[str, list[int]] = {}
        contracts: dict[str, list[int]] = {}
        licences: dict[str, list[int]] = {}
        langs: dict[str, tuple[list[int], list[int], list[int]]] = {}
        irregular: list[int] = []
        office: list[int] = []
        hours_min: list[int] = []
        hours_max: list[int] = []
        day: list[int] = []
        level: list[int] = []
        dict_get: Callable[[Any, str], Any] = dict.get
        empty_dict: Any = {}
        g: Callable[[Any, str], Any]
        empty: Any
        r: Any

        # The loop runs once per record (200,000 for a big source): calls are inlined where a
        # value is usually present, e.g. ``v if type(v) is int else _int(v)`` is _int(v)
        # without the call for an int.
        for i, r in enumerate(self._records):
            if type(r) is dict:
                g, empty = dict_get, empty_dict
            else:
                g, empty = (struct_get, _NOTHING) if isinstance(r, MirrorRecord) else (_get, {})
            occ_items = g(r, "bemiddelingsberoep") if prof else [g(r, "beroep")]
            for b in occ_items or ():
                if b and (uri := g(b, "codeBeroepsnaam")):
                    rows = occupations.get(uri)  # _add, inlined: three or so per record
                    if rows is None:
                        occupations[uri] = [i]
                    elif rows[-1] != i:
                        rows.append(i)
            for c in g(r, "contractvorm") or ():
                if contract := g(c, "codeTypeArbeidscontract"):
                    _add(contracts, contract, i)
            amk = (g(r, "arbeidsmarktkwalificatie") or empty) if prof else r
            for lic in g(amk, "rijbewijs") or ():
                if licence := g(lic, "codeSoortRijbewijs"):
                    _add(licences, licence, i)
            for t in g(amk, "taalbeheersing") or ():
                if language := g(t, "codeTaal"):
                    lang = langs.get(language)
                    if lang is None:
                        lang = langs[language] = ([], [], [])
                    lang[0].append(i)
                    v = g(t, "codeNiveauTaalbeheersingMondeling")
                    lang[1].append(v if type(v) is int else _int(v))
                    v = g(t, "codeNiveauTaalbeheersingSchriftelijk")
                    lang[2].append(v if type(v) is int else _int(v))
            flex = g(r, "flexibiliteit") or empty
            v = g(flex, "indicatieOnregelmatigWerkOfPloegendienst")
            irregular.append(v if type(v) is int else _int(v))
            hours = g(r, "werktijden") or empty
            v = g(hours, "indicatieKantoortijden")
            office.append(v if type(v) is int else _int(v))
            v = g(hours, "aantalWerkurenPerWeekMinimaal")
            hours_min.append(v if type(v) is int else _int(v))
            v = g(hours, "aantalWerkurenPerWeekMaximaal")
            hours_max.append(v if type(v) is int else _int(v))
            if prof:
                day.append(_date_ordinal(g(flex, "datumAanvangBeschikbaarVoorWerk")))
            else:
                terms = g(r, "arbeidsVoorwaarden") or empty
                day.append(_date_ordinal(g(terms, "datumAanvangWerkzaamheden")))
                lv = g(r, "codeWerkEnDenkniveauMinimaal")
                level.append(int(lv) if isinstance(lv, str) and lv.isdigit() else _ABSENT)
        return (
            occupations,
            contracts,
            licences,
            langs,
            irregular,
            office,
            hours_min,
            hours_max,
            day,
            level,
        )

    @property
    def text(self) -> TextIndex:
        """The free-text index, built on the first ``$text`` query (most queries never need it)."""
        if self._text is None:
            labels = _occupation_labels()
            documents = [_text_of(self.kind, r, labels) for r in self._records]
            self._text = TextIndex(documents, self._cell16)
        return self._text
