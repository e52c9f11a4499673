"""Hostile input for the engine: the texts, cells and files the fuzz and hostile-cell tests are built from.

`within(seconds)` is the per-case budget: it interrupts a case that runs past
it (the regex engine checks for signals, so a backtracking pattern is stopped
too) and fails it with the stack where the time went. The budgets are tens of
times what a case needs on a loaded machine: they catch a pattern or loop
that grows with the square of its input, not a slow run.
"""

from __future__ import annotations

import csv
import gzip
import io
import signal
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from xml.sax.saxutils import escape

from hypothesis import strategies as st

from catalog.domain.columns import FULL_COLUMNS
from tests.support_csv import good_product

# What breaks text checks: the openings of the patterns (digits, `href=`, `@`, dots, tags, entities), the
# characters they stop on, encodings gone wrong, invisible and bidirectional characters, spreadsheet triggers.
FRAGMENTS: tuple[str, ...] = (
    "9", "0", "0 ", "06 12 ", "+33 6 ", "1.", "1,", "49,90 €", "e+", "€", "$", "EUR ",
    "href=", "<a ", "<a href=", "<area ", "<", ">", "</p>", "<p>", "<!--", "<!DOCTYPE ", "<script>", "<?",
    "&#", "&#x", "&amp", "&", ";", "a.", ".", "a-", "-", "_", "@", "a@", "@a.", "(at)", " at ", " arobase ",
    " dot ", "[.]", "(.)", "www.", "http://", "https://a.fr/", ")", "(", "/", "mailto:", "tel:", "javascript:",
    "Ã©", "Â ", "é", "😀", "★", "\u00a0", "\u200b", "\u202e", "\ufeff", "\u00ad", "\x00", "\x1b", "\x85",
    "\r\n", "\n", "\r", "\t", " ", '"', "'", ",", "=", "+", "%", "!", "PROMO ", "pull ", "A", "x",
)

hostile_text = st.one_of(
    st.text(max_size=200),
    st.builds(lambda fragment, times: fragment * times, st.sampled_from(FRAGMENTS), st.integers(1, 4000)),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=60).map("".join),
)


class BudgetExceeded(AssertionError):
    """A case ran past its budget: the message holds the stack it was interrupted in."""


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail with `BudgetExceeded` when the block takes longer than `seconds` (main thread, POSIX)."""

    def expired(signum: int, frame: object) -> None:
        where = "".join(traceback.format_stack(frame)[-6:])  # type: ignore[arg-type]
        raise BudgetExceeded(f"over the {seconds} s budget, in:\n{where}")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ---- Full CSV files -------------------------------------------------------------------------------------

_ENCODINGS = ("utf-8", "utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16")


@st.composite
def full_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    """One to four products' rows (good ones), some cells of which are replaced with hostile text."""
    rows = []
    for n in range(draw(st.integers(1, 4))):
        row = good_product(draw(st.sampled_from([f"produit-{n}", "produit-0", ""])) or f"produit-{n}")
        for column in draw(st.lists(st.sampled_from(FULL_COLUMNS), min_size=1, max_size=4, unique=True)):
            row[column] = draw(hostile_text)
        rows.append(row)
    return rows


@st.composite
def full_csv_bytes(draw: st.DrawFn) -> bytes:
    """A full CSV as a seller might send it, or break it: columns moved or lost, delimiters, encodings, cuts."""
    columns = list(FULL_COLUMNS)
    mangle = draw(st.sampled_from(["none"] * 6 + ["drop", "duplicate", "shuffle", "extra"]))
    if mangle == "drop":
        columns.remove(draw(st.sampled_from(columns)))
    elif mangle == "duplicate":
        columns.append(draw(st.sampled_from(columns)))
    elif mangle == "shuffle":
        columns = draw(st.permutations(columns))
    elif mangle == "extra":
        columns.insert(draw(st.integers(0, len(columns))), draw(hostile_text))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=draw(st.sampled_from([",", ",", ",", ";", "\t"])), lineterminator="\r\n",
                        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])))
    writer.writerow(columns)
    for row in draw(full_rows()):
        writer.writerow([row.get(column, "") for column in columns])
    data = out.getvalue().encode(draw(st.sampled_from(_ENCODINGS)), errors="replace")
    return _cut(draw, data)


def _cut(draw: st.DrawFn, data: bytes) -> bytes:
    """The bytes, or (sometimes) the bytes cut short, with a stray byte, or nothing but noise."""
    damage = draw(st.sampled_from(["none"] * 8 + ["truncate", "byte", "noise"]))
    if damage == "truncate":
        return data[:draw(st.integers(0, len(data)))]
    if damage == "byte":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at:]
    if damage == "noise":
        return draw(st.binary(max_size=2000))
    return data


# ---- XML feeds ------------------------------------------------------------------------------------------

FEED_FIELDS = ("title", "description", "g:price", "g:sale_price", "g:sale_price_effective_date", "g:availability",
               "g:quantity", "g:gtin", "g:shipping_weight", "g:item_group_id", "g:product_type",
               "g:google_product_category", "g:image_link", "g:additional_image_link", "g:color", "g:size",
               "g:material", "g:link", "g:brand", "g:mpn", "g:condition", "g:id")
_GOOD_ITEM = {
    "title": "Perceuse visseuse sans fil 18 V avec deux batteries", "g:price": "49.90 EUR",
    "description": "Perceuse visseuse sans fil livrée avec deux batteries lithium et un chargeur rapide. " * 3,
    "g:image_link": "https://img.example/p.jpg", "g:availability": "in_stock",
    "g:google_product_category": "Quincaillerie > Outils > Perceuses",
}


def _xml_value(draw: st.DrawFn, text: str) -> str:
    how = draw(st.sampled_from(["escaped"] * 4 + ["cdata", "raw"]))
    if how == "cdata":
        return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    return text if how == "raw" else escape(text)


@st.composite
def feed_bytes(draw: st.DrawFn) -> bytes:
    """A Google Merchant feed (RSS or Atom) whose items carry hostile values, sometimes broken or gzipped."""
    items = []
    for n in range(draw(st.integers(1, 4))):
        fields = {"g:id": f"P-{n}", **_GOOD_ITEM}
        for name in draw(st.lists(st.sampled_from(FEED_FIELDS), min_size=1, max_size=4, unique=True)):
            fields[name] = draw(hostile_text)
        items.append("".join(f"<{k}>{_xml_value(draw, v)}</{k}>" for k, v in fields.items()))
    ns = 'xmlns:g="http://base.google.com/ns/1.0"'
    prolog = draw(st.sampled_from(['<?xml version="1.0" encoding="UTF-8"?>\n'] * 4 + ["", "<!DOCTYPE rss>\n"]))
    if draw(st.booleans()):
        body = (f'<rss version="2.0" {ns}><channel><title>Boutique</title>'
                + "".join(f"<item>{i}</item>" for i in items) + "</channel></rss>")
    else:
        body = (f'<feed xmlns="http://www.w3.org/2005/Atom" {ns}><title>Boutique</title>'
                + "".join(f"<entry>{i}</entry>" for i in items) + "</feed>")
    data = _cut(draw, (prolog + body).encode(draw(st.sampled_from(["utf-8", "utf-8", "utf-16"])), errors="replace"))
    return gzip.compress(data) if draw(st.integers(0, 9)) == 0 else data
