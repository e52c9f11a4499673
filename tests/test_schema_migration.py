"""A database made by version 1 of the schema is brought to the current one, its data kept (SQLite, PostgreSQL)."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert, inspect, select

from catalog.domain.errors import CatalogError
from catalog.store import SCHEMA_VERSION, Store, make_engine
from catalog.store.schema import import_runs, moderation, schema_version

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
        conn.execute(insert(v1.products).values(id=3, seller_id="s1", handle="perceuse", created_at=now))
        conn.execute(insert(v1.variants).values(id=5, product_id=3, seller_id="s1", sku="P-1", options=[],
                                                position=0, created_at=now, updated_at=now))
        conn.execute(insert(v1.moderation).values(id=11, seller_id="s1", product_id=3, import_run_id=7,
                                                  action="unpublish", status="pending", submitted_at=now,
                                                  source="a.csv"))
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
        [kept] = store.list_moderation(status="pending")
        assert (kept.id, kept.handle, kept.action) == (11, "perceuse", "unpublish")
        with store.transaction() as conn:  # a held bulk price, which version 1 had no room for
            conn.execute(insert(moderation).values(seller_id="s1", product_id=3, variant_id=5, import_run_id=7,
                                                   action="price", status="pending", submitted_at=now,
                                                   source="b.csv", old_price=Decimal("49.90"),
                                                   new_price=Decimal("499.00")))
        with pytest.raises(CatalogError), store.transaction() as conn:  # its rules came along
            conn.execute(insert(moderation).values(seller_id="s1", product_id=3, import_run_id=7, action="price",
                                                   status="pending", submitted_at=now, source="c.csv"))
    with Store.open(db_url) as again:  # opening a migrated database changes nothing
        with again.transaction(write=False) as conn:
            names = {ix["name"] for ix in inspect(conn).get_indexes("moderation")}
            uniques = {u["name"] for u in inspect(conn).get_unique_constraints("moderation")}
        assert {"uq_moderation_one_pending_per_product", "uq_moderation_one_pending_price_per_variant",
                "uq_moderation_import_run_id_product_id_action", "uq_moderation_import_run_id_variant_id",
                "ix_moderation_status", "ix_moderation_seller_id_status"} <= names
        assert "uq_moderation_import_run_id_product_id_action" not in uniques, "now a partial index, not a constraint"
        assert again.get_run(7) is not None
