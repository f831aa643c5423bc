# SPDX-License-Identifier: EUPL-1.2
"""Turn one spreadsheet cell into the standard's JSON value: integers, codes, dates, postcodes.

Dutch-friendly where it is unambiguous: a code list's own labels ("ja", "nee", "Onbepaalde
tijd") stand for their codes, codes match without regard to case ("b" is "B") or leading zeros
("1" is "01"), postcodes lose their space and gain capitals, and dates follow the mapping's
formats. Whatever cannot be read raises :class:`ValueProblem` naming what was expected.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from vum.sources.fields import Leaf
from vum.sources.mapping import ColumnMapping
from vum.standard.codelists import CodeList

_INT = re.compile(r"[+-]?[0-9]+")
_INT_WITH_ZERO_DECIMALS = re.compile(r"([+-]?[0-9]+)[.,]0+")
_EXAMPLE_DAY = dt.date(2025, 12, 31)


class ValueProblem(ValueError):
    """A cell whose value does not fit its column's path; Dutch and English."""

    def __init__(self, message_nl: str, message_en: str, code: str = "value") -> None:
        self.message_nl = message_nl
        self.message_en = message_en
        self.code = code
        super().__init__(f"{message_nl} ({message_en})")


def is_blank(value: Any) -> bool:
    """VUM: empty cells are absent (and so is a cell with only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A cell as text; Excel stores 12345 as 12345.0, which is still "12345"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def translate(leaf: Leaf, value: Any, mapping: ColumnMapping) -> Any:
    """Apply the mapping's ``values:`` table of this path, when the value is in it."""
    table = mapping.values.get(leaf.path)
    if not table:
        return value
    key = _text(value).casefold()
    return table.get(key, value)


def convert(leaf: Leaf, value: Any, mapping: ColumnMapping) -> Any:
    """The JSON value for one (non-blank) cell or one piece of a multi-value cell."""
    value = translate(leaf, value, mapping)
    if leaf.codelist is not None:
        return _code(leaf, leaf.codelist, value)
    if leaf.is_date:
        return _date(value, mapping.dates)
    if leaf.base is int:
        return _integer(value)
    if leaf.is_postcode:
        # "1234 ab" is 1234AB; whatever else is wrong, the standard's validation says.
        return re.sub(r"\s+", "", _text(value)).upper()
    return _text(value)


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueProblem(
            f"{value!r} is geen geheel getal", f"{value!r} is not a whole number", "int_type"
        )
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value)
    if _INT.fullmatch(text):
        return int(text)
    match = _INT_WITH_ZERO_DECIMALS.fullmatch(text)
    if match:
        return int(match.group(1))
    raise ValueProblem(
        f"'{text}' is geen geheel getal", f"'{text}' is not a whole number", "int_type"
    )


def _date(value: Any, formats: tuple[str, ...]) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _text(value)
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    examples = " of ".join(_EXAMPLE_DAY.strftime(f) for f in formats)
    examples_en = " or ".join(_EXAMPLE_DAY.strftime(f) for f in formats)
    raise ValueProblem(
        f"ongeldige datum '{text}'; verwacht bijvoorbeeld {examples}",
        f"invalid date '{text}'; expected for example {examples_en}",
        "vum_date",
    )


def _unique(candidates: list[Any]) -> Any | None:
    return candidates[0] if len(set(candidates)) == 1 else None


def _code(leaf: Leaf, codelist: CodeList[Any], value: Any) -> Any:
    # An Excel TRUE/FALSE cell means ja/nee, which the label match below turns into 1/2.
    text = ("ja" if value else "nee") if isinstance(value, bool) else _text(value)
    folded = text.casefold()
    found: Any = None
    if codelist.is_text:
        if text in codelist:
            return text
        found = _unique([c for c in codelist if str(c).casefold() == folded])
        if found is None and _INT.fullmatch(text):
            # Excel drops leading zeros: 1 is "01" when exactly one code reads as 1.
            found = _unique([c for c in codelist if str(c).isdigit() and int(c) == int(text)])
    elif _INT.fullmatch(text) and int(text) in codelist:
        return int(text)
    if found is None:
        found = _unique([c for c, label in codelist.choices() if label.casefold() == folded])
    if found is not None:
        return found
    allowed = ", ".join(f"{c} ({label})" for c, label in codelist.choices())
    raise ValueProblem(
        f"onbekende code '{text}' voor {leaf.label}; toegestaan: {allowed}. Vertaal eigen codes "
        f"met 'values:' in de mapping",
        f"unknown code '{text}' for {leaf.path}; allowed: {', '.join(map(str, codelist))}. "
        f"Translate your own codes with 'values:' in the mapping",
        "literal_error",
    )
