# SPDX-License-Identifier: EUPL-1.2
"""The tables of the store: hosted datasets and tokens; the facility's parties, result sets and audit log."""

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
