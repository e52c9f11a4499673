"""The safe, streaming XML layer of product feeds: real feeds, hostile XML, gzip, size limits, bounded memory."""

from __future__ import annotations

import gzip
import io
import os
import pickle
import socket
import threading
import tracemalloc
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from catalog.readers.feed import xml_stream
from catalog.readers.feed.xml_stream import FeedError, FeedStream, RawItem

REAL_FEEDS = Path(__file__).resolve().parents[2] / "shared" / "real-feeds"
G = 'xmlns:g="http://base.google.com/ns/1.0"'
ATOM = 'xmlns="http://www.w3.org/2005/Atom"'
MB = 1_000_000
SECRET = b"TOPSECRET-7f3a9c"


class Trickle:
    """A source whose read() gives at most `step` bytes, as a slow socket does; `served` counts them."""

    def __init__(self, data: bytes | Iterator[bytes], step: int = 1 << 30) -> None:
        self._chunks = iter([data]) if isinstance(data, bytes) else data
        self._pending = b""
        self.step = step
        self.served = 0

    def read(self, size: int = -1) -> bytes:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return b""
            self._pending = chunk
        limit = self.step if size < 0 else min(size, self.step)
        out, self._pending = self._pending[:limit], self._pending[limit:]
        self.served += len(out)
        return out


def read(data: bytes, *, max_bytes: int = 10 * MB, step: int = 1 << 30) -> list[RawItem]:
    return list(FeedStream(Trickle(data, step), max_bytes=max_bytes).items())  # type: ignore[arg-type]


def read_error(data: bytes | Trickle, *, max_bytes: int = 10 * MB) -> tuple[FeedError, list[RawItem]]:
    """The FeedError a feed raises, and the items yielded before it."""
    source = data if isinstance(data, Trickle) else Trickle(data)
    items: list[RawItem] = []
    with pytest.raises(FeedError) as caught:
        items.extend(FeedStream(source, max_bytes=max_bytes).items())  # type: ignore[arg-type]
    return caught.value, items


def rss(*items: str, ns: str = G) -> bytes:
    body = "\n".join(f"<item>{item}</item>" for item in items)
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" {ns}><channel>\n'
    return f"{head}{body}\n</channel></rss>\n".encode()


def real_feed(name: str) -> Path:
    path = REAL_FEEDS / name
    if not path.is_file():
        pytest.skip(f"real feed missing: {path}")
    return path


def read_real(name: str) -> tuple[FeedStream, list[RawItem]]:
    with real_feed(name).open("rb") as source:
        stream = FeedStream(source, max_bytes=10 * MB)
        return stream, list(stream.items())


def first(item: RawItem, name: str) -> str:
    return item.fields[name][0]


# --- real feeds ---------------------------------------------------------------------------------------------------


def test_avernas_rss() -> None:
    stream, items = read_real("avernas-sek-sv.xml")
    assert stream.flavour == "rss"
    assert len(items) == 36
    assert [i.position for i in items] == list(range(1, 37))
    assert items[0].line == 8
    assert first(items[0], "g:price") == "1275.00 SEK"
    assert first(items[0], "g:google_product_category") == "Apparel & Accessories > Jewelry"
    assert first(items[0], "g:brand") == "Margareta Avernäs"
    assert first(items[0], "g:description").startswith("Stora örhängesringar med snurrad form.\n\nDetta smycke")
    test_product = next(i for i in items if first(i, "g:price") == "10.50 SEK")
    assert test_product.fields["g:image_link"] == [""]
    assert first(test_product, "g:description") == first(test_product, "g:title") == "Wavy bracelet"
    assert sum(first(i, "g:title") == "Wavy bracelet" for i in items) == 2
    assert sum("g:product_type" in i.fields for i in items) == 17


