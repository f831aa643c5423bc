# SPDX-License-Identifier: EUPL-1.2
"""Dutch names of the ISCO-08 major, sub-major and minor groups (data/register/isco08.csv)."""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources


@cache
def isco_groups() -> dict[str, str]:
    """ISCO-08 group code (1, 2 or 3 digits) → Dutch label."""
    text = resources.files("vum").joinpath("data/register/isco08.csv").read_text(encoding="utf-8")
    return {row["code"]: row["label_nl"] for row in csv.DictReader(io.StringIO(text))}


def isco_label(code: str) -> str:
    """Dutch label of an ISCO-08 group; a unit group (4 digits) gets its minor group's label."""
    groups = isco_groups()
    if len(code) == 4:
        code = code[:3]
    return groups.get(code, "")


def is_valid_unit_group(code: str) -> bool:
    """True for four digits whose minor group (first three) exists in ISCO-08."""
    return len(code) == 4 and code.isascii() and code.isdigit() and code[:3] in isco_groups()


def major_group(code: str) -> str:
    """The ISCO-08 major group (first digit) of any code, or '' for an empty code."""
    return code[:1]
