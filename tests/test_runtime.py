# SPDX-License-Identifier: EUPL-1.2
"""Process tuning for servers: the collector's thresholds, the frozen start-up heap, uvloop."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import asyncio, gc
from vum import runtime
runtime.freeze_loaded()  # not tuned yet: must leave the collector alone
assert gc.get_freeze_count() == 0, gc.get_freeze_count()
runtime.tune_gc()
assert gc.get_threshold()[0] == runtime.GC_GEN0_THRESHOLD
frozen = gc.get_freeze_count()
assert frozen > 1000, frozen
data = [[i] for i in range(10000)]  # lists are always tracked
runtime.freeze_loaded()
assert gc.get_freeze_count() >= frozen + 10000
async def loop_name():
    return type(asyncio.get_running_loop()).__module__
print(runtime.run(loop_name()))
"""


def test_tuning_in_a_fresh_process() -> None:
    # A child process: freezing the test runner's own heap would change every later test.
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("uvloop")
