# SPDX-License-Identifier: EUPL-1.2
"""One import: check the upload whole, stage it as a new version, then make it live in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from vum.sources.checking import Checked, CheckResult, JsonLocator, Locator, check_records
from vum.sources.errors import ImportConflict, ImportProblem, ImportRejected
from vum.sources.quality import QualityCounter
from vum.standard.kinds import Kind
from vum.store import PromotionError, Store, VersionRow, VersionStatus

ImportMode = Literal["replace", "upsert"]
MODES: tuple[str, ...] = ("replace", "upsert")


@dataclass(frozen=True)
class ImportResult:
    """What an import changed: the version now live and how it differs from the one before."""

    party: str
    kind: Kind
    mode: str
    version: VersionRow
    records: int
    added: int
    updated: int
    removed: int
    score: float
    seconds: float
    warnings: tuple[str, ...] = field(default=())
    #: seconds per phase: read (the file), check (validate, count quality), stage (write the
    #: staging version), live (make it live, prune), and the total
    timings: dict[str, float] = field(default_factory=dict)

    def summary_nl(self) -> str:
        return (
            f"Import geslaagd: versie {self.version.number} ({self.kind.value}) van {self.party} "
            f"is live met {self.records} records ({self.added} nieuw, {self.updated} bijgewerkt, "
            f"{self.removed} verwijderd); volledigheid {self.score:.0f}/100; "
            f"{self.seconds:.1f} s."
        )

    def summary_en(self) -> str:
        return (
            f"Import done: version {self.version.number} ({self.kind.value}) of {self.party} is "
            f"live with {self.records} records ({self.added} new, {self.updated} updated, "
            f"{self.removed} removed); completeness {self.score:.0f}/100; {self.seconds:.1f} s."
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "kind": self.kind.value,
            "mode": self.mode,
            "version": self.version.as_dict(),
            "records": self.records,
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "score": self.score,
            "seconds": round(self.seconds, 3),
            "warnings": list(self.warnings),
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


def owner_tag() -> str:
    """Who is writing a staging version: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_is_gone(owner: str) -> bool:
    """True when the staging version's writer was a process on this host that no longer runs."""
    host, _, pid_text = owner.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False  # another machine: only a stale heartbeat tells
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


_MOD = 1 << 256


def record_hash(record_id: str, text: str) -> int:
    """SHA-256 of one stored record (id and JSON text), as a number."""
    digest = hashlib.sha256(record_id.encode() + b"\0" + text.encode()).digest()
    return int.from_bytes(digest, "big")


def _parse_checksum(text: str) -> int | None:
    # A version's checksum is the sum of its records' hashes modulo 2**256: independent of
    # order, and an upsert can update it from the records it changed alone.
    try:
        return int(text, 16) if len(text) == 64 else None
    except ValueError:
        return None


