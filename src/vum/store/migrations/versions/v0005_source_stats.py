# SPDX-License-Identifier: EUPL-1.2
"""The metrics history per source: one row per minute, source and kind (new table only, issue 7)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_source_stats"
down_revision: str | None = "0004_portal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out, not imported from vum.store.schema: this revision's table stays as it was made.
_COUNTS = (
    "queries",
    "answered",
    "timeout",
    "failed",
    "invalid",
    "suspended",
    "records",
    "invalid_records",
)
_BUCKETS = (
    "le_5ms",
    "le_10ms",
    "le_25ms",
    "le_50ms",
    "le_100ms",
    "le_250ms",
    "le_500ms",
    "le_1000ms",
    "le_2000ms",
    "le_4000ms",
    "le_6000ms",
    "le_10000ms",
    "over_10000ms",
)


def upgrade() -> None:
    op.create_table(
        "source_stats",
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _COUNTS),
        sa.Column("latency_sum_ms", sa.Float(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _BUCKETS),
        sa.PrimaryKeyConstraint("minute", "source", "kind", name="pk_source_stats"),
    )


def downgrade() -> None:
    op.drop_table("source_stats")
