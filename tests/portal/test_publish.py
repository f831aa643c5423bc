# SPDX-License-Identifier: EUPL-1.2
"""The bronbeheerder's publishing pages over real HTTP: check, every error by row and column, publish, history, rollback, quality; party isolation."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import SHARED
from tests.portal.client import Browser, logged_in
from tests.portal.publish_files import (
    BAD_ROWS,
    GOOD_ROWS,
    MAPPING,
    csv_bytes,
    json_bytes,
    xlsx_bytes,
    yaml_bytes,
)
from tests.portal.world import (
    HEFTRUCK,
    PARTY_A,
    PARTY_B,
    PASSWORD,
    World,
    portal_settings,
    register,
)
from vum.portal import publishing as pub
from vum.portal.auth import hash_password
from vum.portal.services import Portal
from vum.portal.templating import make_templates
from vum.sources import HostedSources
from vum.standard.kinds import Kind
from vum.store import Store
from vum.store.publishing import PUBLISHED
from vum.synthetic import generate

pytestmark = pytest.mark.slow

BRON_A = "bron@almere.example"
BRON_B = "bron@groningen.example"
ANNA = "anna@almere.example"
TESTDATA = SHARED / "testdata-werkzoekenden-1000.json"


def upload(
    browser: Browser,
    file: tuple[str, bytes],
    *,
    soort: str = "werkzoekende",
    modus: str = "replace",
    mapping: str = "",
    mapping_file: bytes | None = None,
    mapping_name: str = "",
    csrf: bool = True,
    extra: dict[str, str] | None = None,
) -> httpx.Response:
    """POST the upload form as a browser does (multipart), with the session's CSRF token."""
    data = {"soort": soort, "modus": modus, "mapping": mapping, "mapping_naam": mapping_name}
    data.update(extra or {})
    if csrf:
        data["csrf_token"] = browser.token()
    files: dict[str, tuple[str, bytes, str]] = {"bestand": (file[0], file[1], "text/plain")}
    if mapping_file is not None:
        files["mapping_bestand"] = ("mapping.yaml", mapping_file, "application/yaml")
    return browser.post("/publiceren", data=data, files=files)


def checked(browser: Browser, answer: httpx.Response) -> tuple[str, str]:
    """Follow a successful check to its page: (upload id, page text)."""
    assert answer.status_code == 303, answer.text[:3000]
    location = answer.headers["location"]
    match = re.fullmatch(r"/publiceren/uploads/([\w-]+)", location)
    assert match, location
    page = browser.get(location)
    assert page.status_code == 200
    return match.group(1), page.text


def publish(browser: Browser, upload_id: str) -> httpx.Response:
    return browser.post_form(f"/publiceren/uploads/{upload_id}/publiceren", {})


def live(system: World, party: str) -> tuple[int, int] | None:
    """(number, records) of the party's live werkzoekenden, read from the store itself."""
    info = HostedSources(system.store, recover=False).dataset(party, Kind.WERKZOEKENDE)
    return (info.live.number, info.live.record_count) if info.live else None


def saved_mapping_id(browser: Browser, name: str) -> str:
    page = browser.get("/publiceren").text
    match = re.search(rf'<option value="(id:\d+)"[^>]*>Opgeslagen: {re.escape(name)} ', page)
    assert match, page
    return match.group(1)


@pytest.fixture(scope="module")
def accounts(system: World) -> Iterator[World]:
    """A bronbeheerder of party B besides the world's one of party A."""
    system.store.portal.users.add(
        BRON_B, PARTY_B, ["bronbeheerder"], hash_password(PASSWORD), name="Bron Groningen"
    )
    yield system


