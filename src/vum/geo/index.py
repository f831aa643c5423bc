# SPDX-License-Identifier: EUPL-1.2
"""PointIndex: which records lie within a radius of a point, at a cost that follows the answer size.

The source engine keeps one (lat, lon) per record. A query "within 25 km of 3511" must not touch
every record, so the index sorts the points once by a composite key (latitude band, then
longitude). A query visits only the bands that the circle's bounding box covers, finds the
longitude range in each band with one vectorised ``numpy.searchsorted``, and runs the exact
haversine test on the survivors of that bounding box. Its cost is
O(bands · log N + records in the bounding box).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from vum.geo.distance import EARTH_RADIUS_KM, haversine_km_array
from vum.geo.lookup import Location, resolve

__all__ = ["Center", "PointIndex"]

Center = str | tuple[float, float] | Location
"""A query centre: a postcode (PC6 or PC4), a (lat, lon) pair in degrees, or a resolved Location."""

# Longitudes are shifted into [0, 360) and added to band * _BAND_STRIDE, so one sorted float array
# orders by band first and longitude second. Float64 keeps ~1e-9 degree resolution at these sizes.
_BAND_STRIDE = 1000.0
# A widening of the bounding box (about 1 cm), larger than the rounding of the float keys (~2e-9°),
# so that the box never drops a point that the exact test keeps.
_EPS_DEG = 1e-7
# Margins on the haversine term a: far above float64 rounding (~1e-16), far below any real distance.
_REL_MARGIN = 1e-9
_ABS_MARGIN = 1e-18


def _center_latlon(center: Center) -> tuple[float, float]:
    if isinstance(center, Location):
        return center.lat, center.lon
    if isinstance(center, str):
        location = resolve(center)
        return location.lat, location.lon
    lat, lon = (float(v) for v in center)
    if not (math.isfinite(lat) and math.isfinite(lon) and -90.0 <= lat <= 90.0):
        raise ValueError(
            f"Ongeldig middelpunt {center!r}: breedtegraad -90..90 verwacht. / "
            f"Invalid centre {center!r}: latitude must be within -90..90."
        )
    if not -360.0 <= lon <= 360.0:
        raise ValueError(
            f"Ongeldig middelpunt {center!r}: lengtegraad -360..360 verwacht. / "
            f"Invalid centre {center!r}: longitude must be within -360..360."
        )
    return lat, lon


def _wrap_lon(lon: NDArray[np.float64]) -> NDArray[np.float64]:
    """Longitudes in [-180, 180); values already there are kept bit for bit."""
    inside = (lon >= -180.0) & (lon < 180.0)
    if inside.all():
        return lon
    wrapped: NDArray[np.float64] = np.where(inside, lon, (lon + 180.0) % 360.0 - 180.0)
    return wrapped


class PointIndex:
    """Spatial index over one (lat, lon) per record; answers are indices into the input arrays."""

    def __init__(self, lat: ArrayLike, lon: ArrayLike, *, band_deg: float = 0.02) -> None:
        """Build the index over one point per record (copied; the caller may reuse the arrays).

        band_deg is the latitude band height: 0.02° (2.2 km) suits radii of a few to a hundred
        km; smaller bands waste fewer candidates but need more searchsorted calls.
        """
        lat_arr = np.array(lat, dtype=np.float64, copy=True).reshape(-1)
        lon_arr = np.array(lon, dtype=np.float64, copy=True).reshape(-1)
        if lat_arr.shape != lon_arr.shape:
            raise ValueError(
                f"lat en lon verschillen in lengte ({lat_arr.size} tegen {lon_arr.size}). / "
                f"lat and lon differ in length ({lat_arr.size} vs {lon_arr.size})."
            )
        if not (np.isfinite(lat_arr).all() and np.isfinite(lon_arr).all()):
            raise ValueError(
                "Coördinaten bevatten NaN of oneindig. / Coordinates contain NaN or inf."
            )
        if lat_arr.size and (np.abs(lat_arr).max() > 90.0):
            raise ValueError("Breedtegraad buiten -90..90. / Latitude outside -90..90.")
        if not band_deg > 0.0:
            raise ValueError("band_deg moet positief zijn. / band_deg must be positive.")
        self._band_deg = float(band_deg)
        bands = self._band(lat_arr)
        # Only the sort key uses wrapped longitudes; distances use the values as given, so that
        # they match a brute-force haversine over the caller's arrays bit for bit.
        keys = bands * _BAND_STRIDE + (_wrap_lon(lon_arr) + 180.0)
        order = np.argsort(keys, kind="stable")
        self._keys: NDArray[np.float64] = keys[order]
        self._order: NDArray[np.intp] = order.astype(np.intp, copy=False)
        self._lat_sorted: NDArray[np.float64] = lat_arr[order]
        self._lon_sorted: NDArray[np.float64] = lon_arr[order]
        # Radians and cos(latitude) per point, precomputed so a query pays two sines per candidate.
        self._phi_sorted: NDArray[np.float64] = np.radians(self._lat_sorted)
        self._lam_sorted: NDArray[np.float64] = np.radians(self._lon_sorted)
        self._cos_phi_sorted: NDArray[np.float64] = np.cos(self._phi_sorted)
        self._lat, self._lon = lat_arr, lon_arr
        for array in (
            self._keys,
            self._order,
            self._lat_sorted,
            self._lon_sorted,
            self._phi_sorted,
            self._lam_sorted,
            self._cos_phi_sorted,
            lat_arr,
            lon_arr,
        ):
            array.setflags(write=False)

    def __len__(self) -> int:
        return int(self._lat.shape[0])

    @property
    def lat(self) -> NDArray[np.float64]:
        """The latitudes, in input order (read-only)."""
        return self._lat

    @property
    def lon(self) -> NDArray[np.float64]:
        """The longitudes, in input order (read-only)."""
        return self._lon

    def _band(self, lat: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.floor((lat + 90.0) / self._band_deg)

    def within(self, center: Center, radius_km: float) -> NDArray[np.intp]:
        """Indices (ascending) of the records within radius_km (great circle) of center."""
        idx = self._order[self._candidates_and_test(center, radius_km)]
        if idx.size * 32 < len(self):
            return np.sort(idx)
        # Many hits: marking them in a boolean array and reading it back is cheaper than a sort.
        mask = np.zeros(len(self), dtype=bool)
        mask[idx] = True
        return np.flatnonzero(mask)

    def within_with_distances(
        self, center: Center, radius_km: float
    ) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """Like within(), with the distances in km; both sorted by distance, then by index."""
        rows = self._candidates_and_test(center, radius_km)
        lat0, lon0 = _center_latlon(center)
        dist = haversine_km_array(self._lat_sorted[rows], self._lon_sorted[rows], lat0, lon0)
        idx = self._order[rows]
        order = np.lexsort((idx, dist))
        return idx[order], dist[order]

    def distances(self, center: Center, indices: ArrayLike) -> NDArray[np.float64]:
        """Great-circle distances in km from center to the records at the given indices."""
        lat0, lon0 = _center_latlon(center)
        idx = np.asarray(indices, dtype=np.intp)
        return haversine_km_array(self._lat[idx], self._lon[idx], lat0, lon0)

    def _candidates_and_test(self, center: Center, radius_km: float) -> NDArray[np.intp]:
        """Sorted-order positions of the points within radius_km of center."""
        radius = float(radius_km)
        if not (math.isfinite(radius) and radius >= 0.0):
            raise ValueError(
                f"Ongeldige straal {radius_km!r}: een eindig getal >= 0 km verwacht. / "
                f"Invalid radius {radius_km!r}: expected a finite number >= 0 km."
            )
        lat0, lon0 = _center_latlon(center)
        if len(self) == 0:
            return np.empty(0, dtype=np.intp)
        rows = self._bounding_box_rows(lat0, lon0, radius)
        if rows.size == 0:
            return rows
        # Haversine compared in its inner term a = sin²(Δφ/2) + cos φ0 cos φ sin²(Δλ/2), which
        # grows with distance: no sqrt or arcsin per candidate. Points within a hair of the radius
        # are decided by haversine_km_array itself, so that within() agrees exactly with a
        # brute-force filter that uses the public function.
        phi0, lam0 = math.radians(lat0), math.radians(lon0)
        s_phi = np.sin((self._phi_sorted[rows] - phi0) * 0.5)
        s_lam = np.sin((self._lam_sorted[rows] - lam0) * 0.5)
        a = s_phi * s_phi + (math.cos(phi0) * self._cos_phi_sorted[rows]) * (s_lam * s_lam)
        a_max = math.sin(min(radius / (2.0 * EARTH_RADIUS_KM), math.pi / 2)) ** 2
        inside = a <= a_max * (1.0 - _REL_MARGIN) - _ABS_MARGIN
        border = np.flatnonzero(~inside & (a <= a_max * (1.0 + _REL_MARGIN) + _ABS_MARGIN))
        if border.size:
            near = rows[border]
            exact = haversine_km_array(self._lat_sorted[near], self._lon_sorted[near], lat0, lon0)
            inside[border] = exact <= radius
        result: NDArray[np.intp] = rows[inside]
        return result

    def _bounding_box_rows(self, lat0: float, lon0: float, radius: float) -> NDArray[np.intp]:
        """Positions (in sorted order) of the points inside the circle's lat/lon bounding box."""
        angular = radius / EARTH_RADIUS_KM  # radians
        dlat = math.degrees(angular) + _EPS_DEG
        lat_lo, lat_hi = max(-90.0, lat0 - dlat), min(90.0, lat0 + dlat)
        # The bounding box of a spherical cap (J. P. Matuschek): when the cap reaches a pole, or
        # is a hemisphere or more, every longitude qualifies; otherwise asin(sin r / cos lat0).
        if angular >= math.pi / 2 or lat0 + dlat >= 90.0 or lat0 - dlat <= -90.0:
            intervals = [(0.0, 360.0)]
        else:
            ratio = math.sin(angular) / math.cos(math.radians(lat0))
            dlon = 180.0 if ratio >= 1.0 else math.degrees(math.asin(ratio)) + _EPS_DEG
            intervals = _lon_intervals(float(_wrap_lon(np.array([lon0]))[0]) + 180.0, dlon)
        band_lo, band_hi = self._band(np.array([lat_lo, lat_hi]))
        bands = np.arange(band_lo, band_hi + 1.0) * _BAND_STRIDE
        starts: list[NDArray[np.intp]] = []
        stops: list[NDArray[np.intp]] = []
        for lo, hi in intervals:
            starts.append(np.searchsorted(self._keys, bands + lo, side="left"))
            stops.append(np.searchsorted(self._keys, bands + hi, side="right"))
        start = np.concatenate(starts)
        stop = np.concatenate(stops)
        counts = stop - start
        total = int(counts.sum())
        if total == 0:
            return np.empty(0, dtype=np.intp)
        # Concatenate the ranges [start, stop) without a Python loop over them.
        offsets = np.repeat(start - np.cumsum(counts) + counts, counts)
        # Whole bands stick out of the box by less than one band height; the exact test that
        # follows rejects those points, which is cheaper than trimming them here.
        rows: NDArray[np.intp] = np.arange(total, dtype=np.intp) + offsets
        return rows


def _lon_intervals(shifted_lon0: float, dlon: float) -> list[tuple[float, float]]:
    """Longitude intervals in the shifted [0, 360) frame covering lon0 ± dlon, split at the seam."""
    if dlon >= 180.0:
        return [(0.0, 360.0)]
    lo, hi = shifted_lon0 - dlon, shifted_lon0 + dlon
    if lo < 0.0:
        return [(0.0, hi), (lo + 360.0, 360.0)]
    if hi >= 360.0:
        return [(lo, 360.0), (0.0, hi - 360.0)]
    return [(lo, hi)]
