# SPDX-License-Identifier: EUPL-1.2
"""The bronbeheerder's flow in a real Chromium: upload a CSV with errors, read row and column, fix, publish, read the quality report."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.axe import describe, violations
from tests.portal.publish_files import BAD_ROWS, GOOD_ROWS, csv_bytes, yaml_bytes
from tests.portal.world import PARTY_A, PASSWORD, World, world
from vum.sources import HostedSources
from vum.standard.kinds import Kind

pytestmark = pytest.mark.slow

BRON = "bron@almere.example"


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with world(tmp_path_factory.mktemp("e2e-publish")) as running:
        yield running


def accessibility(page: Any, what: str) -> None:
    """No serious or critical WCAG violations that axe-core finds."""
    found = violations(page)
    assert not found, f"{what}:\n{describe(found)}"


def test_a_source_manager_fixes_a_csv_publishes_it_and_reads_the_quality_report(
    system: World, chromium: Any, screenshots: Path
) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None,
    )
    try:
        page.goto(f"{system.portal_url}/inloggen")
        page.get_by_label("E-mailadres").fill(BRON)
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url(f"{system.portal_url}/")
        page.get_by_role("link", name="Publiceren", exact=True).first.click()
        page.wait_for_url(re.compile(r".*/publiceren$"))
        assert "Nog niets gepubliceerd" in page.locator("main").inner_text()

        # Step 1 with the municipality's export and its column mapping, saved for next time.
        page.get_by_label("Bestand", exact=True).set_input_files(
            files=[{"name": "export.csv", "mimeType": "text/csv", "buffer": csv_bytes(BAD_ROWS)}]
        )
        page.get_by_label("Nieuwe mapping (YAML-bestand)").set_input_files(
            files=[{"name": "mapping.yaml", "mimeType": "text/yaml", "buffer": yaml_bytes()}]
        )
        page.get_by_label("Bewaren als (optioneel)").fill("Klantvolgsysteem")
        page.screenshot(path=str(screenshots / "publiceren-01-uploaden.png"), full_page=True)
        accessibility(page, "the upload page")
        page.get_by_role("button", name="Controleren").click()
        page.wait_for_url(re.compile(r".*/publiceren/uploads/[\w-]+$"))

        alert = page.get_by_role("alert").filter(has_text="fouten")
        assert "3 fouten in 2 rijen" in alert.inner_text()
        assert "Er is niets gepubliceerd" in alert.inner_text()
        rows = page.locator("table.problems tbody tr")
        assert rows.count() == 3
        postcode = rows.filter(has_text="Postcode")
        assert postcode.locator("td").nth(0).inner_text().replace("\xa0", " ") == "rij 3"
        assert "ongeldig formaat '12345'" in postcode.inner_text()
        assert "'veertig' is geen geheel getal" in rows.filter(has_text="Uren min").inner_text()
        assert page.get_by_role("button", name="Publiceren").count() == 0
        page.screenshot(path=str(screenshots / "publiceren-02-fouten.png"), full_page=True)
        accessibility(page, "the page with the errors")

        # The fixed export, on the same page, with the same mapping.
        page.get_by_label("Verbeterd bestand").set_input_files(
            files=[{"name": "export.csv", "mimeType": "text/csv", "buffer": csv_bytes(GOOD_ROWS)}]
        )
        page.get_by_role("button", name="Controleren").click()
        page.get_by_text("Het bestand is in orde").wait_for()
        preview = page.locator("ul.results li.result")
        assert preview.count() == 4
        assert "onbekend" in preview.nth(3).inner_text()
        page.screenshot(path=str(screenshots / "publiceren-03-voorbeeld.png"), full_page=True)
        accessibility(page, "the preview")

        # Step 2: publish; the new version is live at once.
        page.get_by_role("button", name="Publiceren").click()
        page.get_by_text("Versie 1 is live met 4 records").first.wait_for()
        info = HostedSources(system.store, recover=False).dataset(PARTY_A, Kind.WERKZOEKENDE)
        assert info.live is not None and info.live.record_count == 4

        page.get_by_role("link", name="Datakwaliteit bekijken").click()
        page.wait_for_url(re.compile(r".*/publiceren/kwaliteit\?soort=werkzoekende$"))
        main = page.locator("main").inner_text()
        assert "Datakwaliteit van uw werkzoekenden" in main
        assert "Velden die bemiddelaars het meest gebruiken" in main
        assert "Gemiddeld alle bronnen" in main
        assert "Vul " in main
        page.screenshot(path=str(screenshots / "publiceren-04-kwaliteit.png"), full_page=True)
        accessibility(page, "the quality report")

        page.get_by_role("link", name="Geschiedenis", exact=True).first.click()
        page.wait_for_url(re.compile(r".*/publiceren/versies\?soort=werkzoekende$"))
        assert "Live" in page.locator("table").first.inner_text()
        page.screenshot(path=str(screenshots / "publiceren-05-geschiedenis.png"), full_page=True)
        assert not errors, errors  # no CSP violations, no script errors
    finally:
        context.close()
