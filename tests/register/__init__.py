# SPDX-License-Identifier: EUPL-1.2
"""Tests of the occupation register (a package, so module names cannot clash with other parts)."""
