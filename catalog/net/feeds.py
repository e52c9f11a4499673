"""Fetching a seller's feed: https only, public addresses only (every redirect too), a time and a size limit.

The body is never held whole: `open_feed_url` gives a file-like object that
the feed parser reads as it streams. HTTP gzip is decoded on the fly and the
size limit counts the decoded bytes (a `.gz` body is decompressed by the
parser, which counts again). Whatever stops the fetch, at the start or midway,
becomes an `InputRefused` carrying the feed's issue.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from catalog.domain.errors import InputRefused
from catalog.domain.fetch import FetchFailure, Reason
from catalog.domain.issues import Issue
from catalog.domain.rules import issue
from catalog.net.http import FetchError, FetchStream, SafeFetcher
from catalog.settings import Settings

FEED_ACCEPT = "application/xml, text/xml;q=0.9, application/rss+xml;q=0.9, application/atom+xml;q=0.9, */*;q=0.1"


def _human_limit(limit: int) -> str:
    return f"{limit / 1024 / 1024:.0f} Mo" if limit >= 1024 * 1024 else f"{limit} octets"


def fetch_issue(failure: FetchFailure, *, limit: int) -> Issue:
    """The feed issue of a failed fetch: a blocked address, a body over the limit, or any other failure."""
    if failure.reason is Reason.BLOCKED_ADDRESS:
        return issue("feed.blocked_address", host=failure.host or urlsplit(failure.url).hostname or "?")
    if failure.reason is Reason.TOO_LARGE:
        return issue("feed.too_large", limit=_human_limit(limit))
    return issue("feed.fetch_failed", reason_fr=failure.message.fr, reason_en=failure.message.en)


class FeedBody:
    """The body of an answered feed request, read by the parser; fetch failures become `InputRefused`."""

    def __init__(self, stream: FetchStream, limit: int) -> None:
        self._stream = stream
        self._limit = limit
        self._started = False

    def read(self, size: int = -1) -> bytes:
        try:
            data = self._stream.read(size)
        except FetchError as err:
            raise InputRefused(fetch_issue(err.failure, limit=self._limit)) from None
        if not self._started and not data:
            raise InputRefused(issue("feed.fetch_failed", reason_fr="le serveur a répondu sans contenu",
                                     reason_en="the server answered with an empty body"))
        self._started = True
        return data


@contextmanager
def open_feed_url(url: str, settings: Settings) -> Iterator[FeedBody]:
    """Open `url` for streaming under the fetch policy; `InputRefused` when it cannot be read."""
    limit = settings.max_feed_bytes
    with SafeFetcher(settings, total_timeout=settings.feed_timeout) as fetcher:
        try:
            with fetcher.open_stream(url, max_bytes=limit, accept=FEED_ACCEPT, require_https=True) as stream:
                yield FeedBody(stream, limit)
        except FetchError as err:
            raise InputRefused(fetch_issue(err.failure, limit=limit)) from None
