# SPDX-License-Identifier: EUPL-1.2
"""Run every benchmark in turn (`make bench`), or the ones named: `python -m bench standard geo`."""

from __future__ import annotations

import importlib
import sys

BENCHES = ["standard_bench", "register_bench", "geo_bench"]


def main(argv: list[str]) -> None:
    chosen = [f"{a}_bench" if not a.endswith("_bench") else a for a in argv] or BENCHES
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        importlib.import_module(f"bench.{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
