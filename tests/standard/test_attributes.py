# SPDX-License-Identifier: EUPL-1.2
"""The attribute flags agree with the models and the workbooks, and the summary is derived from them."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from vum.standard import Kind, MPVacatureMatch, MPWerkzoekendeMatch, Vacature, Werkzoekende
from vum.standard.attributes import ATTRIBUTES, strip_detail_only
from vum.standard.summary import summary_of

DETAIL: dict[Kind, type[BaseModel]] = {Kind.WERKZOEKENDE: Werkzoekende, Kind.VACATURE: Vacature}
SUMMARY: dict[Kind, type[BaseModel]] = {
    Kind.WERKZOEKENDE: MPWerkzoekendeMatch,
    Kind.VACATURE: MPVacatureMatch,
}


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def leaf_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    out: set[str] = set()
    for name, info in model.model_fields.items():
        nested = _models_in(info.annotation)
        if nested:
            for sub in nested:
                out |= leaf_paths(sub, f"{prefix}{name}.")
        else:
            out.add(prefix + name)
    return out


@pytest.mark.parametrize("kind", list(Kind))
def test_every_attribute_of_the_model_has_flags_and_vice_versa(kind: Kind) -> None:
    assert {a.path for a in ATTRIBUTES[kind]} == leaf_paths(DETAIL[kind])


@pytest.mark.parametrize("kind", list(Kind))
def test_summary_model_holds_exactly_what_the_flags_let_through(kind: Kind) -> None:
    # The summary model may also hold detail-only members (the contract allows them, e.g. the
    # vacancy's street), but never lacks a zoekprofiel member: deriving one loses nothing.
    zoek = {a.path for a in ATTRIBUTES[kind] if not a.detail_only}
    summary_paths = leaf_paths(SUMMARY[kind])
    assert zoek <= summary_paths
    extra = summary_paths - zoek
    flagged = {a.path: a for a in ATTRIBUTES[kind]}
    assert all(flagged[p].detail_only for p in extra), extra


def test_summary_of_a_vacancy_drops_contact_persons_and_street() -> None:
    vacancy = Vacature.model_validate(
        {
            "idVacature": "v-1",
            "nummerVacature": "N1",
            "naamVacature": "Heftruckchauffeur",
            "adres": {"postcode": "1315AB", "straatnaam": "Markt", "huisnummer": 1},
            "werkgever": {
                "handelsnaamOrganisatie": "Logistiek BV",
                "contactpersoon": [{"naamContactpersoonAfdeling": "P. de Vries"}],
            },
        }
    )
    summary = summary_of(vacancy).to_wire()
    assert summary == {
        "idVacature": "v-1",
        "naamVacature": "Heftruckchauffeur",
        "adres": {"postcode": "1315AB"},
        "werkgever": {"handelsnaamOrganisatie": "Logistiek BV"},
    }


def test_summary_of_a_profile_drops_personal_and_sensitive_members() -> None:
    record = {
        "idWerkzoekende": "w-1",
        "mobiliteit": {"bemiddelingspostcode": "1315AB"},
        "indicatieLdrRegistratie": 1,
        "persoonlijkePresentatie": "Ik ben ...",
        "emailadres": ["consulent@gemeente.nl"],
        "eisAanWerk": {"indicatieBegeleiding": 1},
        "werktijden": {"aantalWerkurenPerWeekMaximaal": 32},
    }
    assert strip_detail_only(Kind.WERKZOEKENDE, record) == {
        "idWerkzoekende": "w-1",
        "mobiliteit": {"bemiddelingspostcode": "1315AB"},
        "werktijden": {"aantalWerkurenPerWeekMaximaal": 32},
    }


def _workbook_rows(path: Path) -> list[dict[str, Any]]:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.load_workbook(path, data_only=True)
    try:
        rows = list(workbook["Attributen"].iter_rows(values_only=True))
    finally:
        workbook.close()
    header = [str(h).strip() if h else "" for h in rows[0]]
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if r[2]]


WORKBOOKS = {
    Kind.WERKZOEKENDE: "waardelijsten-werkzoekende-v1.5.xlsx",
    Kind.VACATURE: "waardelijsten-vacatures-v1.5.xlsx",
}


@pytest.mark.parametrize("kind", list(Kind))
def test_flags_agree_with_the_published_workbook(koppelvlak_dir: Path, kind: Kind) -> None:
    ours: dict[tuple[str, str], set[tuple[bool, str, str]]] = {}
    for a in ATTRIBUTES[kind]:
        ours.setdefault((a.entiteit, a.attribuut), set()).add((a.zoekbaar, a.profiel, a.note))
    checked = 0
    for row in _workbook_rows(koppelvlak_dir / WORKBOOKS[kind]):
        key = (str(row["Entiteit"]).strip(), str(row["Attribuut"]).strip())
        zoekbaar = str(row["Zoekbaar gegeven"]).strip() == "Ja"
        profiel = "detail" if "Detail" in str(row["Zoekprofiel/Detailprofiel"]) else "zoek"
        assert key in ours, f"workbook attribute {key} has no flags in vum.standard.attributes"
        for our_zoekbaar, our_profiel, note in ours[key]:
            assert our_zoekbaar == zoekbaar, key
            assert our_profiel == profiel or note, key  # a departure must say why
        checked += 1
    assert checked >= 45
