# SPDX-License-Identifier: EUPL-1.2
"""The report of a run: readable text (Dutch, English check names) or JSON for machines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from vum import KOPPELVLAK_VERSION
from vum.conformance.checks import CheckResult, Level, Results
from vum.conformance.runner import Exchange, Parties

_TARGET_NL = {"source": "bron", "facility": "uitwisselingsvoorziening"}


@dataclass(frozen=True)
class Meta:
    """What the report says about the run itself."""

    url: str
    kinds: tuple[str, ...]
    parties: Parties
    budget_s: float
    requests: int
    seconds: float


def _label(result: CheckResult) -> str:
    if result.status == "pass":
        return "OK"
    if result.status == "skip":
        return "--"
    return "FOUT" if result.level is Level.REQUIRED else "LET OP"


def _counts(result: CheckResult) -> str:
    if result.status == "skip":
        return f"niet getoetst: {result.skipped}" if result.skipped else "niet getoetst"
    if result.failed:
        return f"{result.failed} van {result.tested} fout"
    return f"{result.tested}/{result.tested}"


def _exchange_lines(exchange: Exchange) -> list[str]:
    shown = exchange.describe()
    request, response = shown["request"], shown["response"]
    lines = [f"{request['method']} {request['path']}  ({shown['label']})"]
    sent = ", ".join(f"{k}: {v}" for k, v in request["headers"].items() if k != "Content-Type")
    lines.append(f"  headers: {sent}")
    if "body" in request:
        lines.append(f"  body: {request['body']}")
    if "error" in response:
        lines.append(f"→ geen antwoord: {response['error']}")
        return lines
    lines.append(f"→ {response['status']} in {response['ms']} ms  {response['headers']}")
    if response["body"]:
        lines.append(f"  {response['body']}")
    return lines


def render_text(results: Results, meta: Meta) -> str:
    parties = meta.parties
    out = [
        f"VUM-conformiteit {_TARGET_NL[results.target.value]} {meta.url} "
        f"(koppelvlak {KOPPELVLAK_VERSION})",
        f"soort: {', '.join(meta.kinds)} · from {parties.from_party} → to {parties.to_party} "
        f"via {parties.via_party} · tijdsbudget {meta.budget_s:g} s",
    ]
    kind: str | None = "-"
    for result in results:
        if result.kind != kind:
            kind = result.kind
            out.append("")
            out.append(f"[{kind or 'algemeen'}]")
        out.append(
            f"  {_label(result):<6} {result.level.value:<9} {result.spec.name:<27} "
            f"{_counts(result)} — {result.spec.title}"
        )
        for note in result.notes:
            out.append(f"         · {note}")
        for failure in result.failures:
            out.append(f"         ✗ {failure.note}")
            if failure.exchange is not None:
                out.extend(f"           {line}" for line in _exchange_lines(failure.exchange))
    every = list(results)
    passed = sum(r.status == "pass" for r in every)
    required = sum(r.status == "fail" and r.level is Level.REQUIRED for r in every)
    advisory = sum(r.status == "fail" and r.level is Level.ADVISORY for r in every)
    skipped = sum(r.status == "skip" for r in every)
    verdict = "CONFORM" if results.conform else "NIET CONFORM (not conformant)"
    out.append("")
    out.append(
        f"Samenvatting: {meta.requests} verzoeken in {meta.seconds:.1f} s · {len(every)} controles: "
        f"{passed} geslaagd, {required} verplicht gefaald, {advisory} advies afwijkend, "
        f"{skipped} niet getoetst → {verdict}"
    )
    return "\n".join(out) + "\n"


def as_json(results: Results, meta: Meta) -> dict[str, Any]:
    return {
        "target": results.target.value,
        "url": meta.url,
        "koppelvlak": KOPPELVLAK_VERSION,
        "kinds": list(meta.kinds),
        "parties": {
            "from": meta.parties.from_party,
            "to": meta.parties.to_party,
            "via": meta.parties.via_party,
        },
        "budgetSeconds": meta.budget_s,
        "conform": results.conform,
        "requests": meta.requests,
        "seconds": round(meta.seconds, 3),
        "checks": [
            {
                "name": r.spec.name,
                "kind": r.kind,
                "level": "required" if r.level is Level.REQUIRED else "advisory",
                "status": r.status,
                "tested": r.tested,
                "failed": r.failed,
                "title": r.spec.title,
                "contract": r.spec.contract,
                "notes": r.notes,
                "skipped": r.skipped,
                "failures": [
                    {
                        "note": f.note,
                        "exchange": f.exchange.describe() if f.exchange is not None else None,
                    }
                    for f in r.failures
                ],
            }
            for r in results
        ],
    }


def render_json(results: Results, meta: Meta) -> str:
    return json.dumps(as_json(results, meta), ensure_ascii=False, indent=2) + "\n"
