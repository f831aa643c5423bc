# SPDX-License-Identifier: EUPL-1.2
"""The packaged tables: 342 gemeenten, 35 regions, every PC4 in a gemeente, fast lazy loading."""

import re
import time

from vum.geo import arbeidsmarktregios, gemeenten, pc4_table
from vum.geo import tables as tables_module

PROVINCES = {
    "Groningen", "Fryslân", "Drenthe", "Overijssel", "Flevoland", "Gelderland", "Utrecht",
    "Noord-Holland", "Zuid-Holland", "Zeeland", "Noord-Brabant", "Limburg",
}  # fmt: skip


def test_exactly_342_gemeenten_with_cbs_codes() -> None:
    table = gemeenten()
    assert len(table) == 342
    assert all(re.fullmatch(r"GM\d{4}", code) for code in table)
    assert len({g.name for g in table.values()}) == 342
    assert {g.province for g in table.values()} == PROVINCES
    assert table["GM0363"].name == "Amsterdam"
    assert table["GM0518"].name == "'s-Gravenhage"
    assert table["GM1992"].name == "Voorne aan Zee"


def test_35_regions_partition_the_gemeenten() -> None:
    regios = arbeidsmarktregios()
    assert len(regios) == 35
    assert all(re.fullmatch(r"AM\d{2}", code) for code in regios)
    members = [code for r in regios.values() for code in r.gemeenten]
    assert len(members) == len(set(members)) == 342  # each gemeente in exactly one region
    assert set(members) == set(gemeenten())
    for regio in regios.values():
        assert regio.gemeenten, regio.name
        assert regio.centrumgemeente_code in regio.gemeenten, regio.name
        assert gemeenten()[regio.centrumgemeente_code].name == regio.centrumgemeente
    for gemeente in gemeenten().values():
        assert gemeente.regio_code in regios


def test_region_names() -> None:
    names = {r.name for r in arbeidsmarktregios().values()}
    for expected in ["Groot Amsterdam", "Flevoland", "Achterhoek", "Groningen", "Midden-Utrecht",
                     "Rijnmond", "Haaglanden", "Twente"]:  # fmt: skip
        assert expected in names


def test_every_pc4_lies_in_a_known_gemeente() -> None:
    table = pc4_table()
    known = gemeenten()
    assert len(table) > 4000
    assert all(code in known for code in table.gemeente_code)
    # And every gemeente has at least one PC4.
    assert set(table.gemeente_code) == set(known)


def test_pc4_table_shape() -> None:
    table = pc4_table()
    assert (table.pc4[1:] > table.pc4[:-1]).all()  # sorted, unique
    assert table.pc4.min() >= 1000 and table.pc4.max() <= 9999
    # Inside the Netherlands' bounding box (Rottumeroog to Eijsden, Cadzand to Nieuweschans).
    assert table.lat.min() > 50.7 and table.lat.max() < 53.6
    assert table.lon.min() > 3.3 and table.lon.max() < 7.3
    assert (table.weight >= 1).all()
    assert not table.lat.flags.writeable
    assert table.row_of(1012) is not None and table.row_of(999) is None


def test_tables_are_cached() -> None:
    assert pc4_table() is pc4_table()
    assert gemeenten() is gemeenten()


def test_loading_is_fast() -> None:
    best = float("inf")
    for _ in range(3):
        for loader in (
            tables_module.pc4_table,
            tables_module.gemeenten,
            tables_module.arbeidsmarktregios,
        ):
            loader.cache_clear()
        start = time.perf_counter()
        pc4_table()
        gemeenten()
        arbeidsmarktregios()
        best = min(best, time.perf_counter() - start)
    assert best < 0.2
