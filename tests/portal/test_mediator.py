# SPDX-License-Identifier: EUPL-1.2
"""The mediator's flow over real HTTP (no JavaScript): search, results, detail, shortlist, saved searches, CSV; party isolation."""

from __future__ import annotations

import csv
import io
import re

import httpx
import pytest

from tests.portal.client import Browser, logged_in
from tests.portal.world import CENTRE, HEFTRUCK, PARTY_A, PORTAL_OIN, REACHTRUCK, World

pytestmark = pytest.mark.slow

ANNA = "anna@almere.example"
BRAM = "bram@groningen.example"
FORKLIFT = {"kind": "werkzoekende", "postcode": CENTRE, "radius": "25", "occupation": HEFTRUCK}


def search(browser: Browser, form: dict[str, str] | list[tuple[str, str]]) -> str:
    """Run a search; the path of its results page."""
    answer = browser.post_form("/zoeken", form)
    assert answer.status_code == 303, answer.text[:2000]
    path: str = answer.headers["location"]
    assert path.startswith("/resultaten/")
    return path


def test_typing_an_occupation_suggests_register_entries_with_and_without_javascript(
    system: World,
) -> None:
    browser = logged_in(system, ANNA)
    # htmx: the fragment for what was typed (a typo, a synonym).
    fragment = browser.get("/beroepen", params={"occupation_text": "heftruk"})
    assert fragment.status_code == 200 and f'value="{HEFTRUCK}"' in fragment.text
    assert "<html" not in fragment.text
    picked = browser.get("/beroepen/kies", params={"kies": HEFTRUCK})
    assert 'name="occupation"' in picked.text and 'hx-swap-oob="outerHTML"' in picked.text
    related = browser.get("/beroepen/verwant", params={"verwant": HEFTRUCK, "occupation": HEFTRUCK})
    assert f'value="{REACHTRUCK}"' in related.text and f'value="{HEFTRUCK}"' not in related.text
    # Without JavaScript: the same steps post the form back.
    form = {"kind": "werkzoekende", "postcode": CENTRE, "radius": "25"}
    looked_up = browser.post_form(
        "/zoeken", {**form, "occupation_text": "heftruk", "actie": "beroep"}
    )
    assert looked_up.status_code == 200 and f'name="kies" value="{HEFTRUCK}"' in looked_up.text
    chosen = browser.post_form("/zoeken", {**form, "kies": HEFTRUCK})
    assert f'name="occupation" value="{HEFTRUCK}"' in chosen.text
    more = browser.post_form("/zoeken", {**form, "occupation": HEFTRUCK, "verwant": HEFTRUCK})
    assert more.text.count('name="occupation" value=') > 2
    # A clear free-text occupation is taken as typed; the search runs.
    typed = browser.post_form("/zoeken", {**form, "occupation_text": "heftruckchauffeur"})
    assert typed.status_code == 303


def test_a_search_shows_ranked_results_with_reasons_sources_and_unknown_fields(
    system: World,
) -> None:
    browser = logged_in(system, ANNA)
    page = browser.get(search(browser, {**FORKLIFT, "hours_min": "32", "pref_hours": "wens"}))
    assert page.status_code == 200
    text = page.text
    assert "werkzoekenden gevonden" in text
    assert text.count("Geantwoord") == 2 and "Gemeente Almere" in text and "UWV" in text
    scores = [int(s) for s in re.findall(r'<span class="score">(\d+)<small>', text)]
    assert scores and scores == sorted(scores, reverse=True)
    assert "beroep: een van 1 gevraagde" in text  # the "waarom"
    assert "wens" in text
    for label in ("Woonplaats", "Vervoer", "Rijbewijs", "Uren", "Contract", "Talen", "Opleiding"):
        assert f"<dt>{label}</dt>" in text
    assert "U kunt nog <strong>10 van de 10</strong> details openen" in text
    # The facility saw the portal as the processor acting for the user's party, with a pseudonym.
    event = system.audit.events[-1]
    assert event["fromParty"] == PARTY_A and event["viaParty"] == PORTAL_OIN
    user = system.store.portal.users.by_email(ANNA)
    assert user is not None and event["user"] == user.pseudonym


