# SPDX-License-Identifier: EUPL-1.2
"""PointIndex: within() equals a brute-force haversine filter, and touches only nearby records."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vum.geo import PointIndex, all_pc4, haversine_km_array, pc4_table, resolve


def brute_force(
    lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float, radius: float
) -> np.ndarray:
    return np.flatnonzero(haversine_km_array(lat, lon, lat0, lon0) <= radius)


def _nl_points(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n records at real PC4 centroids (population-weighted), jittered by up to ~1 km."""
    rng = np.random.default_rng(seed)
    table = pc4_table()
    rows = rng.choice(len(table), size=n, p=all_pc4().weights)
    lat = table.lat[rows] + rng.uniform(-0.01, 0.01, n)
    lon = table.lon[rows] + rng.uniform(-0.015, 0.015, n)
    return lat, lon


NL_LAT, NL_LON = _nl_points(20_000, seed=1)
NL_INDEX = PointIndex(NL_LAT, NL_LON)

# Points all over the globe, poles and the antimeridian included.
_rng = np.random.default_rng(2)
WORLD_LAT = np.degrees(np.arcsin(_rng.uniform(-1, 1, 5_000)))
WORLD_LON = _rng.uniform(-180, 180, 5_000)
WORLD_INDEX = PointIndex(WORLD_LAT, WORLD_LON)


@settings(max_examples=300, deadline=None)
@given(
    lat0=st.floats(50.0, 54.0),
    lon0=st.floats(3.0, 7.5),
    radius=st.one_of(st.sampled_from([0.0, 5.0, 10.0, 25.0, 50.0]), st.floats(0.0, 400.0)),
)
def test_within_equals_brute_force_in_the_netherlands(
    lat0: float, lon0: float, radius: float
) -> None:
    got = NL_INDEX.within((lat0, lon0), radius)
    np.testing.assert_array_equal(got, brute_force(NL_LAT, NL_LON, lat0, lon0, radius))


@settings(max_examples=300, deadline=None)
@given(
    lat0=st.floats(-90.0, 90.0),
    lon0=st.floats(-180.0, 180.0),
    radius=st.one_of(st.floats(0.0, 3_000.0), st.floats(0.0, 25_000.0)),
)
def test_within_equals_brute_force_worldwide(lat0: float, lon0: float, radius: float) -> None:
    got = WORLD_INDEX.within((lat0, lon0), radius)
    np.testing.assert_array_equal(got, brute_force(WORLD_LAT, WORLD_LON, lat0, lon0, radius))


@settings(max_examples=200, deadline=None)
@given(
    # Longitudes beyond ±180 too: the index wraps them for its keys, the distances do not care.
    points=st.lists(st.tuples(st.floats(-90.0, 90.0), st.floats(-540.0, 540.0)), max_size=60),
    center=st.tuples(st.floats(-90.0, 90.0), st.floats(-360.0, 360.0)),
    radius=st.floats(0.0, 21_000.0),
)
def test_within_equals_brute_force_on_arbitrary_points(
    points: list[tuple[float, float]], center: tuple[float, float], radius: float
) -> None:
    lat = np.array([p[0] for p in points], dtype=np.float64)
    lon = np.array([p[1] for p in points], dtype=np.float64)
    index = PointIndex(lat, lon)
    got = index.within(center, radius)
    np.testing.assert_array_equal(got, brute_force(lat, lon, center[0], center[1], radius))


@settings(max_examples=200, deadline=None)
@given(
    k=st.integers(0, len(NL_LAT) - 1),
    lat0=st.floats(50.5, 53.7),
    lon0=st.floats(3.2, 7.3),
    nudge=st.sampled_from([-1, 0, 1]),
)
def test_points_exactly_on_the_radius(k: int, lat0: float, lon0: float, nudge: int) -> None:
    # The radius is the distance to record k (to the last bit, or one ulp either side): the index
    # must judge the boundary exactly like the brute-force filter.
    radius = float(haversine_km_array(NL_LAT[k : k + 1], NL_LON[k : k + 1], lat0, lon0)[0])
    radius = float(np.nextafter(radius, np.inf * nudge)) if nudge else radius
    got = NL_INDEX.within((lat0, lon0), radius)
    np.testing.assert_array_equal(got, brute_force(NL_LAT, NL_LON, lat0, lon0, radius))
    assert (k in got) == (nudge >= 0)


def test_center_on_a_record_finds_it_at_radius_zero() -> None:
    i = 123
    got = NL_INDEX.within((float(NL_LAT[i]), float(NL_LON[i])), 0.0)
    assert i in got


def test_postcode_and_location_centres() -> None:
    loc = resolve("3511")
    by_code = NL_INDEX.within("3511AB", 10.0)
    np.testing.assert_array_equal(by_code, NL_INDEX.within(loc, 10.0))
    np.testing.assert_array_equal(by_code, NL_INDEX.within((loc.lat, loc.lon), 10.0))
    assert by_code.size > 0


def test_distances_and_sorted_variant() -> None:
    idx = NL_INDEX.within("1012", 15.0)
    dist = NL_INDEX.distances("1012", idx)
    assert dist.shape == idx.shape and (dist <= 15.0).all()
    loc = resolve("1012")
    np.testing.assert_allclose(dist, haversine_km_array(NL_LAT[idx], NL_LON[idx], loc.lat, loc.lon))
    by_distance, d = NL_INDEX.within_with_distances("1012", 15.0)
    assert sorted(by_distance.tolist()) == idx.tolist()
    assert (np.diff(d) >= 0).all()


def test_cost_follows_the_neighbourhood_not_the_total() -> None:
    # A 5 km query in Amsterdam must look at a small share of the records in its bounding box,
    # not at a whole latitude strip across the country.
    loc = resolve("1012")
    rows = NL_INDEX._bounding_box_rows(loc.lat, loc.lon, 5.0)
    hits = NL_INDEX.within(loc, 5.0)
    assert hits.size <= rows.size < 3 * hits.size + 50
    assert rows.size < len(NL_INDEX) // 10


def test_empty_index_and_bad_input() -> None:
    empty = PointIndex(np.empty(0), np.empty(0))
    assert len(empty) == 0
    assert empty.within("1012", 50.0).size == 0
    with pytest.raises(ValueError, match="straal"):
        NL_INDEX.within("1012", -1.0)
    with pytest.raises(ValueError, match="radius"):
        NL_INDEX.within("1012", float("nan"))
    with pytest.raises(ValueError, match="length"):
        PointIndex([52.0, 53.0], [5.0])
    with pytest.raises(ValueError, match="NaN"):
        PointIndex([float("nan")], [5.0])
    with pytest.raises(ValueError, match="Latitude"):
        PointIndex([91.0], [5.0])
    with pytest.raises(ValueError, match="centre"):
        NL_INDEX.within((95.0, 5.0), 1.0)


def test_input_arrays_are_copied() -> None:
    lat = np.array([52.0, 52.1])
    lon = np.array([5.0, 5.1])
    index = PointIndex(lat, lon)
    lat[:] = 0.0
    assert index.within((52.0, 5.0), 1.0).tolist() == [0]
