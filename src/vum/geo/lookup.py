# SPDX-License-Identifier: EUPL-1.2
"""From a postcode to a place: coordinates, gemeente, region, distances and weighted sampling."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from vum.geo.distance import haversine_km
from vum.geo.postcode import normalise_postcode
from vum.geo.tables import (
    Arbeidsmarktregio,
    Gemeente,
    arbeidsmarktregios,
    gemeenten,
    pc4_table,
)

__all__ = [
    "Location",
    "Pc4Weights",
    "all_pc4",
    "distance_km",
    "gemeente_of",
    "random_pc4",
    "regio_of",
    "resolve",
]


@dataclass(frozen=True)
class Location:
    """Where a postcode is: the centroid of its PC4 area and the gemeente it lies in.

    A PC6 resolves to the centroid of its PC4 (the data has no finer points). When the table lacks
    the PC4, ``fallback`` is true, ``source_pc4`` names the PC4 whose data was used instead, and
    ``note`` says so in Dutch.
    """

    postcode: str  # the normalised input, "1012AB" or "1012"
    pc4: int
    lat: float
    lon: float
    gemeente_code: str
    gemeente: str
    province: str
    place: str
    fallback: bool
    note: str | None
    source_pc4: int


@lru_cache(maxsize=16384)
def _resolve_pc4(pc4: int) -> Location:
    table = pc4_table()
    row = table.row_of(pc4)
    note: str | None = None
    if row is None:
        row, same_area = table.nearest_row(pc4)
        used = int(table.pc4[row])
        if same_area:
            note = (
                f"Postcode {pc4} staat niet in de PC4-tabel; de dichtstbijzijnde bekende postcode "
                f"{used} in hetzelfde gebied ({pc4 // 100}xx) is gebruikt."
            )
        else:
            note = (
                f"Postcode {pc4} staat niet in de PC4-tabel en het gebied {pc4 // 100}xx heeft "
                f"geen bekende postcodes; de numeriek dichtstbijzijnde postcode {used} is gebruikt."
            )
    gemeente = gemeenten()[table.gemeente_code[row]]
    return Location(
        postcode=str(pc4),
        pc4=pc4,
        lat=float(table.lat[row]),
        lon=float(table.lon[row]),
        gemeente_code=gemeente.code,
        gemeente=gemeente.name,
        province=gemeente.province,
        place=table.place[row],
        fallback=note is not None,
        note=note,
        source_pc4=int(table.pc4[row]),
    )


def resolve(postcode: str) -> Location:
    """Resolve a PC6 ("1012 AB") or PC4 ("1012") postcode; raise PostcodeError when malformed."""
    normalised = normalise_postcode(postcode)
    location = _resolve_pc4(int(normalised[:4]))
    if normalised == location.postcode:
        return location
    return dataclasses.replace(location, postcode=normalised)


def distance_km(a: str, b: str) -> float:
    """Great-circle distance in km between the PC4 centroids of two postcodes (PC6 or PC4)."""
    la, lb = resolve(a), resolve(b)
    return haversine_km(la.lat, la.lon, lb.lat, lb.lon)


def gemeente_of(postcode: str) -> Gemeente:
    """The gemeente (2025) a postcode lies in."""
    return gemeenten()[resolve(postcode).gemeente_code]


def regio_of(postcode: str) -> Arbeidsmarktregio:
    """The arbeidsmarktregio a postcode lies in."""
    return arbeidsmarktregios()[gemeente_of(postcode).regio_code]


class Pc4Weights(NamedTuple):
    """All known PC4 codes and a sampling probability for each (the weights sum to 1)."""

    codes: NDArray[np.int32]
    weights: NDArray[np.float64]


@lru_cache(maxsize=1)
def all_pc4() -> Pc4Weights:
    """Every PC4 in the table with a crude population weight, for synthetic-data generators.

    The weight is the number of 6-character postcodes in the PC4 (GeoNames), which follows the
    number of addresses far better than a uniform pick: Amsterdam 1012 weighs a few hundred, a
    PO-box range weighs 1. Use ``rng.choice(codes, p=weights)``, or ``random_pc4``.
    """
    table = pc4_table()
    weights = table.weight.astype(np.float64)
    weights /= weights.sum()
    weights.setflags(write=False)
    return Pc4Weights(table.pc4, weights)


def random_pc4(rng: np.random.Generator, n: int, *, weighted: bool = True) -> NDArray[np.int32]:
    """Draw n real PC4 codes (with replacement), by population weight unless weighted=False."""
    codes, weights = all_pc4()
    picked: NDArray[np.int32] = rng.choice(codes, size=n, p=weights if weighted else None)
    return picked
