# SPDX-License-Identifier: EUPL-1.2
"""`vum validate`, `vum standard schema` and `vum generate`: the standard from the command line."""

import typer


def register_commands(app: typer.Typer) -> None:
    """Mount the standard's commands on the top-level app."""
