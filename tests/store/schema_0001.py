# SPDX-License-Identifier: EUPL-1.2
"""The store's tables as the first release made them (``vum.store.schema`` at commit 3840fa4).

Frozen here, never to change: a database "from before migrations" in its first shape is
``create_all`` of this metadata, and revision 0001 must build exactly these tables.
"""

from __future__ import annotations

import sqlalchemy as sa

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
    sqlite_where=dataset_versions.c.status == "live",
    postgresql_where=dataset_versions.c.status == "live",
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
