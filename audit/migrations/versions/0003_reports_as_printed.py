"""The reports as printed: kept with each record and sealed (header format 2).

``audit show`` must print what the advisor was given, not what today's
renderer makes of the stored result. Records made before this revision have
no report; they keep their format-1 seal and are shown re-rendered, saying so.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("records", sa.Column("reports_sha256", sa.String(64)))
    op.add_column("records", sa.Column("reports_json", sa.Text))


def downgrade() -> None:
    # a sealed report cannot be dropped: the records that hold one would no longer verify
    kept = op.get_bind().execute(sa.text("SELECT COUNT(*) FROM records WHERE reports_sha256 IS NOT NULL")).scalar()
    if kept:
        raise RuntimeError(f"{kept} records hold a sealed report; downgrading below 0003 would break their seals")
    op.drop_column("records", "reports_json")
    op.drop_column("records", "reports_sha256")
