# SPDX-License-Identifier: EUPL-1.2
"""`make demo`: build the demo data set on the embedded default, show what the system can do, say where to look."""

from __future__ import annotations

import json
import time
from pathlib import Path

from vum import KOPPELVLAK_VERSION
from vum.standard import Kind, matches, parse_query, summary_of, validate_document

DEMO_DIR = Path("demo-data")
COUNTS = {Kind.WERKZOEKENDE: 5000, Kind.VACATURE: 4000}


def _say(text: str = "") -> None:
    print(text, flush=True)


def main() -> None:
    from vum.geo import distance_km, resolve
    from vum.register import load_builtin
    from vum.synthetic import generate

    _say(f"open VUM — demo (koppelvlak {KOPPELVLAK_VERSION}, gegevensstandaard 1.5)")
    DEMO_DIR.mkdir(exist_ok=True)
    data: dict[Kind, list[dict[str, object]]] = {}
    for kind, count in COUNTS.items():
        start = time.perf_counter()
        records = list(generate(kind, count, seed=2026))
        report = validate_document(kind, records)
        path = DEMO_DIR / f"{kind.value}.json"
        path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        data[kind] = records
        _say(
            f"  {count:>6} {kind.value}-records gemaakt en gecontroleerd in "
            f"{time.perf_counter() - start:.1f} s: {report.summary_nl()} -> {path}"
        )

    register = load_builtin()
    _say(f"\nBeroepenregister: {len(register)} beroepen. Vrij zoeken (free-text search):")
    for text in ("heftruck chauffeur", "verzorgende ig", "juf", "developer"):
        hits = register.search(text, limit=3)
        shown = ", ".join(f"{h.occupation.label} ({h.occupation.isco})" for h in hits)
        _say(f"  {text!r:<22} -> {shown}")

    almere = resolve("1315AB")
    _say(
        f"\nSelectievraag: werkzoekenden binnen 15 km van 1315AB ({almere.place}, "
        f"{almere.gemeente}) die heftruckchauffeur of orderpicker willen worden:"
    )
    wanted = [
        h.occupation.uri
        for t in ("heftruckchauffeur", "orderpicker")
        for h in register.search(t, limit=1)
    ]
    query = parse_query(
        Kind.WERKZOEKENDE,
        {
            "selectiegebied": {"postcode": "1315AB", "afstand": 15},
            "bemiddelingsberoep": {
                "$elemMatch": {"$or": [{"beroep.codeBeroepsnaam": {"$eq": uri}} for uri in wanted]}
            },
        },
    )
    found = [r for r in data[Kind.WERKZOEKENDE] if matches(query, r, distance_km)]
    _say(f"  {len(found)} treffers (reference evaluator). Eerste samenvatting (first summary):")
    if found:
        from vum.standard import Werkzoekende

        summary = summary_of(Werkzoekende.model_validate(found[0])).to_wire()
        _say("  " + json.dumps(summary, ensure_ascii=False)[:600])

    _say("\nWaar te kijken (where to look):")
    _say(f"  {DEMO_DIR}/                       synthetische profielen en vacatures (JSON)")
    _say("  .venv/bin/vum --help                alle commando's (all commands)")
    _say("  .venv/bin/vum register search 'heftruck chauffeur'")
    _say("  .venv/bin/vum validate demo-data/werkzoekende.json --kind werkzoekende")
    _say("  .venv/bin/vum standard schema --kind vacature --part query")
    _say("  .venv/bin/vum geo distance 1012AB 9711AA")
    _say(
        "De bron, de uitwisselingsvoorziening en het portaal volgen (issues 4-6); "
        "this demo grows with them."
    )


if __name__ == "__main__":
    main()
