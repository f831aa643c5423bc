# SPDX-License-Identifier: EUPL-1.2
"""`vum users ...` and the mounting of `vum serve portal`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from vum.cli import GROUPS, mount
from vum.portal.auth import verify_password
from vum.portal.cli import users_app
from vum.store import Store

PARTY = "00000001002220647000"


def users(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(users_app, list(args))
    return result.exit_code, result.output


def test_users_are_added_listed_disabled_and_given_a_new_password(tmp_path: Path) -> None:
    db = str(tmp_path / "vum.db")
    secret = tmp_path / "pw"
    secret.write_text("een-lang-wachtwoord\n")
    code, out = users(
        "add",
        "--party",
        PARTY,
        "--role",
        "bemiddelaar",
        "--email",
        "Anna@x.nl",
        "--office-postcode",
        "1315 ab",
        "--password-file",
        str(secret),
        "--db",
        db,
    )
    assert code == 0, out
    code, out = users(
        "add",
        "--party",
        PARTY,
        "--role",
        "bemiddelaar",
        "--email",
        "anna@x.nl",
        "--no-password",
        "--db",
        db,
    )
    assert code == 1 and "bestaat al" in out
    code, out = users("list", "--json", "--db", db)
    (row,) = json.loads(out)
    assert row["email"] == "anna@x.nl" and row["office_postcode"] == "1315AB"
    assert "hash" not in out and row["local_password"]
    with Store(db) as store:
        found = store.portal.users.by_email("anna@x.nl")
        assert found is not None and verify_password(found.password_hash, "een-lang-wachtwoord")
    assert users("disable", "anna@x.nl", "--db", db)[0] == 0
    assert "nee" in users("list", "--db", db)[1]
    assert users("enable", "anna@x.nl", "--db", db)[0] == 0
    secret.write_text("nog-een-lang-wachtwoord")
    assert users("password", "anna@x.nl", "--password-file", str(secret), "--db", db)[0] == 0
    assert users("disable", "nobody@x.nl", "--db", db)[0] == 1


def test_users_add_refuses_bad_input(tmp_path: Path) -> None:
    db = str(tmp_path / "vum.db")
    short = tmp_path / "pw"
    short.write_text("kort")
    base = ["add", "--email", "a@x.nl", "--db", db]
    assert users(*base, "--party", "123", "--role", "bemiddelaar", "--no-password")[0] == 2
    assert users(*base, "--party", PARTY, "--role", "baas", "--no-password")[0] == 2
    assert (
        users(*base, "--party", PARTY, "--role", "bemiddelaar", "--password-file", str(short))[0]
        == 2
    )
    assert users("list", "--db", str(tmp_path / "missing.db"))[0] == 2


def test_serve_portal_and_users_are_mounted() -> None:
    assert GROUPS["users"] == "vum.portal.cli:users_app"
    app = mount("serve", "users")
    result = CliRunner().invoke(app, ["serve", "portal", "--help"])
    assert result.exit_code == 0 and "--facility" in result.output
