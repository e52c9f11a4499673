"""The safe, streaming XML layer of Google Merchant product feeds (RSS 2.0 and Atom 1.0).

`FeedStream(source, max_bytes=...).items()` turns the bytes of a feed (plain or gzip) into `RawItem`s, one per
`channel/item` (RSS) or `entry` (Atom), and raises `FeedError` for a problem with the whole feed. It knows
nothing of the product model: field names and their text values only.

A feed is untrusted input from the internet, so three layers keep the parser from doing anything but parse:

1. `_PrologGuard` reads the prolog (what comes before the root element) while it streams, and holds those bytes
   back from the parser until it has seen the root's `<`. A `<!DOCTYPE` there raises `feed.forbidden_xml`
   ('DOCTYPE declaration', with its line) before libxml2 has seen a byte of it: no internal subset, entity
   declaration, parameter entity or external DTD ever reaches the parser. It reads ASCII-compatible encodings
   (UTF-8, Latin-1, windows-1252, ...: the markup characters are single ASCII bytes there) and UTF-16/32 (BOM
   or `<?` pattern). A bare HTML doctype (`<!DOCTYPE html>`, any case, with or without a public id, without
   an internal subset) is the commonest mistake (the shop's home page instead of its feed): it is reported as
   `feed.format_unknown`, which tells the seller what is wrong; it is refused all the same. The guard also
   reads the root's name, so `<html>` or `<foo>` is `feed.format_unknown` before the parser has read anything.
2. The parser is built with explicit options (`_PARSER_OPTIONS`), never lxml's process-wide defaults: no entity
   substitution, no DTD loading or validation, no network, no huge trees. At its first event (or at the end, for
   a document without one) the docinfo is checked again, for a prolog the guard could not read (EBCDIC, junk
   before the root), and the root's namespaced tag decides the flavour.
3. A resolver on the parser answers any request for an external resource with an empty document and records
   it; a request makes the feed `feed.forbidden_xml`. The options alone are not enough: with lxml 6.1 /
   libxml2 2.14, `load_dtd=False` still lets libxml2 open a local file named as an external DTD subset
   (`<!DOCTYPE rss SYSTEM "file:///...">`) or an external parameter entity (`%p;`). The guard means the parser
   never sees such a DOCTYPE; the resolver keeps the file closed should one slip past it.

Size: `max_bytes` bounds the bytes read from `source` and, for gzip input (first bytes `1f 8b`), the decompressed
bytes too. Decompression is chunked with a bounded output per call, and `feed.too_large` is raised as soon as a
count passes the limit, before those bytes reach the parser, so a gzip bomb is never inflated whole.

Streaming: an `lxml.etree.XMLPullParser` is fed 64 KiB chunks and reports start/end events for the feed's
structural tags only (`rss`, `channel`, `item`, Atom `feed` and `entry`); each item is copied out, then cleared
and its already-processed siblings deleted, so memory stays flat whatever the number of items.

Errors come while iterating, and items before them have been yielded already (the caller decides what to keep):
a syntax error (`feed.not_xml`, with lxml's message and line; a truncated feed is one too), the size limit, and
`feed.format_unknown` for an RSS or Atom feed whose items use no `g:` field at all (known only at the end).
A root element that is neither `<rss>` nor Atom `<feed>` raises `feed.format_unknown` before any item.
"""

from __future__ import annotations

import codecs
import functools
import re
import uuid
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from lxml import etree

G_NS = "http://base.google.com/ns/1.0"
ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_ERROR_CODES = frozenset({"feed.not_xml", "feed.forbidden_xml", "feed.format_unknown", "feed.too_large"})

CHUNK_SIZE = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_WBITS = 16 + zlib.MAX_WBITS
_ATOM_FEED = f"{{{ATOM_NS}}}feed"
_ATOM_ENTRY = f"{{{ATOM_NS}}}entry"
_G_PREFIX = f"{{{G_NS}}}"
_NOT_A_FEED = "root element <{name}> is neither RSS 2.0 <rss> nor Atom <feed>"
_EVENT_TAGS = ("rss", "channel", "item", _ATOM_FEED, _ATOM_ENTRY)

_PARSER_OPTIONS: dict[str, bool] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "attribute_defaults": False,
    "huge_tree": False,
    "recover": False,
    "collect_ids": False,
    "remove_comments": True,
    "remove_pis": True,
    "strip_cdata": True,
}


