# SPDX-License-Identifier: EUPL-1.2
"""resolve, distance_km, gemeente_of, regio_of and the weighted PC4 sample against known places."""

import math

import numpy as np
import pytest

from vum.geo import (
    Pc4Table,
    PostcodeError,
    all_pc4,
    distance_km,
    gemeente_of,
    haversine_km,
    pc4_table,
    random_pc4,
    regio_of,
    resolve,
)
from vum.geo import lookup as lookup_module

# Landmarks in the centre of each PC4 area (WGS84), to check the data against an outside reference.
DAM_AMSTERDAM = (52.3731, 4.8926)  # 1012
GROTE_MARKT_GRONINGEN = (53.2190, 6.5680)  # 9711
DOM_UTRECHT = (52.0907, 5.1214)  # 3511
BINNENHOF_DEN_HAAG = (52.0799, 4.3133)  # 2511
VRIJTHOF_MAASTRICHT = (50.8489, 5.6887)  # 6211


@pytest.mark.parametrize(
    ("a", "b", "landmarks", "expected_km"),
    [
        # Straight-line distances: Amsterdam-Groningen about 145 km, Utrecht-Den Haag about 54 km,
        # Maastricht-Groningen about 270 km.
        ("1012", "9711", (DAM_AMSTERDAM, GROTE_MARKT_GRONINGEN), 145.0),
        ("3511", "2511", (DOM_UTRECHT, BINNENHOF_DEN_HAAG), 54.0),
        ("6211", "9711", (VRIJTHOF_MAASTRICHT, GROTE_MARKT_GRONINGEN), 270.0),
    ],
)
def test_distances_between_well_known_places(
    a: str, b: str, landmarks: tuple[tuple[float, float], tuple[float, float]], expected_km: float
) -> None:
    (lat1, lon1), (lat2, lon2) = landmarks
    reference = haversine_km(lat1, lon1, lat2, lon2)
    assert abs(reference - expected_km) < 5.0  # our own understanding of the real distance
    got = distance_km(a, b)
    assert abs(got - expected_km) < 5.0
    assert abs(got - reference) < 5.0
    assert distance_km(b, a) == pytest.approx(got)


def test_pc6_input_resolves_to_its_pc4() -> None:
    loc = resolve("1012 ab")
    assert loc.postcode == "1012AB"
    assert loc.pc4 == 1012
    assert loc == resolve("1012AB")
    assert (loc.lat, loc.lon) == (resolve("1012").lat, resolve("1012").lon)
    assert not loc.fallback and loc.note is None
    assert haversine_km(loc.lat, loc.lon, *DAM_AMSTERDAM) < 2.0
    assert distance_km("1012AB", "9711 AA") == pytest.approx(distance_km("1012", "9711"))


def test_distance_to_itself_is_zero() -> None:
    assert distance_km("3511AB", "3511") == 0.0


def test_location_fields() -> None:
    loc = resolve("9711")
    assert loc.place == "Groningen"
    assert loc.gemeente_code == "GM0014"
    assert loc.gemeente == "Groningen"
    assert loc.province == "Groningen"
    assert loc.source_pc4 == 9711
    with pytest.raises(AttributeError):
        loc.lat = 0.0  # type: ignore[misc]


@pytest.mark.parametrize("text", ["ABCD12", "0999AA", "12345", ""])
def test_malformed_postcodes_raise_naming_the_postcode(text: str) -> None:
    for call in (resolve, gemeente_of, regio_of, lambda t: distance_km(t, "1012")):
        with pytest.raises(PostcodeError, match=repr(text)):
            call(text)


