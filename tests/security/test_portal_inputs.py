# SPDX-License-Identifier: EUPL-1.2
"""Hostile strings in every text field of the portal's forms: never a 500, always escaped, CSV defused.

The strings of ``tests.security.inputs`` (SQL, markup and script, spreadsheet formulas, paths,
null bytes, odd Unicode, 10k characters) go into the login form, the search form and its
typeahead, the shortlist's note and status, a saved search's name, the upload form and the
cells of an uploaded CSV, and the audit log's filter. A value the page shows again is escaped;
the CSV exports put no formula in a cell; a refused form changes nothing in the store.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import yaml

from tests.portal.client import Browser
from tests.portal.publish_files import MAPPING, json_bytes
from tests.portal.world import HEFTRUCK, PASSWORD
from tests.security.inputs import INJECTIONS
from tests.security.portal_world import MEDIATOR_A, Portal, running_portal
from tests.security.tally import count

NAMES = [name for name, _ in INJECTIONS]
_SEARCH = {"kind": "werkzoekende", "postcode": "1315AB", "radius": "999"}
#: every field of the search form (criteria.SearchForm.parse) and of its no-JavaScript steps
SEARCH_FIELDS = [
    "kind",
    "postcode",
    "radius",
    "occupation",
    "occupation_text",
    "text",
    "hours_min",
    "hours_max",
    "licence",
    "contract",
    "lang",
    "lang_oral",
    "lang_written",
    "irregular",
    "office_hours",
    "available_by",
    "starts_from",
    "level_from",
    "pref_rijbewijs",
    "kies",
    "verwant",
    "verwijder",
    "actie",
]
#: posted as well (a valid form runs a real search: the free-text fields, not every criterion)
POSTED = {"postcode", "occupation_text", "text", "occupation", "kies", "actie"}
AUDIT_FIELDS = ["partij", "gebruiker", "handeling", "van", "tot", "pagina"]
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    with running_portal(tmp_path_factory.mktemp("portal-inputs")) as running:
        yield running


def _form(pairs: list[tuple[str, str]]) -> bytes:
    # A lone surrogate cannot be UTF-8: it goes as the bytes a careless client would send.
    return urlencode(pairs, encoding="utf-8", errors="surrogatepass").encode("ascii")


def post(browser: Browser, path: str, fields: dict[str, str]) -> httpx.Response:
    pairs = [*fields.items(), ("csrf_token", browser.token())]
    headers = {"content-type": "application/x-www-form-urlencoded"}
    return browser.post(path, content=_form(pairs), headers=headers)


def get(browser: Browser, path: str, fields: dict[str, str]) -> httpx.Response:
    return browser.get(f"{path}?{_form(list(fields.items())).decode()}")


def check(response: httpx.Response, value: str, where: str) -> None:
    """No server error; the value, where it holds markup, never comes back unescaped."""
    count("portal inputs: hostile values tried")
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    if not response.headers.get("content-type", "").startswith("text/html"):
        return  # CSV (checked for formulas) and FastAPI's JSON 422 (nosniff): no markup
    if "<" in value or '"' in value:
        assert value not in response.text, f"{where}: the value is in the page unescaped"
    assert "<script>alert" not in response.text and '"><img' not in response.text, where


def followed(browser: Browser, response: httpx.Response, value: str, where: str) -> None:
    """``check`` the answer and, after a redirect to a page of the portal, that page too."""
    check(response, value, where)
    if response.status_code == 303 and response.headers["location"].startswith("/"):
        check(browser.get(response.headers["location"]), value, f"{where} (next page)")


def no_formulas(text: str, where: str) -> int:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    for row in rows:
        for cell in row:
            assert not cell.startswith(_FORMULA), f"{where}: a formula in a cell: {cell[:80]!r}"
    return len(rows)


@pytest.mark.parametrize(("name", "value"), INJECTIONS, ids=NAMES)
def test_login_form(portal: Portal, name: str, value: str) -> None:
    browser = portal.fresh("anonymous")
    for fields in (
        {"email": value, "password": PASSWORD},
        {"email": MEDIATOR_A, "password": value},
    ):
        answer = post(browser, "/inloggen", fields)
        check(answer, value, f"login {name}")
        assert answer.status_code != 303 or name == "long-10k", "a hostile login got in"
    check(get(browser, "/inloggen", {"volgende": value}), value, f"login next {name}")


@pytest.mark.parametrize(("name", "value"), INJECTIONS, ids=NAMES)
def test_search_form(portal: Portal, name: str, value: str) -> None:
    anna = portal.browser("bemiddelaar A")
    for field in SEARCH_FIELDS:
        if field in POSTED:
            answer = post(anna, "/zoeken", {**_SEARCH, field: value})
            followed(anna, answer, value, f"POST /zoeken {field}={name}")
        check(get(anna, "/zoeken", {field: value}), value, f"GET /zoeken {field}={name}")
    for path, field in (
        ("/beroepen", "occupation_text"),
        ("/beroepen/kies", "kies"),
        ("/beroepen/verwant", "verwant"),
        ("/beroepen", "occupation"),
    ):
        check(get(anna, path, {field: value, "kies": HEFTRUCK}), value, f"{path} {name}")


@pytest.mark.parametrize(("name", "value"), INJECTIONS, ids=NAMES)
def test_shortlist_and_saved_searches(portal: Portal, name: str, value: str) -> None:
    anna = portal.browser("bemiddelaar A")
    item, search = portal.ids["item"], portal.ids["search"]
    answer = post(anna, f"/shortlist/{item}", {"note": value, "status": "benaderd"})
    followed(anna, answer, value, f"shortlist note {name}")
    before = portal.snapshot()
    answer = post(anna, f"/shortlist/{item}", {"note": "niet bewaard", "status": value})
    check(answer, value, f"shortlist status {name}")
    assert answer.status_code == 422
    assert portal.snapshot() == before, "a refused status changed the shortlist"
    answer = post(anna, "/shortlist", {"search_id": search, "position": "1", "note": value})
    followed(anna, answer, value, f"shortlist keep {name}")
    answer = post(anna, "/shortlist", {"search_id": value, "position": "0"})
    check(answer, value, f"shortlist keep search_id {name}")
    answer = post(anna, "/zoekopdrachten", {"search_id": search, "name": value})
    followed(anna, answer, value, f"saved search name {name}")
    check(anna.get("/zoekopdrachten"), value, f"saved searches page {name}")
    export = anna.get("/shortlist.csv")
    assert export.status_code == 200
    no_formulas(export.text, f"shortlist.csv after {name}")
    if value.startswith(_FORMULA):
        # The note is the item's, as text: a leading apostrophe, the rest as typed.
        cells = csv.reader(io.StringIO(export.text.lstrip("\ufeff")), delimiter=";")
        assert any(f"'{value}" in row for row in cells), export.text[:500]


def _upload(
    browser: Browser, fields: dict[str, Any], file: tuple[str, bytes], **files: Any
) -> httpx.Response:
    data = {k: v.encode("utf-8", "surrogatepass") for k, v in fields.items()}
    data["csrf_token"] = browser.token().encode()
    return browser.post("/publiceren", data=data, files={"bestand": file, **files})


@pytest.mark.parametrize(("name", "value"), INJECTIONS, ids=NAMES)
def test_upload_form_and_csv_cells(portal: Portal, name: str, value: str) -> None:
    bron = portal.browser("bronbeheerder A")
    base = {"soort": "werkzoekende", "modus": "replace", "mapping": "", "mapping_naam": ""}
    good = ("p.json", json_bytes(2, seed=3))
    for field in ("soort", "modus", "mapping"):
        before = portal.snapshot()
        answer = _upload(bron, {**base, field: value}, good)
        check(answer, value, f"upload {field}={name}")
        if answer.status_code == 422:
            assert portal.snapshot() == before, f"a refused upload ({field}) changed the store"
    # The mapping's name, and a CSV whose every cell (and column name) is the value.
    mapping = yaml.safe_dump(MAPPING, allow_unicode=True).encode()
    header = "Klantnummer;Postcode;Beroep;Uren min;Uren max;Contract;" + value.replace(";", ",")
    cell = value.replace(";", ",").replace("\r", " ").replace("\n", " ").replace('"', "'")
    body = "\r\n".join([header, ";".join([cell] * 7), ";".join([f"K1{cell}", *[cell] * 6])])
    raw = body.encode("utf-8", "surrogatepass")
    answer = _upload(
        bron,
        {**base, "mapping_naam": value},
        ("klanten.csv", raw, "text/csv"),
        mapping_bestand=("m.yaml", mapping, "application/yaml"),
    )
    followed(bron, answer, value, f"csv upload {name}")
    if answer.status_code == 303:
        check(bron.get("/publiceren/mappings"), value, f"mappings page {name}")
        check(bron.get("/publiceren/versies"), value, f"history page {name}")


@pytest.mark.parametrize(("name", "value"), INJECTIONS, ids=NAMES)
def test_audit_log_filter(portal: Portal, name: str, value: str) -> None:
    officer = portal.browser("privacy A")
    for field in AUDIT_FIELDS:
        check(get(officer, "/auditlog", {field: value}), value, f"auditlog {field}={name}")
        answer = get(officer, "/auditlog.csv", {field: value})
        followed(officer, answer, value, f"auditlog.csv {field}={name}")
        if answer.status_code == 200:
            no_formulas(answer.text, f"auditlog.csv {field}={name}")
    answer = post(officer, "/auditlog/controle", {"terug": f"partij={value}&x={value}"})
    followed(officer, answer, value, f"auditlog verify {name}")
