# SPDX-License-Identifier: EUPL-1.2
"""The code lists (waardelijsten) of gegevensstandaard 1.5: one source of truth for enums, validation and labels."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

C = TypeVar("C", int, str)


@dataclass(frozen=True, eq=False)
class CodeList(Generic[C]):
    """A code list: wire codes with their Dutch labels, usable as pydantic ``Annotated`` metadata.

    ``Annotated[int, INDICATIE]`` validates strictly (no booleans, floats or numeric strings, as
    the contracts' JSON types demand), checks membership in Rust, and emits ``enum`` in the JSON
    Schema. The labels feed the portal's drop-downs and the human-readable output.
    """

    name: str
    codes: Mapping[C, str]
    description: str = ""
    _values: tuple[C, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_values", tuple(self.codes))

    @property
    def values(self) -> tuple[C, ...]:
        return self._values

    @property
    def is_text(self) -> bool:
        return isinstance(self._values[0], str)

    def label(self, code: C) -> str:
        """The Dutch label of ``code``; the code itself when unknown (never raise while displaying)."""
        return self.codes.get(code, str(code))

    def choices(self) -> list[tuple[C, str]]:
        """(code, label) pairs in the published order, for drop-downs."""
        return list(self.codes.items())

    def subset(self, name: str, *codes: C) -> CodeList[C]:
        """A narrower list (e.g. the values a query may use) that keeps this list's labels."""
        return CodeList(name, {c: self.codes[c] for c in codes}, self.description)

    def __contains__(self, code: object) -> bool:
        return code in self.codes

    def __iter__(self) -> Iterator[C]:
        return iter(self._values)

    # -- pydantic integration -------------------------------------------------------------
    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        base = (
            core_schema.str_schema(strict=True)
            if self.is_text
            else core_schema.int_schema(strict=True)
        )
        return core_schema.chain_schema([base, core_schema.literal_schema(list(self._values))])

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string" if self.is_text else "integer",
            "enum": list(self._values),
            "description": self.description or self.name,
            "x-labels": {str(k): v for k, v in self.codes.items()},
        }


def _list(name: str, description: str, codes: Mapping[C, str]) -> CodeList[C]:
    return CodeList(name, dict(codes), description)


