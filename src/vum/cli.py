# SPDX-License-Identifier: EUPL-1.2
"""The `vum` command: one Typer app that mounts each part's sub-commands.

Sub-command groups are imported only when used: `vum register search ...` must not pay for
loading the web stack, SQLAlchemy and the facility (the occupation typeahead should answer as a
whole process in well under a second). `vum --help` mounts them all.
"""

from __future__ import annotations

import importlib
import sys

import typer

from vum.standard.cli import register_commands as register_standard_commands

app = typer.Typer(
    help="open VUM — gegevensstandaard, uitwisselingsvoorziening en bron (VUM koppelvlak 3.0.0).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
register_standard_commands(app)

#: group name -> module holding its Typer ``app`` (or ``module:attribute``)
GROUPS = {
    "register": "vum.register.cli",
    "geo": "vum.geo.cli",
    "source": "vum.sources.cli",
    "serve": "vum.serve",
    "bench": "vum.bench.cli",
    "parties": "vum.facility.cli:parties_app",
    "audit": "vum.facility.cli:audit_app",
    "db": "vum.store.cli",
    "users": "vum.portal.cli:users_app",
    "conformance": "vum.conformance.cli",
    "config": "vum.config_cli:config_app",
    "keys": "vum.config_cli:keys_app",
}
_mounted: set[str] = set()


def mount(*names: str) -> typer.Typer:
    """Mount the named groups (all when none are named) and ``vum convert``; return the app."""
    for name in names or tuple(GROUPS):
        if name in _mounted or name not in GROUPS:
            continue
        _mounted.add(name)
        module, _, attribute = GROUPS[name].partition(":")
        group: typer.Typer = getattr(importlib.import_module(module), attribute or "app")
        if name == "serve":
            # `vum serve source`, `vum serve facility` and `vum serve portal` share one group.
            facility = importlib.import_module("vum.facility.serve").app
            group.registered_commands.extend(facility.registered_commands)
            portal = importlib.import_module("vum.portal.cli").serve_app
            group.registered_commands.extend(portal.registered_commands)
        app.add_typer(group, name=name)
    if (not names or "convert" in names) and "convert" not in _mounted:
        _mounted.add("convert")
        app.command("convert")(importlib.import_module("vum.sources.cli").convert_command)
    return app


def main() -> None:
    """Entry point of the `vum` command."""
    first = next((a for a in sys.argv[1:] if not a.startswith("-")), None)
    if first in GROUPS or first == "convert":
        mount(first)
    elif first not in {"validate", "generate", "standard"}:
        mount()  # help, or a mistyped command: show everything
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
