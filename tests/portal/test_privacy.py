# SPDX-License-Identifier: EUPL-1.2
"""The privacy officer's pages over HTTP: search, CSV export, chain verification, and every look audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import cast
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.portal.client import Browser
from tests.portal.ops_world import OFFICER, OPERATOR, OpsWorld, ops_world
from tests.portal.world import PARTY_A, PARTY_B, PASSWORD, UWV, World
from vum.portal.auth import hash_password
from vum.store import AuditEntry
from vum.store.audit import AuditFilter
from vum.store.schema import audit_log

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpsWorld]:
    with ops_world(tmp_path_factory.mktemp("privacy")) as running:
        anna = running.store.portal.users.by_email("anna@almere.example")
        assert anna is not None
        running.query(3, user=anna.pseudonym)
        running.query(2, user="iemand-anders")
        yield running


def seqs(html: str) -> list[int]:
    return [int(s) for s in re.findall(r'<tr id="record-(\d+)">', html)]


def looks(ops: OpsWorld, operation: str) -> list[dict[str, object]]:
    """The details of the privacy officer's own records of ``operation``, newest first."""
    officer = ops.store.portal.users.by_email(OFFICER)
    assert officer is not None
    rows = ops.store.audit.search(AuditFilter(user=officer.pseudonym, operation=operation))
    assert all(r.party == officer.party and r.processing_activity for r in rows)
    return [r.details for r in rows]


def test_only_a_privacy_officer_reads_the_log(ops: OpsWorld) -> None:
    for email in ("anna@almere.example", OPERATOR):
        other = ops.login(email)
        for path in ("/auditlog", "/auditlog.csv"):
            assert other.get(path).status_code == 403
        assert other.post_form("/auditlog/controle", {}).status_code == 403
    assert Browser(cast(World, ops)).get("/auditlog").status_code == 303
    assert 'href="/auditlog"' in ops.login(OFFICER).get("/").text


def test_search_by_party_user_operation_and_period_paged_and_audited(ops: OpsWorld) -> None:
    officer = ops.login(OFFICER)
    total = ops.store.audit.count()
    page = officer.get("/auditlog")
    assert page.status_code == 200
    assert f"{total} records gevonden" in page.text
    assert seqs(page.text) == list(range(total, 0, -1))[:50]

    # By party: the mediator's five queries (and its registry entry), not Groningen's.
    html = officer.get("/auditlog", params={"partij": PARTY_A, "handeling": "matches"}).text
    assert "5 records gevonden" in html and len(seqs(html)) == 5
    assert "Zoekvraag" in html and "Gemeente Almere" in html
    groningen = {"partij": PARTY_B, "handeling": "matches"}
    assert "0 records gevonden" in officer.get("/auditlog", params=groningen).text
    # UWV as a source is found as a party too (its registry entry).
    assert "Partij toegevoegd" in officer.get("/auditlog", params={"partij": UWV}).text

    # By user: the pseudonym, or the e-mail address of the portal account behind it.
    by_mail = officer.get("/auditlog", params={"gebruiker": "anna@almere.example"}).text
    assert "3 records gevonden" in by_mail and "anna@almere.example" in by_mail
    assert (
        "2 records gevonden" in officer.get("/auditlog", params={"gebruiker": "iemand-anders"}).text
    )
    unknown = officer.get("/auditlog", params={"gebruiker": "niemand@example.org"}).text
    assert "Geen portaalaccount met dit e-mailadres" in unknown and not seqs(unknown)

    # By period (dates in the Netherlands): today has them all, yesterday none.
    today = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    params = {
        "handeling": "matches",
        "van": str(today - dt.timedelta(days=1)),
        "tot": str(today + dt.timedelta(days=1)),
    }
    assert "5 records gevonden" in officer.get("/auditlog", params=params).text
    yesterday = str(today - dt.timedelta(days=2))
    old = officer.get("/auditlog", params={"van": yesterday, "tot": yesterday}).text
    assert "0 records gevonden" in old
    wrong = officer.get("/auditlog", params={"partij": "123", "van": "gisteren"}).text
    assert "Een OIN is 20 cijfers." in wrong and "Geen datum" in wrong
    assert 'aria-invalid="true"' in wrong and not seqs(wrong)

    # Paged, 50 a page, the filter kept in the links.
    ops.store.audit.append(AuditEntry("test.bulk", party=PARTY_B, details={"i": 0}))
    for i in range(1, 60):
        ops.store.audit.append(AuditEntry("test.bulk", party=PARTY_B, details={"i": i}))
    first = officer.get("/auditlog", params={"handeling": "test.bulk"}).text
    assert "60 records gevonden" in first and len(seqs(first)) == 50
    assert "Pagina 1 van 2" in first and "handeling=test.bulk&amp;pagina=2" in first
    second = officer.get("/auditlog", params={"handeling": "test.bulk", "pagina": 2}).text
    assert len(seqs(second)) == 10 and max(seqs(second)) < min(seqs(first))

    # Every look is in the log: who (the officer's pseudonym), which filter, what was found.
    seen = looks(ops, "auditlog.inzage")
    assert {"filter": {"party": PARTY_A, "user": None, "operation": "matches", "since": None,
                       "until": None}, "pagina": 1, "gevonden": 5} in seen  # fmt: skip
    assert any(d["pagina"] == 2 and d["gevonden"] == 60 for d in seen)
    # ... and the officer finds those looks in the log too.
    assert (
        "Auditlog ingezien"
        in officer.get("/auditlog", params={"handeling": "auditlog.inzage"}).text
    )


