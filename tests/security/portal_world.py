# SPDX-License-Identifier: EUPL-1.2
"""The portal for the security suite: the portal tests' system, every role for two parties, A's objects.

Callers are the anonymous visitor and, for party A and party B, an account of each portal role.
Party A's mediator and source manager make one object of every kind (a search with an opened
detail, a shortlist item, a saved search, an upload with a published version, a saved mapping);
its ids go into the paths every caller asks for.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.portal import client
from tests.portal.client import Browser, logged_in
from tests.portal.publish_files import GOOD_ROWS, csv_bytes, json_bytes, yaml_bytes
from tests.portal.world import PARTY_A, PARTY_B, PASSWORD, World, world
from vum.portal.auth import ROLES, hash_password

ANONYMOUS = "anonymous"
#: caller name -> (e-mail, party, role); the world's own three accounts are among them
ACCOUNTS: dict[str, tuple[str, str, str]] = {
    f"{role} {letter}": (email, party, role)
    for letter, party, domain in (("A", PARTY_A, "almere"), ("B", PARTY_B, "groningen"))
    for role, email in (
        ("bemiddelaar", {"A": "anna", "B": "bram"}[letter] + f"@{domain}.example"),
        ("bronbeheerder", f"bron@{domain}.example"),
        ("beheerder", f"beheer@{domain}.example"),
        ("privacy", f"privacy@{domain}.example"),
    )
}
CALLERS = [ANONYMOUS, *ACCOUNTS]
MEDIATOR_A, SOURCE_A = ACCOUNTS["bemiddelaar A"][0], ACCOUNTS["bronbeheerder A"][0]


@dataclass
class Portal:
    """The running system, a logged-in browser per caller and party A's objects."""

    system: World
    browsers: dict[str, Browser] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    def browser(self, caller: str) -> Browser:
        if caller not in self.browsers:
            self.browsers[caller] = self.fresh(caller)
        return self.browsers[caller]

    def fresh(self, caller: str) -> Browser:
        """A new session of ``caller`` (not the shared one)."""
        if caller == ANONYMOUS:
            return Browser(self.system)
        return logged_in(self.system, ACCOUNTS[caller][0])

    def uid(self, email: str) -> int:
        user = self.system.store.portal.users.by_email(email)
        assert user is not None
        return user.id

    # --- party A's objects ---

    def search(self) -> str:
        answer = self.browser("bemiddelaar A").post_form(
            "/zoeken", {"kind": "werkzoekende", "postcode": "1315AB", "radius": "999"}
        )
        assert answer.status_code == 303, answer.text[:500]
        found = re.fullmatch(r"/resultaten/([\w-]+)", answer.headers["location"])
        assert found, answer.headers["location"]
        return found.group(1)

    def shortlist_item(self, position: int) -> str:
        anna = self.browser("bemiddelaar A")
        kept = anna.post_form(
            "/shortlist", {"search_id": self.ids["search"], "position": str(position)}
        )
        assert kept.status_code == 303, kept.text[:500]
        items = self.system.store.portal.shortlists.items(PARTY_A, self.uid(MEDIATOR_A))
        return str(next(i.id for i in items if i.position == position))

    def saved_search(self, name: str) -> str:
        anna = self.browser("bemiddelaar A")
        saved = anna.post_form("/zoekopdrachten", {"search_id": self.ids["search"], "name": name})
        assert saved.status_code == 303, saved.text[:500]
        rows = self.system.store.portal.saved.list(PARTY_A, self.uid(MEDIATOR_A))
        return str(next(r.id for r in rows if r.name == name))

    def mapping(self, name: str) -> str:
        answer = upload(
            self.browser("bronbeheerder A"),
            ("export.csv", csv_bytes(GOOD_ROWS)),
            mapping_file=yaml_bytes(),
            mapping_name=name,
        )
        assert answer.status_code == 303, answer.text[:500]
        rows = self.system.store.portal.publishing.mappings(PARTY_A)
        return str(next(r.id for r in rows if r.name == name))

    def snapshot(self) -> Any:
        """Party A's objects as the store holds them (a refused request must not change them)."""
        repos = self.system.store.portal
        anna, bron = self.uid(MEDIATOR_A), self.uid(SOURCE_A)
        upload_row = repos.publishing.upload(self.ids["upload"], PARTY_A, bron)
        return (
            sorted((i.id, i.note, i.status) for i in repos.shortlists.items(PARTY_A, anna)),
            sorted((r.id, r.name) for r in repos.saved.list(PARTY_A, anna)),
            sorted((m.id, m.name) for m in repos.publishing.mappings(PARTY_A)),
            upload_row.status if upload_row else None,
            repos.searches.get(self.ids["search"], PARTY_A, anna) is not None,
        )


def upload(
    browser: Browser,
    file: tuple[str, bytes],
    *,
    soort: str = "werkzoekende",
    modus: str = "replace",
    mapping: str = "",
    mapping_file: bytes | None = None,
    mapping_name: str = "",
    csrf: bool = True,
) -> httpx.Response:
    """The upload form as a browser posts it (multipart)."""
    data = {"soort": soort, "modus": modus, "mapping": mapping, "mapping_naam": mapping_name}
    if csrf:
        data["csrf_token"] = browser.token()
    files: dict[str, tuple[str, bytes, str]] = {"bestand": (file[0], file[1], "text/plain")}
    if mapping_file is not None:
        files["mapping_bestand"] = ("mapping.yaml", mapping_file, "application/yaml")
    return browser.post("/publiceren", data=data, files=files)


@contextmanager
def running_portal(tmp: Path) -> Iterator[Portal]:
    """The system with every caller's account and party A's objects (about 6 s)."""
    # No lockouts: the hostile logins of the input tests all fail.
    with world(tmp, login_limit_account=10**6, login_limit_address=10**6) as system:
        users = system.store.portal.users
        for email, party, role in ACCOUNTS.values():
            if users.by_email(email) is None:
                users.add(email, party, [role], hash_password(PASSWORD), name=role.title())
        assert {role for _, _, role in ACCOUNTS.values()} == set(ROLES)
        portal = Portal(system)
        try:
            portal.ids["search"] = portal.search()
            opened = portal.browser("bemiddelaar A").post_form(
                f"/resultaten/{portal.ids['search']}/0/openen", {}
            )
            assert opened.status_code == 303
            portal.ids["item"] = portal.shortlist_item(0)
            portal.ids["saved"] = portal.saved_search("Heftruck Almere")
            bron = portal.browser("bronbeheerder A")
            checked = upload(bron, ("profielen.json", json_bytes(3, seed=5)))
            assert checked.status_code == 303, checked.text[:500]
            portal.ids["upload"] = checked.headers["location"].rsplit("/", 1)[1]
            done = bron.post_form(f"/publiceren/uploads/{portal.ids['upload']}/publiceren", {})
            assert done.status_code == 303
            portal.ids["mapping"] = portal.mapping("Klantsysteem A")
            yield portal
        finally:
            while client.OPEN:
                client.OPEN.pop().close()
