"""delivery receipts for replay protection

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "delivery_receipts",
        sa.Column("jti", sa.String(length=255), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("jti"),
    )
    op.create_index("ix_delivery_receipts_expires_at", "delivery_receipts", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_delivery_receipts_expires_at", table_name="delivery_receipts")
    op.drop_table("delivery_receipts")
