# SPDX-License-Identifier: EUPL-1.2
"""Clocks and memory gauges: phase timings with resident set sizes, and latency percentiles."""

from __future__ import annotations

import math
import resource
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_kb(name: str) -> int | None:
    """A ``kB`` field of /proc/self/status (Linux), or None elsewhere."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def rss_mb() -> float | None:
    """The process's resident set size now (VmRSS), in MB."""
    kb = _status_kb("VmRSS")
    return None if kb is None else kb / 1024


def max_rss_mb() -> float:
    """The largest resident set size of the process so far (``getrusage().ru_maxrss``), in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> bool:
    """Reset the kernel's per-process peak (VmHWM) so a phase can report its own peak."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


@dataclass
class Phase:
    """One timed step: wall seconds and the process's memory around it (MB)."""

    name: str
    seconds: float = 0.0
    rss_before_mb: float | None = None
    rss_after_mb: float | None = None
    #: the highest RSS during this phase (VmHWM after a reset), when the kernel allows a reset
    peak_mb: float | None = None
    #: ``ru_maxrss`` after the phase: the process's peak since it started
    max_rss_mb: float = 0.0
    notes: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@contextmanager
def phase(name: str, into: list[Phase] | None = None) -> Iterator[Phase]:
    """Time the body and gauge memory; the phase is appended to ``into`` when it ends."""
    record = Phase(name, rss_before_mb=rss_mb())
    resettable = _reset_peak()
    started = time.perf_counter()
    try:
        yield record
    finally:
        record.seconds = time.perf_counter() - started
        record.rss_after_mb = rss_mb()
        peak = _status_kb("VmHWM") if resettable else None
        record.peak_mb = None if peak is None else peak / 1024
        record.max_rss_mb = max_rss_mb()
        if into is not None:
            into.append(record)


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """The p-th percentile (0–100) of sorted values, linearly interpolated (numpy's default)."""
    if not sorted_values:
        return math.nan
    rank = (len(sorted_values) - 1) * p / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (rank - low)


@dataclass(frozen=True)
class Latency:
    """Milliseconds per call of one form: how many calls, and their median, p95 and p99."""

    calls: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        ms = sorted(s * 1000.0 for s in seconds)
        return cls(
            len(ms),
            percentile(ms, 50),
            percentile(ms, 95),
            percentile(ms, 99),
            ms[-1] if ms else math.nan,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def timed(call: Callable[[], T]) -> tuple[float, T]:
    """Wall seconds of one call (``time.perf_counter``) and its result."""
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result
