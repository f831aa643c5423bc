# SPDX-License-Identifier: EUPL-1.2
"""Benchmark of occupation search: latency per call (labelled queries and typeahead prefixes), accuracy."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from vum.register.builtin import load_builtin
from vum.register.quality import evaluate, read_labelled_queries

QUERIES = Path(__file__).resolve().parent.parent / "tests" / "register" / "labelled_queries.csv"
#: Queries whose every prefix (from 3 characters) is searched, as typeahead would.
N_TYPED = 50
MIN_PREFIX = 3
TARGET_CALLS = 2_000
CLI_RUNS = 5


def _percentile(sorted_ms: list[float], p: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, round(p / 100 * (len(sorted_ms) - 1)))]


def _calls(queries: list[str]) -> list[str]:
    typed = sorted(queries, key=len, reverse=True)[:N_TYPED]
    prefixes = [q[:n] for q in typed for n in range(MIN_PREFIX, len(q) + 1)]
    one_round = queries + prefixes
    calls = list(one_round)
    while len(calls) < TARGET_CALLS:
        calls += one_round
    return calls[: max(TARGET_CALLS, len(one_round))]


def _cli_seconds() -> float:
    """Median wall time of a whole `vum register search ... --json` process."""
    times = []
    for _ in range(CLI_RUNS):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "vum.cli", "register", "search", "heftruck chauffeur", "--json"],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    start = time.perf_counter()
    register = load_builtin()
    loaded = time.perf_counter()
    register.search_index()
    indexed = time.perf_counter()
    print(
        f"register: {len(register)} occupations, {len(register.search_index())} strings; "
        f"load {(loaded - start) * 1000:.0f} ms, index {(indexed - loaded) * 1000:.0f} ms"
    )

    labelled = read_labelled_queries(QUERIES)
    calls = _calls([q.query for q in labelled])
    timings: list[float] = []
    cpu: list[float] = []
    for text in calls:
        t0, c0 = time.perf_counter(), time.process_time()
        register.search(text, limit=10)
        timings.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    cold = sorted(timings[: len(labelled)])
    timings.sort()
    cpu.sort()
    print(
        f"search, {len(timings)} calls (labelled queries + every prefix ≥{MIN_PREFIX} of "
        f"{N_TYPED} queries): p50 {_percentile(timings, 50):.2f} ms, "
        f"p95 {_percentile(timings, 95):.2f} ms, p99 {_percentile(timings, 99):.2f} ms, "
        f"max {timings[-1]:.2f} ms"
    )
    # CPU time per call tells the cost when a shared machine makes wall-clock figures noisy.
    print(
        f"search, CPU time per call: p50 {_percentile(cpu, 50):.2f} ms, "
        f"p95 {_percentile(cpu, 95):.2f} ms, p99 {_percentile(cpu, 99):.2f} ms"
    )
    print(
        f"search, first pass over the {len(cold)} labelled queries: "
        f"p50 {_percentile(cold, 50):.2f} ms, p95 {_percentile(cold, 95):.2f} ms"
    )

    report = evaluate(register, labelled)
    print(f"accuracy: {report.summary()}")
    print(f"cli: `vum register search 'heftruck chauffeur' --json` {_cli_seconds():.2f} s (median)")


if __name__ == "__main__":
    main()