def test_few_results_come_with_wider_searches_and_their_counts(system: World) -> None:
    browser = logged_in(system, ANNA)
    narrow = {**FORKLIFT, "radius": "5", "licence": "CE"}
    page = browser.get(search(browser, narrow)).text
    assert "Verruim de zoekopdracht" in page
    counts = re.findall(r'<span class="badge">(\d+) resultaten</span>', page)
    assert counts and all(int(c) > 0 for c in counts)
    assert "Zoek binnen 10 km" in page or "Maak alle eisen wensen" in page


def test_a_detail_counts_down_once_and_stays_available(system: World) -> None:
    browser = logged_in(system, ANNA)
    results = search(browser, FORKLIFT)
    before = browser.get(f"{results}/0").text
    assert "Detail openen (10 over)" in before
    # Opening is a POST (it spends one of the ten); looking again costs nothing.
    assert browser.post_form(f"{results}/0/openen", {}).status_code == 303
    assert browser.post_form(f"{results}/0/openen", {}).status_code == 303
    detail = browser.get(f"{results}/0").text
    assert "Contactpersoon (consulent)" in detail and "Op shortlist zetten" in detail
    assert "nog <strong>9 van de 10</strong>" in browser.get(results).text


def test_a_query_allows_ten_details(system: World) -> None:
    browser = logged_in(system, ANNA)
    results = search(browser, FORKLIFT)
    for position in range(10):
        browser.post_form(f"{results}/{position}/openen", {})
    assert browser.get(f"{results}/10").text.count("Detail openen") == 0
    refused = browser.post_form(f"{results}/10/openen", {})
    assert "details van deze zoekopdracht gebruikt" in browser.get(refused.headers["location"]).text


