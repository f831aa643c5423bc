# SPDX-License-Identifier: EUPL-1.2
"""Write the OpenAPI documents of the hosted source and the facility, as they serve them, to docs/openapi/.

    .venv/bin/python tools/write_openapi.py

``tests/security/test_openapi.py`` fails when a committed document differs from what the apps
serve (and validates both), so run this after changing a route.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "openapi"
FILES = {"source": "vum-bron.json", "facility": "vum-bemiddelaar.json"}


def documents() -> dict[str, dict[str, Any]]:
    """``{"source": ..., "facility": ...}``: ``/openapi.json`` of each app as ``vum serve`` builds it
    (the facility with a store and the admin API)."""
    from vum.api import SourceSettings, create_source_app
    from vum.api.memory import MemoryBackend
    from vum.facility.admin import token_digest
    from vum.facility.identity import MutualTls
    from vum.facility.metrics import InMemoryAuditSink
    from vum.facility.serve import FacilityConfig, build_app
    from vum.facility.vumid import VumIdCodec, new_key
    from vum.store import Store

    source = create_source_app(MemoryBackend(), settings=SourceSettings(warm_up=False))
    with tempfile.TemporaryDirectory() as scratch, Store(Path(scratch) / "vum.db") as store:
        config = FacilityConfig(admin_token_sha256=token_digest("only-for-the-document"))
        codec = VumIdCodec({"k1": new_key()}, "k1")
        facility = build_app(config, MutualTls(), InMemoryAuditSink(), codec, store=store)
        return {"source": source.openapi(), "facility": facility.openapi()}


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def main() -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for name, document in documents().items():
        path = OUTPUT / FILES[name]
        path.write_text(render(document), encoding="utf-8")
        sys.stdout.write(f"{path} ({len(document['paths'])} paths)\n")


if __name__ == "__main__":
    main()