def test_fork_clothe_rss_variants() -> None:
    stream, items = read_real("fork-clothe-fr-eur-variants.xml")
    assert stream.flavour == "rss"
    assert len(items) == 15
    groups = Counter(first(i, "g:item_group_id") for i in items)
    assert sorted(groups.values()) == [3, 6, 6]
    assert groups["fork-authentique"] == 6
    authentique = items[0]
    assert first(authentique, "g:id") == "fork-authentique-S"
    assert first(authentique, "g:color") == "Rouge & noir"
    assert first(authentique, "g:title") == "T-shirt L'Authentique Rouge & noir – FORK Toulon – Taille S"
    assert first(authentique, "g:product_type") == "Vêtements > T-shirts"
    assert "« Chez nous à Toulon on craint degun »" in first(authentique, "g:description")
    assert "220 g/m²" in first(authentique, "g:description")
    assert authentique.fields["g:additional_image_link"][0].endswith("/authentique-dos-ancre.jpg")
    assert sum(len(i.fields["g:additional_image_link"]) for i in items) == 102
    assert {first(i, "g:color") for i in items} == {"Rouge & noir", "Léopard", "Noir"}
    assert first(items[-1], "g:size") == "3XL"


def test_woodenmax_atom() -> None:
    stream, items = read_real("woodenmax-atom-inr.xml")
    assert stream.flavour == "atom"
    assert len(items) == 25
    assert all(name.startswith("g:") for i in items for name in i.fields)
    assert first(items[0], "g:id") == "balcony-glass-railing"
    assert first(items[0], "g:price") == "18000 INR"
    assert first(items[0], "g:link") == "https://woodenmax.in/products/glass-railing/balcony-glass-railing"
    assert first(items[-1], "g:id") == "hpl-exterior-cladding"
    assert items[-1].line == 309
    assert all(first(i, "g:image_link").endswith(".webp") for i in items)


def test_zenhogar_rss_cdata_and_nested_shipping() -> None:
    stream, items = read_real("zenhogar-cdata-es-cop.xml")
    assert stream.flavour == "rss"
    assert len(items) == 53
    assert first(items[0], "g:id") == "11323"
    assert first(items[0], "g:price") == "79900 COP"
    assert first(items[0], "g:google_product_category") == "Health & Beauty > Health Care > Fitness & Nutrition"
    assert "\u2714\ufe0f Depuración Total" in first(items[0], "g:description")
    assert Counter(first(i, "g:id") for i in items)["232077"] == 3
    assert [first(i, "g:id") for i in items if first(i, "g:id").startswith("promo-")] == [
        f"promo-{n}" for n in (1, 2, 3, 4, 5, 6, 8, 9)
    ]
    last = items[-1]
    assert last.fields["g:price"] == ["129900 COP"]
    assert last.fields["g:shipping/g:price"] == ["0 COP"]
    assert last.fields["g:shipping/g:country"] == ["CO"]
    assert last.fields["g:shipping/g:service"] == ["Envío Gratis"]
    assert "g:shipping" not in last.fields


def test_real_feed_read_in_tiny_pieces_and_gzipped_is_the_same() -> None:
    data = real_feed("zenhogar-cdata-es-cop.xml").read_bytes()
    whole = read(data)
    assert read(data, step=7) == whole
    assert read(gzip.compress(data)) == whole
    assert read(gzip.compress(data), step=5) == whole
    half = len(data) // 2
    assert read(gzip.compress(data[:half]) + gzip.compress(data[half:])) == whole
    assert read(gzip.compress(data) + b"\0" * 512) == whole


# --- field mapping ------------------------------------------------------------------------------------------------


