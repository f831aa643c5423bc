# SPDX-License-Identifier: EUPL-1.2
"""The exchange facility: the party registry, result sets and the hash-chained audit log.

Added in commit b50da70 ("Facility: party registry, result sets and hash-chained audit log in
the store"); new tables only. The audit chain's head row is written when the store is opened
(as before), not here.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_facility"
down_revision: str | None = "0001_hosted_source"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "parties",
        sa.Column("oin", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("suwi", sa.Boolean(), nullable=False),
        sa.Column("processors", sa.JSON(), nullable=False),
        sa.Column("agreement_signed", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("endpoint", sa.String(length=10), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("timeout_s", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("oin"),
    )
    op.create_table(
        "result_sets",
        sa.Column("vraag_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("party", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("matches", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("details_used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("vraag_id"),
    )
    op.create_index("ix_result_sets_created_at", "result_sets", ["created_at"])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recorded_at", sa.String(length=40), nullable=False),
        sa.Column("trace_id", sa.String(length=32), nullable=True),
        sa.Column("operation", sa.String(length=50), nullable=False),
        sa.Column("party", sa.String(length=100), nullable=True),
        sa.Column("processor", sa.String(length=100), nullable=True),
        sa.Column("user", sa.String(length=200), nullable=True),
        sa.Column("processing_activity", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("started_at", sa.String(length=40), nullable=True),
        sa.Column("ended_at", sa.String(length=40), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        # a sequence number is never handed out twice, even after the last row is gone
        sqlite_autoincrement=True,
    )
    op.create_index("ix_audit_log_trace_id", "audit_log", ["trace_id"])
    op.create_index("ix_audit_log_party", "audit_log", ["party"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("audit_head")
    op.drop_table("audit_log")
    op.drop_table("result_sets")
    op.drop_table("parties")
