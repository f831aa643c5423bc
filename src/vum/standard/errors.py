# SPDX-License-Identifier: EUPL-1.2
"""Validation problems as people read them: a JSON pointer, a Dutch message and the English one."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in a document."""

    pointer: str
    message_nl: str
    message_en: str
    code: str = "invalid"

    @property
    def message(self) -> str:
        """Dutch first, English alongside (user-facing texts are Dutch)."""
        return f"{self.message_nl} ({self.message_en})"

    def as_dict(self) -> dict[str, str]:
        return {
            "pointer": self.pointer,
            "code": self.code,
            "message_nl": self.message_nl,
            "message_en": self.message_en,
        }


def json_pointer(parts: Iterable[str | int]) -> str:
    """RFC 6901 pointer for a path (``~`` and ``/`` escaped), e.g. ``/mobiliteit/bemiddelingspostcode``."""
    out = []
    for part in parts:
        text = str(part).replace("~", "~0").replace("/", "~1")
        out.append("/" + text)
    return "".join(out) or ""


def _fmt(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _expected(ctx: dict[str, Any]) -> str:
    return str(ctx.get("expected", "")).replace(" or ", " of ")


# Dutch texts per pydantic error type; the English text is pydantic's own message.
_NL: dict[str, str] = {
    "missing": "verplicht gegeven ontbreekt",
    "extra_forbidden": "onbekend gegeven; de standaard staat hier geen extra gegevens toe",
    "string_type": "moet tekst zijn",
    "int_type": "moet een geheel getal zijn",
    "bool_type": "moet true of false zijn",
    "list_type": "moet een lijst (array) zijn",
    "dict_type": "moet een object zijn",
    "model_type": "moet een object zijn",
    "model_attributes_type": "moet een object zijn",
    "literal_error": "ongeldige code {input}; toegestaan: {expected}",
    "string_too_long": "te lang: hoogstens {max_length} tekens toegestaan",
    "string_pattern_mismatch": "ongeldig formaat {input}",
    "greater_than_equal": "moet minstens {ge} zijn",
    "less_than_equal": "mag hoogstens {le} zijn",
    "vum_date": "ongeldige datum {input}; verwacht JJJJ-MM-DD",
    "int_from_float": "moet een geheel getal zijn",
    "json_invalid": "geen geldige JSON",
}

_PATTERN_HINTS: dict[str, str] = {
    r"^[0-9]{4}[a-zA-Z]{2}$": "postcode als 1234AB",
    r"^[a-zA-Z0-9_.-]{0,200}$": "hoogstens 200 tekens uit a-z, A-Z, 0-9, _ . -",
    r"^[a-zA-Z0-9_.-]{0,500}$": "hoogstens 500 tekens uit a-z, A-Z, 0-9, _ . -",
    r"^[a-z]{3}$": "taalcode van drie kleine letters (ISO 639-3), bijvoorbeeld nld",
    r"^[0-9]+$": "alleen cijfers",
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "datum als JJJJ-MM-DD",
}


def problem_from_error(error: ErrorDetails, prefix: Sequence[str | int] = ()) -> Problem:
    """Translate one pydantic error into a :class:`Problem`."""
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    loc = [part for part in error["loc"] if not _is_union_branch(part)]
    template = _NL.get(kind, "ongeldige waarde")
    values = {**ctx, "input": _fmt(error.get("input")), "expected": _expected(ctx)}
    message_nl = template.format(**values)
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(str(ctx.get("pattern")))
        if hint:
            message_nl += f"; verwacht: {hint}"
    return Problem(json_pointer([*prefix, *loc]), message_nl, error["msg"], kind)


def _is_union_branch(part: str | int) -> bool:
    # pydantic inserts tags like "function-after[...]" or "chain[...]" for wrapped validators
    return isinstance(part, str) and ("[" in part and part.endswith("]"))


def problems_from(exc: ValidationError, prefix: Sequence[str | int] = ()) -> list[Problem]:
    """Every problem of a validation error, in document order."""
    return [problem_from_error(e, prefix) for e in exc.errors(include_url=False)]
