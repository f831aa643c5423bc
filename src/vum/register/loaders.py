# SPDX-License-Identifier: EUPL-1.2
"""Loaders for official occupation lists: ESCO CSV export and CompetentNL/SKOS (Turtle, JSON-LD)."""

from __future__ import annotations

import csv
import re
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from vum.register.builtin import RegisterDataError
from vum.register.isco import is_valid_unit_group
from vum.register.model import Occupation, Register, RegisterError

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

SourceFormat = Literal["esco", "skos"]

#: Columns an ESCO `occupations_nl.csv` must have; the others (description, code, ...) are ignored.
ESCO_REQUIRED = ("conceptUri", "preferredLabel", "iscoGroup")

#: An ISCO-08 concept URI, e.g. http://data.europa.eu/esco/isco/C8344: group code in group 1.
_ISCO_URI = re.compile(r"/isco[^/]*/C?(\d{1,4})$", re.IGNORECASE)
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")

#: rdflib parser names by file suffix.
_RDF_FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".xml": "xml",
    ".nt": "nt",
}


def load_file(path: Path, fmt: SourceFormat) -> Register:
    """Load an official list in the given format ('esco' or 'skos')."""
    if fmt == "esco":
        return load_esco_csv(path)
    if fmt == "skos":
        return load_skos(path)
    raise RegisterError(f"Onbekend formaat {fmt!r} (esco|skos) / unknown format {fmt!r}")


# -- ESCO ------------------------------------------------------------------------------------------


def load_esco_csv(path: Path) -> Register:
    """Read ESCO's `occupations_nl.csv` export (alt/hidden labels: newline-separated in a cell)."""
    name = path.name
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ESCO_REQUIRED if c not in (reader.fieldnames or ())]
        if missing:
            raise RegisterDataError(
                name,
                1,
                missing[0],
                f"kolom ontbreekt (nodig: {', '.join(ESCO_REQUIRED)})",
                f"column missing (required: {', '.join(ESCO_REQUIRED)})",
            )
        occupations: list[Occupation] = []
        keys: set[str] = set()
        line = reader.line_num
        for row in reader:
            start, line = line + 1, reader.line_num
            if row.get("conceptType", "Occupation") not in ("Occupation", "", None):
                continue
            occ = _esco_row(row, name, start, keys)
            keys.add(occ.key)
            occupations.append(occ)
    return Register(occupations)


def _esco_row(row: dict[str, str], name: str, line: int, keys: set[str]) -> Occupation:
    uri = (row.get("conceptUri") or "").strip()
    if not uri:
        raise RegisterDataError(name, line, "conceptUri", "lege URI", "empty URI")
    label = " ".join((row.get("preferredLabel") or "").split())
    if not label:
        raise RegisterDataError(name, line, "preferredLabel", "lege naam", "empty label")
    isco = (row.get("iscoGroup") or "").strip()
    if isco and not is_valid_unit_group(isco):
        raise RegisterDataError(
            name,
            line,
            "iscoGroup",
            f"ongeldige ISCO-08-code {isco!r}",
            f"invalid ISCO-08 code {isco!r}",
        )
    synonyms = _unique(
        (*_lines(row.get("altLabels")), *_lines(row.get("hiddenLabels"))), exclude=label
    )
    return Occupation(
        uri=uri,
        key=_free_key(slug_from_uri(uri), keys),
        label=label,
        isco=isco,
        broader=isco[:3],
        synonyms=synonyms,
        source="esco",
    )


def _lines(cell: str | None) -> list[str]:
    return [" ".join(part.split()) for part in (cell or "").splitlines()]


# -- SKOS / CompetentNL ----------------------------------------------------------------------------


def load_skos(path: Path, rdf_format: str | None = None) -> Register:
    """Read skos:Concepts with Dutch labels from Turtle, JSON-LD or RDF/XML (CompetentNL and alike).

    The ISCO-08 code comes from a 4-digit skos:notation, else from a skos:broader ISCO-08 URI,
    else from the nearest broader concept in the file that has one; it stays empty otherwise.
    """
    from rdflib import Graph
    from rdflib.exceptions import ParserError

    fmt = rdf_format or _RDF_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise RegisterError(
            f"{path.name}: onbekend RDF-formaat, gebruik .ttl of .jsonld / "
            f"{path.name}: unknown RDF format, use .ttl or .jsonld"
        )
    graph = Graph()
    try:
        text = path.read_text(encoding="utf-8")
        with warnings.catch_warnings():
            # rdflib 7's JSON-LD parser uses its own deprecated ConjunctiveGraph internally;
            # nothing a caller can change, so it must not surface (tests turn warnings into errors).
            warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"rdflib\.")
            graph.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
    except (ParserError, SyntaxError, ValueError, UnicodeDecodeError) as exc:
        raise RegisterError(
            f"{path.name}: kan SKOS-bestand niet lezen ({exc}) / cannot parse SKOS file ({exc})"
        ) from exc
    return Register(_skos_occupations(graph))


