# SPDX-License-Identifier: EUPL-1.2
"""``python -m vum.bench source ...``: the benchmarks without the ``vum`` entry point."""

from vum.bench.cli import app

app(prog_name="vum bench")