class Importer:
    """Runs imports against a store; see :meth:`run`."""

    def __init__(
        self,
        store: Store,
        *,
        batch_size: int = 5000,
        keep_previous: int = 1,
        workers: int = 1,
    ) -> None:
        self._store = store
        self._workers = max(1, workers)
        self._batch = max(1, batch_size)
        self._keep = max(1, keep_previous)

    def run(
        self,
        party: str,
        kind: Kind,
        records: Sequence[Any],
        *,
        mode: str = "replace",
        delete_ids: Iterable[str] = (),
        source_name: str = "",
        locator: Locator | None = None,
        problems: Sequence[ImportProblem] = (),
        warnings: Sequence[str] = (),
        read_seconds: float = 0.0,
    ) -> ImportResult:
        """Check ``records`` whole, stage them, make them live; raise ImportRejected on any problem.

        ``read_seconds`` is how long reading the file took, for :attr:`ImportResult.timings`.
        """
        started = time.perf_counter()
        timings: dict[str, float] = {"read": read_seconds}
        clock = [started]

        def mark(phase: str) -> None:
            now = time.perf_counter()
            timings[phase] = now - clock[0]
            clock[0] = now

        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        deletes = list(dict.fromkeys(str(d).strip() for d in delete_ids if str(d).strip()))
        if mode == "replace" and deletes:
            raise ValueError("delete_ids only go with mode='upsert'")
        where = locator or JsonLocator()
        result = check_records(
            kind, records, where, problems=problems, warnings=warnings, workers=self._workers
        )
        checked = result.records
        self._refuse_pointless(kind, checked, deletes, where, warnings, len(records), mode)
        mark("check")
        checked.sort(key=lambda c: c.record_id)

        datasets = self._store.datasets
        base = datasets.current(party, kind.value, VersionStatus.LIVE)
        base_ids = datasets.record_ids(base.id) if base is not None else set()
        staging = datasets.create_staging(
            party,
            kind.value,
            mode=mode,
            source_name=source_name,
            owner=owner_tag(),
            base_version_id=base.id if base is not None else None,
        )
        notes = list(warnings)
        try:
            new_sum = self._write(staging.id, checked)
            ids = {c.record_id for c in checked}
            if mode == "replace":
                quality = result.quality.report()
                count = len(checked)
                checksum = new_sum
                added, updated = len(ids - base_ids), len(ids & base_ids)
                removed = len(base_ids - ids)
            else:
                if base is not None:
                    datasets.copy_records(base.id, staging.id)
                removed = datasets.delete_records(staging.id, deletes)
                missing = [d for d in deletes if d not in base_ids]
                if missing:
                    shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
                    notes.append(
                        f"{len(missing)} te verwijderen id(s) niet gevonden: {shown} "
                        f"(ids to delete not found)"
                    )
                count = datasets.count_records(staging.id)
                quality, checksum = self._upsert_summary(
                    kind, base, (ids | set(deletes)) & base_ids, result, new_sum, staging.id
                )
                added, updated = len(ids - base_ids), len(ids & base_ids)
            mark("stage")
            live = datasets.promote(
                staging.id,
                record_count=count,
                checksum=f"{checksum % _MOD:064x}",
                quality=quality,
                check_live=mode == "upsert",
                expect_live=base.id if base is not None else None,
            )
        except BaseException as exc:
            # Whatever stopped us (a bug, Ctrl-C, a conflict), the staging version never went
            # live; fail it so its records are removed now rather than at the next start-up.
            datasets.fail(staging.id, f"import afgebroken: {type(exc).__name__}: {exc}"[:2000])
            if isinstance(exc, PromotionError):
                raise ImportConflict(str(exc)) from exc
            raise
        datasets.prune(party, kind.value, keep_previous=self._keep)
        mark("live")
        timings["total"] = time.perf_counter() - started + read_seconds
        return ImportResult(
            party=party,
            kind=kind,
            mode=mode,
            version=live,
            records=count,
            added=added,
            updated=updated,
            removed=removed,
            score=float(quality["score"]),
            seconds=timings["total"],
            warnings=tuple(notes),
            timings=timings,
        )

    def _write(self, version_id: int, checked: list[Checked]) -> int:
        """Write the records in batches; returns the sum of their hashes (see :func:`record_hash`)."""
        datasets = self._store.datasets
        total = 0
        for start in range(0, len(checked), self._batch):
            chunk = [(c.record_id, c.text) for c in checked[start : start + self._batch]]
            total += sum(record_hash(i, t) for i, t in chunk)
            datasets.insert_records(version_id, chunk)
        return total

    def _upsert_summary(
        self,
        kind: Kind,
        base: VersionRow | None,
        touched: set[str],
        result: CheckResult,
        new_sum: int,
        staging_id: int,
    ) -> tuple[dict[str, Any], int]:
        """Quality and checksum of an upserted version, from the base's and the changes alone.

        Reading back the whole dataset would cost as much as the import of all of it; the base
        version's stored counts minus the records replaced or deleted, plus the new ones, give
        the same. A base without usable counts (an older report) is read back whole.
        """
        datasets = self._store.datasets
        counter = QualityCounter(kind)
        base_sum: int | None = 0
        if base is not None:
            stored = QualityCounter.from_report(kind, base.quality) if base.quality else None
            counter = stored if stored is not None else counter
            base_sum = _parse_checksum(base.checksum)
            if stored is None or base_sum is None:
                return self._summary_of_whole(kind, staging_id)
            for record_id, text in datasets.records(base.id, sorted(touched)):
                counter.add(json.loads(text), -1)
                base_sum -= record_hash(record_id, text)
        counter.merge(result.quality)
        return counter.report(), (base_sum or 0) + new_sum

    def _summary_of_whole(self, kind: Kind, version_id: int) -> tuple[dict[str, Any], int]:
        total = 0
        counter = QualityCounter(kind)
        for record_id, text in self._store.datasets.iter_records(version_id):
            total += record_hash(record_id, text)
            counter.add(json.loads(text))
        return counter.report(), total

    @staticmethod
    def _refuse_pointless(
        kind: Kind,
        checked: list[Checked],
        deletes: list[str],
        where: Locator,
        warnings: Sequence[str],
        total: int,
        mode: str,
    ) -> None:
        """An empty replace would wipe the live data by mistake; refuse it, and contradictions."""
        problems: list[ImportProblem] = []
        if mode == "replace" and not checked:
            problems.append(
                ImportProblem(
                    "het bestand bevat geen records; de live gegevens blijven staan (een lege "
                    "dataset publiceren kan niet met 'replace')",
                    "the file holds no records; the live data stays (an empty dataset cannot be "
                    "published with 'replace')",
                    "empty",
                )
            )
        if mode == "upsert" and not checked and not deletes:
            problems.append(
                ImportProblem("geen records en geen te verwijderen ids", "nothing to do", "empty")
            )
        doomed = set(deletes)
        for c in checked:
            record_id = c.record_id
            if record_id in doomed:
                placed = where.locate(
                    c.index,
                    f"/{kind.id_field}",
                    f"id {record_id!r} staat zowel in de records als in de lijst te verwijderen ids",
                    f"id {record_id!r} is both in the records and in the ids to delete",
                    "conflict",
                    record_id,
                )
                if placed is not None:
                    problems.append(placed)
        if problems:
            raise ImportRejected(problems, warnings, total=total)


def stale_after_default() -> dt.timedelta:
    """How long a staging version may go without progress before start-up recovery fails it."""
    return dt.timedelta(minutes=10)