def test_a_csv_with_errors_names_row_and_column_then_the_fixed_file_is_published(
    accounts: World,
) -> None:
    system = accounts
    bron = logged_in(system, BRON_A)
    assert "Publiceren" in bron.get("/").text

    # A first dataset, as JSON of the standard (no mapping).
    first, page = checked(bron, upload(bron, ("profielen.json", json_bytes(3, seed=5))))
    assert "Het bestand is in orde" in page and "3 records" in page
    assert "Zo zien bemiddelaars de eerste 3 records" in page
    assert publish(bron, first).status_code == 303
    assert live(system, PARTY_A) == (1, 3)

    # The municipality's CSV with Dutch columns and its mapping (saved for next time).
    bad, page = checked(
        bron,
        upload(
            bron,
            ("export klantsysteem.csv", csv_bytes(BAD_ROWS)),
            mapping_file=yaml_bytes(),
            mapping_name="Klantvolgsysteem",
        ),
    )
    assert "3 fouten in 2 rijen" in page
    assert "Er is niets gepubliceerd" in page
    problems = re.findall(r"<tr>\s*<td>rij&nbsp;(\d+)</td>\s*<td>([^<]+)</td>", page)
    assert sorted(problems) == [("3", "Postcode"), ("4", "Contract"), ("4", "Uren min")]
    assert "ongeldig formaat &#39;12345&#39;" in page
    assert "&#39;veertig&#39; is geen geheel getal" in page
    # The JSON pointer of the standard, or the mapped path where a cell could not be read.
    assert "<code>/mobiliteit/bemiddelingspostcode</code>" in page
    assert "<code>werktijden.aantalWerkurenPerWeekMinimaal</code>" in page
    assert "kolom &#39;Opmerking&#39; staat niet in de mapping en wordt overgeslagen" in page
    assert "Mapping &#39;Klantvolgsysteem&#39; bewaard voor de volgende keer" in page
    assert "Publiceren</button>" not in page
    # Publishing a file that did not check clean is refused; the live data stays.
    refused = publish(bron, bad)
    assert refused.status_code == 303
    assert "kan niet worden gepubliceerd" in bron.get(refused.headers["location"]).text
    assert live(system, PARTY_A) == (1, 3)

    # The mapping was saved; the fixed file goes with it.
    listed = bron.get("/publiceren/mappings").text
    assert "Klantvolgsysteem" in listed
    choice = saved_mapping_id(bron, "Klantvolgsysteem")
    good, page = checked(
        bron, upload(bron, ("export klantsysteem.csv", csv_bytes(GOOD_ROWS)), mapping=choice)
    )
    assert "Het bestand is in orde" in page and "4 records" in page
    # The preview as a mediator sees it: titles, fields, "onbekend" for what is empty.
    assert "Heftruckchauffeur" in page and "Reachtruckchauffeur" in page
    assert '<span class="unknown">onbekend</span>' in page
    assert "rij 2 · id K1" in page
    assert "4 nieuw, 0 bijgewerkt, 3 verdwijnen" in page
    assert "Publiceren</button>" in page
    assert live(system, PARTY_A) == (1, 3)  # checking published nothing

    done = publish(bron, good)
    page = bron.get(done.headers["location"]).text
    assert "Versie 2 is live met 4 records" in page
    assert "Datakwaliteit bekijken" in page
    assert live(system, PARTY_A) == (2, 4)
    # A second click publishes nothing more.
    again = publish(bron, good)
    assert "al gepubliceerd" in bron.get(again.headers["location"]).text
    assert live(system, PARTY_A) == (2, 4)

    # History: both versions, who published them, and the way back.
    history = bron.get("/publiceren/versies?soort=werkzoekende").text
    rows = re.findall(r'<th scope="row">(\d+)</th>\s*<td>([^<]+)</td>', history)
    assert rows[:2] == [("2", "Live"), ("1", "Vorige (terug te zetten)")]
    assert history.count("<td>Bron</td>") >= 2  # the account's name ("bron@..." -> "Bron")
    assert "export klantsysteem.csv" in history
    assert "Bestand gecontroleerd: 3 fouten" in history
    confirm = bron.get("/publiceren/terugdraaien?soort=werkzoekende").text
    assert "Versie 1 (3 records" in confirm and "Ja, zet versie 1 terug" in confirm
    back = bron.post_form("/publiceren/terugdraaien", {"soort": "werkzoekende"})
    assert back.status_code == 303
    assert "Versie 1 (3 records) is weer live" in bron.get(back.headers["location"]).text
    assert live(system, PARTY_A) == (1, 3)
    forward = bron.post_form("/publiceren/terugdraaien", {"soort": "werkzoekende"})
    assert "Versie 2 (4 records) is weer live" in bron.get(forward.headers["location"]).text

    # Every step is in the audit log: who (pseudonym), which party, never a file name or value.
    user = system.store.portal.users.by_email(BRON_A)
    assert user is not None
    entries = system.store.audit.latest(50, party=PARTY_A)
    operations = [e.operation for e in entries if e.user == user.pseudonym]
    for operation in ("portal.upload", "portal.publish", "portal.rollback", "portal.mapping"):
        assert operation in operations
    # Upload ids are random tokens (any short string may occur in one by chance): left out.
    logged = json.dumps([{k: v for k, v in e.details.items() if k != "upload"} for e in entries])
    assert "klantsysteem" not in logged and "K1" not in logged and "1315" not in logged


