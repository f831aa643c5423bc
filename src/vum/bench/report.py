# SPDX-License-Identifier: EUPL-1.2
"""The benchmark report as plain-text tables (one per section, then a summary line per form)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from vum.bench.measure import Latency
from vum.bench.run import Report


def fmt_ms(value: float | None) -> str:
    """Milliseconds for a table: about 3 significant figures, '-' when not measured."""
    if value is None or math.isnan(value):
        return "-"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}x"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to width; the first column left-aligned, the others right-aligned."""
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def render(report: Report) -> str:
    """Every section of the report, for a terminal."""
    c, m = report.config, report.machine
    out = [
        f"vum bench source — {c.records:,} {c.kind.value} records, {c.queries_per_form} queries "
        f"per form (after {c.warmup} warm-up), limit {c.limit}",
        f"machine: {m.get('cpus')} CPUs ({m.get('cpu_model') or '?'}), {m.get('memory_gb')} GB, "
        f"Python {m.get('python')}"
        + (f", PostgreSQL {m['postgresql']}" if m.get("postgresql") else ""),
        "",
        "Data and load",
        table(
            ["step", "seconds", "RSS before MB", "RSS after MB", "peak in step MB", "ru_maxrss MB"],
            [
                [
                    p.name,
                    f"{p.seconds:.1f}",
                    _mb(p.rss_before_mb),
                    _mb(p.rss_after_mb),
                    _mb(p.peak_mb),
                    _mb(p.max_rss_mb),
                ]
                for p in report.phases
            ],
        ),
    ]
    if report.peer_load:
        load = report.peer_load
        out.append(
            f"peer load: COPY {load['copy_seconds']:.1f} s, indexes {load['index_seconds']:.1f} s, "
            f"ANALYZE {load['analyze_seconds']:.1f} s; table {load['table_mb']:.0f} MB, indexes "
            + ", ".join(f"{k} {v:.0f} MB" for k, v in load["indexes_mb"].items())
        )
    forms = report.forms
    out += [
        "",
        f"In process: engine.search(query, limit={c.limit}), ms",
        table(
            ["form", "queries", "matches (mean)", "p50", "p95", "p99"],
            [
                [
                    f.name,
                    str(f.queries),
                    f"{f.matches_mean:,.0f}",
                    fmt_ms(f.engine.p50_ms),
                    fmt_ms(f.engine.p95_ms),
                    fmt_ms(f.engine.p99_ms),
                ]
                for f in forms
            ],
        ),
    ]
    if "http" not in report.skipped:
        out += [
            "",
            "Over HTTP on loopback: POST /api/v3/.../matches (keep-alive), ms",
            table(
                ["form", "p50", "p95", "p99", "errors", "mismatched"],
                [
                    [f.name, *_lat(f.http), str(f.http_errors), str(f.http_mismatches)]
                    for f in forms
                ],
            ),
        ]
    if "peer" not in report.skipped:
        out += [
            "",
            "Peer: PostgreSQL (jsonb GIN, lat/lon btree, expression indexes), ms",
            table(
                ["form", "p50", "p95", "p99", "p95 peer/engine", "totals differ"],
                [[f.name, *_lat(f.peer), _ratio(f.ratio), str(f.peer_mismatches)] for f in forms],
            ),
        ]
    out += [
        "",
        "Summary (p95, ms)",
        table(
            ["form", "engine", "HTTP", "peer", "peer/engine"],
            [
                [
                    f.name,
                    fmt_ms(f.engine.p95_ms),
                    fmt_ms(f.http.p95_ms if f.http else None),
                    fmt_ms(f.peer.p95_ms if f.peer else None),
                    _ratio(f.ratio),
                ]
                for f in forms
            ],
        ),
    ]
    for section, reason in report.skipped.items():
        out.append(f"skipped {section}: {reason}")
    for failure in report.failures:
        out.append(f"FAILED {failure}")
    return "\n".join(out)


def _lat(latency: Latency | None) -> list[str]:
    if latency is None:
        return ["-", "-", "-"]
    return [fmt_ms(latency.p50_ms), fmt_ms(latency.p95_ms), fmt_ms(latency.p99_ms)]
