# SPDX-License-Identifier: EUPL-1.2
"""The operations and privacy pages in a real Chromium: the hanging source flagged, htmx refresh, axe clean."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.axe import describe, violations
from tests.portal.ops_world import HANGS, HANGS_NAME, OFFICER, OPERATOR, OpsWorld, ops_world
from tests.portal.world import PASSWORD

pytestmark = pytest.mark.slow
QUERIES = 12


@pytest.fixture(scope="module")
def ops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpsWorld]:
    with ops_world(tmp_path_factory.mktemp("e2e-ops"), dashboard_refresh_s=2) as running:
        running.query(QUERIES)
        yield running


def open_page(chromium: Any, ops: OpsWorld, email: str) -> tuple[Any, Any, list[str]]:
    """A new browser context logged in as ``email``; its page and the console errors it collects."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{ops.portal_url}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{ops.portal_url}/")
    return context, page, errors


def assert_accessible(page: Any) -> None:
    found = violations(page)
    assert not found, describe(found)


def test_the_dashboard_flags_the_hanging_source_refreshes_and_passes_axe(
    ops: OpsWorld, chromium: Any, screenshots: Path
) -> None:
    context, page, errors = open_page(chromium, ops, OPERATOR)
    try:
        page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
            "link", name="Verkeer", exact=True
        ).click()
        page.wait_for_url(re.compile(r".*/verkeer$"))
        # The figures arrive within a fraction of a second (the facility writes every 0.2 s);
        # htmx fetches them again every 2 s here, so the alert appears without a reload.
        alert = page.locator(".alerts li", has_text=HANGS_NAME)
        alert.wait_for(timeout=10_000)
        text = alert.inner_text()
        assert f"{HANGS_NAME} ({HANGS}): {QUERIES} van {QUERIES} vragen (100 %)" in text
        assert "time-out" in text
        assert page.locator(".alerts li").count() == 1
        chart = page.get_by_role("img", name=re.compile(f"Vragen aan {HANGS_NAME}, laatste uur"))
        assert chart.count() == 1
        with page.expect_response(lambda r: "/verkeer/cijfers" in r.url, timeout=10_000) as got:
            pass
        assert got.value.status == 200
        page.locator("#dashboard").wait_for()
        page.screenshot(path=str(screenshots / "10-beheer-verkeer.png"), full_page=True)
        # Without the refresh, a table of figures per minute opened (htmx would swap it away).
        page.get_by_role("link", name="Automatisch vernieuwen uitzetten").click()
        page.wait_for_url(re.compile(r".*vernieuwen=uit$"))
        page.locator(f"section[aria-labelledby='bron-{HANGS}'] details summary").first.click()
        assert page.locator(
            f"section[aria-labelledby='bron-{HANGS}'] details table"
        ).first.is_visible()
        assert_accessible(page)

        page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
            "link", name="Partijen", exact=True
        ).click()
        page.wait_for_url(re.compile(r".*/partijen$"))
        assert page.locator(f"#partij-{HANGS}").inner_text().startswith(HANGS_NAME)
        page.screenshot(path=str(screenshots / "11-beheer-partijen.png"), full_page=True)
        assert_accessible(page)
        assert not errors, errors
    finally:
        context.close()


def test_the_audit_log_is_searched_and_verified_and_passes_axe(
    ops: OpsWorld, chromium: Any, screenshots: Path
) -> None:
    context, page, errors = open_page(chromium, ops, OFFICER)
    try:
        page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
            "link", name="Auditlog", exact=True
        ).click()
        page.wait_for_url(re.compile(r".*/auditlog$"))
        page.get_by_label("Handeling").select_option("matches")
        page.get_by_role("button", name="Zoeken", exact=True).click()
        page.wait_for_url(re.compile(r".*handeling=matches.*"))
        assert page.get_by_role("heading", name=f"{QUERIES} records gevonden").count() == 1
        page.get_by_role("button", name="Keten nu controleren").click()
        status = page.locator("[role=status]", has_text="De keten is intact")
        status.wait_for()
        assert "handeling=matches" in page.url
        page.locator("tr[id^=record-] details summary").first.click()
        page.screenshot(path=str(screenshots / "12-privacy-auditlog.png"), full_page=True)
        assert_accessible(page)
        assert not errors, errors
    finally:
        context.close()
