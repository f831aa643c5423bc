# SPDX-License-Identifier: EUPL-1.2
"""The `vum` command: one Typer app that mounts each part's sub-commands."""

import typer

from vum.bench.cli import app as bench_app
from vum.facility.serve import app as facility_serve_app
from vum.geo.cli import app as geo_app
from vum.register.cli import app as register_app
from vum.serve import app as serve_app
from vum.sources.cli import app as source_app
from vum.sources.cli import convert_command
from vum.standard.cli import register_commands as register_standard_commands

app = typer.Typer(
    help="open VUM — gegevensstandaard, uitwisselingsvoorziening en bron (VUM koppelvlak 3.0.0).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
register_standard_commands(app)
app.command("convert")(convert_command)
app.add_typer(register_app, name="register")
app.add_typer(geo_app, name="geo")
app.add_typer(source_app, name="source")
# `vum serve source` and `vum serve facility` share one group.
serve_app.registered_commands.extend(facility_serve_app.registered_commands)
app.add_typer(serve_app, name="serve")
app.add_typer(bench_app, name="bench")

if __name__ == "__main__":  # pragma: no cover
    app()