def test_the_shortlist_keeps_notes_and_status_and_refinds_an_expired_record(
    system: World,
) -> None:
    browser = logged_in(system, ANNA)
    results = search(browser, FORKLIFT)
    search_id = results.rsplit("/", 1)[-1]
    kept = browser.post_form("/shortlist", {"search_id": search_id, "position": "1"})
    assert kept.status_code == 303
    again = browser.post_form("/shortlist", {"search_id": search_id, "position": "1"})
    assert "Stond al op de shortlist" in browser.get(again.headers["location"]).text
    item = system.store.portal.shortlists.items(PARTY_A, _uid(system, ANNA))[0]
    update = browser.post_form(
        f"/shortlist/{item.id}", {"note": "Belt dinsdag", "status": "benaderd"}
    )
    assert update.status_code == 303
    page = browser.get("/shortlist").text
    assert "Belt dinsdag" in page and f'href="/resultaten/{search_id}/1"' in page
    # After the retention period the search is purged; the item keeps what Anna wrote ...
    import datetime as dt

    system.store.portal.searches.purge(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    page = browser.get("/shortlist").text
    assert "Belt dinsdag" in page and "Terugvinden" in page
    # ... and finds the record again by running the search that found it.
    found = browser.post_form(f"/shortlist/{item.id}/terugvinden", {})
    assert found.status_code == 303 and re.fullmatch(
        r"/resultaten/[\w-]+/\d+", found.headers["location"]
    )
    assert "Teruggevonden" in browser.get(found.headers["location"]).text


def test_saved_searches_run_again(system: World) -> None:
    browser = logged_in(system, ANNA)
    results = search(browser, {**FORKLIFT, "kind": "vacature"})
    search_id = results.rsplit("/", 1)[-1]
    browser.post_form("/zoekopdrachten", {"search_id": search_id, "name": "Heftruck Almere"})
    page = browser.get("/zoekopdrachten").text
    assert "Heftruck Almere" in page
    saved = system.store.portal.saved.list(PARTY_A, _uid(system, ANNA))[0]
    rerun = browser.post_form(f"/zoekopdrachten/{saved.id}/uitvoeren", {})
    assert rerun.status_code == 303 and rerun.headers["location"] != results
    assert "vacatures gevonden" in browser.get(rerun.headers["location"]).text


def test_the_csv_export_defuses_spreadsheet_formulas(system: World) -> None:
    browser = logged_in(system, ANNA)
    results = search(browser, FORKLIFT)
    search_id = results.rsplit("/", 1)[-1]
    notes = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tTAB", "\rCR", "gewoon"]
    uid = _uid(system, ANNA)
    for position, note in enumerate(notes, start=2):
        browser.post_form("/shortlist", {"search_id": search_id, "position": str(position)})
        item = next(
            i
            for i in system.store.portal.shortlists.items(PARTY_A, uid)
            if i.search_id == search_id and i.position == position
        )
        system.store.portal.shortlists.update_item(item.id, PARTY_A, uid, note=note)
    export = browser.get("/shortlist.csv")
    assert export.headers["content-type"].startswith("text/csv")
    assert export.headers["cache-control"] == "no-store"
    rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff")), delimiter=";"))
    written = {row[3] for row in rows[1:]}
    for note in notes[:-1]:
        assert "'" + note in written
        assert note not in written
    assert "gewoon" in written


def test_a_mediator_of_another_party_sees_nothing_of_party_a(system: World) -> None:
    anna = logged_in(system, ANNA)
    results = search(anna, FORKLIFT)
    search_id = results.rsplit("/", 1)[-1]
    anna.post_form(f"{results}/0/openen", {})
    anna.post_form("/shortlist", {"search_id": search_id, "position": "0"})
    anna.post_form("/zoekopdrachten", {"search_id": search_id, "name": "Alleen van Anna"})
    uid = _uid(system, ANNA)
    item = system.store.portal.shortlists.items(PARTY_A, uid)[0]
    saved = system.store.portal.saved.list(PARTY_A, uid)[0]

    bram = logged_in(system, BRAM)
    refused: list[httpx.Response] = [
        bram.get(results),
        bram.get(f"{results}/0"),
        bram.post_form(f"{results}/0/openen", {}),
        bram.post_form("/shortlist", {"search_id": search_id, "position": "0"}),
        bram.post_form(f"/shortlist/{item.id}", {"note": "overgenomen", "status": "nieuw"}),
        bram.post_form(f"/shortlist/{item.id}/terugvinden", {}),
        bram.post_form(f"/shortlist/{item.id}/verwijderen", {}),
        bram.post_form("/zoekopdrachten", {"search_id": search_id}),
        bram.post_form(f"/zoekopdrachten/{saved.id}/uitvoeren", {}),
        bram.post_form(f"/zoekopdrachten/{saved.id}/verwijderen", {}),
    ]
    assert [r.status_code for r in refused] == [404] * len(refused)
    assert item.label not in bram.get("/shortlist").text
    assert item.label not in bram.get("/shortlist.csv").text
    assert "Alleen van Anna" not in bram.get("/zoekopdrachten").text
    assert search_id not in bram.get("/").text + bram.get("/zoekopdrachten").text
    # Anna's things are untouched.
    assert system.store.portal.shortlists.item(item.id, PARTY_A, uid) is not None
    assert "Contactpersoon (consulent)" in anna.get(f"{results}/0").text
    # And the facility itself refuses Bram's party a detail of Anna's result set.
    answer = system.store.portal.searches.get(search_id, PARTY_A, uid)
    assert answer is not None
    vum_id = answer.answer["matches"][1]["vumID"]
    facility = httpx.get(
        f"{system.facility_url}/werkzoekendeProfielen/{vum_id}",
        headers={
            "X-VUM-berichtVersie": "3.0.0",
            "API-Version": "3.0.0",
            "X-VUM-fromParty": "00000001001589623000",
            "X-VUM-toParty": "00000001000000000099",
            "X-VUM-viaParty": PORTAL_OIN,
        },
    )
    assert facility.status_code == 401


def _uid(system: World, email: str) -> int:
    user = system.store.portal.users.by_email(email)
    assert user is not None
    return user.id
