# SPDX-License-Identifier: EUPL-1.2
"""open VUM: the Dutch VUM data standard, exchange facility and hosted source."""

__version__ = "0.1.0"

#: The koppelvlak version this implementation speaks on the wire.
KOPPELVLAK_VERSION = "3.0.0"
#: The gegevensstandaard version of the models in :mod:`vum.standard`.
GEGEVENSSTANDAARD_VERSION = "1.5"
