# SPDX-License-Identifier: EUPL-1.2
"""Tables behind the synthetic data: how occupations correlate with licences, education and sectors."""

from __future__ import annotations

# ISCO-08 unit group -> driving licences a holder of that job (nearly) always has.
LICENCES_BY_ISCO: dict[str, tuple[str, ...]] = {
    "8332": ("B", "C", "CE"),
    "8331": ("B", "D"),
    "8322": ("B",),
    "8321": ("AM", "B"),
    "8341": ("B", "T"),
    "8342": ("B", "C"),
    "8343": ("B",),
    "8344": ("B",),
    "8311": ("B",),
    "9621": ("AM",),
    "3256": ("B",),
}

# ISCO-08 major group (first digit) -> (codeNiveauOpleiding choices, weights).
EDUCATION_BY_MAJOR: dict[str, tuple[tuple[int, ...], tuple[float, ...]]] = {
    "1": ((4, 5, 6), (0.3, 0.45, 0.25)),
    "2": ((5, 6), (0.6, 0.4)),
    "3": ((4, 5), (0.7, 0.3)),
    "4": ((2, 3, 4, 5), (0.15, 0.15, 0.55, 0.15)),
    "5": ((1, 2, 4), (0.15, 0.35, 0.5)),
    "6": ((1, 2, 4), (0.25, 0.35, 0.4)),
    "7": ((2, 4), (0.35, 0.65)),
    "8": ((1, 2, 4), (0.25, 0.45, 0.3)),
    "9": ((1, 2, 4, 9), (0.45, 0.4, 0.1, 0.05)),
    "0": ((3, 4), (0.5, 0.5)),
}

# codeNiveauOpleiding -> code werk- en denkniveau (profile int / vacancy str share the codes).
LEVEL_BY_EDUCATION: dict[int, int] = {1: 2, 2: 3, 3: 4, 4: 4, 5: 5, 6: 6, 9: 7}

# ISCO-08 sub-major group (two digits) -> plausible SBI 2008 codes (5 digits) of the employer.
SBI_BY_SUBMAJOR: dict[str, tuple[int, ...]] = {
    "11": (84110, 70221),
    "12": (70221, 46900),
    "13": (41200, 49410, 86101),
    "14": (56101, 47111),
    "21": (71121, 72190),
    "22": (86101, 86221),
    "23": (85201, 85311, 85410),
    "24": (69201, 70221),
    "25": (62010, 62020),
    "26": (69101, 84110, 90011),
    "31": (71121, 28290),
    "32": (86101, 86912, 47730),
    "33": (69201, 64191, 66191),
    "34": (88991, 93130, 56101),
    "35": (62030, 61100),
    "41": (82110, 84110),
    "42": (64191, 82200),
    "43": (52100, 69203),
    "44": (53100, 82190),
    "51": (56101, 55101, 96021),
    "52": (47111, 47191, 47710),
    "53": (87101, 88101, 85201),
    "54": (80101, 84241),
    "61": (1130, 1410, 1610),
    "62": (3111, 2100),
    "71": (41200, 43320, 43910),
    "72": (25110, 28290, 45201),
    "73": (18129, 32120),
    "74": (43210, 43221, 33140),
    "75": (10110, 10711, 13100),
    "81": (22290, 20140, 10890),
    "82": (27110, 29320),
    "83": (49410, 49391, 52100),
    "91": (81211, 81221, 97000),
    "92": (1130, 81300),
    "93": (52100, 41200, 10890),
    "94": (56101, 56291),
    "95": (47810,),
    "96": (38110, 81292, 53200),
}

LANGUAGES: tuple[tuple[str, float], ...] = (
    ("eng", 0.45),
    ("deu", 0.12),
    ("tur", 0.05),
    ("ara", 0.05),
    ("pol", 0.05),
    ("fra", 0.04),
    ("spa", 0.03),
    ("pap", 0.02),
    ("tir", 0.02),
    ("ukr", 0.03),
)

# (minimum, maximum) hours per week and their frequency in job ads and profiles.
HOURS: tuple[tuple[tuple[int, int], float], ...] = (
    ((36, 40), 0.34),
    ((32, 40), 0.18),
    ((24, 32), 0.18),
    ((16, 24), 0.14),
    ((8, 16), 0.06),
    ((20, 36), 0.10),
)

COURSES_BY_SKILL: dict[str, tuple[str, ...]] = {
    "heftruck": ("Certificaat heftruckchauffeur", "Reachtruck certificaat"),
    "vca": ("VCA Basis", "VCA VOL"),
    "veiligheid": ("BHV", "VCA Basis"),
    "zorg": ("Medicatieveiligheid", "Reanimatie en AED"),
    "horeca": ("Sociale Hygiëne", "HACCP"),
    "beveiliging": ("Diploma Beveiliger 2", "BHV"),
    "transport": ("Code 95", "Digitale tachograaf"),
    "lassen": ("Lascertificaat MIG/MAG",),
    "elektrotechniek": ("NEN 3140 VOP", "NEN 1010"),
    "programmeren": ("Scrum Master I", "AWS Cloud Practitioner"),
}
GENERIC_COURSES: tuple[str, ...] = (
    "Nederlands als tweede taal (NT2) B1",
    "Digitale vaardigheden",
    "EHBO",
    "Klantgericht werken",
    "Excel basis",
    "Solliciteren met LinkedIn",
)

PRESENTATIONS: tuple[str, ...] = (
    "Ik ben een gemotiveerde {label_lc} met {years} jaar ervaring en zoek een baan waarin ik "
    "kan doorgroeien.",
    "Als {label_lc} werk ik graag in een team. Ik ben betrouwbaar, flexibel en altijd op tijd.",
    "Na een periode zonder werk wil ik graag weer aan de slag als {label_lc}, het liefst in de "
    "regio {place}.",
    "Ik heb ervaring als {label_lc} en wil me verder ontwikkelen. Ik leer snel en pak graag "
    "dingen aan.",
    "Praktisch ingesteld, zelfstandig en klantvriendelijk. Beschikbaar voor {hours} uur per week.",
)

VACANCY_INTROS: tuple[str, ...] = (
    "Voor onze vestiging in {place} zoeken wij een enthousiaste {label_lc}.",
    "{employer} is op zoek naar een {label_lc} die ons team komt versterken.",
    "Ben jij de {label_lc} die wij zoeken? Kom werken bij {employer} in {place}!",
    "Wegens drukte zoeken wij per direct een {label_lc} voor {hours} uur per week.",
)
VACANCY_TASKS = (
    "Je werkzaamheden bestaan onder meer uit {skills}.",
    "Je bent verantwoordelijk voor {skills}.",
    "In deze functie houd je je bezig met {skills}.",
)
VACANCY_OFFERS = (
    "Wij bieden een goed salaris, reiskostenvergoeding en ruimte voor opleiding.",
    "Je krijgt een contract voor een jaar met uitzicht op vast.",
    "Wij bieden een prettige werksfeer, 25 vakantiedagen en een pensioenregeling.",
    "Begeleiding op de werkvloer is vanzelfsprekend; ervaring is geen vereiste.",
)
SALARIES = (
    "€ 2.300 - € 2.700 bruto per maand",
    "€ 2.600 - € 3.200 bruto per maand",
    "€ 3.000 - € 3.900 bruto per maand",
    "€ 3.800 - € 5.200 bruto per maand",
    "Conform cao",
    "€ 14,50 per uur",
    "€ 16,75 per uur",
    "Marktconform",
)