def test_the_quality_report_sits_beside_the_average_and_what_mediators_search_on(
    accounts: World,
) -> None:
    system = accounts
    bron = logged_in(system, BRON_A)
    # Live: the fixed export, where one of four profiles has no occupation.
    mine, _ = checked(
        bron, upload(bron, ("export.csv", csv_bytes(GOOD_ROWS)), mapping_file=yaml_bytes())
    )
    publish(bron, mine)
    # Another party's fuller dataset, published outside the portal (the API or the CLI), and
    # searches kept by the portal: enough to say what mediators search on.
    HostedSources(system.store, recover=False).import_records(
        PARTY_B, Kind.WERKZOEKENDE, list(generate(Kind.WERKZOEKENDE, 40, seed=8))
    )
    anna = system.store.portal.users.by_email(ANNA)
    assert anna is not None
    for i in range(6):
        form = {"kind": ["werkzoekende"], "postcode": ["1315AB"], "radius": ["25"]}
        if i % 2:
            form["occupation"] = [HEFTRUCK]
        system.store.portal.searches.save(
            PARTY_A, anna.id, "werkzoekende", None, form, {}, {"matches": []}
        )
    page = bron.get("/publiceren/kwaliteit?soort=werkzoekende").text
    assert "Datakwaliteit van uw werkzoekenden" in page
    assert "Velden die bemiddelaars het meest gebruiken" in page
    assert "Gemeten over de 6 zoekvragen" in page
    assert "Gemiddeld alle bronnen" in page and "2 bronnen" in page
    assert "Gebruikt in zoekvragen" in page
    # Suggestions, not verdicts: what to fill in, and how often mediators use it.
    assert "gebruikt in 50% van de zoekvragen" in page
    most = page.index("Velden die bemiddelaars het meest gebruiken")
    assert most < page.index("Bemiddelingspostcode") < page.index("In het eerste antwoord")
    # Vacancies: nothing published yet, and the page says so kindly.
    empty = bron.get("/publiceren/kwaliteit?soort=vacature").text
    assert "nog geen vacatures gepubliceerd" in empty


def test_the_form_explains_what_is_missing_or_wrong(accounts: World) -> None:
    bron = logged_in(accounts, BRON_A)
    no_mapping = upload(bron, ("export.csv", csv_bytes(GOOD_ROWS)))
    assert no_mapping.status_code == 422
    assert '<a href="#mapping">Een CSV- of Excel-bestand heeft een mapping nodig' in no_mapping.text
    assert 'id="mapping" name="mapping" aria-invalid="true"' in no_mapping.text
    json_with_mapping = upload(bron, ("p.json", json_bytes(1, 1)), mapping_file=yaml_bytes())
    assert "Een JSON-bestand volgt de standaard al" in json_with_mapping.text
    old_excel = upload(bron, ("export.xls", b"\xd0\xcf\x11\xe0"), mapping_file=yaml_bytes())
    assert '<a href="#bestand">Het oude Excel-formaat .xls kan niet' in old_excel.text
    broken = upload(bron, ("export.csv", csv_bytes(GOOD_ROWS)), mapping_file=b"columns: [a")
    assert "Het mapping-bestand is geen geldige YAML (regel" in broken.text
    nothing = bron.post(
        "/publiceren", data={"soort": "werkzoekende", "csrf_token": bron.token()}, files={}
    )
    assert nothing.status_code == 422 and "Kies een bestand" in nothing.text
    # A mapping that does not fit the standard: every problem named by column; not saved.
    wrong = {**MAPPING, "columns": {**MAPPING["columns"], "Beroep": "bemiddelingsberoep.code"}}
    _, page = checked(
        bron,
        upload(
            bron,
            ("export.csv", csv_bytes(GOOD_ROWS)),
            mapping_file=yaml_bytes(wrong),
            mapping_name="Fout",
        ),
    )
    assert "bestaat niet in de standaard" in page and "<td>Beroep</td>" in page
    assert "Fout" not in bron.get("/publiceren/mappings").text
    # An unreadable JSON file is named as such.
    _, page = checked(bron, upload(bron, ("p.json", b"[{")))
    assert "Het bestand kon niet worden gelezen" in page and "geen geldige JSON" in page


