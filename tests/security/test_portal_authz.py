# SPDX-License-Identifier: EUPL-1.2
"""The portal's authorisation matrix: every route, as the anonymous visitor and every role of two parties.

Every route the portal app serves must have a row in ``ROUTES`` (read from the app itself), so a
new page fails the suite until it has one. Party A's objects (search, detail, shortlist item,
saved search, upload, mapping) are in the paths of every caller: party B's callers with the
right role must get 404, as if the object did not exist. Every POST carries the caller's CSRF
token; without it, every POST is refused.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from tests.portal.publish_files import json_bytes
from tests.portal.world import HEFTRUCK, PARTY_A, PASSWORD, portal_settings, register
from tests.security.portal_world import (
    ACCOUNTS,
    ANONYMOUS,
    CALLERS,
    MEDIATOR_A,
    Portal,
    running_portal,
    upload,
)
from tests.security.routes import routes_of
from tests.security.tally import count
from vum.portal.app import create_portal_app

OK, LOGIN = "ok", "login"


@dataclass(frozen=True)
class Row:
    method: str  # as the app declares it ("ANY" for the static mount)
    template: str
    #: "open", "oidc-off", "login", "user" (any logged-in role) or the role the route needs
    guard: str
    path: str = ""  # the concrete path; {S}, {I}, {V}, {U}, {M}: party A's objects
    ok: int = 200
    form: dict[str, str] = field(default_factory=dict)
    #: the path names one of party A's objects: another party's caller gets 404
    owned: bool = False
    #: the allowed call removes the object: it gets a fresh one of its own
    removes: str = ""
    #: an htmx fragment (a browser without htmx is sent to the page itself)
    htmx: bool = False

    @property
    def verb(self) -> str:
        return "GET" if self.method == "ANY" else self.method

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"


def _med(method: str, template: str, path: str = "", **kw: Any) -> Row:
    return Row(method, template, "bemiddelaar", path or template, **kw)


def _src(method: str, template: str, path: str = "", **kw: Any) -> Row:
    return Row(method, template, "bronbeheerder", path or template, **kw)


_SEARCH = {"kind": "werkzoekende", "postcode": "1315AB", "radius": "999"}
ROUTES: list[Row] = [
    Row("GET", "/health", "open"),
    Row("ANY", "/static", "open", "/static/portal.css"),
    Row("GET", "/inloggen/oidc", "oidc-off"),
    Row("GET", "/inloggen/oidc/terug", "oidc-off"),
    Row("GET", "/inloggen", "login"),
    Row("POST", "/inloggen", "login", ok=303),
    Row("GET", "/", "user"),
    Row("GET", "/account", "user"),
    Row("POST", "/uitloggen", "user", ok=303),
    # the mediator's pages
    _med("GET", "/zoeken"),
    _med("POST", "/zoeken", ok=303, form=_SEARCH),
    _med("GET", "/beroepen", "/beroepen?occupation_text=heftruck"),
    _med("GET", "/beroepen/kies", f"/beroepen/kies?kies={HEFTRUCK}"),
    _med("GET", "/beroepen/verwant", f"/beroepen/verwant?verwant={HEFTRUCK}"),
    _med("GET", "/beroepen/weg"),
    _med("GET", "/zoekopdrachten"),
    _med("POST", "/zoekopdrachten", ok=303, form={"search_id": "{S}", "name": "x"}, owned=True),
    _med(
        "POST",
        "/zoekopdrachten/{saved_id}/uitvoeren",
        "/zoekopdrachten/{V}/uitvoeren",
        ok=303,
        owned=True,
    ),
    _med(
        "POST",
        "/zoekopdrachten/{saved_id}/verwijderen",
        "/zoekopdrachten/{V}/verwijderen",
        ok=303,
        owned=True,
        removes="V",
    ),
    _med("GET", "/shortlist"),
    _med("POST", "/shortlist", ok=303, form={"search_id": "{S}", "position": "0"}, owned=True),
    _med(
        "POST",
        "/shortlist/{item_id}",
        "/shortlist/{I}",
        ok=303,
        form={"note": "n", "status": "benaderd"},
        owned=True,
    ),
    _med(
        "POST",
        "/shortlist/{item_id}/verwijderen",
        "/shortlist/{I}/verwijderen",
        ok=303,
        owned=True,
        removes="I",
    ),
    _med(
        "POST", "/shortlist/{item_id}/terugvinden", "/shortlist/{I}/terugvinden", ok=303, owned=True
    ),
    _med("GET", "/shortlist.csv"),
    _med("GET", "/resultaten/{search_id}", "/resultaten/{S}", owned=True),
    _med("GET", "/resultaten/{search_id}/{position}", "/resultaten/{S}/0", owned=True),
    _med(
        "POST",
        "/resultaten/{search_id}/{position}/openen",
        "/resultaten/{S}/0/openen",
        ok=303,
        owned=True,
    ),
    # the source manager's pages
    _src("GET", "/publiceren"),
    _src("POST", "/publiceren", ok=303),
    _src("GET", "/publiceren/uploads/{upload_id}", "/publiceren/uploads/{U}", owned=True),
    _src(
        "POST",
        "/publiceren/uploads/{upload_id}/publiceren",
        "/publiceren/uploads/{U}/publiceren",
        ok=303,
        owned=True,
    ),
    _src("GET", "/publiceren/versies", "/publiceren/versies?soort=werkzoekende"),
    _src("GET", "/publiceren/terugdraaien", "/publiceren/terugdraaien?soort=vacature"),
    _src("POST", "/publiceren/terugdraaien", ok=303, form={"soort": "vacature"}),
    _src("GET", "/publiceren/kwaliteit"),
    _src("GET", "/publiceren/mappings"),
    _src(
        "GET", "/publiceren/mappings/{mapping_id}/yaml", "/publiceren/mappings/{M}/yaml", owned=True
    ),
    _src(
        "POST",
        "/publiceren/mappings/{mapping_id}/verwijderen",
        "/publiceren/mappings/{M}/verwijderen",
        ok=303,
        owned=True,
        removes="M",
    ),
    # the operator's and the privacy officer's pages
    Row("GET", "/verkeer", "beheerder"),
    Row("GET", "/verkeer/cijfers", "beheerder", htmx=True),
    Row("GET", "/partijen", "beheerder"),
    Row("GET", "/auditlog", "privacy"),
    Row("GET", "/auditlog.csv", "privacy"),
    Row("POST", "/auditlog/controle", "privacy", ok=303, form={"terug": "partij=1"}),
]
POSTS = [r for r in ROUTES if r.verb == "POST"]


def expected(row: Row, caller: str) -> str | int:
    """What ``caller`` must get on ``row``: OK, LOGIN (redirect to the login page), 403 or 404."""
    if row.guard == "open":
        return OK
    if row.guard == "oidc-off":
        return 404  # no OIDC broker configured: the routes are not there
    if row.guard == "login":
        return OK
    if caller == ANONYMOUS:
        return LOGIN
    if row.guard == "user":
        return OK
    _, party, role = ACCOUNTS[caller]
    if role != row.guard:
        return 403
    if row.owned and party != PARTY_A:
        return 404
    return OK


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    with running_portal(tmp_path_factory.mktemp("portal-authz")) as running:
        yield running


_FRESH = itertools.count(1)


def _ids(portal: Portal, row: Row, caller: str, fresh_ok: bool) -> dict[str, str]:
    ids = {
        "S": portal.ids["search"],
        "I": portal.ids["item"],
        "V": portal.ids["saved"],
        "U": portal.ids["upload"],
        "M": portal.ids["mapping"],
    }
    if row.removes and fresh_ok and expected(row, caller) == OK:
        n = next(_FRESH)
        fresh = {
            "I": lambda: portal.shortlist_item(n),
            "V": lambda: portal.saved_search(f"weg {n}"),
            "M": lambda: portal.mapping(f"weg {n}"),
        }
        ids[row.removes] = fresh[row.removes]()
    return ids


def _fill(text: str, ids: dict[str, str]) -> str:
    for key, value in ids.items():
        text = text.replace(f"{{{key}}}", value)
    return text


def call(portal: Portal, row: Row, caller: str, *, csrf: bool = True) -> Any:
    """``caller``'s request on ``row``, in the caller's session (a fresh one to log in or out)."""
    ids = _ids(portal, row, caller, csrf)
    path = _fill(row.path or row.template, ids)
    form = {k: _fill(v, ids) for k, v in row.form.items()}
    if row.template in ("/inloggen", "/uitloggen") and row.verb == "POST":
        browser = portal.fresh(caller)
        if row.template == "/inloggen":
            email = MEDIATOR_A if caller == ANONYMOUS else ACCOUNTS[caller][0]
            form = {"email": email, "password": PASSWORD}
        elif caller != ANONYMOUS and csrf:
            # Logging out ends every session of the account: the shared one is made again.
            portal.browsers.pop(caller, None)
    else:
        browser = portal.browser(caller)
    if row.verb == "GET":
        return browser.get(path, headers={"hx-request": "true"} if row.htmx else None)
    if row.template == "/publiceren":
        return upload(browser, ("p.json", json_bytes(2, seed=7)), csrf=csrf)
    if csrf:
        return browser.post_form(path, form)
    return browser.post(path, data=form)


def test_the_table_covers_every_route_of_the_portal() -> None:
    settings = portal_settings("http://127.0.0.1:9/api/v3")
    repos = cast(Any, object())  # the app is only built to read its routes, never served
    app = create_portal_app(settings, repos, register(), facility=cast(Any, object()))
    served = routes_of(app)
    tabled = {(r.method, r.template) for r in ROUTES}
    assert served - tabled == set(), "portal routes without a row in the matrix"
    assert tabled - served == set(), "rows in the matrix for routes the portal does not serve"
    assert len(tabled) == len(ROUTES), "a route with two rows"


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("row", ROUTES, ids=[r.name for r in ROUTES])
def test_every_route_as_every_caller(portal: Portal, row: Row, caller: str) -> None:
    want = expected(row, caller)
    before = portal.snapshot() if want != OK else None
    response = call(portal, row, caller)
    count("portal authorisation: route x caller checks")
    what = f"{caller} on {row.name}: {response.status_code} {response.text[:300]}"
    if want == OK:
        if row.guard == "login" and row.verb == "GET" and caller != ANONYMOUS:
            assert response.status_code == 303, what  # logged in already: on to the portal
        else:
            assert response.status_code == row.ok, what
        if response.status_code == 303 and row.template != "/uitloggen":
            assert not response.headers["location"].startswith("/inloggen"), what
        return
    if want == LOGIN and row.htmx:
        assert response.status_code == 401, what  # htmx follows HX-Redirect to the login page
        assert response.headers["hx-redirect"].startswith("/inloggen"), what
    elif want == LOGIN:
        assert response.status_code == 303, what
        assert response.headers["location"].startswith("/inloggen"), what
    else:
        assert response.status_code == want, what
    if row.verb == "POST" or row.owned:
        assert portal.snapshot() == before, f"{what}: a refused request changed party A's objects"


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("row", POSTS, ids=[r.name for r in POSTS])
def test_a_post_without_the_csrf_token_is_refused(portal: Portal, row: Row, caller: str) -> None:
    before = portal.snapshot()
    response = call(portal, row, caller, csrf=False)
    count("portal authorisation: POST without CSRF token")
    assert response.status_code == 403, f"{caller} on {row.name}: {response.status_code}"
    assert portal.snapshot() == before


def test_a_post_with_another_sessions_token_is_refused(portal: Portal) -> None:
    anna, bram = portal.browser("bemiddelaar A"), portal.browser("bemiddelaar B")
    before = portal.snapshot()
    item = portal.ids["item"]
    answer = anna.post(f"/shortlist/{item}/verwijderen", data={"csrf_token": bram.token()})
    assert answer.status_code == 403
    answer = anna.post(f"/shortlist/{item}/verwijderen", headers={"x-csrf-token": "x" * 43})
    assert answer.status_code == 403
    assert portal.snapshot() == before
    count("portal authorisation: POST without CSRF token", 2)
