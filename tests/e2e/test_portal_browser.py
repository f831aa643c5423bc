# SPDX-License-Identifier: EUPL-1.2
"""The mediator's flow in a real Chromium: log in, pick "heftruck", search, read, open, keep, come back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import axe
from tests.portal.world import PASSWORD, World, world

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with world(tmp_path_factory.mktemp("e2e")) as running:
        yield running


def log_in(page: Any, system: World, email: str) -> None:
    page.goto(f"{system.portal_url}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{system.portal_url}/")


def accessible(page: Any, name: str, seen: dict[str, int]) -> None:
    """axe-core on what the page shows now: no serious or critical WCAG A/AA violation."""
    found = axe.violations(page)
    seen[name] = len(found)
    assert not found, f"{name}:\n{axe.describe(found)}"


def test_a_mediator_searches_opens_keeps_and_finds_it_again(
    system: World, chromium: Any, screenshots: Path
) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    errors: list[str] = []
    checked: dict[str, int] = {}
    page.on(
        "console",
        lambda m: (
            errors.append(f"{page.url}: {m.text} {m.location}") if m.type == "error" else None
        ),
    )
    try:
        page.goto(f"{system.portal_url}/inloggen")
        page.screenshot(path=str(screenshots / "01-inloggen.png"), full_page=True, caret="initial")
        log_in(page, system, "anna@almere.example")

        page.get_by_role("link", name="Zoeken", exact=True).first.click()
        page.wait_for_url(re.compile(r".*/zoeken$"))
        box = page.get_by_label("Beroep zoeken")
        box.press_sequentially("heftruck", delay=40)
        suggestion = page.locator("#occupation-suggestions button", has_text="Heftruckchauffeur")
        suggestion.wait_for()
        page.screenshot(
            path=str(screenshots / "02-zoeken-suggesties.png"), full_page=True, caret="initial"
        )
        accessible(page, "zoeken (met suggesties)", checked)
        suggestion.click()
        chip = page.locator("#chosen-occupations li", has_text="Heftruckchauffeur")
        chip.wait_for()
        assert page.locator("#occupation-suggestions button").count() == 0
        assert box.input_value() == ""
        # One click adds the related occupations.
        chip.get_by_role("button", name="+ verwante beroepen").click()
        page.locator("#chosen-occupations li", has_text="Reachtruckchauffeur").wait_for()
        page.get_by_role("button", name="Zoeken", exact=True).click()

        page.wait_for_url(re.compile(r".*/resultaten/[\w-]+$"))
        heading = page.get_by_role("heading", level=1)
        assert re.search(r"\d+ werkzoekenden gevonden", heading.inner_text())
        sources = page.locator("table.sources tbody tr")
        assert sources.count() == 2
        assert sources.filter(has_text="Geantwoord").count() == 2
        first = page.locator("li.result").first
        assert "beroep: een van" in first.inner_text()
        assert re.search(r"\d+/100", first.locator(".score").inner_text())
        page.screenshot(
            path=str(screenshots / "03-resultaten.png"), full_page=False, caret="initial"
        )
        accessible(page, "resultaten", checked)

        title = first.locator("h3 a").inner_text()
        first.locator("h3 a").click()
        page.wait_for_url(re.compile(r".*/resultaten/[\w-]+/0$"))
        page.get_by_role("button", name=re.compile("Detail openen")).click()
        page.get_by_role("heading", name="Profiel").wait_for()
        assert "9 van de 10" in page.content() or page.get_by_text("Contactpersoon").count()
        page.get_by_role("button", name="Op shortlist zetten").click()
        page.get_by_text("Op de shortlist gezet.").wait_for()
        page.screenshot(path=str(screenshots / "04-detail.png"), full_page=True, caret="initial")
        accessible(page, "detail", checked)

        page.get_by_role("button", name="Uitloggen").click()
        page.get_by_text("U bent uitgelogd.").wait_for()
        log_in(page, system, "anna@almere.example")
        page.get_by_role("link", name="Shortlist").first.click()
        item = page.locator("li.shortlist-item").first
        item.wait_for()
        assert title.split(". ", 1)[-1] in item.inner_text()
        item.get_by_label("Notitie").fill("Bellen over de reachtruck-cursus")
        item.get_by_label("Status").select_option("benaderd")
        item.get_by_role("button", name="Bewaren").click()
        page.get_by_text("Notitie en status bewaard.").wait_for()
        page.screenshot(path=str(screenshots / "05-shortlist.png"), full_page=True, caret="initial")
        accessible(page, "shortlist", checked)
        assert len(checked) == 4
        assert not [e for e in errors if "Content Security Policy" in e], errors
    finally:
        context.close()


def test_the_search_works_without_javascript(system: World, chromium: Any) -> None:
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, system, "anna@almere.example")
        page.goto(f"{system.portal_url}/zoeken?kind=vacature")
        page.get_by_label("Beroep zoeken").fill("heftruk")
        page.get_by_role("button", name="Zoek beroep").click()
        page.get_by_role("button", name=re.compile("Heftruckchauffeur")).first.click()
        page.locator("#chosen-occupations li", has_text="Heftruckchauffeur").wait_for()
        page.get_by_role("button", name="Zoeken", exact=True).click()
        page.wait_for_url(re.compile(r".*/resultaten/[\w-]+$"))
        assert "vacatures gevonden" in page.get_by_role("heading", level=1).inner_text()
    finally:
        context.close()


def test_the_pages_can_be_used_with_the_keyboard(system: World, chromium: Any) -> None:
    context = chromium.new_context()
    page = context.new_page()
    try:
        page.goto(f"{system.portal_url}/inloggen")
        # The e-mail field has the focus; the whole login goes by keyboard.
        page.wait_for_function("document.activeElement && document.activeElement.id === 'email'")
        page.keyboard.type("anna@almere.example")
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{system.portal_url}/")
        page.goto(f"{system.portal_url}/zoeken")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Direct naar de inhoud"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "inhoud"
        # Every form control on the search page has a label.
        unlabeled = page.evaluate(
            """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                 .filter(e => !e.labels.length && !e.getAttribute('aria-label')
                              && e.getAttribute('aria-hidden') !== 'true')
                 .map(e => e.name)"""
        )
        assert unlabeled == []
    finally:
        context.close()
