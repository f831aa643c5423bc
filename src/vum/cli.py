# SPDX-License-Identifier: EUPL-1.2
"""The `vum` command: one Typer app that mounts each part's sub-commands."""

import typer

from vum.geo.cli import app as geo_app
from vum.register.cli import app as register_app
from vum.standard.cli import register_commands as register_standard_commands

app = typer.Typer(
    help="open VUM — gegevensstandaard, uitwisselingsvoorziening en bron (VUM koppelvlak 3.0.0).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
register_standard_commands(app)
app.add_typer(register_app, name="register")
app.add_typer(geo_app, name="geo")

if __name__ == "__main__":  # pragma: no cover
    app()
