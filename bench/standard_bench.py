# SPDX-License-Identifier: EUPL-1.2
"""Time `vum generate` and `vum validate` for 200,000 records of each kind, as whole processes."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COUNT = int(os.environ.get("VUM_BENCH_COUNT", "200000"))


def _run(args: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "vum.cli", *args], capture_output=True, text=True)
    return time.perf_counter() - start, proc.returncode


def main() -> None:
    print(f"{'kind':<14}{'records':>10}{'generate s':>12}{'validate s':>12}{'MB':>8}  valid")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("werkzoekende", "vacature"):
            path = Path(tmp) / f"{kind}.json"
            gen_s, gen_rc = _run(
                ["generate", "--kind", kind, "--count", str(COUNT), "--seed", "1", "-o", str(path)]
            )
            val_s, val_rc = _run(["validate", str(path), "--kind", kind])
            size = path.stat().st_size / 1e6 if path.exists() else 0.0
            ok = "yes" if gen_rc == 0 and val_rc == 0 else f"NO (rc {gen_rc}/{val_rc})"
            print(
                f"{kind:<14}{COUNT:>10}{gen_s:>12.1f}{val_s:>12.1f}{size:>8.0f}  {ok}", flush=True
            )


if __name__ == "__main__":
    main()