def test_rss_fields() -> None:
    data = (
        b'<?xml version="1.0"?>\n'
        b'<?xml-stylesheet href="feed.xsl"?>\n'
        b'<rss version="2.0" xmlns:google="http://base.google.com/ns/1.0" xmlns:x="urn:other">\n'
        b"<channel><title>Shop</title><link>https://shop.example</link>\n"
        b"<!-- first -->\n"
        b"<item>\n"
        b"  <google:id>A1</google:id>\n"
        b"  <title>Sac &amp; ceinture</title>\n"
        b"  <description><![CDATA[<p>Cuir & laine</p>]]></description>\n"
        b"  <google:description>Tr\xc3\xa8s <b>beau</b> sac</google:description>\n"
        b"  <google:price> 49.90 EUR </google:price>\n"
        b"  <google:image_link/>\n"
        b"  <google:additional_image_link>https://i/1.jpg</google:additional_image_link>\n"
        b"  <google:additional_image_link>https://i/2.jpg</google:additional_image_link>\n"
        b"  <google:shipping><google:country>FR</google:country>\n"
        b"    <google:price>4.90 EUR</google:price></google:shipping>\n"
        b"  <google:shipping><google:country>BE</google:country><google:price>6.90 EUR</google:price>\n"
        b"  </google:shipping>\n"
        b"  <x:note>hi</x:note>\n"
        b"</item>\n"
        b"<?pi between?><!-- second -->\n"
        b"<item><google:id>A2</google:id></item>\n"
        b"</channel></rss>\n"
    )
    stream = FeedStream(io.BytesIO(data), max_bytes=MB)
    items = list(stream.items())
    assert stream.flavour == "rss"
    assert [(i.position, i.line) for i in items] == [(1, 6), (2, 22)]
    assert items[0].fields == {
        "g:id": ["A1"],
        "title": ["Sac & ceinture"],
        "description": ["<p>Cuir & laine</p>"],
        "g:description": ["Très beau sac"],
        "g:price": ["49.90 EUR"],
        "g:image_link": [""],
        "g:additional_image_link": ["https://i/1.jpg", "https://i/2.jpg"],
        "g:shipping/g:country": ["FR", "BE"],
        "g:shipping/g:price": ["4.90 EUR", "6.90 EUR"],
        "{urn:other}note": ["hi"],
    }
    assert items[1].fields == {"g:id": ["A2"]}


def test_atom_fields() -> None:
    data = (
        f'<feed {ATOM} {G}>\n<title>Shop</title><link href="https://shop.example/"/>\n'
        "<!-- entries -->\n"
        '<entry>\n<title>Lampe</title><link rel="alternate" href=" https://shop.example/lampe "/>\n'
        "<summary>Belle lampe</summary><g:id>L1</g:id><g:price>19 EUR</g:price></entry>\n"
        "<!-- between -->\n"
        "<entry><g:id>L2</g:id><content>Texte</content></entry>\n"
        "</feed>"
    ).encode()
    stream = FeedStream(io.BytesIO(data), max_bytes=MB)
    items = list(stream.items())
    assert stream.flavour == "atom"
    assert items[0].fields == {
        "title": ["Lampe"],
        "link": ["https://shop.example/lampe"],
        "summary": ["Belle lampe"],
        "g:id": ["L1"],
        "g:price": ["19 EUR"],
    }
    assert items[0].line == 4
    assert items[1].fields == {"g:id": ["L2"], "content": ["Texte"]}


def test_google_namespace_declared_on_items_only() -> None:
    data = b'<rss version="2.0"><channel><item xmlns:g="http://base.google.com/ns/1.0"><g:id>1</g:id></item></channel></rss>'
    assert [i.fields for i in read(data)] == [{"g:id": ["1"]}]


def test_feed_with_google_namespace_and_no_item_is_empty() -> None:
    assert read(rss()) == []


def test_utf16_feed() -> None:
    text = f'<?xml version="1.0" encoding="UTF-16"?>\n<rss {G}><channel><item><g:id>é1</g:id></item></channel></rss>'
    assert [i.fields for i in read(text.encode("utf-16"))] == [{"g:id": ["é1"]}]


# --- hostile XML --------------------------------------------------------------------------------------------------


@dataclass
class Tripwires:
    """A file whose content must appear nowhere, a FIFO that must not be opened, a port that must get no call."""

    secret: Path
    fifo: Path
    fifo_opened: threading.Event
    port: int
    listener: socket.socket

    def connections(self) -> int:
        self.listener.setblocking(False)
        count = 0
        while True:
            try:
                conn, _ = self.listener.accept()
            except BlockingIOError:
                return count
            conn.close()
            count += 1

    def assert_untouched(self) -> None:
        assert not self.fifo_opened.is_set(), "the parser opened a local file"
        assert self.connections() == 0, "the parser connected to a loopback port"


@pytest.fixture
def tripwires(tmp_path: Path) -> Iterator[Tripwires]:
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs os.mkfifo")
    secret = tmp_path / "secret.txt"
    secret.write_bytes(SECRET)
    fifo = tmp_path / "secret.fifo"
    os.mkfifo(fifo)
    opened, releasing = threading.Event(), threading.Event()

    def writer() -> None:
        fd = os.open(fifo, os.O_WRONLY)  # blocks until a reader opens the FIFO
        if not releasing.is_set():
            opened.set()
        try:
            os.write(fd, SECRET)
        except OSError:
            pass
        finally:
            os.close(fd)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield Tripwires(secret, fifo, opened, listener.getsockname()[1], listener)
    finally:
        listener.close()
        releasing.set()
        reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        thread.join(5)
        os.close(reader)


