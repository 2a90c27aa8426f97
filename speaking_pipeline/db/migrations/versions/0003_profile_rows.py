"""per-session profile rows for incremental profile updates

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing profiles keep NULL: their rows are built by their learner's next update.
    op.add_column("pattern_profiles", sa.Column("analysed_sessions", sa.Integer(), nullable=True))
    op.create_table(
        "profile_sessions",
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_secs", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["speaking_sessions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("session_id"),
    )
    op.create_index(
        "ix_profile_sessions_user_order",
        "profile_sessions",
        ["user_id", "created_at", "session_id"],
    )
    op.create_table(
        "profile_code_sessions",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=128), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("pattern", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["speaking_sessions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "code", "session_id"),
    )
    op.create_index(
        "ix_profile_code_sessions_order",
        "profile_code_sessions",
        ["user_id", "code", "created_at", "session_id"],
    )
    op.create_index("ix_profile_code_sessions_session", "profile_code_sessions", ["session_id"])


def downgrade() -> None:
    op.drop_index("ix_profile_code_sessions_session", table_name="profile_code_sessions")
    op.drop_index("ix_profile_code_sessions_order", table_name="profile_code_sessions")
    op.drop_table("profile_code_sessions")
    op.drop_index("ix_profile_sessions_user_order", table_name="profile_sessions")
    op.drop_table("profile_sessions")
    op.drop_column("pattern_profiles", "analysed_sessions")
