# SPDX-License-Identifier: EUPL-1.2
"""docs/configuration.md is generated from the settings model and names every setting."""

from __future__ import annotations

from tests.conftest import ROOT
from vum.config import Settings, flat_env_names
from vum.config_cli import DOCS_PATH, render_docs

DOCS = ROOT / DOCS_PATH


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for section, info in Settings.model_fields.items():
        assert f"`[{section}]`" in text or f"`[[{section}]]`" in text, section
        # A section's model, or the entry model of list[SourceEntry] and list[PartyEntry]
        model = getattr(info.annotation, "__args__", (info.annotation,))[0]
        for name, field in model.model_fields.items():
            assert f"| `{name}` |" in text, f"{section}.{name} is missing from {DOCS_PATH}"
            assert field.description, f"{section}.{name} has no help text"
    for env in flat_env_names().values():
        assert f"`{env}`" in text


def test_the_docs_are_not_stale() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_docs(), (
        f"{DOCS_PATH} is stale: run `vum config docs -o {DOCS_PATH}`"
    )
