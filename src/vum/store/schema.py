# SPDX-License-Identifier: EUPL-1.2
"""The tables of the store: hosted datasets and tokens; the facility's parties, result sets and audit log; the portal's."""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa

#: The ``schema_version`` row of ``store_meta``: what software from before the migrations
#: checks (it refuses a database with a higher number). Schema changes are Alembic revisions
#: (``vum.store.migrations``); one that such software could not run on also raises this number
#: and writes it in its ``upgrade()``. Still refused here when higher than this.
SCHEMA_VERSION = 1


class VersionStatus(StrEnum):
    """Where a dataset version is in its life.

    ``staging`` while records are written, ``live`` when it answers queries (at most one per
    dataset), ``previous`` the live version it replaced (kept for a rollback), ``failed`` when an
    import was interrupted or refused after staging began (its records are removed).
    """

    STAGING = "staging"
    LIVE = "live"
    PREVIOUS = "previous"
    FAILED = "failed"


# On PostgreSQL: sa.JSON is ``json`` (the text as written, key order kept; the store never
# queries inside these values, so ``jsonb`` would only reorder the keys of what it hands back),
# DateTime(timezone=True) is ``timestamptz``, Boolean ``boolean``, autoincrement keys ``serial``.
metadata = sa.MetaData()

store_meta = sa.Table(
    "store_meta",
    metadata,
    sa.Column("key", sa.String(50), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)

datasets = sa.Table(
    "datasets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # VUM: parties are identified by their OIN, 20 digits
    sa.Column("party", sa.String(20), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("party", "kind", name="uq_datasets_party_kind"),
)

dataset_versions = sa.Table(
    "dataset_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "dataset_id", sa.Integer, sa.ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("mode", sa.String(10), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("demoted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("record_count", sa.Integer, nullable=False, default=0),
    sa.Column("source_name", sa.String(500), nullable=False, default=""),
    sa.Column("checksum", sa.String(64), nullable=False, default=""),
    sa.Column("quality", sa.JSON(none_as_null=True), nullable=True),
    # The live version an upsert started from: promotion refuses when the live one moved on.
    sa.Column("base_version_id", sa.Integer, nullable=True),
    # Who writes a staging version ("host:pid") and when it last made progress, so start-up
    # recovery fails only imports whose process is gone, not another process's running import.
    sa.Column("owner", sa.String(300), nullable=False, default=""),
    sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.UniqueConstraint("dataset_id", "number", name="uq_versions_dataset_number"),
)

# At most one live version per dataset, enforced by the database itself (partial unique index:
# SQLite >= 3.8 and PostgreSQL both have them; the keyword arguments are dialect-guarded).
sa.Index(
    "uq_versions_one_live",
    dataset_versions.c.dataset_id,
    unique=True,
    sqlite_where=dataset_versions.c.status == VersionStatus.LIVE.value,
    postgresql_where=dataset_versions.c.status == VersionStatus.LIVE.value,
)
sa.Index("ix_versions_status", dataset_versions.c.status)

version_records = sa.Table(
    "version_records",
    metadata,
    sa.Column(
        "version_id",
        sa.Integer,
        sa.ForeignKey("dataset_versions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("record_id", sa.String(200), nullable=False),
    # The record's wire JSON (the standard's detail form, absent members left out).
    sa.Column("data", sa.Text, nullable=False),
    # The primary key is the (version id, record id) index: lookups, copies and deletes by id.
    sa.PrimaryKeyConstraint("version_id", "record_id", name="pk_version_records"),
)

party_tokens = sa.Table(
    "party_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("party", sa.String(20), nullable=False, index=True),
    # The public part of a token, to find its row without trying every hash.
    sa.Column("key", sa.String(32), nullable=False, unique=True),
    # argon2 hash of the whole token; the token itself is never stored.
    sa.Column("token_hash", sa.String(200), nullable=False),
    sa.Column("label", sa.String(200), nullable=False, default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)

# --- the exchange facility: the party registry, result sets and the audit log ---


class PartyStatus(StrEnum):
    """Where a party is in the agreement framework: only ``active`` parties take part."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"


parties = sa.Table(
    "parties",
    metadata,
    # VUM: parties are identified by their OIN, 20 digits (checked before it gets here)
    sa.Column("oin", sa.String(20), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    # JSON lists: roles ("bemiddelaar", "bron-werkzoekende", "bron-vacature") and the OINs of
    # processors (verwerkers) that may act for the party (X-VUM-viaParty).
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("suwi", sa.Boolean, nullable=False, default=False),
    sa.Column("processors", sa.JSON, nullable=False),
    # null: the agreement (afsprakenstelsel) is not signed, so the party does not take part
    sa.Column("agreement_signed", sa.Date, nullable=True),
    sa.Column("status", sa.String(10), nullable=False),
    # "api" (the party runs its own source) or "hosted" (its data is in a hosted source);
    # null for a party without a source endpoint (a mediator only).
    sa.Column("endpoint", sa.String(10), nullable=True),
    sa.Column("url", sa.String(500), nullable=True),
    # null: the facility's default (VUM pilots: 4 s)
    sa.Column("timeout_s", sa.Float, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

result_sets = sa.Table(
    "result_sets",
    metadata,
    sa.Column("vraag_id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("party", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("matches", sa.JSON, nullable=False),
    sa.Column("sources", sa.JSON, nullable=False),
    # VUM: at most 10 detail requests per vraagID, counted by one conditional UPDATE
    sa.Column("details_used", sa.Integer, nullable=False, default=0),
)

# The audit log follows the Logboek Dataverwerkingen standard: one row per processing (a query,
# a detail request, a registry change). Timestamps and details are kept as the exact text that
# was hashed, so the chain verifies on any database without re-formatting values.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.Column("trace_id", sa.String(32), nullable=True, index=True),
    sa.Column("operation", sa.String(50), nullable=False),
    # fromParty: the responsible organisation (for a registry change: the party changed)
    sa.Column("party", sa.String(100), nullable=True, index=True),
    # viaParty: the processor that carried the call
    sa.Column("processor", sa.String(100), nullable=True),
    sa.Column("user", sa.String(200), nullable=True),
    sa.Column("processing_activity", sa.String(200), nullable=True),
    sa.Column("kind", sa.String(20), nullable=True),
    sa.Column("source", sa.String(100), nullable=True),
    sa.Column("status", sa.String(20), nullable=True),
    sa.Column("started_at", sa.String(40), nullable=True),
    sa.Column("ended_at", sa.String(40), nullable=True),
    # canonical JSON; never personal data in clear (the API hashes queries and vumIDs)
    sa.Column("details", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    # AUTOINCREMENT: a sequence number is never handed out twice, even after the last row is gone
    sqlite_autoincrement=True,
)

# The chain's head (one row): the last sequence number and hash. Appenders lock it, so they
# serialise on PostgreSQL too, and a log cut off at its end no longer matches it.
audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last_seq", sa.Integer, nullable=False),
    sa.Column("last_hash", sa.String(64), nullable=False),
)

# The circuit breaker's state, shared by every facility worker: a source that keeps failing is
# suspended for all of them at once, and only one of them probes it when the back-off ends.
source_health = sa.Table(
    "source_health",
    metadata,
    sa.Column("source", sa.String(100), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    # wall-clock seconds since the epoch; 0: not suspended
    sa.Column("suspended_until", sa.Float, nullable=False),
    sa.Column("backoff_s", sa.Float, nullable=False),
    sa.Column("probe_until", sa.Float, nullable=False),
)

#: Upper bounds (ms) of the latency histogram of ``source_stats``; a last bucket holds the rest.
#: VUM pilots: 4 s per source and 10 s per query, as the Prometheus histogram's buckets.
STATS_LATENCY_BOUNDS_MS = (5, 10, 25, 50, 100, 250, 500, 1000, 2000, 4000, 6000, 10000)
#: The histogram's columns: one per bound (``le_<bound>ms``: above the previous bound, up to
#: this one), then ``over_10000ms``.
STATS_LATENCY_COLUMNS = (
    *(f"le_{bound}ms" for bound in STATS_LATENCY_BOUNDS_MS),
    f"over_{STATS_LATENCY_BOUNDS_MS[-1]}ms",
)
#: The counters of ``source_stats``: queries and their outcomes by status, then the valid
#: summaries kept from its answers (at most 100 a query) and the invalid records dropped.
STATS_COUNT_COLUMNS = (
    "queries",
    "answered",
    "timeout",
    "failed",
    "invalid",
    "suspended",
    "records",
    "invalid_records",
)

# The metrics history per source (issue 7): one row per minute, source and kind, added to by
# every facility worker (INSERT ... ON CONFLICT DO UPDATE adds the counts), read by the portal's
# operations pages. Latency as a sum and histogram bucket counts, so the p50/p95 of any span of
# minutes is computed from the summed buckets. Purged after about a week.
source_stats = sa.Table(
    "source_stats",
    metadata,
    # whole minutes since the epoch (UTC): integer division groups them into 15 min or hours
    sa.Column("minute", sa.Integer, nullable=False),
    sa.Column("source", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    *(sa.Column(name, sa.Integer, nullable=False, default=0) for name in STATS_COUNT_COLUMNS),
    # the time of the queries the source was asked (all but the suspended ones)
    sa.Column("latency_sum_ms", sa.Float, nullable=False, default=0.0),
    *(sa.Column(name, sa.Integer, nullable=False, default=0) for name in STATS_LATENCY_COLUMNS),
    sa.PrimaryKeyConstraint("minute", "source", "kind", name="pk_source_stats"),
)

# --- the portal: accounts, login throttling, searches with their details, saved searches, shortlists ---

portal_users = sa.Table(
    "portal_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # lower-cased; also what an OpenID Connect claim is matched against
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False, default=""),
    # VUM: the organisation the user works for, by its OIN (X-VUM-fromParty of their queries)
    sa.Column("party", sa.String(20), nullable=False, index=True),
    # JSON list: "bemiddelaar", "bronbeheerder", "beheerder", "privacy"
    sa.Column("roles", sa.JSON, nullable=False),
    # argon2; null for an account that logs in through OpenID Connect only
    sa.Column("password_hash", sa.String(200), nullable=True),
    # random and stable: the facility's audit log names the user by it (X-OpenVUM-Gebruiker)
    sa.Column("pseudonym", sa.String(32), nullable=False, unique=True),
    # the default centre of a search (the user's office)
    sa.Column("office_postcode", sa.String(7), nullable=True),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    # raised at logout and when disabled: every session cookie issued before is void
    sa.Column("session_epoch", sa.Integer, nullable=False, default=0),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
)

# Failed logins per account and per client address (SHA-256 of "account:<email>" or
# "address:<ip>": no e-mail address is kept for an attempt), shared by every portal worker.
portal_login_attempts = sa.Table(
    "portal_login_attempts",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
)

# One search as run through the facility: the form, the vraagObject, the answer (summaries,
# ranking, per-source report). Kept as long as the facility keeps the result set (VUM: 7 days).
portal_searches = sa.Table(
    "portal_searches",
    metadata,
    # random and unguessable: it appears in URLs
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("party", sa.String(20), nullable=False),
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("portal_users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("vraag_id", sa.String(64), nullable=True),
    sa.Column("form", sa.JSON, nullable=False),
    sa.Column("query", sa.JSON, nullable=False),
    sa.Column("answer", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    # VUM: at most 10 detail requests per vraagID; the facility decides, the portal shows it
    sa.Column("details_used", sa.Integer, nullable=False, default=0),
)

# The details a mediator opened, kept with their search (and purged with it): opening one
# again costs no second detail request.
portal_details = sa.Table(
    "portal_details",
    metadata,
    sa.Column(
        "search_id",
        sa.String(32),
        sa.ForeignKey("portal_searches.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("portal_users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("search_id", "position", name="pk_portal_details"),
)

portal_saved_searches = sa.Table(
    "portal_saved_searches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("party", sa.String(20), nullable=False),
    sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("portal_users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("form", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
)

portal_shortlists = sa.Table(
    "portal_shortlists",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("party", sa.String(20), nullable=False),
    sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("portal_users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# A kept candidate or vacancy: what the mediator wrote, a short label, and how to find the
# record again after its vumID expired (the search that found it, the source and a fingerprint
# of its summary). No summary or detail is kept here.
portal_shortlist_items = sa.Table(
    "portal_shortlist_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "shortlist_id",
        sa.Integer,
        sa.ForeignKey("portal_shortlists.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("label", sa.String(500), nullable=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("status", sa.String(20), nullable=False),
    # the source's OIN and SHA-256 of the summary's canonical JSON (without its vumID)
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    # the search form that found it, to run again when its search has been purged
    sa.Column("form", sa.JSON, nullable=False),
    sa.Column(
        "search_id",
        sa.String(32),
        sa.ForeignKey("portal_searches.id", ondelete="SET NULL"),
        nullable=True,
    ),
    sa.Column("position", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("shortlist_id", "source", "fingerprint", name="uq_shortlist_items_record"),
)

# --- the portal's publishing pages (bronbeheerder): saved column mappings, uploads being checked ---

# A party's column mappings (docs/mapping.md), saved under a name to pick at the next upload.
portal_mappings = sa.Table(
    "portal_mappings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("party", sa.String(20), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    # the YAML text as uploaded; checked against the standard before it was saved
    sa.Column("text", sa.Text, nullable=False),
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("portal_users.id", ondelete="SET NULL"), nullable=True
    ),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("party", "kind", "name", name="uq_portal_mappings_name"),
)

# An uploaded file between "Controleren" and "Publiceren", held here (any portal worker can
# publish it) for an hour at most; its content is emptied once published. ``outcome`` is what
# the check found: problems, warnings, a preview, counts.
portal_uploads = sa.Table(
    "portal_uploads",
    metadata,
    # random and unguessable: it appears in URLs
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("party", sa.String(20), nullable=False),
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("portal_users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("mode", sa.String(10), nullable=False),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    # the mapping's YAML text for a CSV or Excel file, kept as it was when checked
    sa.Column("mapping", sa.Text, nullable=True),
    sa.Column("mapping_name", sa.String(100), nullable=True),
    # "valid", "invalid" or "published"
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("outcome", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
)
