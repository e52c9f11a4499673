"""The store on SQLite and PostgreSQL: schema, staging, moderation, what the checks read."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import fields
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from catalog.domain.errors import CatalogError
from catalog.domain.model import Image, Product, Variant
from catalog.domain.sellers import Seller
from catalog.domain.serialize import product_from_dict, product_to_dict
from catalog.store import SCHEMA_VERSION, ModerationError, Store, UnknownSellerError
from catalog.store.schema import metadata, moderation, product_versions, products, schema_version, variants

SELLER = Seller(id="atelier-dupont", name="Atelier Dupont", email="vendeur@atelier-dupont.example",
                vat_number="FR40303265045", default_shipping="Colissimo")


def make_product(handle: str, title: str = "", *skus: str, price: str = "49.90") -> Product:
    skus = skus or (f"{handle}-1",)
    return Product(
        handle=handle, rows=[2], title=title or f"Perceuse {handle}", body_html=f"<p>Description de {handle}</p>",
        type="Perceuses", tags="Perceuses", option_names=("Couleur",),
        images=[Image(src=f"https://img.example/{handle}.jpg", alt="vue de face", row=2)],
        variants=[Variant(row=2 + i, options=(f"c{i}",), sku=sku, inventory_qty=5 + i, minimum_qty=1,
                          price=Decimal(price)) for i, sku in enumerate(skus)],
    )


@pytest.fixture
def seller(store: Store) -> str:
    store.upsert_seller(SELLER)
    return SELLER.id


def run(store: Store, seller: str, source: str = "catalogue.csv") -> int:
    return store.start_run(seller, "full", source, "0" * 64)


def counts(store: Store) -> dict[str, int]:
    with store.transaction(write=False) as conn:
        return {t.name: conn.scalar(select(func.count()).select_from(t)) for t in metadata.sorted_tables}


# ---- Schema -------------------------------------------------------------


def test_schema_created_on_first_use_and_version_recorded(db_url: str) -> None:
    with Store.open(db_url) as store, store.transaction(write=False) as conn:
        assert conn.scalar(select(schema_version.c.version)) == SCHEMA_VERSION
        assert set(counts(store)) >= {"sellers", "products", "variants", "product_versions", "moderation",
                                      "import_runs", "schema_version"}
        if db_url.startswith("sqlite"):
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with Store.open(db_url) as again, again.transaction(write=False) as conn:
        assert conn.scalar(select(func.count()).select_from(schema_version)) == 1


def test_sqlite_parent_directory_is_created(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "catalog.db"
    with Store.open(f"sqlite:///{path}"):
        pass
    assert path.is_file()


def test_default_url_comes_from_settings(tmp_path: Path) -> None:
    with Store.open() as store:
        assert store.list_sellers() == []
    assert (tmp_path / "var" / "catalog.db").is_file()


def test_newer_schema_version_is_refused(db_url: str) -> None:
    with Store.open(db_url) as store, store.engine.begin() as conn:
        conn.execute(update(schema_version).values(version=SCHEMA_VERSION + 1))
    with pytest.raises(CatalogError, match=rf"schema version {SCHEMA_VERSION + 1} is newer"):
        Store.open(db_url)


def test_foreign_tables_without_version_are_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'other.db'}"
    with Store.open(url) as store, store.engine.begin() as conn:
        conn.execute(text("DROP TABLE schema_version"))
    with pytest.raises(CatalogError, match="no schema_version"):
        Store.open(url)


def test_unreachable_postgresql_fails_quickly_with_one_line() -> None:
    start = time.monotonic()
    with pytest.raises(CatalogError) as caught:
        Store.open("postgresql+psycopg://postgres@127.0.0.1:1/x")
    assert time.monotonic() - start < 10
    message = str(caught.value)
    assert message.startswith("database unreachable: ")
    assert "\n" not in message


def test_password_not_shown_when_unreachable() -> None:
    with pytest.raises(CatalogError) as caught:
        Store.open("postgresql+psycopg://postgres:s3cret@127.0.0.1:1/x")
    assert "s3cret" not in str(caught.value)


def test_sqlite_directory_that_cannot_be_created(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file, not a directory")
    with pytest.raises(CatalogError, match="database unreachable: cannot create directory"):
        Store.open(f"sqlite:///{tmp_path / 'blocker' / 'catalog.db'}")


@pytest.mark.parametrize("url", ["not a url", "mysql://root@127.0.0.1/x"])
def test_unusable_url(url: str) -> None:
    with pytest.raises(CatalogError):
        Store.open(url)


# ---- Staging ------------------------------------------------------------


def test_stage_two_products_gives_two_pending_creates(store: Store, seller: str) -> None:
    ids = store.stage_products(seller, run(store, seller), [make_product("a"), make_product("b")], "catalogue.csv")
    items = store.list_moderation()
    assert [i.id for i in items] == ids
    assert [(i.handle, i.action, i.status) for i in items] == [("a", "create", "pending"), ("b", "create", "pending")]
    entry = items[0].to_dict()
    assert list(entry) == ["id", "seller", "handle", "title", "action", "status", "source", "submitted_at"]
    assert entry["seller"] == seller and entry["source"] == "catalogue.csv" and entry["title"] == "Perceuse a"
    assert entry["submitted_at"].endswith("+00:00")
    json.dumps([i.to_dict() for i in items])
    assert store.list_moderation(status="pending", seller=seller) == items
    assert store.list_moderation(status="approved") == []
    assert store.list_moderation(seller="someone-else") == []


def test_same_handle_twice_keeps_one_pending_item_and_one_listing(store: Store, seller: str) -> None:
    (first,) = store.stage_products(seller, run(store, seller), [make_product("a", "Old")], "one.csv")
    (second,) = store.stage_products(seller, run(store, seller), [make_product("a", "New")], "two.csv")
    assert [(i.id, i.status) for i in store.list_moderation()] == [(second, "pending")]
    assert [(i.id, i.handle) for i in store.list_moderation(status="superseded")] == [(first, "a")]
    with store.transaction(write=False) as conn:
        assert conn.scalar(select(func.count()).select_from(products)) == 1
        versions = conn.execute(select(product_versions.c.number, product_versions.c.title,
                                       product_versions.c.status).order_by(product_versions.c.id)).all()
    assert [tuple(v) for v in versions] == [(1, "Old", "superseded"), (2, "New", "pending")]
    assert store.seller_texts(seller) == [("a", "New", "<p>Description de a</p>")]


def test_approve_makes_the_version_live(store: Store, seller: str) -> None:
    ids = store.stage_products(seller, run(store, seller), [make_product("a")], "catalogue.csv")
    assert store.live_product(seller, "a") is None
    (item,) = store.approve(ids, by="ops@marketplace")
    assert (item.status, item.decided_by) == ("approved", "ops@marketplace")
    live = store.live_product(seller, "a")
    assert live is not None and live.title == "Perceuse a"
    assert live.variants[0].price == Decimal("49.90") and live.variants[0].variant_id is not None
    (update_id,) = store.stage_products(seller, run(store, seller), [make_product("a", "Neuve")], "again.csv")
    assert store.list_moderation(status="pending")[0].action == "update"
    assert update_id != ids[0]


def test_rejected_update_leaves_the_approved_version_live(store: Store, seller: str) -> None:
    store.approve(store.stage_products(seller, run(store, seller), [make_product("a", "Good")], "one.csv"), "ops")
    (update_id,) = store.stage_products(seller, run(store, seller), [make_product("a", "Bad", price="1.00")], "x")
    item = store.reject(update_id, "Photo floue", by="ops")
    assert (item.status, item.reason, item.action) == ("rejected", "Photo floue", "update")
    live = store.live_product(seller, "a")
    assert live is not None and live.title == "Good" and live.variants[0].price == Decimal("49.90")
    assert store.seller_texts(seller) == [("a", "Good", "<p>Description de a</p>")]


def test_deciding_an_item_that_is_not_pending_fails_clearly(store: Store, seller: str) -> None:
    a, b = store.stage_products(seller, run(store, seller), [make_product("a"), make_product("b")], "f.csv")
    store.approve([a], "ops")
    with pytest.raises(ModerationError, match=f"moderation item {a} is approved, not pending"):
        store.approve([a], "ops")
    with pytest.raises(ModerationError, match="is approved, not pending"):
        store.reject(a, "late", "ops")
    with pytest.raises(ModerationError, match="needs a reason"):
        store.reject(b, "  ", "ops")
    with pytest.raises(ModerationError, match="does not exist"):
        store.approve([b, 9999], "ops")
    assert store.get_moderation(b).status == "pending"  # the failed batch approved nothing
    assert isinstance(ModerationError("x"), CatalogError)


def test_staging_is_one_transaction_when_a_hook_fails(store: Store, seller: str) -> None:
    run_id = run(store, seller)
    before = counts(store)
    seen: list[str] = []

    def crash_on_second(product: Product, item_id: int) -> None:
        seen.append(product.handle)
        if len(seen) == 2:
            raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError, match="worker killed"):
        store.stage_products(seller, run_id, [make_product(h) for h in "abc"], "f.csv", on_staged=crash_on_second)
    assert seen == ["a", "b"]
    assert counts(store) == before
    assert store.seller_skus(seller) == {}


def test_staging_is_one_transaction_when_a_product_cannot_be_stored(store: Store, seller: str) -> None:
    broken = make_product("b")
    broken.variants[0].price = 12.5  # type: ignore[assignment]  # a float: refused, never stored inexactly
    run_id = run(store, seller)
    before = counts(store)
    with pytest.raises(TypeError, match=r"Variant\.price"):
        store.stage_products(seller, run_id, [make_product("a"), broken], "f.csv")
    assert counts(store) == before


def test_rerunning_a_run_after_a_crash_stages_everything_once(store: Store, seller: str) -> None:
    run_id = run(store, seller)
    batch = [make_product(h) for h in "abc"]

    def crash(product: Product, item_id: int) -> None:
        if product.handle == "c":
            raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        store.stage_products(seller, run_id, batch, "f.csv", on_staged=crash)
    ids = store.stage_products(seller, run_id, batch, "f.csv")
    assert store.stage_products(seller, run_id, batch, "f.csv") == ids
    items = store.list_moderation()
    assert [(i.handle, i.status) for i in items] == [("a", "pending"), ("b", "pending"), ("c", "pending")]
    assert store.list_moderation(status="superseded") == []
    assert counts(store)["product_versions"] == 3


def test_a_run_that_staged_a_handle_reuses_it_after_approval(store: Store, seller: str) -> None:
    run_id = run(store, seller)
    ids = store.stage_products(seller, run_id, [make_product("a")], "f.csv")
    store.approve(ids, "ops")
    assert store.stage_products(seller, run_id, [make_product("a")], "f.csv") == ids
    assert store.list_moderation(status="pending") == []


def test_one_handle_twice_in_one_call_is_refused(store: Store, seller: str) -> None:
    with pytest.raises(ValueError, match="handle staged twice"):
        store.stage_products(seller, run(store, seller), [make_product("a"), make_product("a")], "f.csv")


def test_staging_for_unknown_seller_or_foreign_run(store: Store, seller: str) -> None:
    with pytest.raises(UnknownSellerError, match="unknown seller: nobody"):
        store.start_run("nobody", "full", "f.csv", "0" * 64)
    store.upsert_seller(Seller(id="other"))
    other_run = run(store, "other")
    with pytest.raises(CatalogError, match="belongs to seller other"):
        store.stage_products(seller, other_run, [make_product("a")], "f.csv")
    with pytest.raises(CatalogError, match="unknown import run"):
        store.stage_products(seller, 9999, [make_product("a")], "f.csv")


def test_database_allows_one_pending_item_per_product(store: Store, seller: str) -> None:
    (item_id,) = store.stage_products(seller, run(store, seller), [make_product("a")], "f.csv")
    item = store.get_moderation(item_id)
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(insert(moderation).values(
            seller_id=seller, product_id=item.product_id, action="update", status="pending",
            submitted_at=item.submitted_at, source="sneaky"))


# ---- Variants -----------------------------------------------------------


def variant_ids(product: Product | None) -> dict[str, str | None]:
    assert product is not None
    return {v.sku: v.variant_id for v in product.variants}


def test_variant_ids_are_stable_across_versions(store: Store, seller: str) -> None:
    store.approve(store.stage_products(seller, run(store, seller), [make_product("a", "", "S1", "S2", "S3")], "x"),
                  "ops")
    first = variant_ids(store.live_product(seller, "a"))
    assert len(set(first.values())) == 3

    reordered = make_product("a", "", "S3", "S1", "S4")  # S2 gone, S4 new, order changed
    reordered.variants[2].options = ("brand-new",)
    store.approve(store.stage_products(seller, run(store, seller), [reordered], "y"), "ops")
    second = variant_ids(store.live_product(seller, "a"))
    assert second["S3"] == first["S3"] and second["S1"] == first["S1"]
    assert second["S4"] not in first.values()

    renamed = make_product("a", "", "S3", "S1", "S4")
    renamed.variants[2].options = ("brand-new",)
    renamed.variants[0].sku = "S3-NEW"  # a new SKU on the same options keeps the id
    renamed.variants[0].options = reordered.variants[0].options
    store.approve(store.stage_products(seller, run(store, seller), [renamed], "z"), "ops")
    third = variant_ids(store.live_product(seller, "a"))
    assert third["S3-NEW"] == first["S3"]

    with store.transaction(write=False) as conn:
        dropped = conn.execute(select(variants).where(variants.c.id == int(first["S2"]))).one()
    assert dropped.is_live is False and dropped.live_price is None
    assert store.variant_owner(first["S1"]) == (seller, store.product_id(seller, "a"))
    assert store.variant_owner(int(first["S2"])) == (seller, store.product_id(seller, "a"))
    assert store.variant_owner("999999") is None and store.variant_owner("abc") is None


def test_seller_skus_sees_pending_and_live(store: Store, seller: str) -> None:
    store.approve(store.stage_products(seller, run(store, seller), [make_product("a", "", "A1")], "x"), "ops")
    store.stage_products(seller, run(store, seller), [make_product("b", "", "B1", "B2")], "y")
    store.stage_products(seller, run(store, seller), [make_product("a", "", "A2")], "z")
    assert store.seller_skus(seller) == {"A1": "a", "A2": "a", "B1": "b", "B2": "b"}
    store.reject(store.list_moderation(status="pending")[0].id, "non", "ops")
    assert store.seller_skus(seller) == {"A1": "a", "A2": "a"}
    store.upsert_seller(Seller(id="other"))
    assert store.seller_skus("other") == {}
    assert [t[0] for t in store.seller_texts(seller)] == ["a", "a"]


# ---- Unpublish ----------------------------------------------------------


def test_unpublish_removes_the_live_version_but_keeps_the_product(store: Store, seller: str) -> None:
    store.approve(store.stage_products(seller, run(store, seller), [make_product("a")], "x"), "ops")
    store.stage_products(seller, run(store, seller), [make_product("b")], "x")  # pending create, never live
    run_id = store.start_run(seller, "feed", "flux-nuit", "1" * 64)
    ids = store.stage_unpublish(seller, run_id, ["a", "b", "unknown"], "flux-nuit")
    assert store.stage_unpublish(seller, run_id, ["a", "b"], "flux-nuit") == ids
    assert [(i.handle, i.action, i.status) for i in store.list_moderation(status="pending")] == [
        ("a", "unpublish", "pending")]
    assert store.live_product(seller, "a") is not None
    store.approve(ids, "ops")
    assert store.live_product(seller, "a") is None
    assert store.product_id(seller, "a") is not None
    assert store.seller_skus(seller) == {}
    (again,) = store.stage_products(seller, run(store, seller), [make_product("a")], "back.csv")
    assert store.get_moderation(again).action == "create"


# ---- Import runs --------------------------------------------------------


def test_import_run_lifecycle(store: Store, seller: str) -> None:
    run_id = store.start_run(seller, "full", "catalogue.csv", "ab" * 32)
    started = store.get_run(run_id)
    assert started is not None and (started.status, started.email_status) == ("running", "pending")
    store.finish_run(run_id, report_status="partial", report_json={"status": "partial", "issues": []},
                     report_dir=Path("/tmp/reports/1"))
    store.set_email_status(run_id, "failed", "SMTP 451 try later")
    done = store.get_run(run_id)
    assert done is not None and done.status == "done" and done.report == {"status": "partial", "issues": []}
    assert done.report_dir == "/tmp/reports/1" and done.finished_at >= done.started_at
    assert [r.id for r in store.runs_with_failed_email()] == [run_id]
    assert store.runs_with_failed_email()[0].email_error == "SMTP 451 try later"
    store.set_email_status(run_id, "sent")
    assert store.runs_with_failed_email() == []
    assert [r.id for r in store.find_runs(seller, "ab" * 32)] == [run_id]
    store.finish_run(run_id, report_status="accepted", report_json='{"status": "accepted"}', report_dir=None)
    assert store.get_run(run_id).report == {"status": "accepted"}
    other = store.start_run(seller, "bulk", "b.csv", "cd" * 32)
    store.fail_run(other, "worker died")
    assert store.get_run(other).status == "failed"
    assert store.get_run(9999) is None
    with pytest.raises(CatalogError, match="unknown import run"):
        store.set_email_status(9999, "sent")
    with pytest.raises(ValueError):
        store.set_email_status(run_id, "lost")
    with pytest.raises(ValueError):
        store.start_run(seller, "zip", "f", "0")


# ---- Serialization ------------------------------------------------------


def full_product() -> Product:
    """A product with every field set to a non-default value."""
    return Product(
        handle="perceuse-18v", rows=[2, 3, 4], title="Perceuse 18V", body_html="<p>Puissante</p>", type="Perceuses",
        tags="Perceuses,sans-fil", collection="x", option_names=("Couleur", "Taille"), currency="USD",
        video_url="https://youtu.be/x", policy="Retour 30 j", country="FR", seo_title="Perceuse",
        seo_description="Perceuse sans fil",
        images=[Image("https://i.example/a.jpg", "face", 2, "Variant Image", item="g-1")],
        variants=[Variant(row=2, options=("Rouge", "M"), sku="P-R-M", barcode="4006381333931", grams=1200,
                          inventory_qty=4, inventory_policy="continue", minimum_qty=2, price=Decimal("49.90"),
                          compare_at_price=Decimal("59.00"), requires_shipping=False, taxable=False,
                          image="https://i.example/r.jpg", variant_id="17", raw={"Variant SKU": "P-R-M"},
                          item="g-1")],
        source_kind="feed", item_id="g-1", link="https://shop.example/p", brand="Bosch",
        raw={"Handle": "perceuse-18v"},
    )


def test_product_round_trips_through_json() -> None:
    product = full_product()
    data = json.loads(json.dumps(product_to_dict(product)))
    assert data["variants"][0]["price"] == "49.90"
    assert product_from_dict(data) == product
    assert product_from_dict(product_to_dict(Product(handle="h"))) == Product(handle="h")


def test_every_model_field_is_exercised_by_the_round_trip() -> None:
    product = full_product()
    for obj, default in ((product, Product(handle="")), (product.variants[0], Variant(row=None)),
                         (product.images[0], Image(src=""))):
        unset = [f.name for f in fields(obj) if getattr(obj, f.name) == getattr(default, f.name)]
        assert unset == [], f"{type(obj).__name__}: give these fields a non-default value in full_product()"


def test_serialization_refuses_floats_and_unknown_fields() -> None:
    product = full_product()
    product.variants[0].price = 49.9  # type: ignore[assignment]
    with pytest.raises(TypeError, match=r"Variant\.price"):
        product_to_dict(product)
    with pytest.raises(ValueError, match="unknown fields colour"):
        product_from_dict({"handle": "h", "colour": "red"})


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "catalog.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CatalogError, match=r"database unusable: .*not a database"):
        Store.open(f"sqlite:///{path}")


def test_concurrent_stagings_of_the_same_handles(db_url: str) -> None:
    """Two workers re-sending the same handles at once still leave one listing and one pending item each."""
    with Store.open(db_url) as setup:
        setup.upsert_seller(SELLER)
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            with Store.open(db_url) as own:
                for attempt in range(5):
                    run_id = own.start_run(SELLER.id, "full", f"{name}-{attempt}.csv", "0" * 64)
                    own.stage_products(SELLER.id, run_id, [make_product(h, f"{name} {attempt}") for h in "abc"],
                                       f"{name}-{attempt}.csv")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("w1", "w2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with Store.open(db_url) as store:
        pending = store.list_moderation(status="pending")
        assert sorted(i.handle for i in pending) == ["a", "b", "c"]
        assert len(store.list_moderation(status="superseded")) == 3 * 10 - 3
        assert counts(store)["products"] == 3


def test_unknown_status_filter_is_refused(store: Store) -> None:
    with pytest.raises(ModerationError, match="unknown moderation status 'done'"):
        store.list_moderation(status="done")


def test_stagings_of_the_same_handles_in_opposite_orders_never_deadlock(db_url: str) -> None:
    """Each staging locks its products by Handle, whatever the file's order: no two can wait on each other.

    Without one order, PostgreSQL detects the cycle and aborts one transaction ("deadlock detected") within a
    few rounds; each round here starts both stagings together, on new handles (the insert path) and on the
    handles of the round before (the `FOR UPDATE` path).
    """
    with Store.open(db_url) as setup:
        setup.upsert_seller(SELLER)
    rounds, size = 12, 30
    barrier = threading.Barrier(2, timeout=60)
    errors: list[BaseException] = []

    def worker(name: str, reverse: bool) -> None:
        try:
            with Store.open(db_url) as own:
                for r in range(rounds):
                    handles = [f"r{r // 2}-{i:02d}" for i in range(size)]
                    items = [make_product(h, f"{name} {r}") for h in (reversed(handles) if reverse else handles)]
                    run_id = own.start_run(SELLER.id, "full", f"{name}-{r}.csv", "0" * 64)
                    barrier.wait()
                    ids = own.stage_products(SELLER.id, run_id, items, f"{name}-{r}.csv")
                    assert len(ids) == size
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(name, name == "w2")) for name in ("w1", "w2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert [str(e) for e in errors] == []
    with Store.open(db_url) as store:
        pending = store.list_moderation(status="pending")
        assert len(pending) == size * ((rounds + 1) // 2)
        assert len({i.handle for i in pending}) == len(pending)


def test_staging_returns_item_ids_in_the_callers_order(store: Store, seller: str) -> None:
    items = [make_product(h) for h in ("zeta", "alpha", "mu")]
    ids = store.stage_products(seller, run(store, seller), items, "catalogue.csv")
    assert [store.get_moderation(i).handle for i in ids] == ["zeta", "alpha", "mu"]
