from __future__ import annotations

from pathlib import Path

import pytest

# Shared fixtures: loopback HTTPS server, SQLite/PostgreSQL store, SMTP server.
pytest_plugins = ("support_servers", "support_db", "support_smtp")

ROOT = Path(__file__).resolve().parent.parent
SHARED_TAXONOMY = ROOT.parent / "shared" / "taxonomy" / "taxonomy-with-ids.fr-FR.txt"
SHARED_TAXONOMY_EN = ROOT.parent / "shared" / "taxonomy" / "taxonomy-with-ids.en-US.txt"


@pytest.fixture(scope="session")
def taxonomy_path() -> Path:
    if not SHARED_TAXONOMY.is_file():
        pytest.fail(f"taxonomy file missing: {SHARED_TAXONOMY}")
    return SHARED_TAXONOMY


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every test gets its own data dir and no stray CATALOG_* settings."""
    import os

    for key in list(os.environ):
        if key.startswith("CATALOG_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("CATALOG_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("CATALOG_TAXONOMY", str(SHARED_TAXONOMY))
