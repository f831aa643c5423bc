# SPDX-License-Identifier: EUPL-1.2
"""The portal: mediators search, keep and follow up candidates and vacancies through the facility (docs/portal.md)."""

from __future__ import annotations

from vum.portal.settings import OidcSettings, PortalSettings

__all__ = ["OidcSettings", "PortalSettings", "create_portal_app"]


def __getattr__(name: str) -> object:
    # The app (FastAPI, Jinja2, the register) loads only when asked: `vum users ...` stays light.
    if name == "create_portal_app":
        from vum.portal.app import create_portal_app

        return create_portal_app
    raise AttributeError(f"module 'vum.portal' has no attribute {name!r}")
