"""A checked rule base kept on disk by content hash, so a cold start skips parsing and checking.

Loading the rule files (YAML) and checking every rule costs most of a cold
``zansai assess``. The result depends only on the files' bytes and on
zansai's own code, so it is kept, pickled, under a key made of both: the
rule base's content version and a hash of the source of the packages that
read and check rules. Any change to either makes a new key; a stale entry is
never used. The engine keeps its compiled form of a rule base the same way
(``kind="compiled"``), keyed with its own package's source as well.

The cache is the user's own: a file is used only if it belongs to the user
and nobody else can write to it, since unpickling runs code. Anything wrong
with an entry (unreadable, truncated, from another Python) means loading
the files as if there were no cache. ``ZANSAI_CACHE=off`` turns it off;
``ZANSAI_CACHE=DIR`` puts it in DIR (default: ``$XDG_CACHE_HOME/zansai``,
else ``~/.cache/zansai``).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any, Callable

ENV_VAR = "ZANSAI_CACHE"
KEEP = 8  # entries kept: a developer editing rules makes a new one at every change
_CODE_PACKAGES = ("facts", "knowledge")


def cache_dir() -> Path | None:
    setting = os.environ.get(ENV_VAR, "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "zansai"


@cache
def code_fingerprint(packages: tuple[str, ...] = _CODE_PACKAGES) -> str:
    """A hash of the code that turns rule files into what is kept (and of the Python running it)."""
    import pydantic

    digest = hashlib.sha256(f"{sys.version}|pydantic {pydantic.VERSION}".encode())
    for package in packages:
        digest.update(_package_digest(package))
    return digest.hexdigest()


@cache
def _package_digest(package: str) -> bytes:
    """One package's source, hashed once per process: both kinds of entry read facts/ and knowledge/."""
    digest = hashlib.sha256()
    for path in sorted((Path(__file__).resolve().parent.parent / package).glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.digest()


def _safe(path: Path) -> bool:
    try:
        st = path.stat()
    except OSError:
        return False
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    return not st.st_mode & 0o022


def cached(
    version: str, build: Callable[[], Any], *, kind: str = "rulebase", packages: tuple[str, ...] = _CODE_PACKAGES
) -> Any:
    """What ``build`` makes of this content version: from the cache if a good entry exists, else built and kept.

    ``kind`` names the entries (``rulebase-*``, ``compiled-*``); ``packages``
    are the folders whose source the entry depends on besides the rule files.
    """
    folder = cache_dir()
    if folder is None:
        return build()
    key = hashlib.sha256((version + code_fingerprint(packages)).encode()).hexdigest()[:32]
    entry = folder / f"{kind}-{key}.pickle"
    if _safe(entry) and _safe(folder):
        try:
            with entry.open("rb") as f:
                return pickle.load(f)
        except Exception:  # noqa: BLE001 - any broken entry means: load the files instead
            pass
    value = build()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{kind}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, entry)
        entries = sorted(folder.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home: no cache, same result
    return value
