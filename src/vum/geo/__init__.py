# SPDX-License-Identifier: EUPL-1.2
"""Dutch geography: postcode coordinates, distances, gemeenten and arbeidsmarktregio's.

Data: PC4 centroids from GeoNames (CC BY 4.0) and the project's own tables of the 342 gemeenten
and 35 arbeidsmarktregio's of 1 January 2025; see vum/data/geo/README.md. Everything is loaded
lazily from the package on first use.
"""

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
