"""Ops decisions on the moderation queue: approving makes a version live, rejecting leaves the live one alone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Connection, Row, Select, func, select, update

from catalog.domain.model import Product
from catalog.domain.serialize import product_from_dict
from catalog.store.bulk import approve_price, held_price_version
from catalog.store.records import ModerationError, ModerationItem
from catalog.store.schema import STATUSES, moderation, product_versions, products, variants


@cache
def item_query() -> Select[Any]:
    """Items with their product's handle and title: the proposed version's, else (an unpublish) the live
    one's, else the product's latest version's (an unpublish approved: nothing is live any more).

    Built once: a statement is immutable, and building the aliases cost more than running it."""
    proposed = product_versions.alias("proposed")
    live = product_versions.alias("live")
    latest = (select(product_versions.c.title).where(product_versions.c.product_id == products.c.id)
              .order_by(product_versions.c.number.desc()).limit(1).scalar_subquery())
    title = func.coalesce(proposed.c.title, live.c.title, latest, "").label("title")
    return (select(moderation, products.c.handle, title)
            .join(products, products.c.id == moderation.c.product_id)
            .outerjoin(proposed, proposed.c.id == moderation.c.version_id)
            .outerjoin(live, live.c.id == products.c.live_version_id))


def to_item(row: Row[Any]) -> ModerationItem:
    return ModerationItem(
        id=row.id, seller=row.seller_id, handle=row.handle, title=row.title, action=row.action, status=row.status,
        source=row.source, submitted_at=row.submitted_at, product_id=row.product_id, version_id=row.version_id,
        import_run_id=row.import_run_id, reason=row.reason, decided_by=row.decided_by, decided_at=row.decided_at,
    )


def list_items(conn: Connection, status: str | None, seller: str | None,
               action: str | None = None) -> list[ModerationItem]:
    query = item_query().order_by(moderation.c.id)
    if status is None:
        query = query.where(moderation.c.status != "superseded")
    elif status not in STATUSES:
        raise ModerationError(f"unknown moderation status {status!r} (expected {', '.join(STATUSES)})")
    else:
        query = query.where(moderation.c.status == status)
    if seller is not None:
        query = query.where(moderation.c.seller_id == seller)
    if action is not None:
        query = query.where(moderation.c.action == action)
    return [to_item(r) for r in conn.execute(query)]


def get_items(conn: Connection, ids: list[int]) -> list[ModerationItem]:
    """The items that exist among `ids`, in the order asked."""
    by_id = {r.id: to_item(r) for r in conn.execute(item_query().where(moderation.c.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


def pending_ids(conn: Connection, seller: str) -> list[int]:
    return list(conn.scalars(select(moderation.c.id).where(
        moderation.c.seller_id == seller, moderation.c.status == "pending").order_by(moderation.c.id)))


def proposed_version(conn: Connection, item: ModerationItem) -> Product | None:
    """The version the item would make live (None for an unpublish)."""
    if item.action == "price":
        return held_price_version(conn, item.id)
    if item.version_id is None:
        return None
    payload = conn.scalar(select(product_versions.c.payload).where(product_versions.c.id == item.version_id))
    return None if payload is None else product_from_dict(payload)


def _pending(conn: Connection, ids: list[int]) -> list[Row[Any]]:
    """The items, locked, in the order asked; every one must exist and be pending."""
    rows = {r.id: r for r in conn.execute(
        select(moderation).where(moderation.c.id.in_(ids)).with_for_update())}
    for item_id in ids:
        row = rows.get(item_id)
        if row is None:
            raise ModerationError(f"moderation item {item_id} does not exist")
        if row.status != "pending":
            raise ModerationError(f"moderation item {item_id} is {row.status}, not pending: nothing to decide")
    return [rows[i] for i in ids]


def approve(conn: Connection, ids: Iterable[int], by: str, now: datetime) -> list[int]:
    wanted = list(dict.fromkeys(int(i) for i in ids))
    if not wanted:
        raise ModerationError("no moderation item to approve")
    for row in _pending(conn, wanted):
        if row.action == "price":
            approve_price(conn, row, now)
            conn.execute(update(moderation).where(moderation.c.id == row.id)
                         .values(status="approved", decided_by=by, decided_at=now))
            continue
        live = conn.scalar(select(products.c.live_version_id).where(products.c.id == row.product_id))
        if row.action == "unpublish":
            _go_live(conn, row.product_id, None, now)
            new_live = None
        else:
            _go_live(conn, row.product_id, row.version_id, now)
            new_live = row.version_id
            conn.execute(update(product_versions).where(product_versions.c.id == row.version_id)
                         .values(status="approved"))
        if live is not None and live != new_live:
            conn.execute(update(product_versions).where(product_versions.c.id == live).values(status="superseded"))
        conn.execute(update(moderation).where(moderation.c.id == row.id)
                     .values(status="approved", decided_by=by, decided_at=now))
    return wanted


def reject(conn: Connection, item_id: int, reason: str, by: str, now: datetime) -> None:
    if not reason or not reason.strip():
        raise ModerationError("a rejection needs a reason: the seller reads it")
    (row,) = _pending(conn, [int(item_id)])
    conn.execute(update(moderation).where(moderation.c.id == row.id)
                 .values(status="rejected", reason=reason.strip(), decided_by=by, decided_at=now))
    if row.version_id is not None:
        conn.execute(update(product_versions).where(product_versions.c.id == row.version_id)
                     .values(status="rejected"))


def _go_live(conn: Connection, product_id: int, version_id: int | None, now: datetime) -> None:
    """Point the product at `version_id` (None: unpublished) and copy its offer fields onto the variants."""
    conn.execute(update(products).where(products.c.id == product_id).values(live_version_id=version_id))
    live: dict[int, dict[str, Any]] = {}
    if version_id is not None:
        payload = conn.scalar(select(product_versions.c.payload).where(product_versions.c.id == version_id))
        for entry in payload["variants"]:
            live[int(entry["variant_id"])] = entry
    off = update(variants).where(variants.c.product_id == product_id, variants.c.id.not_in(list(live)))
    conn.execute(off.values(is_live=False, live_sku=None, live_price=None, live_qty=None, updated_at=now))
    for variant_id, entry in live.items():
        price = entry.get("price")
        conn.execute(update(variants).where(variants.c.id == variant_id).values(
            is_live=True, live_sku=entry.get("sku", ""), live_qty=entry.get("inventory_qty"),
            live_price=None if price is None else Decimal(price), updated_at=now,
        ))
