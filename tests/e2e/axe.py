# SPDX-License-Identifier: EUPL-1.2
"""axe-core in a Playwright page: the serious and critical WCAG 2.x A/AA violations of what it shows.

The portal's CSP allows scripts from the portal only, so ``page.add_script_tag`` (an inline
script) is refused; the vendored ``axe.min.js`` is evaluated through the DevTools protocol
instead, which the page's CSP does not govern. The page itself is left as the user sees it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
#: WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
SEVERE = ("serious", "critical")


@cache
def _source() -> str:
    # Evaluated as a function body: the file defines ``window.axe`` and returns nothing.
    return "() => {\n" + AXE.read_text(encoding="utf-8") + "\n}"


def inject(page: Any) -> None:
    """Make ``window.axe`` available in ``page`` (once per document)."""
    if page.evaluate("() => typeof window.axe") == "undefined":
        page.evaluate(_source())
    version = page.evaluate("() => window.axe && window.axe.version")
    assert version, "axe-core did not load"


def violations(
    page: Any, *, impacts: tuple[str, ...] = SEVERE, tags: tuple[str, ...] = WCAG_TAGS
) -> list[dict[str, Any]]:
    """The violations of ``page`` with one of ``impacts``, for rules tagged with one of ``tags``."""
    inject(page)
    result: dict[str, Any] = page.evaluate(
        "async (options) => await window.axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": list(tags)}, "resultTypes": ["violations"]},
    )
    return [v for v in result["violations"] if v.get("impact") in impacts]


def describe(found: list[dict[str, Any]]) -> str:
    """The violations in a few lines, for an assertion message."""
    lines = []
    for v in found:
        targets = [", ".join(node["target"]) for node in v["nodes"][:3]]
        lines.append(f"{v['impact']}: {v['id']} ({v['help']}) at {targets}")
    return "\n".join(lines)
