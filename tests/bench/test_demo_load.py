# SPDX-License-Identifier: EUPL-1.2
"""`vum bench load`: its query mix is valid, and its report counts errors and percentiles right."""

from __future__ import annotations

from collections import Counter

from vum.bench.demo_load import LoadReport, ProcessUse, Sample, query_mix, render_load
from vum.standard import Kind, parse_query


def test_the_mix_holds_valid_queries_of_both_kinds() -> None:
    mix = query_mix(per_form=2)
    for kind in Kind:
        assert len(mix[kind]) >= 20
        for wire in mix[kind]:
            parse_query(kind, wire)  # raises on anything the contract refuses


def test_the_report_counts_errors_and_percentiles() -> None:
    report = LoadReport(mediators=3, seconds=10, wall_s=10.0)
    report.samples = [Sample("matches", i / 1000, 200, Counter(answered=4)) for i in range(1, 101)]
    report.samples += [
        Sample("detail", 0.05, 200),
        Sample("detail", 0.5, 0),
        Sample("matches", 1, 503),
    ]
    report.processes = [ProcessUse("facility", 5.0, 100, 180, 150)]
    matches, detail = report.rows()
    assert matches["count"] == 101 and matches["errors"] == 1
    assert matches["p50_ms"] is not None and 50 <= matches["p50_ms"] <= 52
    assert detail["errors"] == 1 and report.errors == 2
    text = render_load(report)
    assert "| facility | 5.0 | 50 | 100 | 180 | 150 |" in text
    assert "Errors (non-200 or no answer): 2" in text
    assert report.as_dict()["source_outcomes"] == {"answered": 400}
