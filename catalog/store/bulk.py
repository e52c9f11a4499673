"""The bulk file in the store: the export, the catalog a file is checked against, and applying its edits.

Quantity, price and SKU are offers: they apply at once, to the variant and to the versions that carry
it (the live one, and a pending one, so approving a pending version later never rolls an offer back).
A title is listing content: it is staged as a moderation `update` built on the product's pending
version, or its live one. A held price is a `price` moderation item; approving it applies the price.

Every function runs inside the caller's transaction. `lock_seller` serialises a seller's submits: the
second waits for the first to commit, then reads what the first wrote.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, func, insert, or_, select, update

from catalog.domain.bulk import BulkCatalog, BulkEdit, ExportRow, LiveVariant
from catalog.domain.model import Product
from catalog.domain.serialize import product_from_dict
from catalog.store.records import UnknownSellerError
from catalog.store.schema import moderation, product_versions, products, sellers, variants, version_variants
from catalog.store.staging import supersede_pending

AppliedHook = Callable[[BulkEdit], None]
_CHUNK = 500  # ids per IN (...) list


@dataclass(slots=True)
class BulkApplied:
    """What one submit did: variants whose offer changed, titles staged and prices held (moderation ids)."""

    applied: list[int] = field(default_factory=list)
    titles: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)


def lock_seller(conn: Connection, seller_id: str) -> None:
    """Hold the seller until the transaction ends (PostgreSQL row lock; SQLite writers already hold the file)."""
    query = select(sellers.c.id).where(sellers.c.id == seller_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    if conn.scalar(query) is None:
        raise UnknownSellerError(f"unknown seller: {seller_id}")


def _live_query() -> Any:
    return (
        select(variants.c.id, variants.c.product_id, variants.c.seller_id, variants.c.live_sku, variants.c.live_price,
               variants.c.live_qty, variants.c.position, products.c.handle, products.c.created_at,
               product_versions.c.title)
        .join(products, products.c.id == variants.c.product_id)
        .join(product_versions, product_versions.c.id == products.c.live_version_id)
        .where(variants.c.is_live)
    )


def _live(row: Row[Any]) -> LiveVariant:
    return LiveVariant(variant_id=row.id, product_id=row.product_id, seller_id=row.seller_id, handle=row.handle,
                       title=row.title, sku=row.live_sku or "", price=row.live_price, qty=row.live_qty,
                       position=row.position, created=row.created_at.date())


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start:start + _CHUNK])


def bulk_catalog(conn: Connection, seller_id: str, named: Iterable[int], price_factor: Decimal) -> BulkCatalog:
    """The seller's live variants and SKUs, and the owner of every other variant id the file names.

    A variant of another seller is listed whatever its state (the row is refused as not theirs); one of the
    seller's own that is not live is not listed (the row names no variant of the catalog).
    """
    catalog = BulkCatalog(seller_id=seller_id, price_factor=price_factor)
    for row in conn.execute(_live_query().where(variants.c.seller_id == seller_id)):
        catalog.variants[row.id] = _live(row)
    others = sorted(set(named) - set(catalog.variants))
    for chunk in _chunks(others):
        for row in conn.execute(select(variants.c.id, variants.c.product_id, variants.c.seller_id)
                                .where(variants.c.id.in_(chunk), variants.c.seller_id != seller_id)):
            catalog.variants[row.id] = LiveVariant(variant_id=row.id, product_id=row.product_id,
                                                   seller_id=row.seller_id, handle="", title="", sku="",
                                                   price=None, qty=None)
    pending = (select(version_variants.c.sku, version_variants.c.variant_id)
               .join(product_versions, product_versions.c.id == version_variants.c.version_id)
               .where(version_variants.c.seller_id == seller_id, version_variants.c.sku != "",
                      product_versions.c.status == "pending"))
    for sku, variant_id in conn.execute(pending):
        catalog.skus[sku] = str(variant_id)
    for live in catalog.variants.values():
        if live.seller_id == seller_id and live.sku:
            catalog.skus[live.sku] = str(live.variant_id)
    return catalog


def export_rows(conn: Connection, seller_id: str, since: date | None = None) -> list[ExportRow]:
    """The seller's live variants, by product then variant; `since` keeps products created on or after it."""
    query = _live_query().where(variants.c.seller_id == seller_id)
    if since is not None:
        query = query.where(products.c.created_at >= datetime(since.year, since.month, since.day, tzinfo=UTC))
    query = query.order_by(variants.c.product_id, variants.c.position, variants.c.id)
    return [ExportRow(product_id=r.product_id, variant_id=r.id, title=r.title, sku=r.live_sku or "", qty=r.live_qty,
                      price=r.live_price) for r in conn.execute(query)]


