# SPDX-License-Identifier: EUPL-1.2
"""Benchmarks of a source: the engine in process, over HTTP, and against a PostgreSQL peer."""
