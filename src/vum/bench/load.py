# SPDX-License-Identifier: EUPL-1.2
"""Data and load phases: synthetic records, the in-process index build, the hosted source's SQLite import."""

from __future__ import annotations

import gc
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from vum.bench.measure import Phase, phase
from vum.matching import Engine, build_engine
from vum.standard.kinds import Kind
from vum.synthetic import generate

#: the hosted party the import is done for (a 20-digit OIN)
IMPORT_PARTY = "00000001003214345000"


def generate_records(
    kind: Kind, count: int, seed: int, phases: list[Phase]
) -> list[dict[str, Any]]:
    """``count`` synthetic records of ``kind`` (``vum.synthetic.generate``), timed."""
    with phase("generate records", phases) as p:
        records = list(generate(kind, count, seed=seed))
        p.notes["records"] = len(records)
    return records


def build(kind: Kind, records: Sequence[Mapping[str, Any]], phases: list[Phase]) -> Engine:
    """The in-process engine (``vum.matching.build_engine``), timed."""
    with phase("engine build (in-process)", phases) as p:
        engine = build_engine(kind, records)
        p.notes["records"] = len(engine)
    return engine


def hosted_import(
    kind: Kind, records: Sequence[Mapping[str, Any]], phases: list[Phase]
) -> str | None:
    """Import into a temporary SQLite store through ``HostedSources``, then build its engine from
    the store, both timed; returns why it was skipped, or None. Nothing of it is kept."""
    try:
        from vum.sources.hosted import HostedSources
        from vum.store import Store
    except ImportError as exc:  # another part of the project not there (yet)
        return f"vum.sources.hosted is not available ({exc})"
    directory = Path(tempfile.mkdtemp(prefix="vum-bench-"))
    try:
        store = Store(directory / "bench.db")
        try:
            hosted = HostedSources(store)
            with phase("hosted import (SQLite)", phases) as p:
                result = hosted.import_records(IMPORT_PARTY, kind, list(records))
                p.notes["records"] = result.records
            p.notes["store_mb"] = round(
                sum(f.stat().st_size for f in directory.iterdir()) / (1024 * 1024), 1
            )
            with phase("hosted engine build (from store)", phases) as p:
                engine = hosted.engine(IMPORT_PARTY, kind)
                p.notes["records"] = len(engine) if engine is not None else 0
            del engine, hosted
        finally:
            store.close()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
        gc.collect()
    return None
