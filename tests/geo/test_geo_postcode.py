# SPDX-License-Identifier: EUPL-1.2
"""Postcode syntax: what normalise_postcode accepts, how it normalises, and what it rejects."""

import pytest

from vum.geo import PostcodeError, normalise_postcode, pc4_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1012 AB", "1012AB"),
        ("1012ab", "1012AB"),
        ("1012aB", "1012AB"),
        (" 1012  ab ", "1012AB"),
        ("1012\tAB", "1012AB"),
        ("1012", "1012"),
        ("9999ZZ", "9999ZZ"),
        ("1000", "1000"),
    ],
)
def test_normalises(text: str, expected: str) -> None:
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ABCD12",
        "0999AA",
        "12345",
        "",
        "   ",
        "0999",
        "999",
        "1012A",
        "1012ABC",
        "1012-AB",
        "10 12AB",
    ],
)
def test_rejects_malformed_and_names_it(text: str) -> None:
    with pytest.raises(PostcodeError) as excinfo:
        normalise_postcode(text)
    message = str(excinfo.value)
    assert repr(text) in message
    assert "Ongeldige postcode" in message  # Dutch first
    assert "Invalid postcode" in message  # English alongside
    assert excinfo.value.postcode == text


def test_postcode_error_is_a_value_error() -> None:
    assert issubclass(PostcodeError, ValueError)


def test_rejects_non_string() -> None:
    with pytest.raises(PostcodeError, match="1012"):
        normalise_postcode(1012)  # type: ignore[arg-type]


def test_pc4_of() -> None:
    assert pc4_of("1012 AB") == 1012
    assert pc4_of("9711") == 9711
    with pytest.raises(PostcodeError):
        pc4_of("12345")
