"""Database fixtures: every store test runs on a SQLite file and on the PostgreSQL server.

Loaded by tests/conftest.py. PostgreSQL tests use
one fresh, uniquely named database per test module (dropped after it) whose
`public` schema is emptied before each test; when no server answers, they skip.
Point `TEST_POSTGRES_URL` at another server to use it (an admin connection URL).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from catalog.store import Store

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_connect(dbname: str | None = None) -> psycopg.Connection:
    kwargs = {"dbname": dbname} if dbname else {}
    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3, **kwargs)


@contextmanager
def fresh_database(prefix: str = "catalog_test") -> Iterator[tuple[str, str, str]]:
    """Create a uniquely named PostgreSQL database, yield (name, host:port, user), drop it after.

    Skips the test, with one line, when no server answers."""
    try:
        admin = _pg_connect()
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {first}")
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    info = psycopg.conninfo.conninfo_to_dict(PG_ADMIN_URL)
    user = info.get("user", "postgres")
    host, port = info.get("host", "127.0.0.1"), info.get("port", "5432")
    try:
        yield name, f"{host}:{port}", str(user)
    finally:
        with _pg_connect() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def pg_database() -> Iterator[str]:
    """The SQLAlchemy URL of a fresh PostgreSQL database for this test module."""
    with fresh_database() as (name, address, user):
        yield f"postgresql+psycopg://{user}@{address}/{name}"


def _empty_pg(name: str) -> None:
    with _pg_connect(name) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file in a not-yet-created directory, or the module's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'catalog.db'}"
    url = request.getfixturevalue("pg_database")
    _empty_pg(url.rsplit("/", 1)[1])
    return url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = Store.open(db_url)
    try:
        yield opened
    finally:
        opened.close()
