# SPDX-License-Identifier: EUPL-1.2
"""The occupation register: built-in data, official-list loaders, free-text search, related jobs.

Developer note: data in vum/data/register/occupations/*.csv; the work is in search.py, related.py.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vum.register.builtin import RegisterDataError, load_builtin, load_occupation_dir
    from vum.register.loaders import load_esco_csv, load_skos
    from vum.register.model import (
        BUILTIN_NAMESPACE,
        Occupation,
        Register,
        RegisterError,
        UnknownOccupationError,
    )
    from vum.register.related import Related
    from vum.register.search import SearchHit

# Exports resolve on first access: `vum --help` imports this package through the CLI and must
# not pay for rapidfuzz, the stemmer or the data files.
_EXPORTS = {
    "BUILTIN_NAMESPACE": "vum.register.model",
    "Occupation": "vum.register.model",
    "Register": "vum.register.model",
    "RegisterDataError": "vum.register.builtin",
    "RegisterError": "vum.register.model",
    "Related": "vum.register.related",
    "SearchHit": "vum.register.search",
    "UnknownOccupationError": "vum.register.model",
    "load_builtin": "vum.register.builtin",
    "load_esco_csv": "vum.register.loaders",
    "load_occupation_dir": "vum.register.builtin",
    "load_skos": "vum.register.loaders",
}

__all__ = [
    "BUILTIN_NAMESPACE",
    "Occupation",
    "Register",
    "RegisterDataError",
    "RegisterError",
    "Related",
    "SearchHit",
    "UnknownOccupationError",
    "load_builtin",
    "load_esco_csv",
    "load_occupation_dir",
    "load_skos",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vum.register' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
