# SPDX-License-Identifier: EUPL-1.2
"""The packaged reference tables (PC4 coordinates, gemeenten, arbeidsmarktregio's), loaded once."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Arbeidsmarktregio",
    "Gemeente",
    "Pc4Table",
    "arbeidsmarktregios",
    "gemeenten",
    "pc4_table",
]


@dataclass(frozen=True)
class Gemeente:
    """A gemeente of 1 January 2025: CBS code (GM0363), name, province and arbeidsmarktregio."""

    code: str
    name: str
    province: str
    regio_code: str


@dataclass(frozen=True)
class Arbeidsmarktregio:
    """One of the 35 arbeidsmarktregio's: CBS code (AM18), name, centrumgemeente and members."""

    code: str
    name: str
    centrumgemeente_code: str
    centrumgemeente: str
    gemeenten: tuple[str, ...]  # gemeente codes, sorted


@dataclass(frozen=True, eq=False)
class Pc4Table:
    """All known PC4 areas as parallel read-only arrays, sorted by PC4, with lookups."""

    pc4: NDArray[np.int32]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    weight: NDArray[np.int32]
    place: tuple[str, ...]
    gemeente_code: tuple[str, ...]
    _row: Mapping[int, int] = field(repr=False)

    def __len__(self) -> int:
        return int(self.pc4.shape[0])

    def row_of(self, pc4: int) -> int | None:
        """Row index of a PC4, or None when the table does not hold it."""
        return self._row.get(pc4)

    def nearest_row(self, pc4: int) -> tuple[int, bool]:
        """Row of the numerically nearest known PC4 in the same PC2 area (first two digits).

        Returns (row, same_area); when the PC2 area has no known PC4 at all, the nearest PC4
        overall is used and same_area is False. Ties go to the lower PC4, so the answer is stable.
        """
        area = pc4 // 100
        lo = int(np.searchsorted(self.pc4, area * 100, side="left"))
        hi = int(np.searchsorted(self.pc4, area * 100 + 100, side="left"))
        same_area = lo < hi
        if not same_area:
            lo, hi = 0, len(self)
        i = lo + int(np.searchsorted(self.pc4[lo:hi], pc4, side="left"))
        candidates = [j for j in (i - 1, i) if lo <= j < hi]
        best = min(candidates, key=lambda j: (abs(int(self.pc4[j]) - pc4), int(self.pc4[j])))
        return best, same_area


def _read_csv(name: str) -> list[dict[str, str]]:
    text = (files("vum") / "data" / "geo" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _frozen(array: NDArray[np.generic]) -> None:
    # The arrays are shared by every caller through the cache: nobody may change them in place.
    array.setflags(write=False)


@cache
def pc4_table() -> Pc4Table:
    """The PC4 table from pc4.csv, read on first use and cached for the life of the process."""
    rows = _read_csv("pc4.csv")
    pc4 = np.fromiter((int(r["pc4"]) for r in rows), dtype=np.int32, count=len(rows))
    lat = np.fromiter((float(r["lat"]) for r in rows), dtype=np.float64, count=len(rows))
    lon = np.fromiter((float(r["lon"]) for r in rows), dtype=np.float64, count=len(rows))
    weight = np.fromiter((int(r["weight"]) for r in rows), dtype=np.int32, count=len(rows))
    order = np.argsort(pc4, kind="stable")
    pc4, lat, lon, weight = pc4[order], lat[order], lon[order], weight[order]
    for array in (pc4, lat, lon, weight):
        _frozen(array)
    place = tuple(rows[i]["place"] for i in order)
    gemeente_code = tuple(rows[i]["gemeente_code"] for i in order)
    index = MappingProxyType({int(code): i for i, code in enumerate(pc4)})
    return Pc4Table(pc4, lat, lon, weight, place, gemeente_code, index)


@cache
def gemeenten() -> Mapping[str, Gemeente]:
    """The 342 gemeenten of 1 January 2025, by CBS code (e.g. "GM0363")."""
    return MappingProxyType(
        {
            r["code"]: Gemeente(r["code"], r["name"], r["province"], r["arbeidsmarktregio"])
            for r in _read_csv("gemeenten.csv")
        }
    )


@cache
def arbeidsmarktregios() -> Mapping[str, Arbeidsmarktregio]:
    """The 35 arbeidsmarktregio's, by CBS code (e.g. "AM18"), each with its gemeente codes."""
    members: dict[str, list[str]] = {}
    for g in gemeenten().values():
        members.setdefault(g.regio_code, []).append(g.code)
    return MappingProxyType(
        {
            r["code"]: Arbeidsmarktregio(
                r["code"],
                r["name"],
                r["centrumgemeente_code"],
                r["centrumgemeente"],
                tuple(sorted(members.get(r["code"], ()))),
            )
            for r in _read_csv("arbeidsmarktregios.csv")
        }
    )
