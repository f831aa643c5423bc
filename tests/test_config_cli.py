# SPDX-License-Identifier: EUPL-1.2
"""`vum config show|check|docs` and `vum keys new|list`."""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vum.cli import GROUPS, mount
from vum.config import MASK, parse_vumid_keys
from vum.config_cli import config_app, keys_app, render_docs

KEY = base64.b64encode(bytes(range(1, 33))).decode()
OLD = base64.b64encode(bytes(range(2, 34))).decode()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("VUM_"):
            monkeypatch.delenv(name)
    yield


def run(app: object, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))  # type: ignore[arg-type]
    return result.exit_code, result.stdout, result.stderr


def test_the_groups_are_registered() -> None:
    assert GROUPS["config"] == "vum.config_cli:config_app"
    assert GROUPS["keys"] == "vum.config_cli:keys_app"
    code, out, _ = run(mount("config", "keys"), "--help")
    assert code == 0 and "config" in out and "keys" in out


def test_show_masks_secrets_and_says_where_values_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "vum.toml"
    path.write_text('[facility]\noin = "00000001000000000099"\n')
    monkeypatch.setenv("VUM_VUMID_KEYS", f"k2:{KEY},k1:{OLD}")
    monkeypatch.setenv("VUM_FACILITY__DEADLINE_S", "8")
    code, out, _ = run(config_app, "show", "--config", str(path))
    assert code == 0, out
    assert KEY not in out and OLD not in out
    lines = {line.split(" = ")[0]: line for line in out.splitlines() if " = " in line}
    assert lines["oin"].endswith(f"# {path}")
    assert "8.0" in lines["deadline_s"] and lines["deadline_s"].endswith(
        "$VUM_FACILITY__DEADLINE_S"
    )
    assert MASK in lines["vumid_keys"] and lines["vumid_keys"].endswith("$VUM_VUMID_KEYS")
    assert lines["max_details"].endswith("# default")
    code, out, _ = run(config_app, "show", "--config", str(path), "--json")
    shown = json.loads(out)
    assert shown["settings"]["facility"]["vumid_keys"] == MASK
    assert shown["origins"]["facility.deadline_s"] == "$VUM_FACILITY__DEADLINE_S"


def test_check_passes_good_settings_and_fails_bad_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[[sources]]\noin = "1"\nurl = "http://127.0.0.1:9/api/v3"\n')
    code, out, err = run(config_app, "check", "--config", str(good))
    assert code == 0 and "1 bron(nen)" in out
    assert "VUM_VUMID_KEYS" in err  # a warning: ephemeral key
    bad = tmp_path / "bad.toml"
    bad.write_text("[facility]\nmax_details = 0\n")
    code, _, err = run(config_app, "check", "--config", str(bad))
    assert code == 1 and "facility.max_details" in err and str(bad) in err
    monkeypatch.setenv("VUM_FACILITY__WORKERS", "2")
    code, _, err = run(config_app, "check", "--config", str(good))
    assert code == 1 and "store.url" in err


def test_docs_prints_the_reference(tmp_path: Path) -> None:
    code, out, _ = run(config_app, "docs")
    assert code == 0 and out == render_docs()
    code, _, _ = run(config_app, "docs", "-o", str(tmp_path / "c.md"))
    assert (tmp_path / "c.md").read_text() == render_docs()


def test_keys_new_prints_a_usable_line() -> None:
    code, out, err = run(keys_app, "new", "--id", "k2")
    assert code == 0
    line = out.strip()
    ((key_id, key),) = parse_vumid_keys(line).items()
    assert key_id == "k2" and len(key) == 32
    assert "VUM_VUMID_KEYS" in err  # what to do with it, on stderr
    other = run(keys_app, "new")[1].strip()
    assert re.fullmatch(r"k\d{8}", other.split(":")[0]) and other[-10:] != line[-10:]
    code, _, err = run(keys_app, "new", "--id", "not ok")
    assert code == 2 and "--id" in err


def test_keys_list_names_ids_never_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VUM_VUMID_KEYS", f"k2:{KEY},k1:{OLD}")
    code, out, _ = run(keys_app, "list")
    assert code == 0 and KEY not in out
    assert [line.split("\t")[0] for line in out.splitlines()] == ["k2", "k1"]
    assert "current" in out.splitlines()[0]
    monkeypatch.delenv("VUM_VUMID_KEYS")
    assert run(keys_app, "list")[0] == 1