def test_missing_pc4_falls_back_to_nearest_in_same_area() -> None:
    table = pc4_table()
    known = set(table.pc4.tolist())
    # A syntactically valid PC4 that the table lacks, with known neighbours in its PC2 area.
    missing = next(
        p for p in range(1001, 10000) if p not in known and (p // 100 * 100 + 1) in known
    )
    loc = resolve(f"{missing}XY")
    assert loc.fallback
    assert loc.pc4 == missing and loc.postcode == f"{missing}XY"
    assert loc.source_pc4 in known and loc.source_pc4 // 100 == missing // 100
    same_area = [p for p in known if p // 100 == missing // 100]
    assert abs(loc.source_pc4 - missing) == min(abs(p - missing) for p in same_area)
    assert loc.note is not None and str(missing) in loc.note and str(loc.source_pc4) in loc.note
    assert "niet in de PC4-tabel" in loc.note


def _small_table(codes: list[int]) -> Pc4Table:
    n = len(codes)
    pc4 = np.array(codes, dtype=np.int32)
    return Pc4Table(
        pc4=pc4,
        lat=np.full(n, 52.0),
        lon=np.linspace(4.0, 6.0, n),
        weight=np.ones(n, dtype=np.int32),
        place=tuple(f"Plaats {c}" for c in codes),
        gemeente_code=("GM0363",) * n,
        _row={c: i for i, c in enumerate(codes)},
    )


def test_nearest_row_rules() -> None:
    table = _small_table([1011, 1015, 1099, 1300, 2001])
    assert table.nearest_row(1013) == (0, True)  # tie 1011/1015: the lower one
    assert table.nearest_row(1014) == (1, True)
    assert table.nearest_row(1050) == (1, True)  # 1015 is nearer than 1099
    assert table.nearest_row(1000) == (0, True)
    assert table.nearest_row(1301) == (3, True)
    assert table.nearest_row(1150) == (2, False)  # area 11xx is empty: nearest overall is 1099
    assert table.nearest_row(1200) == (3, False)  # 1300 is 100 away, 1099 is 101
    assert table.nearest_row(9999) == (4, False)


def test_fallback_note_when_whole_area_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lookup_module, "pc4_table", lambda: _small_table([1011, 1300]))
    lookup_module._resolve_pc4.cache_clear()
    try:
        loc = resolve("1250")
        assert loc.fallback and loc.source_pc4 == 1300
        assert loc.note is not None and "numeriek" in loc.note and "12xx" in loc.note
    finally:
        lookup_module._resolve_pc4.cache_clear()


def test_gemeente_of_amsterdam() -> None:
    gemeente = gemeente_of("1012AB")
    assert gemeente.code == "GM0363"
    assert gemeente.name == "Amsterdam"
    assert regio_of("1012AB").name == "Groot Amsterdam"


def test_regio_of_lelystad_is_flevoland() -> None:
    assert resolve("8232").gemeente == "Lelystad"
    regio = regio_of("8232")
    assert regio.name == "Flevoland"
    assert "GM0995" in regio.gemeenten


@pytest.mark.parametrize(
    ("postcode", "gemeente", "regio"),
    [
        ("1381", "Amsterdam", "Groot Amsterdam"),  # Weesp, merged into Amsterdam in 2022
        ("5401", "Maashorst", "Noordoost-Brabant"),  # Uden, merged in 2022
        ("5831", "Land van Cuijk", "Noordoost-Brabant"),  # Boxmeer, merged in 2022
        ("1703", "Dijk en Waard", "Noord-Holland Noord"),  # Heerhugowaard, merged in 2022
        ("3221", "Voorne aan Zee", "Rijnmond"),  # Hellevoetsluis, merged in 2023
        ("5268", "Vught", "Noordoost-Brabant"),  # Helvoirt, from Haaren in 2021
        ("2511", "'s-Gravenhage", "Haaglanden"),
        ("3011", "Rotterdam", "Rijnmond"),
    ],
)
def test_merged_gemeenten_point_to_2025(postcode: str, gemeente: str, regio: str) -> None:
    assert gemeente_of(postcode).name == gemeente
    assert regio_of(postcode).name == regio


def test_all_pc4_weights() -> None:
    codes, weights = all_pc4()
    assert len(codes) == len(weights) == len(pc4_table())
    assert math.isclose(float(weights.sum()), 1.0)
    assert (weights > 0).all()
    # City-centre PC4s weigh far more than average.
    assert weights[list(codes).index(1012)] > 1.0 / len(codes)


def test_random_pc4_draws_real_codes_reproducibly() -> None:
    a = random_pc4(np.random.default_rng(7), 1000)
    b = random_pc4(np.random.default_rng(7), 1000)
    assert (a == b).all()
    known = set(pc4_table().pc4.tolist())
    assert set(a.tolist()) <= known
    uniform = random_pc4(np.random.default_rng(7), 10, weighted=False)
    assert set(uniform.tolist()) <= known