def test_the_size_limit(accounts: World) -> None:
    bron = logged_in(accounts, BRON_A)
    settings = accounts.settings
    object.__setattr__(settings, "upload_max_mb", 1)
    try:
        big = upload(bron, ("p.json", b"[" + b" " * (1 << 20) + b"]"))
        assert big.status_code == 422 and "groter dan 1 MB" in big.text
        huge = upload(bron, ("p.json", b"[" + b" " * (3 << 20) + b"]"))
        assert huge.status_code == 413
    finally:
        object.__setattr__(settings, "upload_max_mb", 50)


def test_party_b_never_sees_or_changes_party_a(accounts: World) -> None:
    system = accounts
    a = logged_in(system, BRON_A)
    a_upload, _ = checked(
        a,
        upload(
            a,
            ("a.csv", csv_bytes(GOOD_ROWS)),
            mapping_file=yaml_bytes(),
            mapping_name="Almere export",
        ),
    )
    a_mapping = saved_mapping_id(a, "Almere export").removeprefix("id:")
    before = live(system, PARTY_A)

    b = logged_in(system, BRON_B)
    assert b.get(f"/publiceren/uploads/{a_upload}").status_code == 404
    assert publish(b, a_upload).status_code == 404
    assert b.get(f"/publiceren/mappings/{a_mapping}/yaml").status_code == 404
    assert b.post_form(f"/publiceren/mappings/{a_mapping}/verwijderen", {}).status_code == 404
    assert "Almere export" not in b.get("/publiceren/mappings").text
    assert "Almere export" not in b.get("/publiceren").text
    assert "a.csv" not in b.get("/publiceren").text
    # Naming A's mapping or A's upload in the form finds nothing.
    theirs = upload(b, ("b.csv", csv_bytes(GOOD_ROWS)), mapping=f"id:{a_mapping}")
    assert theirs.status_code == 422 and "Deze mapping bestaat niet" in theirs.text
    earlier = upload(b, ("b.csv", csv_bytes(GOOD_ROWS)), mapping=f"upload:{a_upload}")
    assert earlier.status_code == 422 and "vorige upload is er niet meer" in earlier.text
    # A's history, versions and quality never show on B's pages.
    history = b.get("/publiceren/versies?soort=werkzoekende").text
    assert "export klantsysteem.csv" not in history and "profielen.json" not in history
    # Tampering with the form: B publishes an Excel export into B's dataset, never A's.
    b_live = live(system, PARTY_B)
    mine, page = checked(
        b,
        upload(
            b,
            ("groningen.xlsx", xlsx_bytes(GOOD_ROWS)),
            mapping_file=yaml_bytes(),
            extra={"party": PARTY_A, "oin": PARTY_A},
        ),
    )
    assert "Het bestand is in orde" in page
    publish(b, mine)
    after_b = live(system, PARTY_B)
    assert after_b is not None and after_b[1] == 4
    assert after_b[0] == (b_live[0] + 1 if b_live else 1)
    assert live(system, PARTY_A) == before
    # B's rollback turns back B's dataset only.
    b.post_form("/publiceren/terugdraaien", {"soort": "werkzoekende", "party": PARTY_A})
    assert live(system, PARTY_A) == before
    # A's upload is still A's to publish.
    assert a.get(f"/publiceren/uploads/{a_upload}").status_code == 200


