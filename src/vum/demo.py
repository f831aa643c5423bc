# SPDX-License-Identifier: EUPL-1.2
"""`make demo`: the whole system on loopback — hosted municipal sources, a UWV stand-in, the facility.

Everything runs on the embedded default (SQLite files in ``demo-data/``) with synthetic data:
three pilot regions (Flevoland, Groningen, Achterhoek) share their profiles and vacancies through
the hosted source; a separate source process stands in for UWV; the facility fans a mediator's
query out to all of them; the portal (port 8083) is where people try it, with a demo account per
role. Data, accounts and their passwords are generated once into ``demo-data/`` and reused.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from vum import KOPPELVLAK_VERSION
from vum.standard.kinds import Kind

DEMO_DIR = Path("demo-data")
HOST = "127.0.0.1"
FACILITY_PORT, HOSTED_PORT, UWV_PORT, PORTAL_PORT = 8080, 8081, 8082, 8083
FACILITY_OIN = "00000001003214345000"
MEDIATOR_OIN = "00000001002220647000"  # the mediating municipality in the example query
UWV_OIN = "00000001003214345001"
#: The portal acts for the mediating parties as their processor (X-VUM-viaParty).
PORTAL_OIN = "00000001003214345002"
REGIONS = {  # arbeidsmarktregio -> (party name, OIN)
    "Flevoland": ("Gemeente Almere (Werkgeversservicepunt Flevoland)", "00000001002220647000"),
    "Groningen": ("Gemeente Groningen (WerkpleinGroningen)", "00000001001589623000"),
    "Achterhoek": ("Gemeente Doetinchem (Werkplein Achterhoek)", "00000001001733876000"),
}
UWV_RECORDS = int(os.environ.get("VUM_DEMO_UWV_RECORDS", "20000"))
POOL = int(os.environ.get("VUM_DEMO_POOL", "60000"))


def _say(text: str = "") -> None:
    print(text, flush=True)


def _prepare_hosted(db: Path) -> None:
    from vum.geo import regio_of
    from vum.sources.hosted import HostedSources
    from vum.store import Store
    from vum.synthetic import generate

    hosted = HostedSources(Store(db))
    if hosted.datasets():
        _say(f"  gemeentelijke datasets: al aanwezig in {db}")
        return
    for kind in Kind:
        start = time.perf_counter()
        by_region: dict[str, list[dict[str, Any]]] = {r: [] for r in REGIONS}
        container, member = kind.postcode_path
        for record in generate(kind, POOL, seed=2026 if kind is Kind.WERKZOEKENDE else 2027):
            region = regio_of(record[container][member]).name
            if region in by_region:
                by_region[region].append(record)
        for region, records in by_region.items():
            name, oin = REGIONS[region]
            hosted.import_records(oin, kind, records, source_name=f"demo {region}")
            _say(f"  {name}: {len(records)} {kind.value}-records geïmporteerd")
        _say(f"  ({kind.value}: {time.perf_counter() - start:.0f} s)")


def _prepare_uwv(db: Path) -> None:
    from vum.sources.hosted import HostedSources
    from vum.store import Store
    from vum.synthetic import generate

    hosted = HostedSources(Store(db))
    if hosted.datasets():
        _say(f"  UWV-stand-in: al aanwezig in {db}")
        return
    for kind, count in ((Kind.WERKZOEKENDE, UWV_RECORDS), (Kind.VACATURE, UWV_RECORDS * 9 // 10)):
        start = time.perf_counter()
        hosted.import_records(
            UWV_OIN, kind, list(generate(kind, count, seed=7)), source_name="demo UWV"
        )
        _say(f"  UWV-stand-in: {count} {kind.value}-records in {time.perf_counter() - start:.0f} s")


def _facility_config(path: Path) -> None:
    hosted = f"http://{HOST}:{HOSTED_PORT}/api/v3"
    lines = ["[facility]", f'oin = "{FACILITY_OIN}"', ""]
    for name, oin in REGIONS.values():
        lines += [
            "[[parties]]",
            f'oin = "{oin}"',
            f'name = "{name}"',
            'roles = ["bemiddelaar", "bron-werkzoekende", "bron-vacature"]',
            f'processors = ["{PORTAL_OIN}"]',
            "suwi = true",
            'agreement_signed = "2026-01-15"',
            "",
            "[[sources]]",
            f'oin = "{oin}"',
            f'name = "{name}"',
            f'url = "{hosted}"',
            "",
        ]
    lines += [
        "[[parties]]",
        f'oin = "{UWV_OIN}"',
        'name = "UWV (stand-in)"',
        'roles = ["bron-werkzoekende", "bron-vacature"]',
        "suwi = true",
        'agreement_signed = "2026-01-15"',
        "",
        "[[sources]]",
        f'oin = "{UWV_OIN}"',
        'name = "UWV (stand-in)"',
        f'url = "http://{HOST}:{UWV_PORT}/api/v3"',
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


#: Demo accounts: e-mail -> (party, roles, office postcode, what to try)
DEMO_ACCOUNTS = {
    "bemiddelaar@almere.demo": (
        REGIONS["Flevoland"][1],
        ["bemiddelaar"],
        "1315AB",
        "zoeken, details, shortlist",
    ),
    "bemiddelaar@groningen.demo": (
        REGIONS["Groningen"][1],
        ["bemiddelaar"],
        "9711AA",
        "een andere partij: ziet niets van Almere",
    ),
    "bronbeheerder@almere.demo": (
        REGIONS["Flevoland"][1],
        ["bronbeheerder"],
        None,
        "publiceren: CSV/Excel, fouten per rij, datakwaliteit",
    ),
    "beheerder@openvum.demo": (
        FACILITY_OIN,
        ["beheerder"],
        None,
        "verkeer per bron, meldingen, partijen",
    ),
    "privacy@openvum.demo": (FACILITY_OIN, ["privacy"], None, "auditlog zoeken, keten controleren"),
}


def _prepare_portal(db: Path, accounts: Path) -> dict[str, str]:
    """Demo accounts with random passwords, made once per demo-data directory (never in the repo)."""
    from vum.portal.auth import hash_password
    from vum.store import Store

    known: dict[str, str] = {}
    if accounts.exists():
        known = json.loads(accounts.read_text(encoding="utf-8"))
    with Store(db) as store:
        for email, (party, roles, office, _) in DEMO_ACCOUNTS.items():
            if store.portal.users.by_email(email) is not None and email in known:
                continue
            password = secrets.token_urlsafe(12)
            if store.portal.users.by_email(email) is None:
                store.portal.users.add(
                    email,
                    party,
                    roles,
                    hash_password(password),
                    name=email.split("@")[0].title(),
                    office_postcode=office,
                )
            else:
                store.portal.users.set_password(email, hash_password(password))
            known[email] = password
    accounts.write_text(json.dumps(known, indent=2), encoding="utf-8")
    accounts.chmod(0o600)
    return known


def _secret(path: Path) -> str:
    """The portal's session key for this demo-data directory (sessions survive a restart)."""
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _start(
    args: list[str], log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "vum.cli", *args],
        stdout=handle,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )


