# SPDX-License-Identifier: EUPL-1.2
"""Write the portal's subset of the NL Design System "voorbeeld" theme: only the tokens its CSS uses.

The theme (``@nl-design-system-unstable/voorbeeld-design-tokens``, EUPL-1.2) defines some 2,700
custom properties in 200 KB; the portal's stylesheets (the vendored ``@utrecht/component-library-css``
``html.css`` and the portal's own ``portal.css``) read a few hundred of them. This keeps those and
every token they refer to, transitively, in their original order.

    cd "$(mktemp -d)" && npm pack @nl-design-system-unstable/voorbeeld-design-tokens@7.4.1
    tar xzf *.tgz
    python tools/vendor_portal_css.py package/dist/theme.css
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "src" / "vum" / "portal" / "static"
READERS = [STATIC / "vendor" / "utrecht-html-9.0.4.css", STATIC / "portal.css"]
OUTPUT = STATIC / "vendor" / "voorbeeld-theme-7.4.1.subset.css"
_DECLARATION = re.compile(r"^\s*(--[a-zA-Z0-9_-]+)\s*:\s*(.*?);\s*$", re.MULTILINE)
_USE = re.compile(r"var\(\s*(--[a-zA-Z0-9_-]+)")


def main(theme: Path) -> None:
    tokens = dict(_DECLARATION.findall(theme.read_text(encoding="utf-8")))
    wanted: set[str] = set()
    todo = [name for path in READERS for name in _USE.findall(path.read_text(encoding="utf-8"))]
    while todo:
        name = todo.pop()
        if name in wanted or name not in tokens:
            continue
        wanted.add(name)
        todo.extend(_USE.findall(tokens[name]))
    lines = [
        "/**",
        " * @license EUPL-1.2",
        " * Subset of @nl-design-system-unstable/voorbeeld-design-tokens 7.4.1 (dist/theme.css),",
        " * Copyright (c) 2021 NL Design System Community; written by tools/vendor_portal_css.py.",
        " */",
        ".voorbeeld-theme {",
        *(f"  {name}: {value};" for name, value in tokens.items() if name in wanted),
        "}",
        "",
    ]
    OUTPUT.write_text("\n".join(lines), encoding="utf-8")
    print(f"{len(wanted)} of {len(tokens)} tokens -> {OUTPUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
