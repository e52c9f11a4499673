"""Fetching a seller's feed: https only, public addresses only (every redirect too), a time and a size limit.

The body is never held whole: `open_feed_url` gives a file-like object that
the feed parser reads as it streams. HTTP gzip is decoded on the fly and the
size limit counts the decoded bytes (a `.gz` body is decompressed by the
parser, which counts again). Whatever stops the fetch, at the start or midway,
becomes an `InputRefused` carrying the feed's issue.
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from catalog.domain.errors import InputRefused
from catalog.domain.fetch import FetchFailure, Reason
from catalog.domain.issues import Issue
from catalog.domain.rules import issue
from catalog.net.http import FetchError, FetchStream, SafeFetcher, address_allowed
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


# Worth another try a little later: the network or the server, not the feed.
_TRANSIENT = frozenset({Reason.DNS, Reason.REFUSED, Reason.TIMEOUT, Reason.CONNECTION, Reason.TLS})


class FeedUnavailable(InputRefused):
    """The feed could not be fetched; `transient` when trying again later may succeed."""

    def __init__(self, issue: Issue, *, transient: bool) -> None:
        super().__init__(issue)
        self.transient = transient


def _unavailable(failure: FetchFailure, limit: int) -> FeedUnavailable:
    transient = failure.reason in _TRANSIENT or (
        failure.reason is Reason.HTTP_STATUS and (failure.status or 0) >= 500)
    return FeedUnavailable(fetch_issue(failure, limit=limit), transient=transient)


@dataclass(frozen=True, slots=True)
class Download:
    """A conditional fetch of a feed: not modified, or its body saved to a file with its digest."""

    not_modified: bool
    etag: str | None
    last_modified: str | None
    sha256: str | None = None
    size: int = 0


def download_feed(url: str, settings: Settings, target: Path, *, etag: str | None = None,
                  last_modified: str | None = None) -> Download:
    """Fetch `url` into `target` (never held in memory), sending the validators of the last good read.

    A 304 writes nothing. The digest lets a server that ignores validators cost no more than the download.
    """
    limit = settings.max_feed_bytes
    digest = hashlib.sha256()
    target.parent.mkdir(parents=True, exist_ok=True)
    with SafeFetcher(settings, total_timeout=settings.feed_timeout) as fetcher:
        try:
            with fetcher.open_stream(url, max_bytes=limit, accept=FEED_ACCEPT, require_https=True, etag=etag,
                                     last_modified=last_modified) as stream:
                new_etag, new_modified = stream.headers.get("ETag"), stream.headers.get("Last-Modified")
                if stream.not_modified:
                    return Download(True, new_etag or etag, new_modified or last_modified)
                size = 0
                with target.open("wb") as out:
                    for chunk in stream.chunks():
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
        except FetchError as err:
            target.unlink(missing_ok=True)
            raise _unavailable(err.failure, limit) from None
    if size == 0:
        target.unlink(missing_ok=True)
        raise FeedUnavailable(issue("feed.fetch_failed", reason_fr="le serveur a répondu sans contenu",
                                    reason_en="the server answered with an empty body"), transient=False)
    return Download(False, new_etag, new_modified, digest.hexdigest(), size)


def feed_url_problem(url: str, settings: Settings) -> Issue | None:
    """Why `url` cannot be registered as a feed (not https, no host, a non-public address), or None.

    The address is checked again at every fetch (and every redirect): a name may resolve elsewhere later.
    """
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        return issue("feed.fetch_failed", reason_fr=f"l'adresse n'est pas une URL valide ({exc})",
                     reason_en=f"the address is not a valid URL ({exc})")
    if parts.scheme.lower() != "https" or not host:
        return issue("feed.fetch_failed", reason_fr="l'adresse doit commencer par https:// et nommer un serveur",
                     reason_en="the address must start with https:// and name a server")
    try:
        infos = socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return issue("feed.fetch_failed", reason_fr=f"le serveur « {host} » est introuvable (DNS)",
                     reason_en=f"the server \"{host}\" cannot be found (DNS)")
    if not any(address_allowed(str(info[4][0]), allow_private=settings.allow_private_networks) for info in infos):
        return issue("feed.blocked_address", host=host)
    return None