def _wait_ready(url: str, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} werd niet gereed (did not become ready)")


def _example_query() -> None:
    headers = {
        "X-VUM-berichtVersie": KOPPELVLAK_VERSION,
        "API-Version": KOPPELVLAK_VERSION,
        "X-VUM-fromParty": MEDIATOR_OIN,
        "X-VUM-toParty": FACILITY_OIN,
        "X-VUM-viaParty": MEDIATOR_OIN,
        "X-OpenVUM-Explain": "1",
    }
    body = {
        "vraagObject": {
            "selectiegebied": {"postcode": "1315AB", "afstand": 40},
            "werktijden.aantalWerkurenPerWeekMaximaal": {"$gte": 24},
        }
    }
    url = f"http://{HOST}:{FACILITY_PORT}/api/v3/werkzoekendeProfielen/matches"
    start = time.perf_counter()
    answer = httpx.post(url, json=body, headers=headers, timeout=15).json()
    elapsed = (time.perf_counter() - start) * 1000
    _say(
        f"\nVoorbeeldvraag: werkzoekenden binnen 40 km van Almere (1315AB), ≥ 24 uur "
        f"— {len(answer.get('matches', []))} resultaten in {elapsed:.0f} ms"
    )
    for source in answer.get("x-openvum-bronnen", []):
        _say(
            f"  bron {source.get('naam')}: {source.get('status')}, {source.get('aantal')} "
            f"resultaten, {source.get('ms')} ms"
        )
    for match, rank in list(
        zip(answer.get("matches", []), answer.get("x-openvum-ranking", []), strict=False)
    )[:3]:
        why = "; ".join(u["toelichting"] for u in rank["uitleg"][:2])
        _say(f"  score {rank['score']:5.1f}  {match['mobiliteit']['bemiddelingspostcode']}  {why}")


def _upgrade(directory: Path) -> None:
    """Bring the databases of an earlier demo run to the current schema (`vum db upgrade`)."""
    from vum.store.migrate import upgrade

    for db in sorted(directory.glob("*.db")):
        applied = upgrade(db).applied
        if applied:
            _say(f"  {db.name}: schema bijgewerkt ({', '.join(applied)})")


def prepare(directory: Path) -> dict[str, str]:
    """Generate and import the demo data into ``directory`` once; the demo accounts' passwords.

    The facility and the portal share one store (``facility.db``: parties, result sets, the
    audit log, traffic figures, accounts), as they share one PostgreSQL in production; the
    municipalities' hosted source keeps its own (``gemeenten.db``), which bronbeheerders
    publish into through the portal; UWV stands apart.
    """
    directory.mkdir(exist_ok=True)
    _upgrade(directory)
    _prepare_hosted(directory / "gemeenten.db")
    _prepare_uwv(directory / "uwv.db")
    _facility_config(directory / "facility.toml")
    return _prepare_portal(directory / "facility.db", directory / "portal-accounts.json")