LOL = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
HOSTILE = {
    "internal entity": '<!DOCTYPE rss [<!ENTITY x "boom">]>',
    "billion laughs": f'<!DOCTYPE rss [<!ENTITY lol0 "lol">{LOL}]>',
    "internal parameter entity": "<!DOCTYPE rss [<!ENTITY % p \"<!ENTITY x 'boom'>\"> %p;]>",
    "xxe file": '<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>',
    "xxe fifo": '<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{fifo}">]>',
    "xxe loopback http": '<!DOCTYPE rss [<!ENTITY x SYSTEM "http://127.0.0.1:{port}/x">]>',
    "external parameter entity": '<!DOCTYPE rss [<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/p.dtd"> %p;]>',
    "external parameter entity fifo": '<!DOCTYPE rss [<!ENTITY % p SYSTEM "file://{fifo}"> %p;]>',
    "external dtd loopback": '<!DOCTYPE rss SYSTEM "http://127.0.0.1:{port}/x.dtd">',
    "external dtd fifo": '<!DOCTYPE rss PUBLIC "-//X//Feed//EN" "file://{fifo}">',
    "bare doctype": "<!DOCTYPE rss>",
}


def hostile(kind: str, wires: Tripwires) -> bytes:
    doctype = HOSTILE[kind].format(secret=wires.secret, fifo=wires.fifo, port=wires.port)
    entity = "&x;" if "ENTITY x" in HOSTILE[kind] else ("&lol9;" if "lol" in kind else "")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n<rss version="2.0" {G}><channel>'
        f"<item><g:id>1</g:id><g:title>a{entity}</g:title></item></channel></rss>\n"
    ).encode()


def assert_refused(error: FeedError, items: list[RawItem], wires: Tripwires, line: int | None) -> None:
    assert error.code == "feed.forbidden_xml"
    assert error.line == line
    assert items == []
    assert SECRET.decode() not in str(error)
    wires.assert_untouched()


def test_tripwires_catch_an_unsafe_parser(tripwires: Tripwires) -> None:
    """The FIFO tripwire is real: a parser left to resolve entities opens it and reads the secret."""
    unsafe = etree.XMLParser(resolve_entities=True, load_dtd=True)
    root = etree.fromstring(hostile("xxe fifo", tripwires), unsafe)
    assert tripwires.fifo_opened.is_set()
    assert SECRET.decode() in "".join(root.itertext())


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_doctype_is_refused_before_any_item(kind: str, tripwires: Tripwires) -> None:
    error, items = read_error(hostile(kind, tripwires))
    assert error.detail == "DOCTYPE declaration"
    assert_refused(error, items, tripwires, line=2)


@pytest.mark.parametrize("kind", ["xxe fifo", "external dtd fifo", "external parameter entity fifo", "billion laughs"])
def test_doctype_split_over_one_byte_reads_is_refused(kind: str, tripwires: Tripwires) -> None:
    error, items = read_error(Trickle(hostile(kind, tripwires), step=1))
    assert_refused(error, items, tripwires, line=2)


def test_doctype_after_a_long_comment_in_utf16_is_refused(tripwires: Tripwires) -> None:
    prolog = '<?xml version="1.0" encoding="UTF-16"?>\n<!-- a comment\nwith <!DOCTYPE inside - > -->\n'
    text = prolog + hostile("xxe fifo", tripwires).decode().split("\n", 1)[1]
    for encoding in ("utf-16", "utf-16-le", "utf-16-be"):
        error, items = read_error(Trickle(text.encode(encoding), step=3))
        assert_refused(error, items, tripwires, line=4)