def _skos_occupations(graph: Graph) -> list[Occupation]:
    from rdflib import RDF, SKOS, URIRef

    concepts = sorted(
        str(c)
        for c in graph.subjects(RDF.type, SKOS.Concept)
        if isinstance(c, URIRef) and not _ISCO_URI.search(str(c))
    )
    concept_set = set(concepts)
    keys: dict[str, str] = {}
    taken: set[str] = set()
    for uri in concepts:
        keys[uri] = _free_key(slug_from_uri(uri), taken)
        taken.add(keys[uri])
    own_code: dict[str, str] = {}
    broader: dict[str, list[str]] = {}
    for uri in concepts:
        node = URIRef(uri)
        notations = (str(n).strip() for n in graph.objects(node, SKOS.notation))
        isco_uris = (_ISCO_URI.search(str(b)) for b in graph.objects(node, SKOS.broader))
        codes = [n for n in notations if is_valid_unit_group(n)]
        codes += [m.group(1) for m in isco_uris if m and is_valid_unit_group(m.group(1))]
        own_code[uri] = codes[0] if codes else ""
        broader[uri] = sorted(
            str(b) for b in graph.objects(node, SKOS.broader) if str(b) in concept_set
        )

    occupations: list[Occupation] = []
    for uri in concepts:
        node = URIRef(uri)
        label = _dutch(graph.objects(node, SKOS.prefLabel))
        if not label:
            continue  # nothing to show (e.g. a scheme-level grouping without a Dutch label)
        alt = [*_dutch(graph.objects(node, SKOS.altLabel))]
        alt += _dutch(graph.objects(node, SKOS.hiddenLabel))
        isco = _inherited_code(uri, own_code, broader)
        related = sorted(
            keys[str(r)] for r in graph.objects(node, SKOS.related) if str(r) in concept_set
        )
        occupations.append(
            Occupation(
                uri=uri,
                key=keys[uri],
                label=label[0],
                isco=isco,
                broader=isco[:3],
                synonyms=_unique([*label[1:], *alt], exclude=label[0]),
                related_keys=tuple(k for k in related if k != keys[uri]),
                source="skos",
            )
        )
    return occupations


def _inherited_code(uri: str, own: dict[str, str], broader: dict[str, list[str]]) -> str:
    # Breadth-first up the hierarchy, so the nearest ancestor with a code wins; `seen` guards
    # against the cycles that hand-made SKOS files sometimes contain.
    queue, seen = [uri], {uri}
    while queue:
        current = queue.pop(0)
        if own.get(current):
            return own[current]
        for parent in broader.get(current, ()):
            if parent not in seen:
                seen.add(parent)
                queue.append(parent)
    return ""


def _dutch(literals: Iterable[Node]) -> list[str]:
    """Dutch labels first (nl, nl-NL, ...), then untagged ones; other languages ignored."""
    from rdflib import Literal as RdfLiteral

    dutch: list[str] = []
    untagged: list[str] = []
    for lit in literals:
        if not isinstance(lit, RdfLiteral):
            continue
        text = " ".join(str(lit).split())
        lang = (lit.language or "").lower()
        if lang == "nl" or lang.startswith("nl-"):
            dutch.append(text)
        elif not lang:
            untagged.append(text)
    return sorted(t for t in dutch if t) + sorted(t for t in untagged if t)


# -- shared ----------------------------------------------------------------------------------------


def slug_from_uri(uri: str) -> str:
    """A register key from the last segment of a URI (lowercase, `[a-z0-9-]`)."""
    tail = re.split(r"[/#]", uri.rstrip("/#"))[-1]
    return _SLUG_JUNK.sub("-", tail.lower()).strip("-") or "beroep"


def _free_key(base: str, taken: set[str]) -> str:
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def _unique(items: Iterable[str], exclude: str = "") -> tuple[str, ...]:
    seen = {exclude.casefold()} if exclude else set()
    out: list[str] = []
    for item in items:
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            out.append(item)
    return tuple(out)