@pytest.mark.shared
def test_the_pilots_test_file_checks_clean(accounts: World) -> None:
    if not TESTDATA.exists():
        pytest.skip(f"{TESTDATA} is absent (the VUM reference material in ../shared)")
    b = logged_in(accounts, BRON_B)
    _, page = checked(b, upload(b, (TESTDATA.name, TESTDATA.read_bytes())))
    assert "Het bestand is in orde" in page and "1000 records" in page
    assert "Zo zien bemiddelaars de eerste 5 records" in page


def test_a_mediator_has_no_access_and_every_post_needs_the_csrf_token(accounts: World) -> None:
    anna = logged_in(accounts, ANNA)
    assert "Publiceren" not in anna.get("/").text
    for path in ("/publiceren", "/publiceren/versies", "/publiceren/kwaliteit"):
        assert anna.get(path).status_code == 403
    assert upload(anna, ("p.json", json_bytes(1, 2))).status_code == 403
    assert anna.post_form("/publiceren/terugdraaien", {"soort": "werkzoekende"}).status_code == 403
    bron = logged_in(accounts, BRON_A)
    before = live(accounts, PARTY_A)
    refused = upload(bron, ("p.json", json_bytes(2, 3)), csrf=False)
    assert refused.status_code == 403 and "Formulier verlopen" in refused.text
    rollback = bron.post_form("/publiceren/terugdraaien", {"soort": "werkzoekende"}, csrf=False)
    assert rollback.status_code == 403
    assert live(accounts, PARTY_A) == before
    anonymous = Browser(accounts)
    assert anonymous.get("/publiceren").status_code == 303


def test_the_hosted_source_may_live_in_another_database(tmp_path: Path) -> None:
    """``source_db``: datasets go there (as `make demo` keeps them); uploads and audit stay home."""
    settings = portal_settings("http://127.0.0.1:9/api/v3", source_db=str(tmp_path / "bron.db"))
    with Store(tmp_path / "portal.db") as home:
        user = home.portal.users.add(BRON_A, PARTY_A, ["bronbeheerder"], None)
        portal = Portal(settings, home.portal, register(), None, make_templates())  # type: ignore[arg-type]
        publishing, opened = pub.Publishing.open(portal)
        assert opened is not None and publishing.sources.store is opened
        try:
            form = pub.UploadForm(Kind.WERKZOEKENDE, "replace", "p.json", json_bytes(2, seed=3))
            row = pub.check_upload(publishing, user, form)
            assert pub.publish(publishing, user, row.id).status == PUBLISHED
            assert HostedSources(opened, recover=False).dataset(PARTY_A, "werkzoekende").live
        finally:
            opened.close()
        assert HostedSources(home, recover=False).dataset(PARTY_A, "werkzoekende").live is None
        assert [e.operation for e in home.audit.latest(5, party=PARTY_A)] == [
            "portal.publish",
            "portal.upload",
        ]


def test_a_held_upload_expires_after_an_hour(accounts: World) -> None:
    bron = logged_in(accounts, BRON_A)
    held, _ = checked(bron, upload(bron, ("p.json", json_bytes(2, seed=4))))
    before = live(accounts, PARTY_A)
    accounts.clock.advance(3700)
    try:
        bron = logged_in(accounts, BRON_A)  # the session of an hour ago has ended too
        assert "Deze upload is verlopen" in bron.get(f"/publiceren/uploads/{held}").text
        late = publish(bron, held)
        assert late.headers["location"] == "/publiceren"
        assert "Deze upload is verlopen" in bron.get("/publiceren").text
        assert live(accounts, PARTY_A) == before
        # The next upload purges it: file, preview and all.
        checked(bron, upload(bron, ("q.json", json_bytes(1, seed=6))))
        assert bron.get(f"/publiceren/uploads/{held}").status_code == 404
    finally:
        accounts.clock.advance(-3700)
