# SPDX-License-Identifier: EUPL-1.2
"""Benchmarks: `make bench` prints figures; tests never assert wall-clock times."""
