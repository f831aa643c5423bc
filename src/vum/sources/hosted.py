# SPDX-License-Identifier: EUPL-1.2
"""The hosted source's data side: many parties' datasets in one store, each answering through an engine."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vum.matching import Engine, build_engine
from vum.sources.cache import EngineCache, EngineFactory
from vum.sources.errors import DatasetNotFound, InvalidParty, NoPreviousVersion, check_party
from vum.sources.files import MappingSource, load_file
from vum.sources.importer import (
    Importer,
    ImportMode,
    ImportResult,
    owner_is_gone,
    stale_after_default,
)
from vum.sources.tokens import TokenService
from vum.standard.kinds import Kind
from vum.store import Store, TokenRow, VersionRow, VersionStatus


@dataclass(frozen=True)
class DatasetInfo:
    """One party's dataset of one kind: the live version and the one a rollback would restore."""

    party: str
    kind: Kind
    live: VersionRow | None
    previous: VersionRow | None

    @property
    def record_count(self) -> int:
        return self.live.record_count if self.live else 0

    @property
    def score(self) -> float | None:
        quality = self.live.quality if self.live else None
        return float(quality["score"]) if quality else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "kind": self.kind.value,
            "records": self.record_count,
            "score": self.score,
            "live": self.live.as_dict() if self.live else None,
            "previous": self.previous.as_dict() if self.previous else None,
        }


def _kind(kind: Kind | str) -> Kind:
    return kind if isinstance(kind, Kind) else Kind(str(kind).strip().lower())