@pytest.mark.parametrize("kind", ["xxe fifo", "external dtd fifo", "external parameter entity fifo", "internal entity"])
def test_parser_refuses_doctype_even_without_the_prolog_guard(
    kind: str, tripwires: Tripwires, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Second line: should the byte-level guard miss a prolog, the parser's docinfo check still refuses it."""
    monkeypatch.setattr(xml_stream._PrologGuard, "feed", lambda self, data: data)
    monkeypatch.setattr(xml_stream._PrologGuard, "close", lambda self: b"")
    error, items = read_error(hostile(kind, tripwires))
    assert_refused(error, items, tripwires, line=None)


def test_resolver_refuses_even_if_dtd_loading_were_enabled(
    tripwires: Tripwires, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Last line: with DTD loading switched on by mistake, the resolver still keeps the parser off the disk."""
    monkeypatch.setattr(xml_stream._PrologGuard, "feed", lambda self, data: data)
    monkeypatch.setattr(xml_stream._PrologGuard, "close", lambda self: b"")
    monkeypatch.setitem(xml_stream._PARSER_OPTIONS, "load_dtd", True)
    error, items = read_error(hostile("external dtd fifo", tripwires))
    assert error.detail.startswith("external DTD or entity requested")
    assert_refused(error, items, tripwires, line=None)


def test_undefined_entity_is_not_xml_at_its_line() -> None:
    """lxml lets it pass feed() and reports it at close() from the thread's error log, among other parses' errors."""
    data = rss("<g:id>1</g:id>", "<g:title>a&nbsp;b</g:title>", *["<g:id>x</g:id>"] * 5000)
    items = FeedStream(Trickle(data, step=4096), max_bytes=MB).items()  # type: ignore[arg-type]
    assert next(items).fields == {"g:id": ["1"]}
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(b"<other>\n\n<broken></other>")  # the caller parsing something else meanwhile
    rest: list[RawItem] = []
    with pytest.raises(FeedError) as caught:
        rest.extend(items)
    assert rest == []
    assert (caught.value.code, caught.value.line) == ("feed.not_xml", 4)
    assert caught.value.detail == "Entity 'nbsp' not defined"


# --- gzip and size limits -----------------------------------------------------------------------------------------


def gzip_bomb(megabytes: int) -> bytes:
    """`megabytes` MiB of spaces inside an item's g:description, gzipped (about 1 KB per MiB)."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    head, tail = rss("<g:id>1</g:id><g:description>PLACEHOLDER</g:description>").split(b"PLACEHOLDER")
    block = b" " * (1 << 20)
    parts = [deflate.compress(head)]
    parts.extend(deflate.compress(block) for _ in range(megabytes))
    parts += [deflate.compress(tail), deflate.flush()]
    return b"".join(parts)


def test_gzip_bomb_is_stopped_at_the_limit_in_flat_memory() -> None:
    bomb = gzip_bomb(200)
    assert len(bomb) < MB
    source = io.BytesIO(bomb)
    tracemalloc.start()
    try:
        with pytest.raises(FeedError) as caught:
            list(FeedStream(source, max_bytes=10 * MB).items())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.code == "feed.too_large"
    assert "decompressed" in caught.value.detail
    assert peak < 30 * MB
    assert source.tell() < len(bomb) // 2  # stopped reading long before the end


def test_small_gzip_feed() -> None:
    data = rss("<g:id>1</g:id><g:price>1.00 EUR</g:price>", "<g:id>2</g:id>")
    assert [i.fields["g:id"] for i in read(gzip.compress(data))] == [["1"], ["2"]]


def test_gzip_limit_counts_decompressed_bytes() -> None:
    data = rss(*[f"<g:id>{n}</g:id><g:title>{'x' * 200}</g:title>" for n in range(200)])
    packed = gzip.compress(data)
    assert len(packed) < 5000 < len(data)
    error, _ = read_error(packed, max_bytes=len(data) - 1)
    assert error.code == "feed.too_large"
    assert len(read(packed, max_bytes=len(data))) == 200


def corrupt_block_type(packed: bytes) -> bytes:
    return packed[:10] + b"\xff" + packed[11:]  # first deflate block with reserved type 11


def bad_crc(packed: bytes) -> bytes:
    return packed[:-8] + bytes([packed[-8] ^ 0xFF]) + packed[-7:]


@pytest.mark.parametrize(
    "damage",
    [corrupt_block_type, bad_crc, lambda p: p[:-4], lambda p: p[: len(p) // 2], lambda p: p + b"trailing garbage"],
    ids=["invalid block type", "bad crc", "no length", "cut in half", "trailing garbage"],
)
def test_corrupt_or_truncated_gzip_is_not_xml(damage: object) -> None:
    packed = gzip.compress(rss(*[f"<g:id>{n}</g:id>" for n in range(50)]))
    error, _ = read_error(damage(packed))  # type: ignore[operator]
    assert error.code == "feed.not_xml"
    assert "gzip data is corrupt or truncated" in error.detail


def test_plain_size_limit_is_exact() -> None:
    data = rss("<g:id>1</g:id>")
    assert len(read(data, max_bytes=len(data))) == 1
    error, _ = read_error(data, max_bytes=len(data) - 1)
    assert error.code == "feed.too_large"


def test_long_plain_feed_stops_as_soon_as_the_limit_is_passed() -> None:
    item = b"<item><g:id>1</g:id><g:title>" + b"x" * 1000 + b"</g:title></item>"

    def long_feed() -> Iterator[bytes]:  # 50 MB, produced as read
        yield f'<rss version="2.0" {G}><channel>'.encode()
        for _ in range(50 * MB // (len(item) * 100)):
            yield item * 100
        yield b"</channel></rss>"

    source = Trickle(long_feed())
    error, items = read_error(source, max_bytes=MB)
    assert error.code == "feed.too_large"
    assert source.served <= MB + xml_stream.CHUNK_SIZE
    assert 0 < len(items) <= MB // len(item)


# --- not a feed, not XML ------------------------------------------------------------------------------------------

HTML5 = b'<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"><title>Boutique</title></head><body></html>'
XHTML = (
    b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head>'
    b'<meta charset="utf-8"><title>Boutique</title></head><body><br></body></html>'
)


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (HTML5, 1),
        (HTML5.replace(b"DOCTYPE", b"doctype"), 1),
        (b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/x/x.dtd">' + XHTML, 1),
        (XHTML, 2),
        (b'<?xml version="1.0"?>\n\n<foo><item><g:id xmlns:g="http://base.google.com/ns/1.0">1</g:id></item></foo>', 3),
        (b'<feed><entry><g:id xmlns:g="http://base.google.com/ns/1.0">1</g:id></entry></feed>', 1),
    ],
    ids=["html5", "lowercase doctype", "xhtml doctype", "xhtml", "foo", "atom without namespace"],
)
def test_not_a_feed_is_format_unknown_before_any_item(data: bytes, line: int) -> None:
    for step in (1 << 30, 1):
        error, items = read_error(Trickle(data, step))
        assert (error.code, error.line, items) == ("feed.format_unknown", line, [])


@pytest.mark.parametrize(
    "root",
    [f'<feed xmlns="urn:not-atom" {G}>', f'<x:rss xmlns:x="urn:not-rss" {G}>', f"<feed {G}>"],
    ids=["feed in another namespace", "prefixed rss", "feed without namespace"],
)
def test_feed_like_root_in_the_wrong_namespace_is_format_unknown(root: str) -> None:
    """The guard lets `feed` and `rss` through by local name; the parser then checks the namespace."""
    end = root.split()[0].replace("<", "</") + ">"
    data = f"<?xml version='1.0'?>\n{root}<entry><g:id>1</g:id></entry><item><g:id>1</g:id></item>{end}".encode()
    error, items = read_error(data)
    assert (error.code, error.line, items) == ("feed.format_unknown", 2, [])


def test_html_doctype_with_internal_subset_is_still_forbidden() -> None:
    error, _ = read_error(b'<!DOCTYPE html [<!ENTITY x "y">]><html>&x;</html>')
    assert error.code == "feed.forbidden_xml"


def test_atom_without_google_namespace_is_format_unknown_at_the_end() -> None:
    data = f"<feed {ATOM}><entry><title>A</title></entry><entry><title>B</title></entry></feed>".encode()
    error, items = read_error(data)
    assert error.code == "feed.format_unknown"
    assert [i.fields for i in items] == [{"title": ["A"]}, {"title": ["B"]}]


def test_rss_items_without_google_fields_are_format_unknown() -> None:
    error, items = read_error(rss("<title>A</title><link>https://a</link>"))
    assert error.code == "feed.format_unknown"
    assert len(items) == 1


def test_rss_without_items_or_google_namespace_is_format_unknown() -> None:
    error, _ = read_error(rss(ns=""))
    assert error.code == "feed.format_unknown"


def test_truncated_feed_is_not_xml_with_a_line_after_the_complete_items() -> None:
    data = real_feed("avernas-sek-sv.xml").read_bytes()
    cut = data.index(b"<g:price>", data.index(b"Wavy bracelet"))
    error, items = read_error(data[:cut])
    assert error.code == "feed.not_xml"
    assert error.line == data[:cut].count(b"\n") + 1
    assert len(items) == data[:cut].count(b"</item>") > 0


def test_syntax_error_says_the_line() -> None:
    error, items = read_error(rss("<g:id>1</g:id>", "<g:id>2</g:id>", "<g:id>3</g:idd>"))
    assert (error.code, error.line) == ("feed.not_xml", 5)
    assert "mismatch" in error.detail
    assert [i.fields["g:id"] for i in items] == [["1"], ["2"]]


@pytest.mark.parametrize(("data", "detail"), [(b"", "empty document"), (b"  \n\t", None)])
def test_empty_document_is_not_xml(data: bytes, detail: str | None) -> None:
    error, _ = read_error(data)
    assert error.code == "feed.not_xml"
    if detail is not None:
        assert error.detail == detail
    assert read_error(gzip.compress(data))[0].code == "feed.not_xml"


def test_feed_error_pickles_and_reads_well() -> None:
    error = pickle.loads(pickle.dumps(FeedError("feed.not_xml", "boom", 3)))
    assert (error.code, error.detail, error.line) == ("feed.not_xml", "boom", 3)
    assert str(error) == "feed.not_xml: boom (line 3)"
    with pytest.raises(ValueError):
        FeedError("feed.nope")


def test_items_can_be_read_once() -> None:
    stream = FeedStream(io.BytesIO(rss("<g:id>1</g:id>")), max_bytes=MB)
    assert len(list(stream.items())) == 1
    with pytest.raises(RuntimeError):
        list(stream.items())


# --- bounded memory -----------------------------------------------------------------------------------------------


def resident_bytes() -> int | None:
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return None


def test_hundred_thousand_items_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    count = 100_000
    with path.open("wb") as out:
        out.write(f'<?xml version="1.0"?>\n<rss version="2.0" {G}><channel><title>Big</title>\n'.encode())
        for start in range(0, count, 1000):
            out.write(
                "".join(
                    f"<item><g:id>SKU-{n}</g:id><g:title>Produit {n}</g:title><g:price>9.90 EUR</g:price>"
                    f"<g:image_link>https://img.example/{n}.jpg</g:image_link></item>\n"
                    for n in range(start, start + 1000)
                ).encode()
            )
        out.write(b"</channel></rss>\n")
    size = path.stat().st_size
    assert size > 10 * MB
    seen = 0
    last: RawItem | None = None
    rss_before = resident_bytes()
    rss_peak = rss_before or 0
    tracemalloc.start()
    try:
        with path.open("rb") as source:
            for item in FeedStream(source, max_bytes=size).items():
                seen += 1
                last = item
                if seen % 10_000 == 0 and rss_before is not None:
                    rss_peak = max(rss_peak, resident_bytes() or 0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seen == count
    assert last is not None
    assert (last.position, last.line, last.fields["g:id"]) == (count, count + 2, [f"SKU-{count - 1}"])
    assert peak < 30 * MB
    if rss_before is not None:  # libxml2's tree lives outside tracemalloc's view: watch the process too
        assert rss_peak - rss_before < 40 * MB


def test_ends_the_parser_made_up_at_an_error_are_not_items() -> None:
    """Newer libxml2 closes every open element when it stops on an error; older ones close none."""
    from catalog.readers.feed.xml_stream import _before_error

    root = etree.fromstring(b"<rss><channel><item/><item/></channel></rss>")
    channel = root[0]
    done, cut = channel[0], channel[1]
    older = [("start", root), ("start", channel), ("start", done), ("end", done), ("start", cut)]
    assert _before_error(older) == older
    newer = [*older, ("end", cut), ("end", channel), ("end", root)]
    assert _before_error(newer) == older