INDICATIE = _list("Indicatie", "Ja/nee/onbekend-indicatie", {0: "Onbekend", 1: "Ja", 2: "Nee"})
JA_NEE = _list("JaNee", "Ja/nee-indicatie", {1: "Ja", 2: "Nee"})
INDICATIE_DIPLOMA = _list(
    "IndicatieDiploma",
    "Diploma, getuigschrift of (deel)certificaat behaald",
    {0: "Onbekend", 1: "Ja", 2: "Nee", 8: "Niet van toepassing"},
)
_WERK_EN_DENKNIVEAU_LABELS = {
    0: "Niet van toepassing",
    1: "Geen basisopleiding",
    2: "Basisniveau",
    3: "Vmbo-niveau",
    4: "Mbo/havo/vwo-niveau",
    5: "Hbo-niveau",
    6: "Wetenschappelijk onderwijs",
    7: "(Nog) niet bekend",
}
#: The profile carries the level as an integer, ...
WERK_EN_DENKNIVEAU = _list(
    "WerkEnDenkniveau", "Code werk- en denkniveau werkzoekende", _WERK_EN_DENKNIVEAU_LABELS
)
#: ... the vacancy as a one-character string (koppelvlak 3.0.0 keeps both).
WERK_EN_DENKNIVEAU_VACATURE = _list(
    "WerkEnDenkniveauMinimaal",
    "Code werk- en denkniveau minimaal (vacature)",
    {str(k): v for k, v in _WERK_EN_DENKNIVEAU_LABELS.items()},
)
TYPE_ARBEIDSCONTRACT = _list(
    "TypeArbeidscontract",
    "Code type arbeidscontract",
    {"B": "Bepaalde tijd", "O": "Onbepaalde tijd"},
)
TYPE_OVEREENKOMST = _list(
    "TypeOvereenkomst",
    "Code type overeenkomst",
    {
        "01": "Reguliere vacature",
        "02": "Leerbaan",
        "03": "Vrijwilligerswerk",
        "04": "Werkervaringsplaats",
    },
)
NIVEAU_OPLEIDING = _list(
    "NiveauOpleiding",
    "Code niveau opleiding",
    {
        1: "Basisonderwijs",
        2: "VMBO",
        3: "HAVO/VWO",
        4: "MBO",
        5: "HBO/Bachelor",
        6: "WO/Master",
        9: "Anders",
    },
)
STATUS_OPLEIDING = _list(
    "StatusOpleiding",
    "Code status opleiding",
    {0: "Onbekend", 1: "Succesvol afgerond", 2: "Afgebroken", 3: "Lopend"},
)
SOORT_RIJBEWIJS = _list(
    "SoortRijbewijs",
    "Code soort rijbewijs",
    {
        "A": "Zware motor met onbeperkt vermogen",
        "A1": "Lichte motor (125 cc, max. 11 kW)",
        "A2": "Middelzware motor (max. 35 kW)",
        "AM": "Bromfiets en snorfiets",
        "B": "Auto",
        "B+": "Auto met aanhangwagen (max. 4250 kg samen)",
        "C1": "Lichte vrachtwagen (max. 7500 kg)",
        "C": "Vrachtwagen",
        "D1": "Kleine bus (max. 16 zitplaatsen)",
        "D": "Bus",
        "BE": "Auto met aanhangwagen (max. 3500 kg samen)",
        "C1E": "Lichte vrachtwagen met aanhangwagen",
        "CE": "Vrachtwagen met aanhangwagen",
        "D1E": "Kleine bus met aanhangwagen",
        "DE": "Bus met aanhangwagen",
        "T": "Trekker",
    },
)
NIVEAU_TAALBEHEERSING = _list(
    "NiveauTaalbeheersing",
    "Code niveau taalbeheersing",
    {
        0: "Onbekend",
        1: "Geen beheersing",
        2: "Redelijk",
        3: "Goed",
        4: "Uitstekend",
        8: "Niet van toepassing",
    },
)
VERVOERMIDDEL = _list(
    "Vervoermiddel",
    "Code vervoermiddel",
    {1: "Auto", 2: "Bromfiets", 3: "Fiets", 4: "Motor", 5: "Openbaar vervoer", 9: "Anders"},
)
WEBADRES = _list(
    "Webadres",
    "Code webadres",
    {
        1: "Webadres werkzoekendeprofiel",
        2: "Webadres cv",
        3: "Webadres werkgever",
        4: "Webadres online sollicitatieformulier",
    },
)
SOLLICITATIEWIJZE = _list(
    "Sollicitatiewijze",
    "Code sollicitatiewijze",
    {
        "1": "Per post",
        "2": "Per telefoon",
        "3": "Per e-mail",
        "4": "Per online sollicitatieformulier",
    },
)

# The narrower value sets that a query (selectievraag) may use.
QUERY_INDICATIE = INDICATIE.subset("IndicatieSelectie", 1, 2)
QUERY_NIVEAU_TAALBEHEERSING = NIVEAU_TAALBEHEERSING.subset("NiveauTaalbeheersingSelectie", 2, 3, 4)
QUERY_WERK_EN_DENKNIVEAU_VANAF = WERK_EN_DENKNIVEAU_VACATURE.subset(
    "WerkEnDenkniveauSelectie", "1", "2", "3", "4", "5", "6"
)

ALL: dict[str, CodeList[Any]] = {
    cl.name: cl
    for cl in (
        INDICATIE,
        JA_NEE,
        INDICATIE_DIPLOMA,
        WERK_EN_DENKNIVEAU,
        WERK_EN_DENKNIVEAU_VACATURE,
        TYPE_ARBEIDSCONTRACT,
        TYPE_OVEREENKOMST,
        NIVEAU_OPLEIDING,
        STATUS_OPLEIDING,
        SOORT_RIJBEWIJS,
        NIVEAU_TAALBEHEERSING,
        VERVOERMIDDEL,
        WEBADRES,
        SOLLICITATIEWIJZE,
    )
}
