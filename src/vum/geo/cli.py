# SPDX-License-Identifier: EUPL-1.2
"""`vum geo ...`: postcodes, distances and regions from the command line."""

import typer

app = typer.Typer(help="Geografie: postcodes, afstanden, gemeenten en regio's (geography).", no_args_is_help=True)
