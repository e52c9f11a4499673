"""What the image checks remember between runs, and the interface of whatever remembers it.

An image's check is kept per URL with the validators its server gave (ETag, Last-Modified),
so that a re-sent file or a nightly feed refresh does not download again what was checked
recently. A good image is trusted for `CATALOG_IMAGE_RECHECK_DAYS`, then asked again with a
conditional request (a 304 costs no download). A bad image (wrong format, unreadable) is asked
again on every run, so a seller who replaces the file at the same address is not told of the
old one; a failed download (a network error, a 404) is never remembered.

The engine and this package sit below the store: they define `ImageCache`, the store
implements it (`catalog.store.image_checks`), and the job steps hand it in through `Options`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from validators.images import ImageFault, ImageInfo


@dataclass(frozen=True, slots=True)
class CachedImage:
    """The last inspection of the bytes at `url`, when it was made, the server's validators then, and how
    many bytes they were (a lower `CATALOG_MAX_IMAGE_BYTES` then applies to it too)."""

    url: str
    inspection: ImageInfo | ImageFault
    checked_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    size: int = 0

    @property
    def good(self) -> bool:
        return isinstance(self.inspection, ImageInfo)

    @property
    def conditional(self) -> bool:
        """Whether the server can answer 304 for it."""
        return bool(self.etag or self.last_modified)

    def trusted(self, now: datetime, max_age: timedelta) -> bool:
        """A good image checked less than `max_age` ago: used without asking the server."""
        return self.good and now - self.checked_at < max_age


class ImageCache(Protocol):
    """Image checks remembered per URL (the store's `image_checks` table in production)."""

    def recall(self, urls: Sequence[str]) -> Mapping[str, CachedImage]:
        """What is known of these URLs; unknown ones are absent."""
        ...

    def remember(self, checks: Sequence[CachedImage]) -> None:
        """Keep these checks, replacing what was known of their URLs."""
        ...
