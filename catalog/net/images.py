"""Downloading and inspecting the images a file or feed links to.

Each distinct URL is fetched once per run, however many rows use it, by a bounded pool of
threads sharing one `SafeFetcher`. Outcomes keep what the bytes were (size and format, or why
they are unusable) rather than issues, because the minimum size depends on each row's product.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from catalog.domain.issues import Issue
from catalog.domain.location import Location
from catalog.net.http import FetchFailure, SafeFetcher
from catalog.settings import Settings
from validators.images import MIN_SIZE, ImageFault, ImageInfo, fetchable, image_issues, inspect_image

IMAGE_SRC = Location(column="Image Src")
IMAGE_ACCEPT = "image/jpeg, image/png;q=0.9, */*;q=0.1"  # no webp/avif: CDNs would negotiate them
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class ImageRef:
    """One use of an image URL: where it is, and the minimum size its product needs."""

    url: str
    at: Location = IMAGE_SRC
    product: str | None = None
    min_size: int = MIN_SIZE


@dataclass(frozen=True, slots=True)
class ImageOutcome:
    url: str
    failure: FetchFailure | None = None
    inspection: ImageInfo | ImageFault | None = None
    status: int | None = None
    final_url: str | None = None
    size: int = 0
    elapsed: float = 0.0

    @property
    def info(self) -> ImageInfo | None:
        return self.inspection if isinstance(self.inspection, ImageInfo) else None

    @property
    def ok(self) -> bool:
        return self.info is not None

    @property
    def width(self) -> int | None:
        return self.info.width if self.info else None

    @property
    def height(self) -> int | None:
        return self.info.height if self.info else None

    @property
    def format(self) -> str | None:
        return self.info.format if self.info else None


def check_one(url: str, fetcher: SafeFetcher, max_bytes: int,
              decoding: threading.Semaphore | None = None) -> ImageOutcome:
    """Fetch and inspect one URL; `decoding` bounds how many images are decoded in memory at once."""
    result = fetcher.fetch(url, max_bytes=max_bytes, accept=IMAGE_ACCEPT)
    common = {"url": url, "status": result.status, "final_url": result.final_url, "elapsed": result.elapsed}
    if result.failure is not None:
        return ImageOutcome(failure=result.failure, **common)
    if decoding is None:
        inspection = inspect_image(result.body, content_type=result.content_type)
    else:
        with decoding:
            inspection = inspect_image(result.body, content_type=result.content_type)
    return ImageOutcome(inspection=inspection, size=len(result.body), **common)


def _progress_reporter(progress: bool | ProgressCallback, total: int) -> Callable[[int], None]:
    if callable(progress):
        return lambda done: progress(done, total)
    if not (progress and total and sys.stderr.isatty()):
        return lambda done: None

    def show(done: int) -> None:
        sys.stderr.write(f"\rImages : {done}/{total}" + ("\n" if done == total else ""))
        sys.stderr.flush()

    return show


def check_image_urls(refs: Iterable[ImageRef], settings: Settings, *, progress: bool | ProgressCallback = False,
                     fetcher: SafeFetcher | None = None) -> dict[str, ImageOutcome]:
    """Outcome per URL (keyed by `ref.url` as given) for every reference whose link text has no error.

    References whose text checks already failed (not a URL, not https, a sharing site) are not
    downloaded and have no entry. `progress=True` shows `Images : n/total` on stderr when it is a
    terminal; a callable receives (done, total) instead.
    """
    refs = list(refs)
    keys: dict[str, str] = {ref.url: ref.url.strip() for ref in refs if fetchable(ref.url)}
    urls = list(dict.fromkeys(keys.values()))
    report = _progress_reporter(progress, len(urls))
    outcomes: dict[str, ImageOutcome] = {}
    if urls:
        own_fetcher = fetcher is None
        active = fetcher or SafeFetcher(settings)
        decoding = threading.BoundedSemaphore(max(1, min(4, os.cpu_count() or 1)))
        max_bytes = settings.max_image_bytes
        try:
            with ThreadPoolExecutor(max_workers=min(settings.http_concurrency, len(urls)),
                                    thread_name_prefix="image-fetch") as pool:
                futures = [pool.submit(check_one, url, active, max_bytes, decoding) for url in urls]
                for done, future in enumerate(as_completed(futures), start=1):
                    outcome = future.result()
                    outcomes[outcome.url] = outcome
                    report(done)
        finally:
            if own_fetcher:
                active.close()
    return {raw: outcomes[key] for raw, key in keys.items()}


def issues_for(outcome: ImageOutcome | None, ref: ImageRef, min_size: int | None = None) -> list[Issue]:
    """The issues of one reference from its URL's outcome (none when the URL was not downloaded)."""
    if outcome is None:
        return []
    return image_issues(min_size=min_size if min_size is not None else ref.min_size, failure=outcome.failure,
                        inspection=outcome.inspection, at=ref.at, product=ref.product, value=ref.url)
