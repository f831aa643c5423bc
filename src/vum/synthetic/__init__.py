# SPDX-License-Identifier: EUPL-1.2
"""Synthetic, realistic Dutch job-seeker profiles and vacancies for demos, tests and benchmarks."""

from vum.synthetic.generator import DEFAULT_REFERENCE_DATE, Generator, generate

__all__ = ["DEFAULT_REFERENCE_DATE", "Generator", "generate"]
