# SPDX-License-Identifier: EUPL-1.2
"""The VUM gegevensstandaard 1.5 / koppelvlak 3.0.0: wire models, code lists, the query and its reference evaluator."""
