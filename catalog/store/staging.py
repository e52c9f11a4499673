"""Staging products for moderation: versions, stable variant ids, and at most one pending item per product.

Every function here runs inside the caller's transaction: a staging call commits
all its products or none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from catalog.domain.errors import CatalogError
from catalog.domain.model import Product, Variant
from catalog.domain.serialize import product_to_dict
from catalog.store.records import UnknownSellerError
from catalog.store.schema import (
    import_runs,
    moderation,
    product_versions,
    products,
    sellers,
    variants,
    version_variants,
)

StagedHook = Callable[[Product, int], None]


def require_seller(conn: Connection, seller_id: str) -> None:
    if conn.scalar(select(sellers.c.id).where(sellers.c.id == seller_id)) is None:
        raise UnknownSellerError(f"unknown seller: {seller_id}")


def require_run(conn: Connection, run_id: int, seller_id: str) -> None:
    owner = conn.scalar(select(import_runs.c.seller_id).where(import_runs.c.id == run_id))
    if owner is None:
        raise CatalogError(f"unknown import run: {run_id}")
    if owner != seller_id:
        raise CatalogError(f"import run {run_id} belongs to seller {owner}, not {seller_id}")


def stage_products(conn: Connection, seller_id: str, run_id: int, items: Sequence[Product], source: str,
                   now: datetime, on_staged: StagedHook | None = None,
                   content_hashes: Mapping[str, str] | None = None) -> list[int]:
    """Stage `items`, locking their products in handle order; the item ids come back in the items' order."""
    require_seller(conn, seller_id)
    require_run(conn, run_id, seller_id)
    handles = [p.handle for p in items]
    twice = sorted({h for h in handles if handles.count(h) > 1})
    if twice:
        raise ValueError(f"handle staged twice in one call: {', '.join(twice)}")
    ids: dict[int, int] = {}
    for index in _lock_order(handles):
        product = items[index]
        digest = content_hashes.get(product.handle) if content_hashes else None
        ids[index] = _stage_one(conn, seller_id, run_id, product, source, now, digest)
        if on_staged is not None:
            on_staged(product, ids[index])
    return [ids[i] for i in range(len(items))]


def _lock_order(handles: Sequence[str]) -> list[int]:
    """The positions of `handles`, by handle: the order every staging takes its product locks in.

    Two stagings that locked the same products in their files' orders could each hold a row the other
    waits for (PostgreSQL then aborts one with "deadlock detected"); in one order, one simply waits.
    """
    return sorted(range(len(handles)), key=lambda i: handles[i])


def stage_unpublish(conn: Connection, seller_id: str, run_id: int, handles: Iterable[str], source: str,
                    now: datetime) -> list[int]:
    """Unpublish items for the live products among `handles`; a product with nothing live only loses its
    pending item, and unknown handles are skipped (nothing to take down)."""
    require_seller(conn, seller_id)
    require_run(conn, run_id, seller_id)
    ids: list[int] = []
    for handle in sorted(set(handles)):  # the lock order of `stage_products`
        row = _product_row(conn, seller_id, handle)
        if row is None:
            continue
        done = conn.scalar(select(moderation.c.id).where(
            moderation.c.import_run_id == run_id, moderation.c.product_id == row.id,
            moderation.c.action == "unpublish"))
        if done is not None:
            ids.append(done)
            continue
        supersede_pending(conn, row.id, now)
        if row.live_version_id is None:
            continue
        ids.append(conn.execute(insert(moderation).values(
            seller_id=seller_id, product_id=row.id, version_id=None, import_run_id=run_id, action="unpublish",
            status="pending", submitted_at=now, source=source,
        ).returning(moderation.c.id)).scalar_one())
    return ids


def supersede_pending(conn: Connection, product_id: int, now: datetime) -> None:
    pending = conn.execute(select(moderation.c.id, moderation.c.version_id).where(
        moderation.c.product_id == product_id, moderation.c.status == "pending")).all()
    if not pending:
        return
    conn.execute(update(moderation).where(moderation.c.id.in_([r.id for r in pending]))
                 .values(status="superseded", decided_at=now))
    version_ids = [r.version_id for r in pending if r.version_id is not None]
    if version_ids:
        conn.execute(update(product_versions).where(product_versions.c.id.in_(version_ids))
                     .values(status="superseded"))