def start_servers(directory: Path, *, portal: bool = True) -> list[subprocess.Popen[bytes]]:
    """Start the sources, the facility (and the portal) over the data in ``directory``."""
    processes = [
        _start(
            [
                "serve",
                "source",
                "--db",
                str(directory / "gemeenten.db"),
                "--host",
                HOST,
                "--port",
                str(HOSTED_PORT),
            ],
            directory / "gemeenten.log",
        ),
        _start(
            [
                "serve",
                "source",
                "--db",
                str(directory / "uwv.db"),
                "--host",
                HOST,
                "--port",
                str(UWV_PORT),
            ],
            directory / "uwv.log",
        ),
        _start(
            [
                "serve",
                "facility",
                "--config",
                str(directory / "facility.toml"),
                "--dev-header-trust",
                "--host",
                HOST,
                "--port",
                str(FACILITY_PORT),
                "--db",
                str(directory / "facility.db"),
            ],
            directory / "facility.log",
        ),
    ]
    if portal:
        processes.append(
            _start(
                [
                    "serve",
                    "portal",
                    "--facility",
                    f"http://{HOST}:{FACILITY_PORT}/api/v3",
                    "--facility-oin",
                    FACILITY_OIN,
                    "--oin",
                    PORTAL_OIN,
                    "--db",
                    str(directory / "facility.db"),
                    "--host",
                    HOST,
                    "--port",
                    str(PORTAL_PORT),
                    "--insecure-cookies",
                ],
                directory / "portal.log",
                env={
                    "VUM_SESSION_SECRET": _secret(directory / "portal-secret"),
                    "VUM_PORTAL__SOURCE_DB": str(directory / "gemeenten.db"),
                },
            )
        )
    return processes


def wait_until_ready(*, portal: bool = True) -> None:
    """Until every server answers /ready (the sources have built their indexes)."""
    for port in (HOSTED_PORT, UWV_PORT, FACILITY_PORT):
        _wait_ready(f"http://{HOST}:{port}/ready")
    if portal:
        _wait_ready(f"http://{HOST}:{PORTAL_PORT}/health")


def stop_servers(processes: list[subprocess.Popen[bytes]]) -> None:
    """Stop the servers as Ctrl-C would, and kill what does not stop within 10 s."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def main() -> None:
    _say(f"open VUM — demo (koppelvlak {KOPPELVLAK_VERSION}, gegevensstandaard 1.5)")
    _say("Gegevens voorbereiden (prepare data; the first start takes a few minutes):")
    passwords = prepare(DEMO_DIR)
    processes = start_servers(DEMO_DIR)
    try:
        _say("Servers starten (loading indexes)...")
        wait_until_ready()
        _example_query()
        _say(
            f"\nHet portaal: http://{HOST}:{PORTAL_PORT}/  — demo-accounts (wachtwoorden in "
            f"{DEMO_DIR}/portal-accounts.json):"
        )
        for email, (_, roles, _, what) in DEMO_ACCOUNTS.items():
            _say(f"  {email:<28} {passwords[email]:<18} {', '.join(roles):<14} {what}")
        _say("\nWaar te kijken (where to look):")
        _say(
            f"  uitwisselingsvoorziening  http://{HOST}:{FACILITY_PORT}/api/v3  "
            f"(/metrics, /health, /ready)"
        )
        _say(f"  gehoste bron (gemeenten)  http://{HOST}:{HOSTED_PORT}/api/v3")
        _say(f"  UWV-stand-in              http://{HOST}:{UWV_PORT}/api/v3")
        _say(
            f"  portaal, beheer           http://{HOST}:{PORTAL_PORT}/verkeer  "
            f"(verkeer per bron, meldingen)"
        )
        _say(f"  portaal, privacy          http://{HOST}:{PORTAL_PORT}/auditlog")
        _say(f"  logs                      {DEMO_DIR}/*.log")
        _say(f"  auditlog                  .venv/bin/vum audit list --db {DEMO_DIR}/facility.db")
        _say(f"                            .venv/bin/vum audit verify --db {DEMO_DIR}/facility.db")
        _say(f"  partijregister            .venv/bin/vum parties list --db {DEMO_DIR}/facility.db")
        _say("  docs/facility-api.md en docs/source-api.md: voorbeelden met curl")
        _say("  .venv/bin/vum --help      alle commando's (all commands)")
        _say("\nCtrl-C stopt de demo (stops the demo).")
        while all(p.poll() is None for p in processes):
            time.sleep(1)
        _say("Een server stopte onverwacht; zie de logs in demo-data/ (a server stopped).")
    except KeyboardInterrupt:
        _say("\nDemo gestopt (demo stopped).")
    finally:
        # A second Ctrl-C must not interrupt the shutdown and leave servers behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stop_servers(processes)


if __name__ == "__main__":
    main()