class FeedError(Exception):
    """A problem with the whole feed. `code` is one of the catalog codes:
    'feed.not_xml', 'feed.forbidden_xml', 'feed.format_unknown', 'feed.too_large'."""

    code: str
    line: int | None
    detail: str

    def __init__(self, code: str, detail: str = "", line: int | None = None) -> None:
        if code not in FEED_ERROR_CODES:
            raise ValueError(f"not a feed error code: {code!r}")
        # All three in args, so the error pickles (Prefect moves exceptions between processes).
        super().__init__(code, detail, line)
        self.code = code
        self.detail = detail
        self.line = line

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line is not None else ""
        return f"{self.code}: {self.detail}{where}" if self.detail else f"{self.code}{where}"


@dataclass(slots=True)
class RawItem:
    position: int  # 1-based position of the item in the feed
    line: int | None  # source line of the item's start tag
    fields: dict[str, list[str]]  # field name -> values in document order


class FeedStream:
    """One feed read once: iterate `items()`; `flavour` ('rss' or 'atom') is known once the root was reached."""

    def __init__(self, source: BinaryIO, *, max_bytes: int) -> None:
        self._source = source
        self._max_bytes = max_bytes
        self.flavour: str | None = None
        self._consumed = False
        self._root: etree._Element | None = None
        self._google_declared = False
        self._google_used = False
        self._count = 0
        self._root_named = False
        # Names this feed's entries in lxml's error log; never used to resolve anything (nothing is loaded).
        self._name = f"urn:uuid:{uuid.uuid4()}"

    def items(self) -> Iterator[RawItem]:
        """The feed's items in document order; raises `FeedError` (see the module docstring for when)."""
        if self._consumed:
            raise RuntimeError("FeedStream.items() reads its source once")
        self._consumed = True
        # Events for these tags only: a third of the Python work per item, which is most of the time spent.
        parser = etree.XMLPullParser(events=("start", "end"), tag=_EVENT_TAGS, base_url=self._name, **_PARSER_OPTIONS)
        resolver = _RefusingResolver()
        parser.resolvers.add(resolver)
        guard = _PrologGuard()
        empty = True
        for chunk in _decoded_chunks(self._source, self._max_bytes):
            empty = False
            data = guard.feed(chunk)
            if data:
                if guard.root_name is not None and not self._root_named:
                    self._check_root_name(guard.root_name, guard.line)
                yield from self._feed(parser, resolver, data)
        if empty:
            raise FeedError("feed.not_xml", "empty document")
        data = guard.close()
        if data:
            yield from self._feed(parser, resolver, data)
        yield from self._feed(parser, resolver, None)
        self._check_google()

    def _check_root_name(self, name: str, line: int) -> None:
        """The root's name as the prolog guard read it: refuse an HTML page or `<foo>` before parsing anything.

        Only the local name is known here; `_start_root` checks the namespace once the parser has resolved it.
        """
        self._root_named = True
        if name.rpartition(":")[2] not in ("rss", "feed"):
            raise FeedError("feed.format_unknown", _NOT_A_FEED.format(name=name), line)

    def _feed(self, parser: etree.XMLPullParser, resolver: _RefusingResolver, data: bytes | None) -> Iterator[RawItem]:
        """Give the parser `data` (None: the end of input), then walk the events it produced."""
        root = None
        try:
            if data is None:
                root = parser.close()
            else:
                parser.feed(data)
        except etree.XMLSyntaxError as exc:
            # Events before the error first: a root that is no feed says more than its syntax.
            resolver.check()
            yield from self._walk(_before_error(list(parser.read_events())))
            raise _syntax_error(exc, self._name) from None
        resolver.check()
        yield from self._walk(parser.read_events())
        if root is not None and self._root is None:
            self._start_root(root)  # a document without any element of _EVENT_TAGS

    def _walk(self, events: Iterable[tuple[str, etree._Element]]) -> Iterator[RawItem]:
        for event, elem in events:
            if self._root is None:
                self._start_root(elem.getroottree().getroot())
            if event == "start" or not self._is_item(elem):
                continue
            self._count += 1
            fields = _fields(elem)
            if not self._google_used:
                self._google_used = any(name.startswith("g:") for name in fields)
            item = RawItem(position=self._count, line=elem.sourceline, fields=fields)
            # Copied out: drop it and every earlier sibling, so the tree never holds more than one item.
            elem.clear()
            parent = elem.getparent()
            while elem.getprevious() is not None:
                del parent[0]
            yield item

    def _is_item(self, elem: etree._Element) -> bool:
        """`item` under `channel` under the RSS root, or `entry` under the Atom root."""
        parent = elem.getparent()
        if self.flavour == "atom":
            return elem.tag == _ATOM_ENTRY and parent is self._root
        if elem.tag != "item" or parent is None:
            return False
        return parent.tag == "channel" and parent.getparent() is self._root

    def _start_root(self, root: etree._Element) -> None:
        docinfo = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
            raise FeedError("feed.forbidden_xml", "DOCTYPE declaration")
        if root.tag == "rss":
            self.flavour = "rss"
        elif root.tag == _ATOM_FEED:
            self.flavour = "atom"
        else:
            raise FeedError(
                "feed.format_unknown",
                _NOT_A_FEED.format(name=_field_name(root.tag)),
                root.sourceline,
            )
        self._root = root
        self._google_declared = G_NS in root.nsmap.values()

    def _check_google(self) -> None:
        if self._count and not self._google_used:
            raise FeedError("feed.format_unknown", f"no item has a field of the Google namespace {G_NS}")
        if not self._count and not self._google_declared:
            raise FeedError("feed.format_unknown", f"no item, and the Google namespace {G_NS} is not declared")


