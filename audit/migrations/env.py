"""Alembic environment of the audit store.

The store runs migrations itself on a connection it already holds (and has
locked), so this environment only takes that connection; there is no
alembic.ini and no logging configuration to load.
"""

from alembic import context

from audit.schema import VERSION_TABLE, metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=True,  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