def _patch_offers(conn: Connection, offers: dict[int, dict[str, Any]]) -> None:
    """Carry `offers` (variant id → sku / inventory_qty / price) into the pending versions of their products,
    so that approving one never rolls an offer back; and new SKUs into the SKU index of the live and pending
    versions (what the full CSV's SKU check reads). The live offer itself is the variant's row."""
    is_live = product_versions.c.id == products.c.live_version_id
    pending = product_versions.c.status == "pending"
    payloads: list[dict[str, Any]] = []
    skus: list[dict[str, Any]] = []
    for chunk in _chunks(sorted(offers)):
        carriers = (select(version_variants.c.version_id, version_variants.c.variant_id, product_versions.c.status)
                    .join(product_versions, product_versions.c.id == version_variants.c.version_id)
                    .join(products, products.c.id == product_versions.c.product_id)
                    .where(version_variants.c.variant_id.in_(chunk), or_(is_live, pending)))
        pending_ids: set[int] = set()
        for row in conn.execute(carriers):
            if "sku" in offers[row.variant_id]:
                skus.append({"v": row.version_id, "var": row.variant_id, "new_sku": offers[row.variant_id]["sku"]})
            if row.status == "pending":
                pending_ids.add(row.version_id)
        if pending_ids:
            for version in conn.execute(select(product_versions.c.id, product_versions.c.payload)
                                        .where(product_versions.c.id.in_(sorted(pending_ids)))):
                payloads.append({"v": version.id, "new_payload": _with_offers(version.payload, offers)})
    if payloads:
        conn.execute(update(product_versions).where(product_versions.c.id == bindparam("v"))
                     .values(payload=bindparam("new_payload")), payloads)
    if skus:
        conn.execute(update(version_variants).where(version_variants.c.version_id == bindparam("v"),
                                                    version_variants.c.variant_id == bindparam("var"))
                     .values(sku=bindparam("new_sku")), skus)


