"""The web desk's login sessions, so that logging out ends a session on the server.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id_sha256", sa.String(64), primary_key=True),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("started_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_web_sessions_account", "web_sessions", ["account"])
    op.create_index("ix_web_sessions_started_at", "web_sessions", ["started_at"])


def downgrade() -> None:
    op.drop_index("ix_web_sessions_started_at", table_name="web_sessions")
    op.drop_index("ix_web_sessions_account", table_name="web_sessions")
    op.drop_table("web_sessions")
