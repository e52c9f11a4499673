"""A database made by version 1 of the schema is brought to the current one, its data kept (SQLite, PostgreSQL)."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select

from catalog.store import SCHEMA_VERSION, Store, make_engine
from catalog.store.schema import import_runs, schema_version

V1 = Path(__file__).resolve().parent / "data" / "schema_v1.py"


def _v1():
    spec = importlib.util.spec_from_file_location("schema_v1", V1)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_version_1_database_is_migrated_and_keeps_its_data(db_url: str) -> None:
    v1 = _v1()
    now = datetime.now(UTC)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        assert v1.ensure_schema(conn) == 1
        conn.execute(insert(v1.sellers).values(id="s1", name="S", email="", cc=[], vat_number="",
                                               default_shipping="", currency="EUR", fx_rates={}, updated_at=now))
        conn.execute(insert(v1.import_runs).values(id=7, seller_id="s1", kind="full", source="a.csv", checksum="x",
                                                   status="done", email_status="sent", started_at=now))
    engine.dispose()

    with Store.open(db_url) as store:
        assert store.get_run(7).source == "a.csv"
        run = store.start_run("s1", "feed", "https://shop.example/flux.xml", "y")
        store.set_email_status(run, "skipped")  # a value version 1 refused
        feed = store.add_feed("s1", "flux", "https://shop.example/flux.xml")
        assert store.list_feeds("s1") == [feed] and store.seller_versions("s1") == {}
        from catalog.ingest import image_cache

        assert image_cache(store).recall(["https://img.example/a.jpg"]) == {}
        with store.transaction(write=False) as conn:
            versions = conn.execute(select(schema_version.c.version).order_by(schema_version.c.version)).scalars()
            assert list(versions) == list(range(1, SCHEMA_VERSION + 1))
            assert conn.scalar(select(import_runs.c.email_status).where(import_runs.c.id == run)) == "skipped"
    with Store.open(db_url) as again:  # opening a migrated database changes nothing
        assert again.get_run(7) is not None
