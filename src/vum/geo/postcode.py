# SPDX-License-Identifier: EUPL-1.2
"""Dutch postcode syntax: normalise "1012 ab" to "1012AB" and reject what is not a postcode."""

from __future__ import annotations

import re

__all__ = ["PostcodeError", "normalise_postcode", "pc4_of"]

# Four digits without a leading zero (PostNL issues 1000-9999), then optionally two letters. Any
# run of whitespace may separate the parts, because people type "1012 AB", "1012  ab" and "1012AB".
_POSTCODE = re.compile(r"([1-9][0-9]{3})(?:\s*([A-Za-z]{2}))?")


class PostcodeError(ValueError):
    """A text that is not a Dutch postcode; the message is Dutch, then English, naming the input."""

    def __init__(
        self, postcode: object, reason_nl: str | None = None, reason_en: str | None = None
    ):
        self.postcode = postcode
        nl = reason_nl or "verwacht 4 cijfers (1000-9999), eventueel gevolgd door 2 letters"
        en = reason_en or "expected 4 digits (1000-9999), optionally followed by 2 letters"
        super().__init__(
            f"Ongeldige postcode {postcode!r}: {nl}, zoals '1012 AB' of '1012'. / "
            f"Invalid postcode {postcode!r}: {en}, such as '1012 AB' or '1012'."
        )


def normalise_postcode(text: str) -> str:
    """Return the postcode as "1012AB" (PC6) or "1012" (PC4); raise PostcodeError otherwise."""
    if not isinstance(text, str):
        raise PostcodeError(text, "geen tekst", "not a string")
    match = _POSTCODE.fullmatch(text.strip())
    if match is None:
        raise PostcodeError(text)
    digits, letters = match.groups()
    return digits + letters.upper() if letters else digits


def pc4_of(text: str) -> int:
    """The 4-digit part of a postcode as an int (1000-9999); raise PostcodeError when malformed."""
    return int(normalise_postcode(text)[:4])