def test_a_partys_privacy_officer_reads_only_records_about_that_party(ops: OpsWorld) -> None:
    users = ops.store.portal.users
    if users.by_email("fg@groningen.example") is None:
        users.add("fg@groningen.example", PARTY_B, ["privacy"], hash_password(PASSWORD))
    officer = ops.login("fg@groningen.example")
    html = officer.get("/auditlog").text
    assert f'value="{PARTY_B}" readonly' in html
    found = seqs(html)
    rows = {r.seq: r for r in ops.store.audit.iter_rows()}
    assert found and all(
        PARTY_B in (rows[n].party, rows[n].processor, rows[n].source) for n in found
    )
    assert "<td>Zoekvraag" not in html
    # Asking for another party's records is refused, in the page and in the export.
    other = officer.get("/auditlog", params={"partij": PARTY_A}).text
    assert "U ziet alleen de records van uw eigen organisatie" in other and not seqs(other)
    refused = officer.get("/auditlog.csv", params={"partij": PARTY_A}, follow_redirects=True)
    assert "Het filter klopt niet" in refused.text
    # Nor is an account of another party found by its e-mail address.
    anna = officer.get("/auditlog", params={"gebruiker": "anna@almere.example"}).text
    assert "Geen portaalaccount met dit e-mailadres" in anna
    export = officer.get("/auditlog.csv").text
    assert PARTY_A not in export.replace(f"{PARTY_B}", "")


def test_csv_export_of_the_selection_is_safe_for_spreadsheets_and_audited(ops: OpsWorld) -> None:
    ops.store.audit.append(
        AuditEntry(
            "test.export",
            party=PARTY_B,
            user='=HYPERLINK("http://evil.example","klik")',
            processing_activity="+SUM(1,2)",
            details={"note": "@cmd"},
        )
    )
    officer = ops.login(OFFICER)
    answer = officer.get("/auditlog.csv", params={"handeling": "test.export"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["volgnummer", "vastgelegd (UTC)", "handeling"]
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["gebruiker"] == '\'=HYPERLINK("http://evil.example","klik")'
    assert record["doel"] == "'+SUM(1,2)" and record["partij"] == PARTY_B
    assert record["details"] == '{"note":"@cmd"}' and len(record["hash"]) == 64
    assert {"filter": {"party": None, "user": None, "operation": "test.export", "since": None,
                       "until": None}, "records": 1} in looks(ops, "auditlog.export")  # fmt: skip
    bad = officer.get("/auditlog.csv", params={"partij": "x"}, follow_redirects=True)
    assert "Het filter klopt niet" in bad.text


def test_verification_good_then_broken_after_a_record_is_edited(ops: OpsWorld) -> None:
    officer = ops.login(OFFICER)
    head = ops.store.audit.head()
    assert head is not None
    answer = officer.post_form("/auditlog/controle", {"terug": f"partij={PARTY_A}&x=y"})
    assert answer.status_code == 303 and answer.headers["location"] == f"/auditlog?partij={PARTY_A}"
    page = officer.get(answer.headers["location"]).text
    assert re.search(
        rf"De keten is intact: {head.last_seq} records gecontroleerd, tot en met record "
        rf"{head.last_seq} \(\d+,\d\d s\)",
        page,
    ), page[:2000]
    assert 'id="laatste-controle" class="notice notice--ok"' in page

    # Someone edits a record in the database, behind the facility's back.
    with ops.store.write() as conn:
        conn.execute(audit_log.update().where(audit_log.c.seq == 3).values(user="ander"))
    answer = officer.post_form("/auditlog/controle", {})
    assert answer.headers["location"] == "/auditlog"
    page = officer.get("/auditlog").text
    assert re.search(
        r"De keten is verbroken bij record 3: hash klopt niet .*Intact tot en met record 2", page
    )
    assert "notice notice--error" in page
    checks = looks(ops, "auditlog.controle")
    assert checks[0]["eersteFout"] == 3 and checks[0]["totEnMet"] == 2
    assert checks[1]["eersteFout"] is None and isinstance(checks[1]["seconden"], float)
    with ops.store.read() as conn:
        statuses = (
            conn.execute(
                sa.select(audit_log.c.status).where(audit_log.c.operation == "auditlog.controle")
            )
            .scalars()
            .all()
        )
    assert statuses == ["intact", "verbroken"]
