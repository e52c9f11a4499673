"""Google Merchant feeds (RSS 2.0 and Atom): the XML streamed safely, items grouped into products as they come.

The feed is never held whole: items are parsed one by one (`xml_stream`), the
items of one `g:item_group_id` are buffered until the group ends, and each
product is handed to the engine as soon as it is complete. A problem with the
whole feed found midway (a syntax error, a size limit) is added to the
reading's issues; the engine then rejects the feed, so nothing of it is staged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import BinaryIO, Protocol

from catalog.domain.errors import InputRefused
from catalog.domain.issues import Issue
from catalog.domain.location import Location
from catalog.domain.rules import issue
from catalog.readers.base import Reading, ReadProduct
from catalog.readers.feed.items import group_id, handle_for, item_id, product_from_items
from catalog.readers.feed.xml_stream import FeedError, FeedStream, RawItem
from taxonomy import Taxonomy

FEED_SUFFIXES = (".xml", ".xml.gz", ".rss", ".atom")


def looks_like_feed(path: Path, head: bytes) -> bool:
    """A feed by its name, or by its first bytes (gzip, or XML where a CSV would have a header)."""
    name = path.name.lower()
    if name.endswith(FEED_SUFFIXES):
        return True
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith(b"<") or (head.startswith(b"\x1f\x8b") and not name.endswith(".csv"))


# What the parser says, as a seller reads it in French (the parser's own words stay in the English message).
_NOT_XML_FR: tuple[tuple[str, str], ...] = (
    ("empty document", "le document est vide"),
    ("gzip", "les données compressées (gzip) sont corrompues ou tronquées"),
    ("Start tag expected", "le contenu n'est pas du XML (il ne commence pas par une balise)"),
    ("Premature end of data", "le flux s'arrête avant sa fin : il est tronqué"),
    ("EndTag", "le flux s'arrête avant sa fin : il est tronqué"),
    ("Opening and ending tag mismatch", "une balise fermante ne correspond pas à la balise ouverte"),
    ("not defined", "une entité (&…;) inconnue est utilisée"),
)


def feed_error_issue(error: FeedError, *, limit: int) -> Issue:
    """The file-level issue of a feed that cannot be read as a whole."""
    if error.code == "feed.not_xml":
        detail = error.detail or "syntax error"
        fr = next((fr for key, fr in _NOT_XML_FR if key in detail), f"erreur de syntaxe XML ({detail})")
        line = error.line
        return issue("feed.not_xml", where_fr=f" (ligne {line})" if line else "",
                     where_en=f" (line {line})" if line else "", reason_fr=fr, reason_en=detail, value=detail[:200])
    if error.code == "feed.too_large":
        return issue("feed.too_large", limit=f"{limit / 1024 / 1024:.0f} Mo")
    return issue(error.code, value=error.detail or None)


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


Opener = Callable[[], AbstractContextManager[BinaryIO] | AbstractContextManager[Readable]]


def _products(stream: FeedStream, reading: Reading, taxonomy: Taxonomy, default_qty: int | None,
              limit: int) -> Iterator[ReadProduct]:
    seen_ids: set[str] = set()
    closed_groups: set[str] = set()
    group: list[RawItem] = []
    split: list[Issue] = []

    def flush() -> Iterator[ReadProduct]:
        if group:
            product, found = product_from_items(group, taxonomy=taxonomy, default_qty=default_qty)
            yield product, split + found
            if group_id(group[0]):
                closed_groups.add(group_id(group[0]))
            group.clear()
            split.clear()

    try:
        for item in stream.items():
            reading.row_count += 1
            gid, key = item_id(item), group_id(item)
            same_group = bool(group) and bool(key) and group_id(group[0]) == key
            if not same_group:
                yield from flush()
            if key and key in closed_groups and not group:
                split.append(issue("structure.variants_split", at=Location(item=gid or None, column="g:item_group_id"),
                                   product=handle_for(item), handle=key, rows=f"g:item_group_id {key}", value=key))
            duplicate = bool(gid) and gid in seen_ids
            group.append(item)
            if duplicate:
                split.append(issue("feed.duplicate_id", at=Location(item=gid, column="g:id"), product=handle_for(item),
                                   value=gid))
            seen_ids.add(gid)
        yield from flush()
    except FeedError as error:
        reading.issues.append(feed_error_issue(error, limit=limit))


def read_feed(source: str, open_bytes: Opener, *, max_bytes: int, taxonomy: Taxonomy,
              default_qty: int | None = None) -> Reading:
    """A feed (a file's name or a URL as `source`) as a reading whose products stream from `open_bytes()`.

    The feed is opened when the engine starts taking products, and closed when it has taken them all.
    """
    reading = Reading(kind="feed", source=source)

    def products() -> Iterator[ReadProduct]:
        try:
            with open_bytes() as body:
                stream = FeedStream(body, max_bytes=max_bytes)  # type: ignore[arg-type]
                yield from _products(stream, reading, taxonomy, default_qty, max_bytes)
        except InputRefused as refused:
            reading.issues.append(refused.issue)

    reading.products = products()
    return reading


def read_feed_file(path: Path, *, max_bytes: int, taxonomy: Taxonomy, default_qty: int | None = None) -> Reading:
    """A feed file (`.xml` or `.xml.gz`)."""
    return read_feed(path.name, lambda: path.open("rb"), max_bytes=max_bytes, taxonomy=taxonomy,
                     default_qty=default_qty)
