# SPDX-License-Identifier: EUPL-1.2
"""What the security suite tried, counted per kind of attack, for the summary at the end of the run."""

from __future__ import annotations

from collections import Counter

#: e.g. "authorisation matrix: endpoint x caller checks" -> 465
COUNTS: Counter[str] = Counter()


def count(what: str, n: int = 1) -> None:
    """Add ``n`` tries of ``what`` to the suite's summary."""
    COUNTS[what] += n
