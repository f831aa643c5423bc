# SPDX-License-Identifier: EUPL-1.2
"""What the hosted source app needs from its datasets (``vum.sources.hosted.HostedSources`` fits)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Literal, Protocol, runtime_checkable

import sqlalchemy.exc

from vum.api.bron import DetailFn, SearchFn
from vum.api.errors import SourceUnavailable, UnknownParty, VumError
from vum.matching.types import Engine, SearchResult
from vum.standard.kinds import Kind
from vum.standard.query import Query

ImportMode = Literal["replace", "upsert"]


class SourceBackend(Protocol):
    """Datasets per (party OIN, kind), their import, and the parties' upload tokens.

    Parameters are positional-only and typed as narrowly as the app calls them, so that any
    implementation with wider types (``Iterable`` for ``list``, ``str`` for ``Kind``) fits.
    """

    def engine(self, party: str, kind: Kind, /) -> Engine | None:
        """The engine over ``party``'s dataset of ``kind``; None when there is none."""
        ...

    def import_records(
        self,
        party: str,
        kind: Kind,
        records: list[dict[str, Any]],
        /,
        *,
        mode: ImportMode = "replace",
        delete_ids: list[str] = ...,
    ) -> object:
        """Replace or upsert (and delete) records, all or nothing.

        Raises an exception with a ``problems`` list (``ImportRejected``) when any record is
        invalid; the live data then stays as it was.
        """
        ...

    def verify_token(self, party: str, token: str, /) -> bool:
        """Is ``token`` the upload token of ``party``?"""
        ...


@runtime_checkable
class Warmable(Protocol):
    """Optional: a backend that can build its engines up front lets the app say when it is ready
    (``HostedSources.warm`` builds every live dataset's engine and returns how many)."""

    def warm(self) -> int: ...


# A database that cannot be reached or is locked makes the source unavailable, not broken.
UNAVAILABLE: tuple[type[Exception], ...] = (
    sqlite3.OperationalError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.TimeoutError,
)


def is_transient(exc: BaseException) -> bool:
    """A failure of storage rather than of the request: the source is unavailable for now."""
    if isinstance(exc, UNAVAILABLE):
        return True
    try:  # imported only on this error path: vum.api does not need vum.sources to run
        from vum.sources.errors import SourcesError
    except ImportError:  # pragma: no cover - vum.sources is part of the package
        return False
    # What is left of the hosted source's errors once the party is known: an inconsistent read.
    return isinstance(exc, SourcesError) and not isinstance(exc, LookupError | ValueError)


def is_conflict(exc: BaseException) -> bool:
    """Another import changed the dataset meanwhile (the hosted source's ImportConflict)."""
    try:
        from vum.sources.errors import ImportConflict
    except ImportError:  # pragma: no cover - vum.sources is part of the package
        return False
    return isinstance(exc, ImportConflict)


@contextmanager
def _available() -> Iterator[None]:
    try:
        yield
    except VumError:
        raise
    except Exception as exc:
        if is_transient(exc):
            raise SourceUnavailable(details=type(exc).__name__) from exc
        raise


def _engine(backend: SourceBackend, party: str, kind: Kind) -> Engine:
    try:
        engine = backend.engine(party, kind)
    except (LookupError, ValueError):
        # engine() looks up one (party, kind): "not found" or "not an OIN" is about the party.
        engine = None
    if engine is None:
        raise UnknownParty(party, kind)
    return engine


def backend_functions(backend: SourceBackend) -> tuple[SearchFn, DetailFn]:
    """``search`` and ``detail`` for the Bron router over a multi-party backend.

    Both are plain functions: the router runs them in a worker thread, because the engine's
    search is CPU work that must not block the event loop.
    """

    def search(kind: Kind, party: str, query: Query, limit: int) -> SearchResult:
        with _available():
            return _engine(backend, party, kind).search(query, limit)

    def detail(kind: Kind, party: str, record_id: str) -> Mapping[str, Any] | None:
        with _available():
            return _engine(backend, party, kind).detail(record_id)

    return search, detail
