# SPDX-License-Identifier: EUPL-1.2
"""Realistic synthetic profiles and vacancies: register occupations, real postcodes, plausible correlations.

Deterministic for a (seed, reference date): the same arguments give the same records. Faker
(``nl_NL``) fills pools of names, companies and streets once; numpy's generator does the rest,
which keeps 200,000 records well inside a minute.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from vum.standard.kinds import Kind
from vum.synthetic import vocab

# Share of job seekers per ISCO major group at municipalities and UWV (entry-level jobs dominate).
_SEEKER_MAJOR_WEIGHT = {
    "1": 0.3,
    "2": 0.6,
    "3": 0.8,
    "4": 1.3,
    "5": 1.6,
    "6": 0.5,
    "7": 1.2,
    "8": 1.4,
    "9": 2.0,
    "0": 0.1,
}
_VACANCY_MAJOR_WEIGHT = {
    "1": 0.5,
    "2": 1.2,
    "3": 1.2,
    "4": 1.0,
    "5": 1.5,
    "6": 0.4,
    "7": 1.3,
    "8": 1.2,
    "9": 1.1,
    "0": 0.1,
}
# Letters of a six-character postcode; SA, SD and SS are not issued in the Netherlands.
_HOUR_RANGES = [h for h, _ in vocab.HOURS]
_HOUR_WEIGHTS = [w for _, w in vocab.HOURS]
_LETTERS = [
    a + b
    for a in "ABCDEFGHJKLMNPRSTVWXZ"
    for b in "ABCDEFGHJKLMNPRSTVWXZ"
    if a + b not in {"SA", "SD", "SS"}
]


@dataclass(frozen=True)
class _Occ:
    uri: str
    label: str
    isco: str
    skills: tuple[str, ...]
    neighbours: tuple[int, ...]


class Generator:
    """Makes records of one kind; use :func:`generate` unless you need the pools twice."""

    def __init__(self, seed: int, reference_date: dt.date) -> None:
        self.seed = seed
        self.today = reference_date
        # numpy draws the big vectors (occupations, postcodes); Python's generator the many
        # scalar draws per record, where it is an order of magnitude cheaper.
        self.rng = np.random.default_rng(seed)
        self.r = random.Random(seed)

    # -- pools, built once ---------------------------------------------------------------------
    @cached_property
    def occupations(self) -> list[_Occ]:
        from vum.register import load_builtin

        register = load_builtin()
        occs = sorted(register, key=lambda o: o.uri)
        index = {o.uri: i for i, o in enumerate(occs)}
        by_unit: dict[str, list[int]] = {}
        for i, o in enumerate(occs):
            by_unit.setdefault(o.isco, []).append(i)
        out = []
        for i, o in enumerate(occs):
            curated = [index[r.uri] for r in register.related_to(o) if r.uri in index]
            same = [j for j in by_unit.get(o.isco, []) if j != i]
            out.append(_Occ(o.uri, o.label, o.isco, o.skills, tuple(dict.fromkeys(curated + same))))
        return out

    def _occupation_weights(self, kind: Kind) -> np.ndarray[Any, np.dtype[np.float64]]:
        table = _SEEKER_MAJOR_WEIGHT if kind is Kind.WERKZOEKENDE else _VACANCY_MAJOR_WEIGHT
        w = np.array([table.get(o.isco[:1], 0.5) for o in self.occupations], dtype=np.float64)
        normalised: np.ndarray[Any, np.dtype[np.float64]] = w / w.sum()
        return normalised

    @cached_property
    def _faker_pools(self) -> dict[str, list[str]]:
        from faker import Faker

        fake = Faker("nl_NL")
        fake.seed_instance(self.seed)
        return {
            "names": [fake.name()[:35] for _ in range(600)],
            "companies": [fake.company()[:500] for _ in range(1500)],
            "streets": [s for s in (fake.street_name() for _ in range(1500)) if len(s) <= 24],
            "domains": [fake.domain_name() for _ in range(400)],
            "phones": [fake.phone_number()[:14] for _ in range(600)],
            "schools": ["ROC " + fake.city() for _ in range(60)]
            + ["Hogeschool " + fake.city() for _ in range(30)],
        }

    @cached_property
    def _postcodes(self) -> tuple[Any, Any]:
        from vum.geo import all_pc4, pc4_table

        codes, weights = all_pc4()
        table = pc4_table()
        places = dict(zip(table.pc4.tolist(), table.place, strict=True))
        return (codes, weights), places

    # -- small helpers ---------------------------------------------------------------------------
    def _pick(self, seq: Sequence[Any]) -> Any:
        return seq[self.r.randrange(len(seq))]

    def _weighted(self, values: Sequence[Any], weights: Sequence[float]) -> Any:
        return self.r.choices(values, weights=weights)[0]

    def _int(self, low: int, high: int) -> int:
        """A whole number in [low, high)."""
        return self.r.randrange(low, high)

    def _chance(self, p: float) -> bool:
        return self.r.random() < p

    def _id(self) -> str:
        return f"{self.r.getrandbits(128):032x}"

    def _date(self, start_days: int, end_days: int) -> str:
        offset = self.r.randint(start_days, end_days)
        return (self.today + dt.timedelta(days=offset)).isoformat()

    def _postcode(self, pc4: int) -> str:
        return f"{pc4}{self._pick(_LETTERS)}"

    def _hours(self) -> tuple[int, int]:
        lo, hi = self._weighted(_HOUR_RANGES, _HOUR_WEIGHTS)
        return int(lo), int(hi)

    def _education(self, occ: _Occ) -> int:
        levels, weights = vocab.EDUCATION_BY_MAJOR.get(occ.isco[:1], ((2, 4), (0.5, 0.5)))
        return int(self._weighted(levels, weights))

    def _licences(self, occ: _Occ) -> list[str]:
        held = list(vocab.LICENCES_BY_ISCO.get(occ.isco, ()))
        if not held and self._chance(0.62):
            held.append("B")
        if "B" in held and self._chance(0.15):
            held.append("BE")
        if self._chance(0.08):
            held.append("AM")
        return list(dict.fromkeys(held))

    def _languages(self, detailed: bool) -> list[dict[str, Any]]:
        out = [
            {
                "codeTaal": "nld",
                "codeNiveauTaalbeheersingMondeling": int(
                    self._weighted([2, 3, 4], [0.2, 0.4, 0.4])
                ),
                "codeNiveauTaalbeheersingSchriftelijk": int(
                    self._weighted([2, 3, 4], [0.3, 0.4, 0.3])
                ),
            }
        ]
        for code, p in vocab.LANGUAGES:
            if self._chance(p):
                out.append({"codeTaal": code, "codeNiveauTaalbeheersingMondeling": self._int(2, 5)})
        if detailed:
            for lang in out:
                lang["codeNiveauTaalbeheersingLezen"] = self._int(2, 5)
        return out

    def _sbi(self, occ: _Occ) -> int:
        return int(self._pick(vocab.SBI_BY_SUBMAJOR.get(occ.isco[:2], (82990,))))

    def _courses(self, occ: _Occ) -> list[dict[str, Any]]:
        names = [c for s in occ.skills for c in vocab.COURSES_BY_SKILL.get(s, ())]
        names = names or list(vocab.GENERIC_COURSES)
        return [{"naamCursus": self._pick(names), "indicatieCertificaat": 1}]

    # -- records -----------------------------------------------------------------------------------
    def records(self, kind: Kind, count: int) -> Iterator[dict[str, Any]]:
        (codes, weights), _ = self._postcodes
        occ_p = self._occupation_weights(kind)
        occ_idx = self.rng.choice(len(self.occupations), size=count, p=occ_p)
        pc4s = self.rng.choice(codes, size=count, p=weights)
        make = self._profile if kind is Kind.WERKZOEKENDE else self._vacancy
        for i in range(count):
            yield make(self.occupations[int(occ_idx[i])], int(pc4s[i]))

    def _profile(self, occ: _Occ, pc4: int) -> dict[str, Any]:
        pools = self._faker_pools
        _, places = self._postcodes
        wanted = [occ, *[self.occupations[j] for j in occ.neighbours[:6] if self._chance(0.35)][:2]]
        education = self._education(occ)
        lo, hi = self._hours()
        years = self._int(0, 25)
        r: dict[str, Any] = {
            "idWerkzoekende": self._id(),
            "mobiliteit": {"bemiddelingspostcode": self._postcode(pc4)},
            "bemiddelingsberoep": [{"codeBeroepsnaam": o.uri} for o in wanted],
        }
        if self._chance(0.75):
            r["mobiliteit"]["maximaleReisafstand"] = int(self._pick([5, 10, 15, 20, 30, 50]))
        if self._chance(0.2):
            r["mobiliteit"]["maximaleReistijd"] = int(self._pick([20, 30, 45, 60]))
        amk: dict[str, Any] = {
            "codeWerkEnDenkniveauWerkzoekende": vocab.LEVEL_BY_EDUCATION[education],
            "taalbeheersing": self._languages(detailed=self._chance(0.3)),
        }
        if self._chance(0.85):
            amk["opleiding"] = [
                {
                    "codeNiveauOpleiding": education,
                    "indicatieDiploma": int(self._weighted([1, 2, 0], [0.7, 0.2, 0.1])),
                    "codeStatusOpleiding": int(self._weighted([1, 2, 3], [0.75, 0.15, 0.1])),
                    "naamOpleidingsinstituut": self._pick(pools["schools"]),
                }
            ]
        licences = self._licences(occ)
        if licences:
            amk["rijbewijs"] = [{"codeSoortRijbewijs": c} for c in licences]
        if years and self._chance(0.8):
            start = self.today - dt.timedelta(days=365 * years)
            amk["werkervaring"] = [
                {
                    "beroep": {"codeBeroepsnaam": occ.uri},
                    "naamOrganisatie": self._pick(pools["companies"])[:70],
                    "datumAanvangWerkzaamheden": start.isoformat(),
                    "datumEindeWerkzaamheden": self._date(-400, -30),
                    "toelichtingWerkervaring": f"Gewerkt als {occ.label.lower()}: "
                    + ", ".join(occ.skills[:3])
                    + ".",
                }
            ]
        if self._chance(0.4):
            amk["cursus"] = self._courses(occ)
        if self._chance(0.35):
            amk["interesse"] = [{"naamInteresse": self._pick(self.occupations).label[:120]}]
        r["arbeidsmarktkwalificatie"] = amk
        if self._chance(0.8):
            r["contractvorm"] = [
                {"codeTypeArbeidscontract": c} for c in (["O", "B"] if self._chance(0.5) else ["O"])
            ]
        if self._chance(0.85):
            r["werktijden"] = {
                "aantalWerkurenPerWeekMinimaal": lo,
                "aantalWerkurenPerWeekMaximaal": hi,
                "indicatieKantoortijden": int(self._pick([0, 1, 2])),
            }
        if self._chance(0.8):
            r["flexibiliteit"] = {
                "datumAanvangBeschikbaarVoorWerk": self._date(-60, 90),
                "indicatieOnregelmatigWerkOfPloegendienst": int(
                    self._weighted([0, 1, 2], [0.2, 0.45, 0.35])
                ),
            }
        transport = (
            [{"codeVervoermiddel": 1, "indicatieBeschikbaarVoorWoonWerkverkeer": 1}]
            if ("B" in licences and self._chance(0.7))
            else []
        )
        transport.append(
            {
                "codeVervoermiddel": int(self._weighted([3, 5, 2], [0.5, 0.4, 0.1])),
                "indicatieBeschikbaarVoorWoonWerkverkeer": 1,
            }
        )
        r["vervoermiddel"] = transport
        if self._chance(0.5):
            r["sector"] = [{"codeSbi": self._sbi(occ)}]
        has_contact = self._chance(0.9)
        r["indicatieBeschikbaarheidContactgegevens"] = 1 if has_contact else 2
        if has_contact:
            # VUM: the contact is the consultant at the municipality, not the job seeker.
            name = self._pick(pools["names"])
            r["contactpersoon"] = [
                {
                    "naamContactpersoonAfdeling": name,
                    "emailadres": f"werkcoach{self._int(1, 400)}@{self._pick(pools['domains'])}",
                    "telefoonnummer": self._pick(pools["phones"]),
                }
            ]
        if self._chance(0.3):
            r["eisAanWerk"] = {
                "indicatieBegeleiding": int(self._pick([1, 2])),
                "indicatieAanpassingWerkomgeving": int(self._pick([1, 2])),
            }
        if self._chance(0.7):
            r["indicatieLdrRegistratie"] = 1 if self._chance(0.1) else 2
        if self._chance(0.6):
            r["persoonlijkePresentatie"] = self._pick(vocab.PRESENTATIONS).format(
                label_lc=occ.label.lower(),
                years=max(years, 1),
                place=places.get(pc4, "de buurt"),
                hours=f"{lo}-{hi}",
            )
        if self._chance(0.15):
            r["webadres"] = [
                {
                    "codeWebadres": 2,
                    "url": f"https://{self._pick(pools['domains'])}/cv/{self._id()[:8]}",
                }
            ]
        return r

    def _vacancy(self, occ: _Occ, pc4: int) -> dict[str, Any]:
        pools = self._faker_pools
        _, places = self._postcodes
        place = places.get(pc4, "")
        employer = self._pick(pools["companies"])
        lo, hi = self._hours()
        education = self._education(occ)
        agreement = str(self._weighted(["01", "02", "03", "04"], [0.86, 0.06, 0.04, 0.04]))
        skills = ", ".join(occ.skills[:4]) or occ.label.lower()
        text = " ".join(
            [
                self._pick(vocab.VACANCY_INTROS).format(
                    label_lc=occ.label.lower(), place=place, employer=employer, hours=f"{lo}-{hi}"
                ),
                self._pick(vocab.VACANCY_TASKS).format(skills=skills),
                self._pick(vocab.VACANCY_OFFERS),
            ]
        )
        r: dict[str, Any] = {
            "idVacature": self._id(),
            "nummerVacature": f"V{self._int(10**6, 10**7)}",
            "naamVacature": occ.label[:120],
            "omschrijvingVacature": text[:2000],
            "adres": {
                "postcode": self._postcode(pc4),
                "straatnaam": self._pick(pools["streets"]),
                "huisnummer": self._int(1, 250),
            },
            "beroep": {"codeBeroepsnaam": occ.uri},
            "codeWerkEnDenkniveauMinimaal": str(
                vocab.LEVEL_BY_EDUCATION[education] if self._chance(0.85) else 7
            ),
            "werkgever": {
                "handelsnaamOrganisatie": employer,
                "sector": [{"codeSbi": self._sbi(occ)}],
                "webadres": [
                    {"codeWebadres": 3, "url": f"https://www.{self._pick(pools['domains'])}"}
                ],
                "contactpersoon": [
                    {
                        "naamContactpersoonAfdeling": self._pick(pools["names"]),
                        "telefoonnummer": [self._pick(pools["phones"])],
                    }
                ],
            },
            "arbeidsVoorwaarden": {
                "datumAanvangWerkzaamheden": self._date(0, 60),
                "salarisIndicatie": self._pick(vocab.SALARIES),
            },
            "contractvorm": [
                {
                    "codeTypeArbeidscontract": "O" if self._chance(0.35) else "B",
                    "codeTypeOvereenkomst": agreement,
                }
            ],
            "werktijden": {
                "aantalWerkurenPerWeekMinimaal": lo,
                "aantalWerkurenPerWeekMaximaal": hi,
                "indicatieKantoortijden": int(self._pick([1, 2])),
            },
            "sluitingsdatumVacature": self._date(14, 75),
            "sollicitatiewijze": [
                {
                    "codeSollicitatiewijze": "4",
                    "webadres": {
                        "codeWebadres": 4,
                        "url": f"https://werken.{self._pick(pools['domains'])}/{self._id()[:10]}",
                    },
                }
            ],
        }
        if self._chance(0.25):
            r["arbeidsVoorwaarden"]["datumEindeWerkzaamheden"] = self._date(180, 400)
        if self._chance(0.5):
            r["arbeidsVoorwaarden"]["omschrijvingArbeidsvoorwaarden"] = self._pick(
                vocab.VACANCY_OFFERS
            )
        licences = list(vocab.LICENCES_BY_ISCO.get(occ.isco, ()))
        if licences:
            r["rijbewijs"] = [{"codeSoortRijbewijs": c} for c in licences]
        if self._chance(0.6):
            r["taalbeheersing"] = [
                {
                    "codeTaal": "nld",
                    "codeNiveauTaalbeheersingMondeling": int(
                        self._weighted([2, 3, 4], [0.4, 0.4, 0.2])
                    ),
                }
            ]
            if self._chance(0.2):
                r["taalbeheersing"].append(
                    {"codeTaal": "eng", "codeNiveauTaalbeheersingMondeling": 3}
                )
        if self._chance(0.6):
            r["opleiding"] = [{"codeNiveauOpleiding": education, "indicatieDiploma": 1}]
        if self._chance(0.3):
            r["cursus"] = self._courses(occ)
        if self._chance(0.5):
            r["werkervaring"] = [{"aantalJarenWerkzaamInBeroep": self._int(0, 6)}]
        if self._chance(0.5):
            r["flexibiliteit"] = {
                "indicatieOnregelmatigWerkOfPloegendienst": int(self._pick([1, 2]))
            }
        if self._chance(0.1):
            r["vervoermiddel"] = [
                {"codeVervoermiddel": 1, "indicatieBeschikbaarVoorUitvoeringWerk": 1}
            ]
        if self._chance(0.6):
            r["sector"] = {"codeSbi": r["werkgever"]["sector"][0]["codeSbi"]}
        return r


def generate(
    kind: Kind, count: int, seed: int = 1, reference_date: dt.date | None = None
) -> Iterator[dict[str, Any]]:
    """``count`` records of ``kind`` as wire JSON; deterministic for (seed, reference_date)."""
    gen = Generator(seed, reference_date or DEFAULT_REFERENCE_DATE)
    return gen.records(kind, count)


#: Dates in generated records are relative to this day unless another is given (determinism).
DEFAULT_REFERENCE_DATE = dt.date(2026, 12, 1)
