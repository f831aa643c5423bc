# SPDX-License-Identifier: EUPL-1.2
"""The conformance kit: check any VUM source or facility against the koppelvlak 3.0.0 contracts over HTTP."""
