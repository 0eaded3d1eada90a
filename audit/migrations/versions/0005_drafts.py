"""The web desk's drafts: interviews saved half-filled.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("advisor", sa.String(64), nullable=False),
        sa.Column("label", sa.Text),
        sa.Column("values_json", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_drafts_advisor_updated_at", "drafts", ["advisor", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_drafts_advisor_updated_at", table_name="drafts")
    op.drop_table("drafts")