def _before_error(events: list[tuple[str, etree._Element]]) -> list[tuple[str, etree._Element]]:
    """The events of a parse that failed, without the ends the parser made up to close what was open.

    Newer libxml2 (lxml 6.2) ends every open element when it stops on an error: a trailing run of end events
    down to the root's. An item cut by the error is no item of the feed.
    """
    cut = len(events)
    while cut and events[cut - 1][0] == "end":
        cut -= 1
    tail = events[cut:]
    if tail and tail[-1][1].getparent() is None:  # the root ended: every end in the run was made up
        return events[:cut]
    return events


def _syntax_error(exc: etree.XMLSyntaxError, name: str) -> FeedError:
    """`feed.not_xml` with the message and line of the feed's first error.

    With `resolve_entities=False` lxml lets an undefined entity (`&nbsp;`) pass `feed()` silently while libxml2
    stops there; a later `feed()` or `close()` then raises a consequential error ('no element found' without a
    line, a bogus namespace error). The first error is in the exception's log, which is the thread's log (other
    parses, the caller's between two items included): this feed's entries are named after its `base_url`.
    """
    for entry in exc.error_log:
        if entry.filename == name and entry.level >= etree.ErrorLevels.ERROR:
            return FeedError("feed.not_xml", entry.message, entry.line or None)
    return FeedError("feed.not_xml", exc.msg or str(exc), exc.lineno or None)


def _fields(item: etree._Element) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    _collect(item, "", fields)
    return fields


def _collect(elem: etree._Element, prefix: str, fields: dict[str, list[str]]) -> None:
    for child in elem:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        name = prefix + _field_name(tag)
        if len(child):
            if _is_group(child, tag):
                _collect(child, name + "/", fields)
                continue
            value = "".join(child.itertext())
        elif name == "link" and (href := child.get("href")) is not None:
            value = href  # Atom's <link href="..."/>
        else:
            value = child.text or ""
        fields.setdefault(name, []).append(value.strip())


def _is_group(elem: etree._Element, tag: str) -> bool:
    """A Google element made only of Google elements (`g:shipping`): its children become `g:shipping/g:...`.

    Anything else with children (`<description>` with inline HTML) is one value: its whole text.
    """
    if not tag.startswith(_G_PREFIX) or (elem.text or "").strip():
        return False
    return all(
        isinstance(child.tag, str) and child.tag.startswith(_G_PREFIX) and not (child.tail or "").strip()
        for child in elem
    )


@functools.lru_cache(maxsize=1024)
def _field_name(tag: str) -> str:
    if not tag.startswith("{"):
        return tag
    uri, _, local = tag[1:].partition("}")
    if uri == G_NS:
        return "g:" + local
    if uri == ATOM_NS:
        return local
    return tag


class _RefusingResolver(etree.Resolver):
    """Answers every external DTD or entity request with an empty document, and remembers it was asked.

    libxml2 asks for an external DTD subset or parameter entity even with `load_dtd=False`: without this
    resolver it would open the local file (the network is off: `no_network`, and no HTTP client in libxml2 2.14).
    """

    def __init__(self) -> None:
        super().__init__()
        self.requested: list[str] = []

    def resolve(self, system_url: str | None, public_id: str | None, context: object) -> object:
        self.requested.append(system_url or public_id or "")
        return self.resolve_string("", context)

    def check(self) -> None:
        if self.requested:
            raise FeedError("feed.forbidden_xml", f"external DTD or entity requested ({self.requested[0]})")


