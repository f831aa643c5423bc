# SPDX-License-Identifier: EUPL-1.2
"""An HTTP client for the portal as a browser without JavaScript uses it: cookies, forms, CSRF tokens."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.portal.world import PASSWORD, World

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


#: Every browser a test opened; ``close_browsers`` (autouse, conftest) closes them after it.
OPEN: list[Browser] = []


class Browser(httpx.Client):
    """A session with the portal; ``post_form`` adds the session's CSRF token."""

    def __init__(self, system: World) -> None:
        super().__init__(base_url=system.portal_url, timeout=30)
        OPEN.append(self)

    def token(self) -> str:
        page = self.get("/inloggen" if not self.cookies else "/account")
        if page.status_code in (302, 303):
            page = self.get("/inloggen")
        found = _TOKEN.search(page.text)
        assert found, page.text[:500]
        return found.group(1)

    def post_form(
        self, path: str, data: dict[str, Any] | list[tuple[str, str]], *, csrf: bool = True
    ) -> httpx.Response:
        """POST ``data`` as a form (repeated names from a list of pairs), with the CSRF token."""
        pairs = list(data.items()) if isinstance(data, dict) else list(data)
        if csrf:
            pairs.append(("csrf_token", self.token()))
        form: dict[str, list[str]] = {}
        for key, value in pairs:
            values = value if isinstance(value, list) else [value]
            form.setdefault(key, []).extend(str(v) for v in values)
        return self.post(path, data=form)

    def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return self.post_form("/inloggen", {"email": email, "password": password})


def logged_in(system: World, email: str) -> Browser:
    browser = Browser(system)
    answer = browser.login(email)
    assert answer.status_code == 303, answer.text[:300]
    return browser
