# SPDX-License-Identifier: EUPL-1.2
"""Dutch geography: postcode coordinates, distances, gemeenten and arbeidsmarktregio's."""
