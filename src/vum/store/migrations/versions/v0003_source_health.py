# SPDX-License-Identifier: EUPL-1.2
"""The circuit breaker's state per source, shared by every facility worker (new table only)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_source_health"
down_revision: str | None = "0002_facility"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source_health",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("suspended_until", sa.Float(), nullable=False),
        sa.Column("backoff_s", sa.Float(), nullable=False),
        sa.Column("probe_until", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("source"),
    )


def downgrade() -> None:
    op.drop_table("source_health")