def _with_offers(payload: dict[str, Any], offers: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """A copy of a version's payload whose variants carry `offers` (variant id → payload fields)."""
    out = copy.deepcopy(payload)
    for entry in out["variants"]:
        offer = offers.get(int(entry.get("variant_id") or 0))
        if offer:
            entry.update(offer)
    return out


def _live_offers(conn: Connection, product_id: int) -> dict[int, dict[str, Any]]:
    """The product's live variants' offers, as payload fields."""
    return {r.id: {"sku": r.live_sku or "", "inventory_qty": r.live_qty,
                   "price": None if r.live_price is None else str(r.live_price)}
            for r in conn.execute(select(variants).where(variants.c.product_id == product_id, variants.c.is_live))}


def _supersede_prices(conn: Connection, variant_ids: Sequence[int], now: datetime) -> None:
    """Prices still held for these variants are replaced by a newer one."""
    for chunk in _chunks(sorted(set(variant_ids))):
        conn.execute(update(moderation).where(
            moderation.c.variant_id.in_(chunk), moderation.c.action == "price", moderation.c.status == "pending",
        ).values(status="superseded", decided_at=now))


_OFFER_FIELDS = {"sku": ("live_sku", "sku"), "inventory_qty": ("live_qty",), "price": ("live_price",)}


def apply_edits(conn: Connection, seller_id: str, run_id: int | None, edits: Sequence[BulkEdit], source: str,
                now: datetime, on_applied: AppliedHook | None = None) -> BulkApplied:
    """Apply a checked file's edits, all of them in the caller's transaction (statements batched by shape)."""
    done = BulkApplied()
    offers: dict[int, dict[str, Any]] = {}
    batches: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for edit in edits:
        offer: dict[str, Any] = {}
        if edit.sku is not None:
            offer["sku"] = edit.sku
        if edit.qty is not None:
            offer["inventory_qty"] = edit.qty
        if edit.price is not None:
            offer["price"] = edit.price
        if offer:
            values = {column: value for name, value in offer.items() for column in _OFFER_FIELDS[name]}
            batches.setdefault(tuple(sorted(values)), []).append({"vid": edit.variant_id, **{
                f"new_{column}": value for column, value in values.items()}})
            offers[edit.variant_id] = {k: str(v) if k == "price" else v for k, v in offer.items()}
            done.applied.append(edit.variant_id)
    _supersede_prices(conn, [e.variant_id for e in edits if e.price is not None or e.held_price is not None], now)
    for columns, params in batches.items():
        conn.execute(update(variants).where(variants.c.id == bindparam("vid"), variants.c.seller_id == seller_id)
                     .values(updated_at=now, **{column: bindparam(f"new_{column}") for column in columns}), params)
    for edit in edits:
        if edit.held_price is not None:
            done.held.append(_hold_price(conn, seller_id, run_id, edit, source, now))
        if on_applied is not None:
            on_applied(edit)
    if offers:
        _patch_offers(conn, offers)
    titles: dict[int, str] = {}
    for edit in edits:
        if edit.title is not None:
            titles.setdefault(edit.product_id, edit.title)
    for product_id, title in titles.items():
        staged = _stage_title(conn, seller_id, run_id, product_id, title, source, now)
        if staged is not None:
            done.titles.append(staged)
    return done


def _hold_price(conn: Connection, seller_id: str, run_id: int | None, edit: BulkEdit, source: str,
                now: datetime) -> int:
    old = conn.scalar(select(variants.c.live_price).where(variants.c.id == edit.variant_id))
    return int(conn.execute(insert(moderation).values(
        seller_id=seller_id, product_id=edit.product_id, variant_id=edit.variant_id, import_run_id=run_id,
        action="price", status="pending", old_price=old, new_price=edit.held_price, submitted_at=now, source=source,
    ).returning(moderation.c.id)).scalar_one())


def _stage_title(conn: Connection, seller_id: str, run_id: int | None, product_id: int, title: str, source: str,
                 now: datetime) -> int | None:
    """A new version of the product with this title, pending as an `update`; None when it is already so."""
    pending = conn.execute(select(moderation.c.id, moderation.c.version_id).where(
        moderation.c.product_id == product_id, moderation.c.status == "pending",
        moderation.c.action.in_(("create", "update")))).first()
    live_version = conn.scalar(select(products.c.live_version_id).where(products.c.id == product_id))
    base_id = pending.version_id if pending is not None else live_version
    base = conn.execute(select(product_versions.c.payload, product_versions.c.title, product_versions.c.body)
                        .where(product_versions.c.id == base_id)).first()
    if base is None:
        return None
    if base.title == title:
        return pending.id if pending is not None else None
    # A pending base already carries this submit's offers and proposes its own; the live one gets today's.
    payload = copy.deepcopy(base.payload) if pending is not None else _with_offers(base.payload,
                                                                                   _live_offers(conn, product_id))
    payload["title"] = title
    supersede_pending(conn, product_id, now)
    number = (conn.scalar(select(func.max(product_versions.c.number))
                          .where(product_versions.c.product_id == product_id)) or 0) + 1
    version_id = conn.execute(insert(product_versions).values(
        product_id=product_id, number=number, payload=payload, title=title, body=base.body, import_run_id=run_id,
        status="pending", created_at=now,
    ).returning(product_versions.c.id)).scalar_one()
    carried = conn.execute(select(version_variants).where(version_variants.c.version_id == base_id)).all()
    if carried:
        conn.execute(insert(version_variants), [
            {"version_id": version_id, "variant_id": r.variant_id, "seller_id": r.seller_id, "sku": r.sku,
             "position": r.position} for r in carried])
    return int(conn.execute(insert(moderation).values(
        seller_id=seller_id, product_id=product_id, version_id=version_id, import_run_id=run_id,
        action="update" if live_version is not None else "create", status="pending", submitted_at=now,
        source=source,
    ).returning(moderation.c.id)).scalar_one())


def approve_price(conn: Connection, item: Row[Any], now: datetime) -> None:
    """A held price approved: the variant sells at it, and the versions that carry the variant say so."""
    conn.execute(update(variants).where(and_(variants.c.id == item.variant_id, variants.c.is_live))
                 .values(live_price=item.new_price, updated_at=now))
    _patch_offers(conn, {item.variant_id: {"price": str(item.new_price)}})


def held_price_version(conn: Connection, item_id: int) -> Product | None:
    """What approving a `price` item would make live: the live product, its variants' current offers, and
    the held price on its variant (so `moderation show` shows the one change, old → new)."""
    item = conn.execute(select(moderation.c.product_id, moderation.c.variant_id, moderation.c.new_price)
                        .where(moderation.c.id == item_id, moderation.c.action == "price")).first()
    if item is None:
        return None
    payload = conn.scalar(select(product_versions.c.payload)
                          .join(products, products.c.live_version_id == product_versions.c.id)
                          .where(products.c.id == item.product_id))
    if payload is None:
        return None
    offers = _live_offers(conn, item.product_id)
    offers.setdefault(item.variant_id, {})["price"] = str(item.new_price)
    return product_from_dict(_with_offers(payload, offers))
