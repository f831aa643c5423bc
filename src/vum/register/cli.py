# SPDX-License-Identifier: EUPL-1.2
"""`vum register ...`: search the occupation register from the command line."""

import typer

app = typer.Typer(help="Beroepenregister: zoeken en verwante beroepen (occupation register).", no_args_is_help=True)
