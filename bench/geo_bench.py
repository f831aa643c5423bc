# SPDX-License-Identifier: EUPL-1.2
"""Benchmark of vum.geo.PointIndex: radius queries over 200,000 records at real PC4 locations."""

from __future__ import annotations

import time

import numpy as np

from vum.geo import PointIndex, all_pc4, pc4_table

N_RECORDS = 200_000
N_QUERIES = 1_000
RADII_KM = (5.0, 10.0, 25.0, 50.0)
SEED = 20250101


def _records(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n records placed like job seekers: population-weighted real PC4s, jittered within ~1 km."""
    table = pc4_table()
    rows = rng.choice(len(table), size=n, p=all_pc4().weights)
    lat = table.lat[rows] + rng.uniform(-0.01, 0.01, n)
    lon = table.lon[rows] + rng.uniform(-0.015, 0.015, n)
    return lat, lon


def main() -> None:
    rng = np.random.default_rng(SEED)
    lat, lon = _records(rng, N_RECORDS)
    start = time.perf_counter()
    index = PointIndex(lat, lon)
    build_ms = (time.perf_counter() - start) * 1e3
    print(f"PointIndex: {N_RECORDS:,} records at real PC4 locations, built in {build_ms:.1f} ms")

    table = pc4_table()
    centres = rng.choice(len(table), size=N_QUERIES)  # uniform over PC4s: city and country alike
    points = [(float(table.lat[i]), float(table.lon[i])) for i in centres]
    index.within(points[0], 5.0)  # warm-up
    print(f"{N_QUERIES:,} within() queries per radius, random real-PC4 centres")
    print(f"{'radius':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'mean hits':>10}")
    for radius in RADII_KM:
        times = np.empty(N_QUERIES)
        hits = np.empty(N_QUERIES)
        for k, centre in enumerate(points):
            t0 = time.perf_counter()
            found = index.within(centre, radius)
            times[k] = (time.perf_counter() - t0) * 1e3
            hits[k] = found.size
        p50, p95 = np.percentile(times, [50, 95])
        print(f"{radius:>6.0f}km {p50:>8.3f} {p95:>8.3f} {times.max():>8.3f} {hits.mean():>10.0f}")


if __name__ == "__main__":
    main()
