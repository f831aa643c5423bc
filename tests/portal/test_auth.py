# SPDX-License-Identifier: EUPL-1.2
"""Accounts over real HTTP: passwords, throttling, CSRF, session timeouts, roles, logout, headers."""

from __future__ import annotations

import pytest

from tests.portal.client import Browser, logged_in
from tests.portal.world import World

pytestmark = pytest.mark.slow

ANNA = "anna@almere.example"
SOURCE_MANAGER = "bron@almere.example"


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(system: World) -> None:
    browser = Browser(system)
    for email, password in ((ANNA, "wrong-password-123"), ("nobody@nowhere.example", "x" * 12)):
        answer = browser.login(email, password)
        assert answer.status_code == 401
        assert "Het e-mailadres of het wachtwoord klopt niet." in answer.text
    assert browser.get("/zoeken").status_code == 303
    system.clock.advance(system.settings.login_lockout.total_seconds() + 1)


def test_a_good_login_leads_to_the_page_asked_for_and_never_off_site(system: World) -> None:
    browser = Browser(system)
    first = browser.get("/zoekopdrachten")
    assert (
        first.status_code == 303
        and first.headers["location"] == "/inloggen?volgende=/zoekopdrachten"
    )
    answer = browser.post_form(
        "/inloggen",
        {
            "email": ANNA.upper(),
            "password": "correct-horse-battery-staple",
            "volgende": "/zoekopdrachten",
        },
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/zoekopdrachten"
    assert browser.get("/zoekopdrachten").status_code == 200
    other = Browser(system)
    answer = other.post_form(
        "/inloggen",
        {"email": ANNA, "password": "correct-horse-battery-staple", "volgende": "//evil.example/x"},
    )
    assert answer.headers["location"] == "/"


def test_failed_logins_lock_the_account_then_the_address(system: World) -> None:
    settings = system.settings
    browser = Browser(system)
    for _ in range(settings.login_limit_account - 1):
        assert browser.login(ANNA, "not-the-password").status_code == 401
    # The failure that reaches the limit locks the account ...
    assert browser.login(ANNA, "not-the-password").status_code == 429
    # ... and then even the right password is refused until the lockout ends.
    locked = browser.login(ANNA)
    assert locked.status_code == 429 and "Te veel mislukte pogingen" in locked.text
    # The address counts every failure, whichever account: other accounts get locked out too.
    for i in range(settings.login_limit_address - settings.login_limit_account):
        browser.login(f"guess{i}@nowhere.example", "not-the-password")
    assert browser.login("bram@groningen.example").status_code == 429
    system.clock.advance(settings.login_lockout.total_seconds() + 1)
    assert browser.login(ANNA).status_code == 303


def test_every_post_needs_the_session_csrf_token(system: World) -> None:
    browser = logged_in(system, ANNA)
    form = {"kind": "werkzoekende", "postcode": "1315AB", "radius": "10"}
    missing = browser.post_form("/zoeken", form, csrf=False)
    assert missing.status_code == 403 and "Formulier verlopen" in missing.text
    wrong = browser.post_form("/zoeken", {**form, "csrf_token": "x" * 43}, csrf=False)
    assert wrong.status_code == 403
    # A token of another session does not do either.
    other = logged_in(system, "bram@groningen.example")
    foreign = browser.post_form("/zoeken", {**form, "csrf_token": other.token()}, csrf=False)
    assert foreign.status_code == 403
    # The login form and logout are protected too (login CSRF).
    assert Browser(system).post_form("/inloggen", {"email": ANNA}, csrf=False).status_code == 403
    assert browser.post_form("/uitloggen", {}, csrf=False).status_code == 403
    assert browser.post_form("/zoeken", form).status_code == 303


def test_a_session_ends_after_the_idle_timeout_and_the_absolute_timeout(system: World) -> None:
    settings = system.settings
    browser = logged_in(system, ANNA)
    assert browser.get("/zoeken").status_code == 200
    system.clock.advance(settings.session_idle.total_seconds() - 60)
    assert browser.get("/zoeken").status_code == 200  # activity keeps it alive ...
    system.clock.advance(settings.session_idle.total_seconds() + 1)
    expired = browser.get("/zoeken")
    assert expired.status_code == 303
    assert "sessie is verlopen" in browser.get(expired.headers["location"]).text
    # ... but never past the absolute timeout.
    browser = logged_in(system, ANNA)
    step = settings.session_idle.total_seconds() - 60
    for _ in range(int(settings.session_absolute.total_seconds() // step) + 2):
        system.clock.advance(step)
        if browser.get("/zoeken").status_code != 200:
            break
    else:
        pytest.fail("the session outlived its absolute timeout")


def test_logout_voids_the_old_cookie(system: World) -> None:
    browser = logged_in(system, ANNA)
    stolen = dict(browser.cookies)
    assert browser.post_form("/uitloggen", {}).status_code == 303
    replay = Browser(system)
    replay.cookies.update(stolen)
    assert replay.get("/zoeken").status_code == 303


def test_a_page_needs_its_role(system: World) -> None:
    manager = logged_in(system, SOURCE_MANAGER)
    assert manager.get("/account").status_code == 200
    for path in ("/zoeken", "/shortlist", "/zoekopdrachten"):
        refused = manager.get(path)
        assert refused.status_code == 403 and "Geen toegang" in refused.text
    assert "/zoeken" not in manager.get("/").text  # no menu entry for what they cannot open
    anonymous = Browser(system).get("/shortlist")
    assert anonymous.status_code == 303


def test_a_disabled_account_loses_its_session_at_once(system: World) -> None:
    browser = logged_in(system, "bram@groningen.example")
    system.store.portal.users.set_active("bram@groningen.example", False)
    try:
        assert browser.get("/zoeken").status_code == 303
        assert Browser(system).login("bram@groningen.example").status_code == 401
    finally:
        system.store.portal.users.set_active("bram@groningen.example", True)


def test_every_answer_has_the_security_headers_and_pages_are_never_cached(system: World) -> None:
    browser = logged_in(system, ANNA)
    for path in ("/inloggen", "/zoeken", "/static/portal.css", "/bestaat-niet"):
        answer = browser.get(path)
        headers = answer.headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        if not path.startswith("/static/"):
            assert headers["cache-control"] == "no-store"
    cookie = browser.get("/zoeken").headers.get("set-cookie") or ""
    login = Browser(system).get("/inloggen").headers["set-cookie"]
    assert "HttpOnly" in login and "SameSite=Lax" in login
    del cookie
    # No inline script or style anywhere: the CSP would block it.
    page = browser.get("/zoeken").text
    assert "<script>" not in page and "style=" not in page and "<style" not in page
