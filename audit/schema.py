"""The tables of the audit store (SQLAlchemy Core), as of the newest migration.

The migrations in ``audit/migrations/versions`` create and change these
tables; this module only describes the result so queries can be written
against it. A change here needs a new migration beside it.

What is sealed and what may be erased:

- ``records`` holds one row per assessment or purge. The sealed header (ids,
  hashes, versions, dates, advisor) is hashed into ``record_hash``, which also
  covers ``prev_hash``: a chain. The client's data (the case as given, the
  validated case, the result, the reports as printed, the note, the plain case
  id) are payload columns whose SHA-256 is in the header, so a purge can erase
  them and the chain still checks.
- ``rulesets`` and ``rule_files`` keep every rule base a record was made with:
  a manifest (file name -> SHA-256) per version, each file stored once by its hash.
- ``chain_head`` is the one row writers lock to append, and the last link of
  the chain, so removing the newest records is seen too.
- ``store_info`` marks the database as a zansai audit store.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Table, Text

metadata = MetaData()

VERSION_TABLE = "zansai_schema_version"
STORE_KIND = "zansai-audit-store"

store_info = Table(
    "store_info",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

chain_head = Table(
    "chain_head",
    metadata,
    Column("singleton", Integer, primary_key=True, autoincrement=False),
    Column("last_id", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
)

rule_files = Table(
    "rule_files",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("content", LargeBinary, nullable=False),
)

rulesets = Table(
    "rulesets",
    metadata,
    Column("version", String(128), primary_key=True),
    Column("manifest", Text, nullable=False),  # canonical JSON {file name: sha256}
    Column("manifest_sha256", String(64), nullable=False),
)

records = Table(
    "records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),  # assessment | purge
    Column("recorded_at", String(32), nullable=False),  # UTC, ISO 8601, sorts as text
    Column("advisor", Text),
    Column("case_id_sha256", String(64), nullable=False),
    Column("case_sha256", String(64)),
    Column("case_json_sha256", String(64)),
    Column("result_sha256", String(64)),
    Column("note_sha256", String(64)),
    Column("ruleset_version", String(128), ForeignKey("rulesets.version")),
    Column("ruleset_manifest_sha256", String(64)),
    Column("engine_name", String(64)),
    Column("engine_version", String(64)),
    Column("zansai_version", String(64)),
    Column("as_of", String(10)),
    Column("rank1", String(128)),
    Column("purges", Text),  # canonical JSON list of record ids, purge records only
    Column("reports_sha256", String(64)),  # sealed in header format 2 (records that kept their report)
    Column("prev_hash", String(64), nullable=False, unique=True),
    Column("record_hash", String(64), nullable=False, unique=True),
    # payload: erased by a purge, each checked against its hash in the header
    Column("case_id", Text),
    Column("case_bytes", LargeBinary),
    Column("case_json", Text),
    Column("result_json", Text),
    Column("reports_json", Text),  # the reports as printed: [{"lang", "format", "audience", "text"}]
    Column("note", Text),
    Column("purged_by", Integer),
)

Index("ix_records_case_id_sha256", records.c.case_id_sha256)
Index("ix_records_advisor", records.c.advisor)
Index("ix_records_recorded_at", records.c.recorded_at)
Index("ix_records_rank1", records.c.rank1)

# The web desk's accounts (migration 0004). They live beside the records they
# guard, so every server process of a firm sees the same advisors, and a
# server keeps no state of its own. Not part of the sealed chain: an account
# is not an assessment, and a record names its advisor by name.
accounts = Table(
    "accounts",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("password_hash", Text, nullable=False),  # argon2id, self-describing (salt and cost inside)
    Column("supervisor", Integer, nullable=False),  # 1: may read every advisor's records
    Column("created_at", String(32), nullable=False),
)

# Failed logins, one row each, counted over a window to slow password guessing;
# in the database so that several servers behind one proxy count together.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(128), nullable=False),  # "account:NAME" or "client:ADDRESS"
    Column("at", String(32), nullable=False),  # UTC, ISO 8601, sorts as text
)

Index("ix_login_failures_key_at", login_failures.c.key, login_failures.c.at)

# Interviews an advisor saved half-filled to finish later (migration 0005).
# Working material, not records: not sealed, overwritten when saved again,
# really deleted when deleted. ``values_json`` is the form as typed.
drafts = Table(
    "drafts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("advisor", String(64), nullable=False),
    Column("label", Text),  # the case id typed so far, for the list
    Column("values_json", Text, nullable=False),
    Column("created_at", String(32), nullable=False),  # UTC, ISO 8601, sorts as text
    Column("updated_at", String(32), nullable=False),
)

Index("ix_drafts_advisor_updated_at", drafts.c.advisor, drafts.c.updated_at)

# Logged-in sessions of the web desk (migration 0006): one row from login to
# logout. The cookie is signed and names its session; a session whose row is
# gone (logged out, expired, account removed) is refused even with a valid
# signature, so a cookie copied before logout is worth nothing after it. The
# row holds the SHA-256 of the session id, not the id: reading the table does
# not hand out live sessions.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_sha256", String(64), primary_key=True),
    Column("account", String(64), nullable=False),
    Column("started_at", String(32), nullable=False),  # UTC, ISO 8601, sorts as text
)

Index("ix_web_sessions_account", web_sessions.c.account)
Index("ix_web_sessions_started_at", web_sessions.c.started_at)
