"""Input bounds the command line needs before it imports the case model.

Kept apart from ``facts.load`` so that declaring a ``--max-bytes`` option does
not cost every ``zansai`` start the import of the pydantic models.
"""

from __future__ import annotations

# A case file is a few KB; 1 MiB refuses /dev/zero or a wrong file at once.
MAX_CASE_BYTES = 1024 * 1024
