# SPDX-License-Identifier: EUPL-1.2
"""Every route an app serves, read from the app itself, so a new endpoint cannot slip past the suite."""

from __future__ import annotations

from fastapi import FastAPI


def routes_of(app: FastAPI) -> set[tuple[str, str]]:
    """``(method, path template)`` of every route of ``app`` (HEAD, which GET implies, left out).

    FastAPI (0.165) keeps included routers as ``_IncludedRouter`` entries; their effective
    routes carry the full path.
    """
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        pairs = (
            [(c.path, c.original_route) for c in contexts()]
            if contexts is not None
            else [(getattr(route, "path", ""), route)]
        )
        for path, original in pairs:
            methods = getattr(original, "methods", None) or {"ANY"}
            found.update((method, path) for method in methods if method != "HEAD")
    return found