# --- bytes: the size limit and gzip -------------------------------------------------------------------------------


def _decoded_chunks(source: BinaryIO, max_bytes: int) -> Iterator[bytes]:
    """The document's bytes in chunks, gunzipped when they start with the gzip magic, within `max_bytes`."""
    raw = _raw_chunks(source, max_bytes)
    head = b""
    for block in raw:
        head += block
        if len(head) >= len(_GZIP_MAGIC):
            break
    if not head:
        return
    rest = _prepend(head, raw)
    if head.startswith(_GZIP_MAGIC):
        yield from _gunzip(rest, max_bytes)
    else:
        yield from rest


def _prepend(head: bytes, rest: Iterable[bytes]) -> Iterator[bytes]:
    yield head
    yield from rest


def _raw_chunks(source: BinaryIO, max_bytes: int) -> Iterator[bytes]:
    total = 0
    while block := source.read(CHUNK_SIZE):
        total += len(block)
        if total > max_bytes:
            raise FeedError("feed.too_large", f"the feed is larger than {max_bytes} bytes")
        yield block


def _gunzip(raw: Iterable[bytes], max_bytes: int) -> Iterator[bytes]:
    """Inflate gzip members (concatenated ones too) with at most CHUNK_SIZE bytes out per call."""
    inflater = zlib.decompressobj(wbits=_GZIP_WBITS)
    in_member = False
    total = 0
    for block in raw:
        data = block
        while True:
            if not in_member:
                data = data.lstrip(b"\0")  # zero padding between or after members, as gzip(1) accepts
                if not data:
                    break
                in_member = True
            try:
                out = inflater.decompress(data, CHUNK_SIZE)
            except zlib.error as exc:
                raise FeedError("feed.not_xml", f"the gzip data is corrupt or truncated ({exc})") from None
            if out:
                total += len(out)
                if total > max_bytes:
                    raise FeedError("feed.too_large", f"the feed is larger than {max_bytes} bytes once decompressed")
                yield out
            if inflater.eof:
                data = inflater.unused_data
                inflater = zlib.decompressobj(wbits=_GZIP_WBITS)
                in_member = False
                continue
            data = inflater.unconsumed_tail
            # A full output buffer may leave output pending in the inflater even when all input was taken.
            if not data and len(out) < CHUNK_SIZE:
                break
    if in_member:
        raise FeedError("feed.not_xml", "the gzip data is corrupt or truncated (unexpected end of stream)")


# --- the prolog guard -------------------------------------------------------------------------------------------

_XML_SPACE = " \t\r\n"
_DOCTYPE_KEYWORD = "<!DOCTYPE"
_MARKUP_STARTS = ("<?", "<!--", _DOCTYPE_KEYWORD)
# A whole DOCTYPE head: up to its internal subset `[` or its closing `>`, quoted ids skipped.
_DOCTYPE_HEAD = re.compile(r"""<!DOCTYPE(?:[^"'\[>]|"[^"]*"|'[^']*')*([\[>])""", re.IGNORECASE)
_DOCTYPE_NAME = re.compile(r"<!DOCTYPE\s+([^\s\[>]+)", re.IGNORECASE)
_DOCTYPE_MAX = 4096
_ROOT_NAME = re.compile(r"<([^\s/>!?]+)[\s/>]")
_NAME_MAX = 256
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "latin-1"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
_NO_BOM: tuple[tuple[bytes, str | None], ...] = (
    (b"\x00\x00\x00\x3c", "utf-32-be"),
    (b"\x3c\x00\x00\x00", "utf-32-le"),
    (b"\x00\x3c\x00\x3f", "utf-16-be"),
    (b"\x3c\x00\x3f\x00", "utf-16-le"),
    (b"\x4c\x6f\xa7\x94", None),  # EBCDIC: left to the parser and the docinfo check
)


def _prolog_decoder(head: bytes) -> tuple[codecs.IncrementalDecoder | None, int]:
    """A decoder for the prolog and how many leading bytes (a BOM) to skip, after XML 1.0 appendix F.

    Latin-1 stands for every ASCII-compatible encoding: one character per byte, and `<`, `!`, `?`, `-`, `>`
    are those ASCII bytes in all of them (multibyte encodings included).
    """
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return codecs.getincrementaldecoder(encoding)(errors="replace"), len(bom)
    for pattern, encoding in _NO_BOM:
        if head.startswith(pattern):
            return (codecs.getincrementaldecoder(encoding)(errors="replace") if encoding else None), 0
    return codecs.getincrementaldecoder("latin-1")(), 0


