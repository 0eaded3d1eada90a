"""The audit store: store marker, chain head, rule files by hash, rule sets, records.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_info",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "chain_head",
        sa.Column("singleton", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last_id", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "rule_files",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "rulesets",
        sa.Column("version", sa.String(128), primary_key=True),
        sa.Column("manifest", sa.Text, nullable=False),
        sa.Column("manifest_sha256", sa.String(64), nullable=False),
    )
    op.create_table(
        "records",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("advisor", sa.Text),
        sa.Column("case_id_sha256", sa.String(64), nullable=False),
        sa.Column("case_sha256", sa.String(64)),
        sa.Column("case_json_sha256", sa.String(64)),
        sa.Column("result_sha256", sa.String(64)),
        sa.Column("note_sha256", sa.String(64)),
        sa.Column("ruleset_version", sa.String(128), sa.ForeignKey("rulesets.version")),
        sa.Column("ruleset_manifest_sha256", sa.String(64)),
        sa.Column("engine_name", sa.String(64)),
        sa.Column("engine_version", sa.String(64)),
        sa.Column("zansai_version", sa.String(64)),
        sa.Column("as_of", sa.String(10)),
        sa.Column("rank1", sa.String(128)),
        sa.Column("purges", sa.Text),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("record_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("case_id", sa.Text),
        sa.Column("case_bytes", sa.LargeBinary),
        sa.Column("case_json", sa.Text),
        sa.Column("result_json", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("purged_by", sa.Integer),
    )


def downgrade() -> None:
    for table in ("records", "rulesets", "rule_files", "chain_head", "store_info"):
        op.drop_table(table)
