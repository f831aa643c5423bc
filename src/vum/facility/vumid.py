# SPDX-License-Identifier: EUPL-1.2
"""vumIDs: authenticated encryption of (source, record id, vraagID) — unguessable, unlinkable, key-rotatable.

A vumID is ``<key id>.<base64url(nonce || ciphertext || tag)>`` under AES-256-GCM. It reveals
neither the source nor the record (pilot finding 13), differs per query for the same record (a
fresh vraagID and nonce), and cannot be altered without detection. Keys rotate: new vumIDs use
the current key; older keys stay accepted until the result sets they served have expired.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# VUM: at most 500 characters of [a-zA-Z0-9_.-]
MAX_LENGTH = 500
_KEY_ID = re.compile(r"^[a-zA-Z0-9_-]{1,16}$")
_AAD = b"open-vum/vumID/v1"
# Spaces to append to a plaintext, by its length plus 28 modulo 3 (see encode_many).
_PAD = (b"", b"  ", b" ")


class InvalidVumId(ValueError):
    """A vumID that was not issued by this facility, was altered, or whose key is retired."""


@dataclass(frozen=True)
class VumIdContent:
    """What a vumID stands for."""

    source: str
    record_id: str
    vraag_id: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json_string(text: str) -> str:
    """``text`` as a JSON string: ids are plain ASCII, for which quoting is all json.dumps does."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return json.dumps(text)


def _unb64(text: str) -> bytes:
    """Decode only the canonical form: one token, one string.

    Base64 ignores the unused bits of its last character, so several strings would decode to
    the same bytes; refusing all but the one ``_b64`` makes keeps a vumID exact (an altered
    character is always refused, never quietly the same vumID).
    """
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(raw) != text:
        raise ValueError("not canonical base64url")
    return raw


def new_key() -> bytes:
    """A fresh 256-bit key (store it as a secret, never in the repository)."""
    return AESGCM.generate_key(bit_length=256)


class VumIdCodec:
    """Issues and opens vumIDs with a current key and any number of older ones."""

    def __init__(self, keys: Mapping[str, bytes], current: str) -> None:
        if current not in keys:
            raise ValueError(f"current key {current!r} is not among the keys")
        for key_id, key in keys.items():
            if not _KEY_ID.match(key_id) or len(key) != 32:
                raise ValueError(f"key {key_id!r}: ids are [a-zA-Z0-9_-]{{1,16}}, keys 32 bytes")
        self._aead = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._current = current

    def encode(self, content: VumIdContent) -> str:
        return self.encode_many([(content.source, content.record_id)], content.vraag_id)[0]

    def encode_many(self, records: Sequence[tuple[str, str]], vraag_id: str) -> list[str]:
        """One vumID per (source, record id) of one query: a merge mints hundreds at once."""
        encrypt = self._aead[self._current].encrypt
        prefixes: dict[str, str] = {}
        suffix = f",{_json_string(vraag_id)}]"
        # One draw from the system's entropy for all nonces: a 12-byte slice each.
        nonces = os.urandom(12 * len(records))
        sealed: list[bytes] = []
        for i, (source, record_id) in enumerate(records):
            prefix = prefixes.get(source)
            if prefix is None:
                prefix = prefixes[source] = f"[{_json_string(source)},"
            plain = (prefix + _json_string(record_id) + suffix).encode("utf-8")
            # Spaces after the array (JSON ignores them) make nonce, ciphertext and tag (28
            # bytes more than the plaintext) a multiple of 3 bytes: their base64 then has no
            # padding, and one call encodes all vumIDs, split at each one's boundary.
            plain += _PAD[(len(plain) + 28) % 3]
            nonce = nonces[12 * i : 12 * i + 12]
            sealed.append(nonce + encrypt(nonce, plain, _AAD))
        text = base64.urlsafe_b64encode(b"".join(sealed)).decode("ascii")
        head = f"{self._current}."
        tokens: list[str] = []
        at = 0
        for raw in sealed:
            width = len(raw) // 3 * 4
            token = head + text[at : at + width]
            at += width
            if len(token) > MAX_LENGTH:
                raise ValueError("record id too long for a vumID of at most 500 characters")
            tokens.append(token)
        return tokens

    def decode(self, token: str) -> VumIdContent:
        key_id, _, body = token.partition(".")
        aead = self._aead.get(key_id)
        if aead is None or not body or len(token) > MAX_LENGTH:
            raise InvalidVumId("onbekende of ongeldige vumID (unknown or invalid vumID)")
        try:
            raw = _unb64(body)
            plain = aead.decrypt(raw[:12], raw[12:], _AAD)
            source, record_id, vraag_id = json.loads(plain)
        except (InvalidTag, ValueError, TypeError) as exc:
            raise InvalidVumId("onbekende of ongeldige vumID (unknown or invalid vumID)") from exc
        return VumIdContent(str(source), str(record_id), str(vraag_id))
