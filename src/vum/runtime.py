# SPDX-License-Identifier: EUPL-1.2
"""Process-level tuning for the long-running servers: the event loop and the garbage collector."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

#: Young-generation threshold for servers. A query makes tens of thousands of short-lived
#: containers (parsed JSON); with CPython's default of 700 the collector runs dozens of times per
#: query and its older-generation passes walk the whole heap.
GC_GEN0_THRESHOLD = 50_000
_tuned = False


def tune_gc() -> None:
    """Freeze what start-up built (modules, schemas, tables: never garbage) and collect less often.

    Call once the server has loaded everything it keeps for its life; objects made after this
    are collected as usual.
    """
    global _tuned
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, gen1, gen2)
    _tuned = True


def freeze_loaded() -> None:
    """After a server loaded its data (a source's 200,000 records): keep the collector off it.

    Only in a process that :func:`tune_gc` set up, never in a test run or a library user's
    process. A full collection over millions of long-lived record objects would stall every
    query for a second; they are freed by reference counting when a dataset is replaced.
    """
    if _tuned:
        gc.collect()
        gc.freeze()


def loop_factory() -> Any:
    """uvloop's event loop where it is installed (Linux, macOS), else asyncio's own."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency on the platforms we run
        return asyncio.new_event_loop
    return uvloop.new_event_loop


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on the fastest loop available."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main)
