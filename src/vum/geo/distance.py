# SPDX-License-Identifier: EUPL-1.2
"""Great-circle (haversine) distances in kilometres, for one pair and vectorised over arrays."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["EARTH_RADIUS_KM", "haversine_km", "haversine_km_array"]

# The IUGG mean Earth radius. Over the Netherlands the spherical model is within about 0.3 % of
# the ellipsoidal distance, far below the error of using a PC4 centroid for an address.
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in km between two points given in decimal degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlam = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    # Rounding can push a a hair above 1 for antipodal points; asin would then fail.
    return 2.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def haversine_km_array(
    lat: ArrayLike, lon: ArrayLike, lat0: float, lon0: float
) -> NDArray[np.float64]:
    """Distances in km from (lat0, lon0) to each point of the arrays lat/lon (decimal degrees).

    PointIndex and any brute-force check must use this one function, so that a point exactly on the
    radius is judged the same way by both.
    """
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    phi0 = math.radians(lat0)
    lam0 = math.radians(lon0)
    a = (
        np.sin((phi - phi0) / 2.0) ** 2
        + math.cos(phi0) * np.cos(phi) * np.sin((lam - lam0) / 2.0) ** 2
    )
    np.clip(a, 0.0, 1.0, out=a)
    result: NDArray[np.float64] = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
    return result
