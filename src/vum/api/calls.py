# SPDX-License-Identifier: EUPL-1.2
"""Request plumbing: read a body within a limit, and call a source's function off the loop within a deadline."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import anyio
import anyio.to_thread
from starlette.requests import Request

from vum.api.errors import SourceUnavailable

T = TypeVar("T")


class BodyTooLarge(Exception):
    """The request body exceeds the configured limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body larger than {limit} bytes")
        self.limit = limit


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, or :class:`BodyTooLarge` before more than ``limit`` bytes are held."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    # Chunked uploads declare no length: count while reading, so memory stays bounded.
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def is_async(fn: Callable[..., Any]) -> bool:
    """True for ``async def`` functions, also behind ``functools.partial`` or ``__call__``."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004 - callable objects with an async __call__
    )


async def invoke(
    fn: Callable[..., T | Awaitable[T]], *args: Any, timeout_s: float | None = None
) -> T:
    """``fn(*args)``: awaited when async, else in a worker thread so CPU-heavy searches never block
    the event loop. Past ``timeout_s`` the caller gets 503/500.3 (the thread is abandoned)."""
    try:
        with anyio.fail_after(timeout_s):
            if is_async(fn):
                result = fn(*args)
            else:
                # Context variables (the current call) travel into the worker thread.
                result = await anyio.to_thread.run_sync(
                    functools.partial(fn, *args), abandon_on_cancel=timeout_s is not None
                )
            if inspect.isawaitable(result):
                return cast(T, await result)
            return result
    except TimeoutError:
        # Our deadline, or the function's own (a database that did not answer): unavailable.
        after = f" na {timeout_s:g} s (after {timeout_s:g} s)" if timeout_s is not None else ""
        raise SourceUnavailable(
            "Bron antwoordde niet op tijd (source did not answer in time)",
            f"afgebroken{after} (aborted)",
        ) from None
