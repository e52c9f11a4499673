"""The image checks remembered between runs: the store's side of `catalog.net.image_cache.ImageCache`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from catalog.net.image_cache import CachedImage
from catalog.store.schema import IMAGE_FAULTS, image_checks
from validators.images import ImageFault, ImageInfo

if TYPE_CHECKING:
    from catalog.store.core import Store

BATCH = 500
MAX_ETAG = 1024
MAX_LAST_MODIFIED = 64


def url_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()


def _batches(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), BATCH):
        yield items[start:start + BATCH]


def _fits(value: str | None, limit: int) -> str | None:
    """A server's validator as kept: an oversized one is dropped (the next check is then a full download)."""
    return value if value and len(value) <= limit else None


def _row(check: CachedImage) -> dict[str, Any]:
    info = check.inspection if isinstance(check.inspection, ImageInfo) else None
    fault = check.inspection if isinstance(check.inspection, ImageFault) else None
    return {
        "url_key": url_key(check.url), "url": check.url,
        "format": info.format if info else None, "width": info.width if info else None,
        "height": info.height if info else None,
        "fault": fault.code if fault else None, "fault_params": dict(fault.params) if fault else None,
        "etag": _fits(check.etag, MAX_ETAG), "last_modified": _fits(check.last_modified, MAX_LAST_MODIFIED),
        "size": check.size, "checked_at": check.checked_at,
    }


def _check(row: Any) -> CachedImage:
    inspection: ImageInfo | ImageFault
    if row.fault is not None:
        inspection = ImageFault(row.fault, dict(row.fault_params or {}))
    else:
        inspection = ImageInfo(row.format, row.width, row.height)
    return CachedImage(row.url, inspection, row.checked_at, row.etag, row.last_modified, row.size)


def recall(conn: Connection, urls: Sequence[str]) -> dict[str, CachedImage]:
    keys = {url_key(url): url for url in urls}
    found: dict[str, CachedImage] = {}
    for batch in _batches(sorted(keys)):
        for row in conn.execute(select(image_checks).where(image_checks.c.url_key.in_(batch))):
            if row.url == keys[row.url_key]:
                found[row.url] = _check(row)
    return found


def remember(conn: Connection, checks: Sequence[CachedImage]) -> None:
    """Upsert, one row per URL; rows in key order so that two runs writing at once never deadlock."""
    rows = sorted({url_key(c.url): _row(c) for c in checks
                   if not isinstance(c.inspection, ImageFault) or c.inspection.code in IMAGE_FAULTS}.values(),
                  key=lambda row: row["url_key"])
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    for batch in _batches(rows):
        statement = insert(image_checks).values(list(batch))
        columns = {name: statement.excluded[name] for name in batch[0] if name != "url_key"}
        conn.execute(statement.on_conflict_do_update(index_elements=["url_key"], set_=columns))


class StoredImageChecks:
    """`ImageCache` over the store's `image_checks` table; each call is one transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def recall(self, urls: Sequence[str]) -> Mapping[str, CachedImage]:
        with self.store.transaction(write=False) as conn:
            return recall(conn, urls)

    def remember(self, checks: Sequence[CachedImage]) -> None:
        with self.store.transaction() as conn:
            remember(conn, checks)
