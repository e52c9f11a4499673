"""The feed registry: sellers' feed URLs, what each refresh found, and the products each feed holds.

A refresh claims its feed with a lease (`claim`) so that two refreshes of one
feed never run at once, and commits what it read in one transaction
(`commit_read`) that checks it still holds the lease: products staged, removals
staged or held, the feed's new state, all or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from catalog.domain.errors import CatalogError
from catalog.domain.model import Product
from catalog.store import staging
from catalog.store.schema import feed_products, feeds, products

_BATCH = 500  # handles per IN (...) list: under every SQLite build's limit on bound parameters


class FeedError(CatalogError):
    """A registry request that cannot be done: unknown feed, name taken, lease lost."""


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    seller_id: str
    name: str
    url: str
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    last_fetch_at: datetime | None
    last_good_at: datetime | None
    last_outcome: str | None
    last_error: str | None
    last_run_id: int | None
    consecutive_failures: int
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        def when(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat(timespec="seconds")

        return {
            "id": self.id, "seller": self.seller_id, "name": self.name, "url": self.url,
            "last_fetch_at": when(self.last_fetch_at), "last_good_at": when(self.last_good_at),
            "last_outcome": self.last_outcome, "last_error": self.last_error, "last_run_id": self.last_run_id,
            "consecutive_failures": self.consecutive_failures, "etag": self.etag,
            "last_modified": self.last_modified, "created_at": when(self.created_at),
        }


@dataclass(frozen=True, slots=True)
class HeldProduct:
    """A product a feed holds, as the removal check sees it."""

    handle: str
    live: bool
    in_other_feed: bool


def _feed(row: Row[Any]) -> Feed:
    return Feed(
        id=row.id, seller_id=row.seller_id, name=row.name, url=row.url, etag=row.etag,
        last_modified=row.last_modified, content_hash=row.content_hash, last_fetch_at=row.last_fetch_at,
        last_good_at=row.last_good_at, last_outcome=row.last_outcome, last_error=row.last_error,
        last_run_id=row.last_run_id, consecutive_failures=row.consecutive_failures, created_at=row.created_at,
    )


def add(conn: Connection, seller_id: str, name: str, url: str, now: datetime) -> Feed:
    staging.require_seller(conn, seller_id)
    taken = conn.scalar(select(feeds.c.id).where(feeds.c.seller_id == seller_id, feeds.c.name == name))
    if taken is not None:
        raise FeedError(f"seller {seller_id} already has a feed named {name!r} (feed {taken})")
    try:
        feed_id = conn.execute(insert(feeds).values(
            seller_id=seller_id, name=name, url=url, consecutive_failures=0, created_at=now,
        ).returning(feeds.c.id)).scalar_one()
    except IntegrityError:
        raise FeedError(f"seller {seller_id} already has a feed named {name!r}") from None
    return get(conn, feed_id)


def get(conn: Connection, feed_id: int) -> Feed:
    row = conn.execute(select(feeds).where(feeds.c.id == feed_id)).first()
    if row is None:
        raise FeedError(f"unknown feed: {feed_id} (see: catalog feeds list)")
    return _feed(row)


def find(conn: Connection, ref: str) -> Feed:
    """A feed by its id, or by its name when only one seller uses that name."""
    if ref.strip().isdigit():
        return get(conn, int(ref))
    rows = conn.execute(select(feeds).where(feeds.c.name == ref)).all()
    if len(rows) == 1:
        return _feed(rows[0])
    if not rows:
        raise FeedError(f"unknown feed: {ref} (see: catalog feeds list)")
    raise FeedError(f"several sellers have a feed named {ref!r}: give its id (see: catalog feeds list)")


def list_feeds(conn: Connection, seller_id: str | None = None) -> list[Feed]:
    query = select(feeds).order_by(feeds.c.seller_id, feeds.c.id)
    if seller_id is not None:
        query = query.where(feeds.c.seller_id == seller_id)
    return [_feed(r) for r in conn.execute(query)]


def remove(conn: Connection, feed_id: int) -> Feed:
    """Forget the feed; its products stay as they are (removing a feed unpublishes nothing)."""
    feed = get(conn, feed_id)
    conn.execute(delete(feed_products).where(feed_products.c.feed_id == feed_id))
    conn.execute(delete(feeds).where(feeds.c.id == feed_id))
    return feed


def claim(conn: Connection, feed_id: int, owner: str, now: datetime, until: datetime) -> bool:
    """Take the feed for one refresh, unless another refresh holds an unexpired lease on it."""
    get(conn, feed_id)
    done = conn.execute(update(feeds).where(
        feeds.c.id == feed_id, or_(feeds.c.lease_until.is_(None), feeds.c.lease_until < now),
    ).values(lease_owner=owner, lease_until=until))
    return done.rowcount == 1


def release(conn: Connection, feed_id: int, owner: str) -> None:
    conn.execute(update(feeds).where(feeds.c.id == feed_id, feeds.c.lease_owner == owner)
                 .values(lease_owner=None, lease_until=None))


def _holding(conn: Connection, feed_id: int, owner: str) -> Feed:
    """The feed, locked, provided `owner` still holds its lease (a refresh that lost it must not commit)."""
    row = conn.execute(select(feeds).where(feeds.c.id == feed_id).with_for_update()).first()
    if row is None:
        raise FeedError(f"unknown feed: {feed_id}")
    if row.lease_owner != owner:
        raise FeedError(f"feed {feed_id}: this refresh no longer holds the feed (another refresh took it)")
    return _feed(row)


def held_products(conn: Connection, feed_id: int) -> list[HeldProduct]:
    """The products the feed holds: whether each is live, and whether another feed of the seller holds it too."""
    other = feed_products.alias("other")
    in_other = (select(other.c.feed_id).where(other.c.product_id == feed_products.c.product_id,
                                               other.c.feed_id != feed_id).exists())
    query = (select(products.c.handle, products.c.live_version_id, in_other.label("in_other"))
             .join(products, products.c.id == feed_products.c.product_id)
             .where(feed_products.c.feed_id == feed_id).order_by(products.c.handle))
    return [HeldProduct(r.handle, r.live_version_id is not None, bool(r.in_other)) for r in conn.execute(query)]


def record_unchanged(conn: Connection, feed_id: int, owner: str, now: datetime, *, etag: str | None,
                     last_modified: str | None) -> None:
    _holding(conn, feed_id, owner)
    conn.execute(update(feeds).where(feeds.c.id == feed_id).values(
        last_fetch_at=now, last_good_at=now, last_outcome="unchanged", last_error=None, consecutive_failures=0,
        etag=etag, last_modified=last_modified,
    ))


def record_failure(conn: Connection, feed_id: int, owner: str, now: datetime, *, error: str,
                   run_id: int | None) -> None:
    """A failed read: counted on the feed, whose last good state (validators, hash, products) stays."""
    _holding(conn, feed_id, owner)
    conn.execute(update(feeds).where(feeds.c.id == feed_id).values(
        last_fetch_at=now, last_outcome="failed", last_error=error, last_run_id=run_id,
        consecutive_failures=feeds.c.consecutive_failures + 1,
    ))


@dataclass(frozen=True, slots=True)
class FeedRead:
    """What one changed read of a feed commits."""

    run_id: int
    source: str
    stage: Sequence[Product]
    content_hashes: Mapping[str, str]
    present: Iterable[str]  # handles the feed lists now (staged, unchanged or refused)
    unpublish: Sequence[str]  # handles to stage for unpublishing
    keep: Sequence[str]  # handles gone from the feed whose removal is held: the feed still holds them
    held: bool
    etag: str | None
    last_modified: str | None
    content_hash: str | None


@dataclass(frozen=True, slots=True)
class Committed:
    staged: list[int]
    unpublished: list[int]


def commit_read(conn: Connection, feed_id: int, owner: str, read: FeedRead, now: datetime) -> Committed:
    """Stage the read's products and removals and move the feed to its new state, in the caller's transaction.

    A held read keeps no validators and no content hash, so the next refresh reads the feed again (and
    `--allow-removals` can confirm what this one held).
    """
    feed = _holding(conn, feed_id, owner)
    staged = staging.stage_products(conn, feed.seller_id, read.run_id, read.stage, read.source, now,
                                    content_hashes=read.content_hashes)
    unpublished = staging.stage_unpublish(conn, feed.seller_id, read.run_id, sorted(read.unpublish), read.source,
                                          now)
    handles = set(read.present) | set(read.keep)
    conn.execute(delete(feed_products).where(feed_products.c.feed_id == feed_id))
    ordered = sorted(handles)
    for start in range(0, len(ordered), _BATCH):
        ids = conn.execute(select(products.c.id).where(
            products.c.seller_id == feed.seller_id, products.c.handle.in_(ordered[start:start + _BATCH]),
        )).scalars().all()
        if ids:
            conn.execute(insert(feed_products), [{"feed_id": feed_id, "product_id": i} for i in sorted(ids)])
    conn.execute(update(feeds).where(feeds.c.id == feed_id).values(
        last_fetch_at=now, last_good_at=now, last_outcome="held" if read.held else "changed", last_error=None,
        last_run_id=read.run_id, consecutive_failures=0,
        etag=None if read.held else read.etag, last_modified=None if read.held else read.last_modified,
        content_hash=None if read.held else read.content_hash,
    ))
    return Committed(staged, unpublished)
