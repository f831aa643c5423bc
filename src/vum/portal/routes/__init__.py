# SPDX-License-Identifier: EUPL-1.2
"""The portal's pages, one module an area; each exports ``router`` and its menu entries ``NAV``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    """A menu entry, shown to users with one of ``roles``."""

    label: str
    path: str
    roles: tuple[str, ...]

    def visible_to(self, roles: tuple[str, ...]) -> bool:
        return bool(set(self.roles) & set(roles))
