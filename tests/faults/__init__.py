# SPDX-License-Identifier: EUPL-1.2
"""Fault and crash suites: real processes on loopback, faulty sources, kill -9."""
