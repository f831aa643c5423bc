# SPDX-License-Identifier: EUPL-1.2
"""The operations pages over HTTP: real traffic through a real facility, a hanging source flagged, roles."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import cast

import pytest

from tests.portal.client import Browser
from tests.portal.ops_world import HANGS, HANGS_NAME, OPERATOR, OpsWorld, ops_world
from tests.portal.world import (
    PARTY_A,
    PARTY_B,
    UWV,
    World,
    portal_settings,
    register,
    serve_with_lifespan,
)
from vum.facility.breaker import CircuitBreaker
from vum.portal.app import create_portal_app
from vum.portal.charts import Series, duration, lines, nice_ceiling, stacked_bars
from vum.store.source_stats import minute_of

pytestmark = pytest.mark.slow
QUERIES = 12


@pytest.fixture(scope="module")
def ops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpsWorld]:
    with ops_world(tmp_path_factory.mktemp("operations"), dashboard_refresh_s=15) as running:
        running.query(QUERIES)
        # The facility writes its counts every 0.2 s here; wait until all of them are in.
        deadline = time.monotonic() + 10
        now = minute_of(time.time())
        while True:
            totals = running.store.source_stats.totals(now - 5, now + 2)
            if all(oin in totals and totals[oin].queries == QUERIES for oin in (PARTY_A, HANGS)):
                break
            assert time.monotonic() < deadline, totals
            time.sleep(0.1)
        yield running


def cells(html: str, row_id: str) -> list[str]:
    """The text of the cells of the table row with ``id=row_id``."""
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert row, row_id
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
        for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(1), re.S)
    ]


def test_a_mediator_and_an_anonymous_visitor_are_kept_out(ops: OpsWorld) -> None:
    mediator = ops.login("anna@almere.example")
    for path in ("/verkeer", "/partijen", "/verkeer/cijfers"):
        answer = mediator.get(path)
        assert answer.status_code == 403 and "Geen toegang" in answer.text
    assert 'href="/verkeer"' not in mediator.get("/").text
    anonymous = Browser(cast(World, ops))
    answer = anonymous.get("/verkeer")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/inloggen")


def test_the_dashboard_shows_real_traffic_and_flags_the_hanging_source(ops: OpsWorld) -> None:
    operator = ops.login(OPERATOR)
    assert 'href="/verkeer"' in operator.get("/").text
    page = operator.get("/verkeer")
    assert page.status_code == 200
    html = page.text
    # The alert at the top, in Dutch, with its numbers; the healthy sources are not flagged.
    alerts = html[html.index('id="meldingen"') : html.index('id="totaal-uur"')]
    assert f"{HANGS_NAME} ({HANGS}): {QUERIES} van {QUERIES} vragen (100 %)" in alerts
    assert "time-out" in alerts and "laatste 15 minuten" in alerts
    assert "Gemeente Almere" not in alerts and "UWV" not in alerts
    # The last hour's table: queries, answers, time-outs per source.
    hanging = cells(html, f"bron-{HANGS}-uur")
    assert hanging[0].startswith(HANGS_NAME) and hanging[1:3] == [str(QUERIES), "0"]
    assert hanging[5] == f"{QUERIES} (100 %)" and hanging[-1] == "nee"
    # Hanging calls are cut off at 0.3 s: p50 between 250 and 500 ms.
    assert re.fullmatch(r"(2[5-9]\d|[34]\d\d|500) ms", hanging[3]), hanging
    almere = cells(html, f"bron-{PARTY_A}-uur")
    assert almere[1:3] == [str(QUERIES), str(QUERIES)] and almere[5] == "0 (0 %)"
    assert cells(html, f"bron-{UWV}-dag")[1] == str(QUERIES)
    # Charts: server-rendered SVG, named and described, with the numbers in words.
    charts = re.findall(r'<svg [^>]*role="img" aria-labelledby="([^"]+)"', html)
    assert len(charts) == 3 * 2 * 2
    chart = f"grafiek-{HANGS}-uur-vragen"
    assert f'<title id="{chart}-titel">Vragen aan {HANGS_NAME}, laatste uur per minuut' in html
    assert f"{QUERIES} vragen: 0 beantwoord, {QUERIES} time-outs" in html
    assert "<script" not in html.split("</head>")[1] and " style=" not in html
    # The page refreshes its figures with htmx; without JavaScript it is a plain page.
    assert 'hx-get="/verkeer/cijfers" hx-trigger="every 15s"' in html
    still = operator.get("/verkeer?vernieuwen=uit").text
    assert "hx-trigger" not in still and "Automatisch vernieuwen staat uit" in still


def test_the_fragment_is_for_htmx_only(ops: OpsWorld) -> None:
    operator = ops.login(OPERATOR)
    fragment = operator.get("/verkeer/cijfers", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="dashboard"') and "<html" not in fragment.text
    assert f"{HANGS_NAME} ({HANGS})" in fragment.text
    plain = operator.get("/verkeer/cijfers")
    assert plain.status_code == 303 and plain.headers["location"] == "/verkeer"


def test_a_suspended_source_is_flagged_and_shown_on_the_parties_page(ops: OpsWorld) -> None:
    operator = ops.login(OPERATOR)
    health = ops.store.source_health
    health.record_failure(UWV, time.time(), CircuitBreaker(1, 600.0, 600.0).after_failure)
    try:
        html = operator.get("/verkeer").text
        alerts = html[html.index('id="meldingen"') : html.index('id="totaal-uur"')]
        assert re.search(r"UWV \(\d{20}\) is geschorst tot \d\d:\d\d na 1 mislukte", alerts)
        assert cells(html, f"bron-{UWV}-uur")[-1].startswith("ja, tot ")
        parties = operator.get("/partijen")
        assert parties.status_code == 200
        uwv = cells(parties.text, f"partij-{UWV}")
        assert uwv[0] == "UWV SUWI" and uwv[1] == UWV
        assert uwv[2] == "Bron vacatures, Bron werkzoekenden" and uwv[3] == "Actief"
        assert uwv[4] == "01-01-2025" and uwv[5].startswith("API: http://127.0.0.1:")
        assert uwv[6].startswith("geschorst tot ")
        groningen = cells(parties.text, f"partij-{PARTY_B}")
        assert groningen[2] == "Bemiddelaar" and groningen[5] == "Geen bron"
    finally:
        health.reset(UWV)
    assert "geschorst tot" not in operator.get("/partijen").text


def test_the_thresholds_are_settings(ops: OpsWorld) -> None:
    # A second portal on the same store: with more calls needed than were made, no alert.
    settings = portal_settings(ops.facility_url, alert_min_queries=50, alert_rate=0.5)
    app = create_portal_app(settings, ops.store.portal, register())
    with serve_with_lifespan(app) as url:
        operator = ops.login(OPERATOR, url)
        html = operator.get("/verkeer").text
    assert "Geen meldingen" in html and f'<tr id="bron-{HANGS}-uur">' in html
    assert "bij 50 % of meer" in html and "vanaf 50 vragen" in html


def test_chart_geometry() -> None:
    assert [nice_ceiling(v) for v in (0, 0.3, 1, 7, 12, 240, 2600)] == [
        1,
        0.5,
        1,
        10,
        20,
        250,
        5000,
    ]
    red, blue = Series("a", "#8f1d13"), Series("b", "#006fb3")
    bars = stacked_bars(
        "x", "t", "d", ["10:00", "10:01", "10:02"], [red, blue], [[1, 1], [0, 0], [4, 0]]
    )
    # A scale up to 5 (the nice ceiling of 4): 32 px a unit, stacked bottom up, empty slot bare.
    assert [(b.color, b.height) for b in bars.bars] == [
        ("#8f1d13", 32.0),
        ("#006fb3", 32.0),
        ("#8f1d13", 128.0),
    ]
    assert bars.bars[1].y + bars.bars[1].height == bars.bars[0].y
    assert [t.label for t in bars.y_ticks] == ["0", "2,5", "5"]
    line = lines(
        "y", "t", "d", ["a", "b", "c", "d", "e"], [red], [[10], [20], [None], [30], [None]]
    )
    (drawn,) = line.lines
    assert len(drawn.segments) == 1 and len(drawn.segments[0].split()) == 2 and len(drawn.dots) == 1
    assert [t.label for t in line.y_ticks] == ["0 ms", "25 ms", "50 ms"]
    assert duration(1500) == "1,5 s" and duration(12.4) == "12 ms"