class _PrologGuard:
    """Holds the document's first bytes back from the parser until the prolog is known to have no DOCTYPE.

    `feed()` returns the bytes the parser may have now (b"" while undecided); once the root's `<` (or anything
    the parser will reject anyway) is seen, everything held is released and later bytes pass straight through.
    The scan keeps only an undecided tail (a markup start, a comment's last characters, a DOCTYPE head), so a
    long prolog fed in tiny pieces costs linear time.
    """

    def __init__(self) -> None:
        self._held: list[bytes] = []
        self._head = b""
        self._decoder: codecs.IncrementalDecoder | None = None
        self._state = "text"
        self._tail = ""
        self._line = 1
        self._passed = False
        self.root_name: str | None = None  # the root's qualified name, once read

    @property
    def line(self) -> int:
        """The line the scan has reached: the root's, once the prolog is over."""
        return self._line

    def feed(self, data: bytes) -> bytes:
        if self._passed:
            return data
        self._held.append(data)
        if self._decoder is None:
            self._head += data
            if len(self._head) < 4:
                return b""
            self._decoder, skip = _prolog_decoder(self._head)
            if self._decoder is None:
                return self._release()
            data = self._head[skip:]
            self._head = b""
        return self._release() if self._scan(self._decoder.decode(data)) else b""

    def close(self) -> bytes:
        """End of input while undecided: the parser gets the bytes and reports the truncation."""
        if self._passed:
            return b""
        if self._state == "doctype":
            raise FeedError("feed.forbidden_xml", "DOCTYPE declaration", self._line)
        return self._release()

    def _release(self) -> bytes:
        self._passed = True
        held, self._held = b"".join(self._held), []
        return held

    def _scan(self, piece: str) -> bool:
        """Advance over `piece`; True once the prolog is over (root or junk reached), False to wait for more."""
        text = self._tail + piece
        self._tail = ""
        i, n = 0, len(text)
        while i < n:
            if self._state == "text":
                j = text.find("<", i)
                end = n if j < 0 else j
                if text[i:end].strip(_XML_SPACE):
                    return True  # characters before the root: not XML, the parser says where
                self._line += text.count("\n", i, end)
                if j < 0:
                    return False
                i, self._state = j, "markup"
            elif self._state == "markup":
                head = text[i : i + len(_DOCTYPE_KEYWORD)]
                if head.startswith("<?"):
                    i, self._state = i + 2, "pi"
                elif head.startswith("<!--"):
                    i, self._state = i + 4, "comment"
                elif head.upper() == _DOCTYPE_KEYWORD:
                    self._state = "doctype"
                elif len(head) < len(_DOCTYPE_KEYWORD) and any(m.startswith(head.upper()) for m in _MARKUP_STARTS):
                    self._tail = text[i:]
                    return False
                else:
                    name = _ROOT_NAME.match(text, i)
                    if name is None and n - i < _NAME_MAX:
                        self._tail = text[i:]  # the name may go on in the next piece
                        return False
                    self.root_name = name.group(1) if name else None
                    return True  # the root element's start tag (or markup the parser rejects)
            elif self._state in ("pi", "comment"):
                close = "?>" if self._state == "pi" else "-->"
                j = text.find(close, i)
                if j < 0:
                    keep = max(i, n - len(close) + 1)
                    self._line += text.count("\n", i, keep)
                    self._tail = text[keep:]
                    return False
                self._line += text.count("\n", i, j)
                i, self._state = j + len(close), "text"
            else:
                self._doctype(text[i:])
                return False
        return False

    def _doctype(self, text: str) -> None:
        """Raise for the DOCTYPE at the start of `text`, or keep it to wait for the rest of its head."""
        head = _DOCTYPE_HEAD.match(text)
        if head is None:
            if len(text) > _DOCTYPE_MAX:
                raise FeedError("feed.forbidden_xml", "DOCTYPE declaration", self._line)
            self._tail = text
            return
        name = _DOCTYPE_NAME.match(head.group(0))
        if head.group(1) == ">" and name is not None and name.group(1).lower() == "html":
            raise FeedError("feed.format_unknown", "an HTML page (<!DOCTYPE html>), not a product feed", self._line)
        raise FeedError("feed.forbidden_xml", "DOCTYPE declaration", self._line)
