# SPDX-License-Identifier: EUPL-1.2
"""The HTTP header names of the VUM koppelvlak 3.0.0 contracts, declared once for every side."""

from __future__ import annotations

BERICHT_VERSIE = "X-VUM-berichtVersie"
API_VERSION = "API-Version"
#: who asks (the responsible organisation), whom, and through whom (the processor)
FROM_PARTY = "X-VUM-fromParty"
TO_PARTY = "X-VUM-toParty"
VIA_PARTY = "X-VUM-viaParty"
SUWI_PARTY = "X-VUM-SUWIparty"
