"""Indexes for the filters of ``audit list``: case (by hash), advisor, date, rank-1 path.

A separate revision from 0001 so that stores made before it are migrated
forward in place (and the forward path is tested from the first release).

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_records_case_id_sha256", "records", ["case_id_sha256"])
    op.create_index("ix_records_advisor", "records", ["advisor"])
    op.create_index("ix_records_recorded_at", "records", ["recorded_at"])
    op.create_index("ix_records_rank1", "records", ["rank1"])


def downgrade() -> None:
    for name in ("ix_records_rank1", "ix_records_recorded_at", "ix_records_advisor", "ix_records_case_id_sha256"):
        op.drop_index(name, table_name="records")
