"""Downloading and inspecting the images a file or feed links to.

Each distinct URL is fetched once per run, however many rows use it, by a bounded pool of
threads sharing one `SafeFetcher`, the hosts taken in turn. Outcomes keep what the bytes were
(size and format, or why they are unusable) rather than issues, because the minimum size
depends on each row's product. With an `ImageCache`, what was checked recently is not
downloaded again (see `catalog.net.image_cache`); a `HostGate` gives up on a host that does
not answer after a few attempts (see `catalog.net.hosts`).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import chain, zip_longest

from catalog.domain.issues import Issue
from catalog.domain.location import Location
from catalog.net.hosts import HostGate, host_of
from catalog.net.http import FetchFailure, SafeFetcher
from catalog.net.image_cache import CachedImage, ImageCache
from catalog.settings import Settings
from validators.images import MIN_SIZE, ImageFault, ImageInfo, fetchable, image_issues, inspect_image

IMAGE_SRC = Location(column="Image Src")
IMAGE_ACCEPT = "image/jpeg, image/png;q=0.9, */*;q=0.1"  # no webp/avif: CDNs would negotiate them
ProgressCallback = Callable[[int, int], None]
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ImageRef:
    """One use of an image URL: where it is, and the minimum size its product needs."""

    url: str
    at: Location = IMAGE_SRC
    product: str | None = None
    min_size: int = MIN_SIZE


@dataclass(frozen=True, slots=True)
class ImageOutcome:
    """What one URL gave. `origin`: `download` (bytes fetched), `cache` (a recent check, no request),
    `not_modified` (a conditional request answered 304), `skipped` (its host was down: not tried).
    `host_down` names the host when the run gave up on it and this URL failed with it."""

    url: str
    failure: FetchFailure | None = None
    inspection: ImageInfo | ImageFault | None = None
    status: int | None = None
    final_url: str | None = None
    size: int = 0
    elapsed: float = 0.0
    origin: str = "download"
    host_down: str | None = None
    etag: str | None = None
    last_modified: str | None = None

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
              decoding: threading.Semaphore | None = None, known: CachedImage | None = None,
              hosts: HostGate | None = None) -> ImageOutcome:
    """Fetch and inspect one URL; `decoding` bounds how many images are decoded in memory at once.

    With `known` (an earlier check of the URL), the request is conditional and a 304 gives the known
    inspection back without a download. With `hosts`, a host given up on is not asked at all.
    """
    if hosts is not None:
        down = hosts.enter(url)
        if down is not None:
            return ImageOutcome(url=url, failure=down, origin="skipped")
    failure: FetchFailure | None = None
    try:
        result = fetcher.fetch(url, max_bytes=max_bytes, accept=IMAGE_ACCEPT,
                               etag=known.etag if known else None,
                               last_modified=known.last_modified if known else None)
        failure = result.failure
    finally:
        if hosts is not None:
            hosts.leave(url, failure)
    common = {"url": url, "status": result.status, "final_url": result.final_url, "elapsed": result.elapsed,
              "etag": result.etag, "last_modified": result.last_modified}
    if result.failure is not None:
        return ImageOutcome(failure=result.failure, **common)
    if result.not_modified and known is not None:
        common.update(etag=result.etag or known.etag, last_modified=result.last_modified or known.last_modified)
        return ImageOutcome(inspection=known.inspection, origin="not_modified", size=known.size, **common)
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


def _by_host_in_turn(urls: list[str]) -> list[str]:
    """The URLs with their hosts interleaved, so that no one host holds every worker."""
    groups: dict[str, list[str]] = defaultdict(list)
    for url in urls:
        groups[host_of(url)].append(url)
    return [url for url in chain.from_iterable(zip_longest(*groups.values())) if url is not None]


def _cached_outcome(url: str, known: CachedImage) -> ImageOutcome:
    return ImageOutcome(url=url, inspection=known.inspection, origin="cache", etag=known.etag,
                        last_modified=known.last_modified, size=known.size)


def _to_remember(outcome: ImageOutcome, now: datetime) -> CachedImage | None:
    """The check worth keeping: bytes that were inspected (or confirmed unchanged), never a failure."""
    if outcome.failure is not None or outcome.inspection is None or outcome.origin not in ("download",
                                                                                           "not_modified"):
        return None
    return CachedImage(outcome.url, outcome.inspection, now, outcome.etag, outcome.last_modified, outcome.size)


def check_image_urls(refs: Iterable[ImageRef], settings: Settings, *, progress: bool | ProgressCallback = False,
                     fetcher: SafeFetcher | None = None, cache: ImageCache | None = None,
                     now: datetime | None = None) -> dict[str, ImageOutcome]:
    """Outcome per URL (keyed by `ref.url` as given) for every reference whose link text has no error.

    References whose text checks already failed (not a URL, not https, a sharing site) are not
    downloaded and have no entry. `progress=True` shows `Images : n/total` on stderr when it is a
    terminal; a callable receives (done, total) instead. With `cache`, a good image checked less than
    `settings.image_recheck_days` ago is not asked again, an older or bad one is asked with a
    conditional request, and what was inspected is remembered (`now` stamps it; default: the clock).
    """
    refs = list(refs)
    keys: dict[str, str] = {ref.url: ref.url.strip() for ref in refs if fetchable(ref.url)}
    urls = list(dict.fromkeys(keys.values()))
    report = _progress_reporter(progress, len(urls))
    outcomes: dict[str, ImageOutcome] = {}
    now = now or datetime.now(UTC)
    recalled: Mapping[str, CachedImage] = cache.recall(urls) if cache is not None and urls else {}
    known = {url: entry for url, entry in recalled.items() if entry.size <= settings.max_image_bytes}
    max_age = timedelta(days=settings.image_recheck_days)
    for url in urls:
        entry = known.get(url)
        if entry is not None and entry.trusted(now, max_age):
            outcomes[url] = _cached_outcome(url, entry)
    todo = _by_host_in_turn([url for url in urls if url not in outcomes])
    done = len(outcomes)
    if done:
        report(done)
    hosts = HostGate()
    if todo:
        own_fetcher = fetcher is None
        active = fetcher or SafeFetcher(settings)
        decoding = threading.BoundedSemaphore(max(1, min(4, os.cpu_count() or 1)))
        max_bytes = settings.max_image_bytes
        try:
            with ThreadPoolExecutor(max_workers=min(settings.http_concurrency, len(todo)),
                                    thread_name_prefix="image-fetch") as pool:
                futures = [pool.submit(check_one, url, active, max_bytes, decoding, known.get(url), hosts)
                           for url in todo]
                for future in as_completed(futures):
                    outcome = future.result()
                    outcomes[outcome.url] = outcome
                    done += 1
                    report(done)
        finally:
            if own_fetcher:
                active.close()
    _mark_down_hosts(outcomes, hosts)
    if cache is not None:
        checks = [check for outcome in outcomes.values() if (check := _to_remember(outcome, now)) is not None]
        if checks:
            cache.remember(checks)
    return {raw: outcomes[key] for raw, key in keys.items()}


def _mark_down_hosts(outcomes: dict[str, ImageOutcome], hosts: HostGate) -> None:
    """Tag every failure from a host the run gave up on, and log one line per such host."""
    down = {found.host: found for found in hosts.down_hosts()}
    if not down:
        return
    failed: dict[str, int] = defaultdict(int)
    for url, outcome in outcomes.items():
        host = host_of(url)
        if host in down and outcome.failure is not None and outcome.failure.reason == down[host].failure.reason:
            outcomes[url] = replace(outcome, host_down=host)
            failed[host] += 1
    for host, found in down.items():
        log.warning("image host %s unreachable (%s): %d image URLs failed, %d of them not tried",
                    host, found.failure.message.en, failed[host], found.skipped)


def issues_for(outcome: ImageOutcome | None, ref: ImageRef, min_size: int | None = None) -> list[Issue]:
    """The issues of one reference from its URL's outcome (none when the URL was not downloaded)."""
    if outcome is None:
        return []
    return image_issues(min_size=min_size if min_size is not None else ref.min_size, failure=outcome.failure,
                        inspection=outcome.inspection, at=ref.at, product=ref.product, value=ref.url)
