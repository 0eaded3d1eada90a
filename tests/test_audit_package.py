"""The store's migrations ship inside the package, so a plain ``pip install .`` can create and migrate a store."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_wheel_carries_the_alembic_environment_and_every_migration(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("zansai-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {"audit/migrations/env.py", "audit/migrations/script.py.mako"} | {
        f"audit/migrations/versions/{p.name}" for p in (ROOT / "audit" / "migrations" / "versions").glob("0*.py")
    }
    assert len(expected) >= 4
    assert expected <= names, expected - names
