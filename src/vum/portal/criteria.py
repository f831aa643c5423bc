# SPDX-License-Identifier: EUPL-1.2
"""The search form: every searchable criterion of the standard, each a must-have or a nice-to-have.

A form travels as plain field pairs (``params``): in the page's inputs, in links that widen a
search, and stored with a search or a saved search; :meth:`SearchForm.parse` is the one way
back. :meth:`SearchForm.vraag` writes the vraagObject: must-haves as the contract's criteria
(AND between criteria, OR within occupations and contract types, ALL for licences and
languages), nice-to-haves under ``x-openvum.wensen``, extra occupations of a vacancy search under
``x-openvum.beroepen`` and free text as ``$text`` (docs/engine.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vum.geo import PostcodeError, normalise_postcode
from vum.standard import codelists as cl
from vum.standard.kinds import Kind
from vum.standard.query import LanguageRequirement, Query

#: Criteria that may be a nice-to-have (``pref_<name>`` = ``wens``); the rest always filter.
WISHABLE = (
    "hours",
    "licences",
    "languages",
    "contracts",
    "irregular",
    "office_hours",
    "available_by",
    "starts_from",
    "level",
)
RADII = (5, 10, 15, 25, 40, 50, 75, 100, 150, 250)
DEFAULT_RADIUS = 25
#: Languages offered in the form (ISO 639-3, as the standard codes them).
LANGUAGES = {
    "nld": "Nederlands",
    "eng": "Engels",
    "deu": "Duits",
    "fra": "Frans",
    "spa": "Spaans",
    "pol": "Pools",
    "ron": "Roemeens",
    "bul": "Bulgaars",
    "ukr": "Oekraïens",
    "tur": "Turks",
    "ara": "Arabisch",
    "tir": "Tigrinya",
    "por": "Portugees",
}
#: Language rows in the form.
LANGUAGE_ROWS = 3
#: Profiles and vacancies by their form value.
KINDS = {Kind.WERKZOEKENDE.value: Kind.WERKZOEKENDE, Kind.VACATURE.value: Kind.VACATURE}
MAX_OCCUPATIONS = 20
MAX_TEXT = 200


@dataclass(frozen=True)
class Language:
    code: str
    oral: int | None = None
    written: int | None = None


@dataclass(frozen=True)
class SearchForm:
    """One search as the mediator filled it in."""

    kind: Kind = Kind.WERKZOEKENDE
    postcode: str = ""
    radius: int = DEFAULT_RADIUS
    occupations: tuple[str, ...] = ()
    text: str = ""
    hours_min: int | None = None
    hours_max: int | None = None
    licences: tuple[str, ...] = ()
    languages: tuple[Language, ...] = ()
    contracts: tuple[str, ...] = ()
    irregular: int | None = None
    office_hours: int | None = None
    available_by: str | None = None
    starts_from: str | None = None
    level_from: str | None = None
    wishes: frozenset[str] = field(default_factory=frozenset)

    # --- from and to form fields ---

    @classmethod
    def parse(cls, data: Mapping[str, Sequence[str]]) -> tuple[SearchForm, dict[str, str]]:
        """The form from field values (each a list, as a form posts them) and errors by field."""
        errors: dict[str, str] = {}

        def one(name: str) -> str:
            values = data.get(name) or [""]
            return str(values[0]).strip()

        def many(name: str) -> list[str]:
            return [str(v).strip() for v in data.get(name) or [] if str(v).strip()]

        kind = KINDS.get(one("kind"), Kind.WERKZOEKENDE)
        postcode = one("postcode").replace(" ", "").upper()
        if not postcode:
            errors["postcode"] = "Vul een postcode in, zoals 1315 AB."
        else:
            try:
                postcode = normalise_postcode(postcode)
            except PostcodeError:
                postcode = postcode[:7]
                errors["postcode"] = "Vul een geldige postcode in, zoals 1315 AB."
            else:
                if len(postcode) != 6:
                    errors["postcode"] = "Vul een volledige postcode in: cijfers en letters."
        radius = _int(one("radius"), DEFAULT_RADIUS)
        if radius is None or not 1 <= radius <= 999:
            errors["radius"] = "Kies een afstand tussen 1 en 999 km."
            radius = DEFAULT_RADIUS
        hours_min, hours_max = _int(one("hours_min")), _int(one("hours_max"))
        for name, value in (("hours_min", hours_min), ("hours_max", hours_max)):
            if value is not None and not 1 <= value <= 99:
                errors[name] = "Vul een aantal uren tussen 1 en 99 in."
        if hours_min and hours_max and hours_min > hours_max:
            errors["hours_max"] = "Het maximum aantal uren is kleiner dan het minimum."
        dates: dict[str, str | None] = {}
        for name in ("available_by", "starts_from"):
            text = one(name)
            dates[name] = text or None
            if text:
                try:
                    dt.date.fromisoformat(text)
                except ValueError:
                    errors[name] = "Vul een datum in als jjjj-mm-dd."
                    dates[name] = None
        # The language rows are aligned lists: lang, lang_oral and lang_written per row.
        languages = []
        orals, writtens = data.get("lang_oral") or [], data.get("lang_written") or []
        for i, code in enumerate(data.get("lang") or []):
            if str(code) not in LANGUAGES:
                continue
            oral = _int(str(orals[i]) if i < len(orals) else "")
            written = _int(str(writtens[i]) if i < len(writtens) else "")
            languages.append(
                Language(
                    str(code),
                    oral if oral in cl.QUERY_NIVEAU_TAALBEHEERSING else None,
                    written if written in cl.QUERY_NIVEAU_TAALBEHEERSING else None,
                )
            )
        text = one("text")
        if len(text) > MAX_TEXT:
            errors["text"] = f"Gebruik hoogstens {MAX_TEXT} tekens."
            text = text[:MAX_TEXT]
        level = one("level_from")
        form = cls(
            kind=kind,
            postcode=postcode,
            radius=radius,
            occupations=tuple(dict.fromkeys(u for u in many("occupation") if len(u) <= 200))[
                :MAX_OCCUPATIONS
            ],
            text=text,
            hours_min=hours_min if "hours_min" not in errors else None,
            hours_max=hours_max if "hours_max" not in errors else None,
            licences=tuple(dict.fromkeys(c for c in many("licence") if c in cl.SOORT_RIJBEWIJS)),
            languages=tuple(dict.fromkeys(languages)),
            contracts=tuple(
                dict.fromkeys(c for c in many("contract") if c in cl.TYPE_ARBEIDSCONTRACT)
            ),
            irregular=_indication(one("irregular")),
            office_hours=_indication(one("office_hours")),
            available_by=dates["available_by"],
            starts_from=dates["starts_from"],
            level_from=level if level in cl.QUERY_WERK_EN_DENKNIVEAU_VANAF else None,
            wishes=frozenset(w for w in WISHABLE if one(f"pref_{w}") == "wens"),
        )
        return form, errors

    def params(self) -> list[tuple[str, str]]:
        """The form as field pairs: for hidden inputs, links and storage (``parse`` reads them)."""
        out: list[tuple[str, str]] = [
            ("kind", self.kind.value),
            ("postcode", self.postcode),
            ("radius", str(self.radius)),
        ]
        out += [("occupation", u) for u in self.occupations]
        single = {
            "text": self.text,
            "hours_min": self.hours_min,
            "hours_max": self.hours_max,
            "irregular": self.irregular,
            "office_hours": self.office_hours,
            "available_by": self.available_by,
            "starts_from": self.starts_from,
            "level_from": self.level_from,
        }
        out += [(k, str(v)) for k, v in single.items() if v not in (None, "")]
        out += [("licence", c) for c in self.licences]
        out += [("contract", c) for c in self.contracts]
        for lang in self.languages:
            out += [
                ("lang", lang.code),
                ("lang_oral", str(lang.oral or "")),
                ("lang_written", str(lang.written or "")),
            ]
        out += [(f"pref_{w}", "wens") for w in WISHABLE if w in self.wishes]
        return out

    def to_dict(self) -> dict[str, list[str]]:
        """JSON for the store: field name -> values."""
        grouped: dict[str, list[str]] = {}
        for key, value in self.params():
            grouped.setdefault(key, []).append(value)
        return grouped

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SearchForm:
        form, _ = cls.parse({k: [str(x) for x in v] for k, v in data.items()})
        return form

    def replace(self, **changes: Any) -> SearchForm:
        return dataclasses.replace(self, **changes)

    # --- to the wire ---

    def _query(self, names: set[str]) -> Query:
        """A Query with only the criteria in ``names`` (the occupations travel separately)."""
        profiles = self.kind is Kind.WERKZOEKENDE
        hours = "hours" in names
        return Query(
            kind=self.kind,
            postcode=self.postcode,
            radius_km=self.radius,
            contract_types=self.contracts if profiles and "contracts" in names else (),
            irregular_hours=self.irregular if "irregular" in names else None,
            office_hours=self.office_hours if profiles and "office_hours" in names else None,
            licences=self.licences if "licences" in names else (),
            languages=tuple(
                LanguageRequirement(lang.code, lang.oral, lang.written) for lang in self.languages
            )
            if "languages" in names
            else (),
            available_by=self.available_by if profiles and "available_by" in names else None,
            starts_from=self.starts_from if not profiles and "starts_from" in names else None,
            hours_min=self.hours_min if hours else None,
            hours_max=self.hours_max if hours else None,
            level_from=self.level_from if not profiles and "level" in names else None,
            level_below="7" if not profiles and "level" in names and self.level_from else None,
        )

    def vraag(self) -> dict[str, Any]:
        """The vraagObject for the facility."""
        musts = set(WISHABLE) - self.wishes
        query = dataclasses.replace(self._query(musts), occupations=self.occupations)
        vraag = query.to_wire(with_extensions=False)
        extension: dict[str, Any] = {}
        if self.kind is Kind.VACATURE and len(self.occupations) > 1:
            # The vacancy contract allows one occupation; the others travel as an extension.
            extension["beroepen"] = list(self.occupations[1:])
        wishes = self._query(set(self.wishes)).to_wire(with_extensions=False)
        wishes.pop("selectiegebied")
        if wishes:
            extension["wensen"] = wishes
        if self.text:
            vraag["$text"] = {"$search": self.text}
        if extension:
            vraag["x-openvum"] = extension
        return vraag


def _int(text: str, default: int | None = None) -> int | None:
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        return None


def _indication(text: str) -> int | None:
    value = _int(text)
    return value if value in cl.QUERY_INDICATIE else None
