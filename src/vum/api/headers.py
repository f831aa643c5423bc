# SPDX-License-Identifier: EUPL-1.2
"""The VUM headers of a call: check them (400.02 missing, 400.01 invalid) and mirror them on every answer."""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass

from vum import KOPPELVLAK_VERSION
from vum.api.errors import BadRequest, IncompleteRequest
from vum.standard.headers import (
    API_VERSION,
    BERICHT_VERSIE,
    FROM_PARTY,
    SUWI_PARTY,
    TO_PARTY,
    VIA_PARTY,
)

#: open VUM's opt-in: add scores and explanations to the matches envelope (docs/source-api.md).
EXPLAIN = "X-OpenVUM-Explain"

_VERSIONED = (BERICHT_VERSIE, API_VERSION)
_PARTIES = (FROM_PARTY, TO_PARTY, VIA_PARTY)
# The contracts type the party headers as plain strings (OINs in practice, 20 digits); test
# environments use other ids, so accept visible ASCII, but none of the characters that could
# smuggle markup or quoting (" & ' < > \ `) into an answer's headers or the audit log.
_PARTY = re.compile(r"[!#-%(-;=?-\[\]-_a-~]{1,100}")
_BOOLEAN = {"true": True, "false": False}


@dataclass(frozen=True)
class VumCall:
    """Who asks whom, through whom: the checked headers of one call to a source."""

    from_party: str
    to_party: str
    via_party: str
    suwi_party: bool
    explain: bool = False


#: The call being answered; ``search``/``detail`` functions may read it (e.g. for X-VUM-SUWIparty).
CURRENT_CALL: ContextVar[VumCall] = ContextVar("vum_current_call")


def current_call() -> VumCall:
    """The VUM headers of the call being answered (inside ``search``/``detail``)."""
    return CURRENT_CALL.get()


def parse_call(headers: Mapping[str, str]) -> VumCall:
    """Check every required header; raise 400.02 when one is missing, else 400.01 when one is invalid."""
    missing: list[str] = []
    invalid: list[str] = []
    for name in (*_VERSIONED, *_PARTIES, SUWI_PARTY):
        # VUM: empty strings count as absent.
        if not headers.get(name, "").strip():
            missing.append(f"header {name}: verplicht, ontbreekt (required, missing)")
    for name in _VERSIONED:
        value = headers.get(name, "").strip()
        if value and value != KOPPELVLAK_VERSION:
            invalid.append(
                f"header {name}: versie {value!r} niet ondersteund, verwacht "
                f"{KOPPELVLAK_VERSION} (unsupported version)"
            )
    for name in _PARTIES:
        value = headers.get(name, "").strip()
        if value and not _PARTY.fullmatch(value):
            invalid.append(f"header {name}: ongeldige partij-aanduiding (invalid party id)")
    suwi = headers.get(SUWI_PARTY, "").strip().lower()
    if suwi and suwi not in _BOOLEAN:
        invalid.append(f"header {SUWI_PARTY}: moet true of false zijn (must be true or false)")
    if missing:
        raise IncompleteRequest(
            "Onvolledige aanroep: verplichte header ontbreekt (incomplete call: required header missing)",
            "\n".join(missing + invalid),
        )
    if invalid:
        raise BadRequest(
            "Ongeldige aanroep: ongeldige header (invalid call: invalid header)", "\n".join(invalid)
        )
    return VumCall(
        from_party=headers[FROM_PARTY].strip(),
        to_party=headers[TO_PARTY].strip(),
        via_party=headers[VIA_PARTY].strip(),
        suwi_party=_BOOLEAN[suwi],
        explain=headers.get(EXPLAIN, "").strip().lower() in ("1", "true"),
    )


def reply_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The VUM headers of the answer to a call with ``headers`` (also for errors).

    The answer travels back: its fromParty is the source (the call's toParty), its toParty the asker
    (the call's fromParty); viaParty names the processor that carries the exchange and is echoed.
    Parties the call did not name (a 400.02) are left out rather than invented.
    """
    out = {BERICHT_VERSIE: KOPPELVLAK_VERSION, API_VERSION: KOPPELVLAK_VERSION}
    for answer, call in ((FROM_PARTY, TO_PARTY), (TO_PARTY, FROM_PARTY), (VIA_PARTY, VIA_PARTY)):
        value = headers.get(call, "").strip()
        if value and _PARTY.fullmatch(value):
            out[answer] = value
    return out
