# SPDX-License-Identifier: EUPL-1.2
"""The search form to a vraagObject: must-haves, nice-to-haves, several occupations, free text; CSV cells."""

from __future__ import annotations

from vum.matching.extensions import parse_extensions
from vum.portal.criteria import SearchForm
from vum.portal.export import safe_cell, to_csv
from vum.standard import Kind, parse_query

HEFTRUCK = "https://data.openvum.nl/id/beroep/heftruckchauffeur"
REACHTRUCK = "https://data.openvum.nl/id/beroep/reachtruckchauffeur"


def test_must_haves_filter_and_nice_to_haves_only_rank() -> None:
    form, errors = SearchForm.parse(
        {
            "kind": ["werkzoekende"],
            "postcode": ["1315 ab"],
            "radius": ["40"],
            "occupation": [HEFTRUCK, REACHTRUCK],
            "licence": ["B", "C", "XX"],
            "pref_licences": ["wens"],
            "hours_min": ["24"],
            "contract": ["O"],
            "lang": ["nld", ""],
            "lang_oral": ["3", ""],
            "lang_written": ["", ""],
            "text": ["koelcel"],
            "available_by": ["2026-12-01"],
        }
    )
    assert errors == {}
    query = parse_query(Kind.WERKZOEKENDE, form.vraag())
    assert (query.postcode, query.radius_km) == ("1315AB", 40)
    assert query.occupations == (HEFTRUCK, REACHTRUCK) and query.contract_types == ("O",)
    assert query.licences == () and query.hours_min == 24
    assert query.languages[0].code == "nld" and query.languages[0].oral == 3
    assert query.available_by == "2026-12-01"
    extensions = parse_extensions(query)
    assert extensions.text == "koelcel"
    assert extensions.wishes is not None and extensions.wishes.licences == ("B", "C")
    assert SearchForm.from_dict(form.to_dict()) == form


def test_a_vacancy_search_sends_extra_occupations_as_an_extension() -> None:
    form, _ = SearchForm.parse(
        {
            "kind": ["vacature"],
            "postcode": ["1315AB"],
            "occupation": [HEFTRUCK, REACHTRUCK],
            "level_from": ["3"],
            "starts_from": ["2026-12-01"],
            "contract": ["O"],
        }
    )
    vraag = form.vraag()
    query = parse_query(Kind.VACATURE, vraag)
    assert query.occupations == (HEFTRUCK,) and query.level_from == "3"
    assert query.contract_types == ()  # not a vacancy criterion in the contract
    assert parse_extensions(query).occupations == (REACHTRUCK,)


def test_the_form_reports_what_is_wrong_by_field() -> None:
    _, errors = SearchForm.parse(
        {
            "postcode": ["13"],
            "hours_min": ["40"],
            "hours_max": ["20"],
            "available_by": ["morgen"],
            "radius": ["0"],
        }
    )
    assert set(errors) == {"postcode", "hours_max", "available_by", "radius"}
    assert SearchForm.parse({})[1]["postcode"].startswith("Vul een postcode in")


def test_csv_cells_that_a_spreadsheet_would_run_are_defused() -> None:
    for text in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("Heftruck") == "Heftruck" and safe_cell(None) == ""
    assert to_csv(["a"], [["=x"]]).endswith("'=x\r\n")
