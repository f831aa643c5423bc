# SPDX-License-Identifier: EUPL-1.2
"""Summaries and details as a mediator reads them: Dutch labels, "onbekend" for empty fields, the "waarom".

Pilot findings 6 and 7: the first answer must show employer and location (vacancies), transport
and licences (profiles), hours, contract, education level and languages, plus distance; an
empty field is shown as unknown rather than hidden, so half-empty results are visible as such.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vum.portal.criteria import LANGUAGES
from vum.standard import codelists as cl
from vum.standard.kinds import Kind

if TYPE_CHECKING:
    from vum.register import Register

UNKNOWN = None  # a field without a value; templates show "onbekend"


@dataclass(frozen=True)
class Reason:
    """One line of the "waarom": met (True), not met (False) or a score part (None)."""

    met: bool | None
    text: str
    points: float


@dataclass(frozen=True)
class ResultView:
    """One match as the results page shows it."""

    position: int
    title: str
    score: float | None
    distance_km: float | None
    source: str
    source_name: str
    fields: list[tuple[str, str | None]]
    met: list[Reason]
    unmet: list[Reason]
    parts: list[Reason]


def fingerprint(summary: Mapping[str, Any]) -> str:
    """SHA-256 of the summary's canonical JSON without its vumID: the record, across queries."""
    body = {k: v for k, v in summary.items() if k != "vumID"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _place(postcode: str | None) -> str | None:
    if not postcode:
        return None
    try:
        from vum.geo import gemeente_of

        return f"{gemeente_of(postcode).name} ({postcode[:4]})"
    except Exception:  # an unknown PC4 still shows the postcode
        return postcode


def _occupations(register: Register, uris: Sequence[str]) -> str | None:
    labels = []
    for uri in uris:
        occupation = register.get(uri)
        labels.append(occupation.label if occupation else uri.rsplit("/", 1)[-1])
    return ", ".join(labels) or None


def _hours(werktijden: Mapping[str, Any] | None) -> str | None:
    if not werktijden:
        return None
    low, high = (
        werktijden.get("aantalWerkurenPerWeekMinimaal"),
        werktijden.get("aantalWerkurenPerWeekMaximaal"),
    )
    if low is None and high is None:
        return None
    if low is not None and high is not None and low != high:
        return f"{low}–{high} uur per week"
    return f"{high if high is not None else low} uur per week"


def _languages(items: Sequence[Mapping[str, Any]] | None) -> str | None:
    out = []
    for item in items or []:
        name = LANGUAGES.get(item.get("codeTaal", ""), item.get("codeTaal", "?"))
        levels = []
        if item.get("codeNiveauTaalbeheersingMondeling") is not None:
            oral = cl.NIVEAU_TAALBEHEERSING.label(item["codeNiveauTaalbeheersingMondeling"])
            levels.append(f"mondeling {oral.lower()}")
        if item.get("codeNiveauTaalbeheersingSchriftelijk") is not None:
            written = cl.NIVEAU_TAALBEHEERSING.label(item["codeNiveauTaalbeheersingSchriftelijk"])
            levels.append(f"schriftelijk {written.lower()}")
        out.append(f"{name} ({', '.join(levels)})" if levels else name)
    return "; ".join(out) or None


def _contracts(items: Sequence[Mapping[str, Any]] | None) -> str | None:
    out = []
    for item in items or []:
        parts = []
        if item.get("codeTypeArbeidscontract"):
            parts.append(cl.TYPE_ARBEIDSCONTRACT.label(item["codeTypeArbeidscontract"]).lower())
        if item.get("codeTypeOvereenkomst"):
            parts.append(cl.TYPE_OVEREENKOMST.label(item["codeTypeOvereenkomst"]).lower())
        if parts:
            out.append(", ".join(parts))
    text = "; ".join(dict.fromkeys(out))
    return text[:1].upper() + text[1:] if text else None


def _licences(items: Sequence[Mapping[str, Any]] | None) -> str | None:
    codes = [i.get("codeSoortRijbewijs") for i in items or [] if i.get("codeSoortRijbewijs")]
    return ", ".join(str(c) for c in codes) or None


def _transport(items: Sequence[Mapping[str, Any]] | None) -> str | None:
    names = [
        cl.VERVOERMIDDEL.label(i["codeVervoermiddel"]).lower()
        for i in items or []
        if i.get("codeVervoermiddel") is not None
    ]
    text = ", ".join(dict.fromkeys(names))
    return text[:1].upper() + text[1:] if text else None


def _education(items: Sequence[Mapping[str, Any]] | None) -> str | None:
    levels = [i["codeNiveauOpleiding"] for i in items or [] if i.get("codeNiveauOpleiding")]
    known = [lvl for lvl in levels if lvl != 9]
    if not levels:
        return None
    best = max(known) if known else levels[0]
    return cl.NIVEAU_OPLEIDING.label(best)


def _date(value: Any) -> str | None:
    if not value:
        return None
    text = str(value)
    return f"{text[8:10]}-{text[5:7]}-{text[:4]}" if len(text) == 10 else text


def title_of(kind: Kind, summary: Mapping[str, Any], register: Register) -> str:
    if kind is Kind.VACATURE:
        name = summary.get("naamVacature")
        if name:
            return str(name)
        uri = (summary.get("beroep") or {}).get("codeBeroepsnaam")
        return _occupations(register, [uri] if uri else []) or "Vacature zonder naam"
    uris = [b.get("codeBeroepsnaam") for b in summary.get("bemiddelingsberoep") or []]
    return _occupations(register, [u for u in uris if u]) or "Werkzoekende zonder beroep"


def fields_of(
    kind: Kind, summary: Mapping[str, Any], register: Register
) -> list[tuple[str, str | None]]:
    """The first-answer fields, in a fixed order; None where the source left one empty."""
    if kind is Kind.VACATURE:
        employer = summary.get("werkgever") or {}
        occupation = (summary.get("beroep") or {}).get("codeBeroepsnaam")
        level = summary.get("codeWerkEnDenkniveauMinimaal")
        terms = summary.get("arbeidsVoorwaarden") or {}
        return [
            ("Werkgever", employer.get("handelsnaamOrganisatie")),
            ("Plaats", _place((summary.get("adres") or {}).get("postcode"))),
            ("Beroep", _occupations(register, [occupation] if occupation else [])),
            ("Uren", _hours(summary.get("werktijden"))),
            ("Contract", _contracts(summary.get("contractvorm"))),
            ("Werk- en denkniveau", cl.WERK_EN_DENKNIVEAU_VACATURE.label(level) if level else None),
            ("Talen", _languages(summary.get("taalbeheersing"))),
            ("Rijbewijs", _licences(summary.get("rijbewijs"))),
            ("Start", _date(terms.get("datumAanvangWerkzaamheden"))),
            ("Sluitingsdatum", _date(summary.get("sluitingsdatumVacature"))),
            ("Salaris", terms.get("salarisIndicatie")),
        ]
    mobility = summary.get("mobiliteit") or {}
    qualification = summary.get("arbeidsmarktkwalificatie") or {}
    level = qualification.get("codeWerkEnDenkniveauWerkzoekende")
    reach = mobility.get("maximaleReisafstand")
    return [
        ("Woonplaats", _place(mobility.get("bemiddelingspostcode"))),
        ("Reisafstand", f"tot {reach} km" if reach else None),
        ("Vervoer", _transport(summary.get("vervoermiddel"))),
        ("Rijbewijs", _licences(qualification.get("rijbewijs"))),
        ("Uren", _hours(summary.get("werktijden"))),
        ("Contract", _contracts(summary.get("contractvorm"))),
        ("Werk- en denkniveau", cl.WERK_EN_DENKNIVEAU.label(level) if level else None),
        ("Opleiding", _education(qualification.get("opleiding"))),
        ("Talen", _languages(qualification.get("taalbeheersing"))),
        (
            "Beschikbaar vanaf",
            _date((summary.get("flexibiliteit") or {}).get("datumAanvangBeschikbaarVoorWerk")),
        ),
    ]


def results(
    kind: Kind, answer: Mapping[str, Any], register: Register, *, start: int = 0, count: int = 25
) -> list[ResultView]:
    """A page of the stored answer's matches, best first, as views."""
    names = {s.get("oin"): s.get("naam") or s.get("oin") for s in answer.get("bronnen") or []}
    matches = answer.get("matches") or []
    ranking = answer.get("ranking") or []
    out = []
    for position in range(start, min(start + count, len(matches))):
        summary = matches[position]
        rank = ranking[position] if position < len(ranking) else {}
        reasons = [
            Reason(u.get("voldaan"), str(u.get("toelichting", "")), float(u.get("punten") or 0))
            for u in rank.get("uitleg") or []
        ]
        source = str(rank.get("bron") or "")
        out.append(
            ResultView(
                position=position,
                title=title_of(kind, summary, register),
                score=rank.get("score"),
                distance_km=rank.get("afstandKm"),
                source=source,
                source_name=str(names.get(source) or source or "onbekende bron"),
                fields=fields_of(kind, summary, register),
                met=[r for r in reasons if r.met is True],
                unmet=[r for r in reasons if r.met is False],
                parts=[r for r in reasons if r.met is None],
            )
        )
    return out


def shortlist_label(kind: Kind, summary: Mapping[str, Any], register: Register) -> str:
    """A short, pseudonymous description kept with a shortlist item (no names, no contact data)."""
    fields = dict(fields_of(kind, summary, register))
    where = fields.get("Plaats") if kind is Kind.VACATURE else fields.get("Woonplaats")
    parts = [title_of(kind, summary, register)]
    if kind is Kind.VACATURE and fields.get("Werkgever"):
        parts.append(str(fields["Werkgever"]))
    parts += [str(v) for v in (where, fields.get("Uren")) if v]
    return " · ".join(parts)


#: Sections of a detail page: (heading, [(label, value)]), derived from the record.
def detail_sections(
    kind: Kind, record: Mapping[str, Any], register: Register
) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The detail as labelled sections: the first-answer fields, then what only a detail holds."""
    sections: list[tuple[str, list[tuple[str, str | None]]]] = [
        ("Samenvatting", fields_of(kind, record, register))
    ]
    if kind is Kind.VACATURE:
        employer = record.get("werkgever") or {}
        address = record.get("adres") or {}
        street = " ".join(
            str(x)
            for x in (
                address.get("straatnaam"),
                address.get("huisnummer"),
                address.get("huisnummertoevoeging"),
            )
            if x
        )
        contacts = employer.get("contactpersoon") or []
        sections.append(
            (
                "Vacature",
                [
                    ("Nummer", record.get("nummerVacature")),
                    ("Omschrijving", record.get("omschrijvingVacature")),
                    ("Adres", street or None),
                    (
                        "Arbeidsvoorwaarden",
                        (record.get("arbeidsVoorwaarden") or {}).get(
                            "omschrijvingArbeidsvoorwaarden"
                        ),
                    ),
                    ("Contactpersoon", _contacts(contacts)),
                ],
            )
        )
    else:
        qualification = record.get("arbeidsmarktkwalificatie") or {}
        interests = [i.get("naamInteresse") for i in qualification.get("interesse") or []]
        sections.append(
            (
                "Profiel",
                [
                    ("Persoonlijke presentatie", record.get("persoonlijkePresentatie")),
                    ("Interesses", ", ".join(i for i in interests if i) or None),
                    ("Contactpersoon (consulent)", _contacts(record.get("contactpersoon") or [])),
                ],
            )
        )
    return sections


def _contacts(items: Sequence[Mapping[str, Any]]) -> str | None:
    out = []
    for item in items:
        phone = item.get("telefoonnummer")
        if isinstance(phone, list):
            phone = ", ".join(str(p) for p in phone)
        parts = [item.get("naamContactpersoonAfdeling"), item.get("emailadres"), phone]
        out.append(", ".join(str(p) for p in parts if p))
    return "; ".join(o for o in out if o) or None
