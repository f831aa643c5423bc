# SPDX-License-Identifier: EUPL-1.2
"""The exchange facility (uitwisselingsvoorziening): fan-out, merging, vumIDs, limits, retention, registry, audit."""
