# SPDX-License-Identifier: EUPL-1.2
"""Dutch geography: postcode coordinates, distances, gemeenten and arbeidsmarktregio's.

Data: PC4 centroids from GeoNames (CC BY 4.0) and the project's own tables of the 342 gemeenten
and 35 arbeidsmarktregio's of 1 January 2025; see vum/data/geo/README.md. Everything is loaded
lazily from the package on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vum.geo.distance import EARTH_RADIUS_KM, haversine_km, haversine_km_array
    from vum.geo.index import Center, PointIndex
    from vum.geo.lookup import (
        Location,
        Pc4Weights,
        all_pc4,
        distance_km,
        gemeente_of,
        random_pc4,
        regio_of,
        resolve,
    )
    from vum.geo.postcode import PostcodeError, normalise_postcode, pc4_of
    from vum.geo.tables import (
        Arbeidsmarktregio,
        Gemeente,
        Pc4Table,
        arbeidsmarktregios,
        gemeenten,
        pc4_table,
    )

# Names resolve on first access: commands that only parse a postcode need not load numpy.
_EXPORTS = {
    "Arbeidsmarktregio": "vum.geo.tables",
    "Center": "vum.geo.index",
    "EARTH_RADIUS_KM": "vum.geo.distance",
    "Gemeente": "vum.geo.tables",
    "Location": "vum.geo.lookup",
    "Pc4Table": "vum.geo.tables",
    "Pc4Weights": "vum.geo.lookup",
    "PointIndex": "vum.geo.index",
    "PostcodeError": "vum.geo.postcode",
    "all_pc4": "vum.geo.lookup",
    "arbeidsmarktregios": "vum.geo.tables",
    "distance_km": "vum.geo.lookup",
    "gemeente_of": "vum.geo.lookup",
    "gemeenten": "vum.geo.tables",
    "haversine_km": "vum.geo.distance",
    "haversine_km_array": "vum.geo.distance",
    "normalise_postcode": "vum.geo.postcode",
    "pc4_of": "vum.geo.postcode",
    "pc4_table": "vum.geo.tables",
    "random_pc4": "vum.geo.lookup",
    "regio_of": "vum.geo.lookup",
    "resolve": "vum.geo.lookup",
}

__all__ = [
    "EARTH_RADIUS_KM",
    "Arbeidsmarktregio",
    "Center",
    "Gemeente",
    "Location",
    "Pc4Table",
    "Pc4Weights",
    "PointIndex",
    "PostcodeError",
    "all_pc4",
    "arbeidsmarktregios",
    "distance_km",
    "gemeente_of",
    "gemeenten",
    "haversine_km",
    "haversine_km_array",
    "normalise_postcode",
    "pc4_of",
    "pc4_table",
    "random_pc4",
    "regio_of",
    "resolve",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vum.geo' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