def _stage_one(conn: Connection, seller_id: str, run_id: int, product: Product, source: str, now: datetime,
               digest: str | None = None) -> int:
    if not product.handle:
        raise ValueError("a product without a handle cannot be staged")
    payload = product_to_dict(product)
    row = _product_row(conn, seller_id, product.handle, create_at=now)
    assert row is not None
    done = conn.scalar(select(moderation.c.id).where(
        moderation.c.import_run_id == run_id, moderation.c.product_id == row.id,
        moderation.c.action.in_(("create", "update"))))
    if done is not None:
        return done
    supersede_pending(conn, row.id, now)
    variant_ids = assign_variant_ids(conn, seller_id, row.id, product.variants, now)
    for entry, variant_id in zip(payload["variants"], variant_ids, strict=True):
        entry["variant_id"] = str(variant_id)
    number = (conn.scalar(select(func.max(product_versions.c.number))
                          .where(product_versions.c.product_id == row.id)) or 0) + 1
    version_id = conn.execute(insert(product_versions).values(
        product_id=row.id, number=number, payload=payload, title=product.title, body=product.body_html,
        import_run_id=run_id, status="pending", created_at=now, content_hash=digest,
    ).returning(product_versions.c.id)).scalar_one()
    if variant_ids:
        conn.execute(insert(version_variants), [
            {"version_id": version_id, "variant_id": vid, "seller_id": seller_id, "sku": v.sku, "position": i}
            for i, (v, vid) in enumerate(zip(product.variants, variant_ids, strict=True))
        ])
    return conn.execute(insert(moderation).values(
        seller_id=seller_id, product_id=row.id, version_id=version_id, import_run_id=run_id,
        action="create" if row.live_version_id is None else "update",
        status="pending", submitted_at=now, source=source,
    ).returning(moderation.c.id)).scalar_one()


def _product_row(conn: Connection, seller_id: str, handle: str, create_at: datetime | None = None) -> Row[Any] | None:
    """The product row, locked for this transaction; created first when `create_at` is given."""
    query = (select(products).where(products.c.seller_id == seller_id, products.c.handle == handle)
             .with_for_update())
    row = conn.execute(query).first()
    if row is None and create_at is not None:
        dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        conn.execute(dialect_insert(products).values(seller_id=seller_id, handle=handle, created_at=create_at)
                     .on_conflict_do_nothing(index_elements=["seller_id", "handle"]))
        row = conn.execute(query).first()
    return row


def assign_variant_ids(conn: Connection, seller_id: str, product_id: int, new: Sequence[Variant],
                       now: datetime) -> list[int]:
    """Stable ids for a new version's variants: the id it already carries, else same SKU, else same options.

    Unmatched variants get new rows. Matched rows take the new SKU, options and position (what the next
    version is matched against); their live fields change only when a version is approved.
    """
    free = {r.id: r for r in conn.execute(
        select(variants).where(variants.c.product_id == product_id).order_by(variants.c.id)).all()}
    found: list[int | None] = [None] * len(new)

    def take(index: int, variant_id: int) -> None:
        found[index] = variant_id
        del free[variant_id]

    for i, v in enumerate(new):
        if v.variant_id and v.variant_id.isdigit() and int(v.variant_id) in free:
            take(i, int(v.variant_id))
    for i, v in enumerate(new):
        if found[i] is None and v.sku:
            match = next((r.id for r in free.values() if r.sku == v.sku), None)
            if match is None:
                match = next((r.id for r in free.values() if r.live_sku == v.sku), None)
            if match is not None:
                take(i, match)
    for i, v in enumerate(new):
        if found[i] is None:
            match = next((r.id for r in free.values() if list(r.options) == list(v.options)), None)
            if match is not None:
                take(i, match)
    out: list[int] = []
    for i, (v, variant_id) in enumerate(zip(new, found, strict=True)):
        values = {"sku": v.sku, "options": list(v.options), "position": i, "updated_at": now}
        if variant_id is None:
            variant_id = conn.execute(insert(variants).values(
                product_id=product_id, seller_id=seller_id, is_live=False, created_at=now, **values,
            ).returning(variants.c.id)).scalar_one()
        else:
            conn.execute(update(variants).where(variants.c.id == variant_id).values(**values))
        out.append(variant_id)
    return out