class HostedSources:
    """Datasets of many parties (OINs), per kind, in one store.

    Imports are checked whole before anything is written, staged as a new version and made live
    in one transaction, so a bad upload or a crash never touches the live data. Engines are
    built lazily per live version and rebuilt when another process makes a new version live.

    On construction, staging versions left by a crashed import are failed and their records
    removed (only those whose process is gone, or silent for ``stale_after``: another process
    may be importing right now).

    ``rebuild_in_background`` answers from the previous version while a changed dataset's
    engine is rebuilt (a server with big datasets wants that: loading 200,000 records takes
    tens of seconds); without it the first query after a change waits and sees the new data.
    ``import_workers`` > 1 validates big uploads on a process pool ("spawn": the calling
    program's entry point must be guarded by ``if __name__ == "__main__":``).
    """

    def __init__(
        self,
        store: Store,
        *,
        engine_factory: EngineFactory = build_engine,
        recheck_seconds: float = 1.0,
        rebuild_in_background: bool = False,
        batch_size: int = 5000,
        keep_previous: int = 1,
        import_workers: int = 1,
        stale_after: dt.timedelta | None = None,
        recover: bool = True,
    ) -> None:
        self._store = store
        self._engines = EngineCache(
            store,
            factory=engine_factory,
            recheck=recheck_seconds,
            background=rebuild_in_background,
        )
        self._importer = Importer(
            store, batch_size=batch_size, keep_previous=keep_previous, workers=import_workers
        )
        self._tokens = TokenService(store)
        self._stale_after = stale_after or stale_after_default()
        self.recovered: list[VersionRow] = self.recover() if recover else []

    @property
    def store(self) -> Store:
        return self._store

    def recover(self) -> list[VersionRow]:
        """Fail staging versions of crashed imports; returns them (for the start-up log)."""
        return self._store.datasets.recover(is_gone=owner_is_gone, stale_after=self._stale_after)

    # -- answering --------------------------------------------------------------------------
    def engine(self, party: str, kind: Kind | str) -> Engine | None:
        """The engine over the party's live dataset, or None when it has none."""
        return self._engines.get(check_party(party), _kind(kind))

    def wait_for_rebuilds(self, timeout: float | None = None) -> None:
        """Wait until background engine rebuilds are done (tests, orderly shutdown)."""
        self._engines.wait(timeout)

    def warm(self) -> int:
        """Build every live dataset's engine now (at start-up), rather than on the first query."""
        built = 0
        for info in self.datasets():
            if info.live is not None and self.engine(info.party, info.kind) is not None:
                built += 1
        return built

    # -- datasets -----------------------------------------------------------------------------
    def dataset(self, party: str, kind: Kind | str) -> DatasetInfo:
        party, k = check_party(party), _kind(kind)
        repo = self._store.datasets
        return DatasetInfo(
            party,
            k,
            repo.current(party, k.value, VersionStatus.LIVE),
            repo.current(party, k.value, VersionStatus.PREVIOUS),
        )

    def datasets(self) -> list[DatasetInfo]:
        """Every dataset with a live or previous version, by party and kind."""
        out = []
        for party, kind in self._store.datasets.dataset_keys():
            info = self.dataset(party, kind)
            if info.live is not None or info.previous is not None:
                out.append(info)
        return out

    def versions(self, party: str, kind: Kind | str) -> list[VersionRow]:
        """Every version of one dataset, newest first (failed ones included, as history)."""
        return self._store.datasets.versions(check_party(party), _kind(kind).value)

    # -- importing ----------------------------------------------------------------------------
    def import_records(
        self,
        party: str,
        kind: Kind | str,
        records: Sequence[Any],
        *,
        mode: ImportMode = "replace",
        delete_ids: Iterable[str] = (),
        source_name: str = "records",
    ) -> ImportResult:
        """Import wire records (dicts of the standard); ImportRejected lists every problem.

        ``replace`` makes exactly these records the dataset; ``upsert`` applies them on top of
        the live version (records replaced by id) and removes ``delete_ids``.
        """
        party, k = check_party(party), _kind(kind)
        try:
            return self._importer.run(
                party, k, records, mode=mode, delete_ids=delete_ids, source_name=source_name
            )
        finally:
            self._engines.invalidate(party, k)

    def import_file(
        self,
        party: str,
        kind: Kind | str,
        path: str | Path,
        *,
        mapping: MappingSource | None = None,
        mode: ImportMode = "replace",
        delete_ids: Iterable[str] = (),
        source_name: str | None = None,
    ) -> ImportResult:
        """Import a JSON array, or a CSV/Excel export with a column mapping (YAML path or dict)."""
        party, k = check_party(party), _kind(kind)
        started = time.perf_counter()
        loaded = load_file(k, Path(path), mapping)
        read_seconds = time.perf_counter() - started
        try:
            return self._importer.run(
                party,
                k,
                loaded.records,
                mode=mode,
                delete_ids=delete_ids,
                source_name=source_name or loaded.source,
                locator=loaded.locator,
                problems=loaded.problems,
                warnings=loaded.warnings,
                read_seconds=read_seconds,
            )
        finally:
            self._engines.invalidate(party, k)

    def rollback(self, party: str, kind: Kind | str) -> DatasetInfo:
        """Make the previous version live again; the current live one becomes previous."""
        party, k = check_party(party), _kind(kind)
        restored = self._store.datasets.rollback(party, k.value)
        self._engines.invalidate(party, k)
        if restored is None:
            raise NoPreviousVersion(
                f"{party} heeft geen vorige versie van {k.value} om naar terug te gaan "
                f"(no previous version to roll back to)"
            )
        return self.dataset(party, k)

    def quality(self, party: str, kind: Kind | str) -> dict[str, Any]:
        """The quality report stored with the live version."""
        info = self.dataset(party, kind)
        if info.live is None or info.live.quality is None:
            raise DatasetNotFound(
                f"{info.party} heeft geen live gegevens van {info.kind.value} "
                f"(no live dataset of this kind)"
            )
        return dict(info.live.quality)

    # -- tokens ---------------------------------------------------------------------------------
    def create_token(self, party: str, label: str = "") -> str:
        """A new API token for the party's uploads; returned once, stored only as a hash."""
        return self._tokens.create(party, label)

    def verify_token(self, party: str, token: str) -> bool:
        """True only for an unrevoked token of this party; False (never an error) otherwise."""
        try:
            party = check_party(party)
        except InvalidParty:
            return False
        return self._tokens.verify(party, token)

    def revoke_token(self, party: str, *, key: str | None = None, label: str | None = None) -> int:
        """Revoke the party's tokens with this key (or whole token) or label; returns how many."""
        return self._tokens.revoke(party, key=key, label=label)

    def tokens(self, party: str | None = None) -> list[TokenRow]:
        return self._tokens.list(party)
