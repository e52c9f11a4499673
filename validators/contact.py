"""Banned contact details in seller text: email addresses, phone numbers and web addresses.

Sellers must not send buyers off the marketplace, so every text field is searched
for the three kinds of contact (`contact.email`, `contact.phone`, `contact.url`).

How a text is read
    Descriptions may be HTML. Tags are removed (inline tags such as `<b>` vanish,
    block tags become a space), entities are decoded, zero-width characters are
    dropped and exotic spaces become plain spaces. Detection runs on that visible
    text; every match is mapped back to the offsets of the text as given, so
    `text[m.start:m.end]` is what the seller typed and `m.text` is what a reader sees.
    An `<a href>` (or `<area href>`) is a link by itself: `mailto:` is an email,
    `tel:`/`sms:`/`callto:` a phone, anything else a URL (in-page `#anchors` and
    `javascript:` excepted, the latter being `description.unsafe_html`'s business).
    The element's own text is not reported again for the same kind.

Emails
    A local part, an "at" and a domain ending in a real top-level domain. The "at"
    may be `@`, `＠`, bracketed (`(at)`, `[at]`, `{at}`, `[@]`, `(arobase)`, `(chez)`),
    `x(a)y`, `arobase` as a word, or `at` as a word when the domain dots are spelt too
    (`marc at gmail dot com`: a plain `at amazon.fr` is English for a web address).
    Dots may be spaced (`x . fr`), bracketed (`(dot)`, `[point]`, `(.)`) or words.

Phones
    `phonenumbers.PhoneNumberMatcher` with region FR and leniency VALID (the number
    must be a real, allocated number for its country). A bare run of digits right
    after a reference label (`Réf.`, `EAN`, `lot`, `N°`…) is product data and is
    skipped; French numbers written with slashes (`01/23/45/67/89`), which the
    matcher takes for dates, are parsed on their own.

Web addresses
    `http(s)://`, `ftp://`, `www.` anything, and bare domains. A bare `name.tld`
    counts only when `tld` is a top-level domain of the public suffix list (read
    from the snapshot bundled with tldextract, never from the network) and:

    * the TLD is lowercase. A capital after the dot is a new sentence typed without
      a space (`parfaite.De plus`, `pratique.Il est`). An all-capitals domain counts
      only for `.FR`/`.COM` (`BOUTIQUE.FR`; `ASP.NET` is a product name);
    * the name before the TLD has a letter and at least two characters;
    * for TLDs outside the common commercial ones (.fr .com .net .org .eu .shop …),
      many of which are also French or English words or units (`.de`, `.il`, `.la`,
      `.et`, `.it`, `.cm`…), the address must not run on into a lowercase word: it is
      followed by a path, punctuation or the end of the text (`lampes-vintage.de` is
      an address, `lot.de plus` is a typo). Extensions that are mostly file names
      (`.zip`, `.mov`, `.ai`, `.md`, `.py`…) count only with a path.

Overlaps
    Matches never overlap. A link element wins, then a full `scheme://` URL (which may
    hold an email or digits), an email (whose domain is also a bare domain), a `www.`
    address, a phone number, a bare domain.
"""

from __future__ import annotations

import html
import importlib.util
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from catalog.domain.issues import Issue, excerpt
from catalog.domain.location import Location
from catalog.domain.rules import issue

__all__ = ["ContactMatch", "contact_issues", "find_contacts"]


@dataclass(frozen=True, slots=True)
class ContactMatch:
    kind: str  # "email" | "phone" | "url"
    start: int
    end: int
    text: str


# ---- Public suffix list (bundled snapshot, loaded on first use) --------------

@cache
def _tlds() -> frozenset[str]:
    """Top-level domains of the ICANN section of tldextract's bundled public suffix list."""
    spec = importlib.util.find_spec("tldextract")
    if spec is None or spec.origin is None:
        raise RuntimeError("tldextract is not installed: its public suffix snapshot is needed")
    snapshot = Path(spec.origin).with_name(".tld_set_snapshot")
    out: set[str] = set()
    for line in snapshot.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("// ===END ICANN"):
            break
        if line and not line.startswith(("//", "!", "*")) and "." not in line and line.isascii():
            out.add(line.lower())
    return frozenset(out)


_COMMON_TLDS = frozenset({
    "fr", "com", "net", "org", "eu", "info", "biz", "shop", "store", "online", "site", "website",
    "boutique", "paris", "bzh", "alsace", "corsica", "io", "co", "uk", "ch", "lu", "mc", "dev", "xyz",
})
_FILE_LIKE_TLDS = frozenset({"zip", "mov", "ai", "py", "md", "sh", "pl", "ps", "rs", "mp", "fit", "run", "mobi", "cab"})
_UPPER_TLDS = frozenset({"fr", "com"})


# When two findings overlap, the lower rank wins (see "Overlaps" above).
_RANK_LINK, _RANK_SCHEME, _RANK_EMAIL, _RANK_WWW, _RANK_PHONE, _RANK_BARE = range(6)


# ---- Visible text -------------------------------------------------------------

_INLINE_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "del", "dfn", "em", "font", "i", "ins", "kbd", "mark",
    "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
})
_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)|<(/?)([A-Za-z][A-Za-z0-9]*)\b[^<>]*>|<[!?][^<>]*>"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?"
    r"|[\u00ad\u200b-\u200f\u2060\ufeff]",
    re.S,
)
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff")
_LOOKALIKES = {
    **dict.fromkeys("\u00a0\u1680\u202f\u205f\u3000", " "),
    **dict.fromkeys([chr(c) for c in range(0x2000, 0x200B)], " "),
    "＠": "@", "．": ".", "\u2024": ".", "\u2010": "-", "\u2011": "-",
}
_TRANSLATE = str.maketrans(_LOOKALIKES)
_HAS_LOOKALIKE = re.compile("[" + "".join(_LOOKALIKES) + "]")


def _plain(text: str) -> str:
    """`text` with exotic spaces, full-width `@`/`.` and odd hyphens made plain, one character for one."""
    return text.translate(_TRANSLATE) if _HAS_LOOKALIKE.search(text) else text


class _Visible:
    """The text a reader sees, with a map from its offsets back to the original's."""

    __slots__ = ("chunks", "starts", "text")

    def __init__(self, raw: str) -> None:
        parts: list[str] = []
        starts: list[int] = []
        chunks: list[tuple[int, int, int, bool]] = []  # visible start, original start, original end, literal
        size = pos = 0
        for m in _MARKUP.finditer(raw):
            start, end = m.span()
            if start > pos:
                starts.append(size)
                chunks.append((size, pos, start, True))
                parts.append(raw[pos:start])
                size += start - pos
            pos = end
            token = m.group()
            if token[0] == "&":
                decoded = html.unescape(token)
                if decoded in _INVISIBLE:
                    continue
            elif token[0] == "<" and m.group(2) is not None and m.group(2).lower() not in _INLINE_TAGS:
                decoded = " "
            else:
                continue
            starts.append(size)
            chunks.append((size, start, end, decoded == token))
            parts.append(decoded)
            size += len(decoded)
        if pos < len(raw) or not chunks:
            starts.append(size)
            chunks.append((size, pos, len(raw), True))
            parts.append(raw[pos:])
        self.starts, self.chunks = starts, chunks
        self.text = _plain("".join(parts))

    def span(self, start: int, end: int) -> tuple[int, int]:
        vs, os_, oe, literal = self.chunks[bisect_right(self.starts, start) - 1]
        ostart = os_ + (start - vs) if literal else os_
        vs, os_, oe, literal = self.chunks[bisect_right(self.starts, end - 1) - 1]
        oend = os_ + (end - vs) if literal else oe
        return ostart, oend


# ---- Emails ---------------------------------------------------------------------

_OPEN, _CLOSE = r"[\(\[\{<]", r"[\)\]\}>]"
# Each "at" form gets its own pattern opening on a fixed character, which the regex
# engine scans for quickly; the spaces around an "at" are taken afterwards.
_AT_FORMS = (
    ("plain", "@", re.compile(r"@")),
    ("bracket", "", re.compile(rf"{_OPEN}\s*(?i:at|@|arobase|arobas|chez)\s*{_CLOSE}")),
    ("short", "(a)", re.compile(r"(?<=\w)\(a\)(?=\w)")),
    ("arobase", "arobas", re.compile(r"(?<=\s)(?i:arobase|arobas)(?=\s)")),
    ("word", " at ", re.compile(r"(?<=\w\s)(?:at|AT)(?=\s+\w)")),
)
_DOT = re.compile(
    rf"(?P<plain>\.)(?=[^\W_])"
    rf"|(?P<spaced>\s+\.\s*)"
    rf"|(?P<bracket>\s*{_OPEN}\s*(?i:dot|point|\.)\s*{_CLOSE}\s*)"
    rf"|(?P<word>\s+(?:dot|DOT|point|POINT)\s+)"
)
_OBFUSCATED_DOT_BEFORE = re.compile(
    rf"(?:\s*{_OPEN}\s*(?i:dot|point|\.)\s*{_CLOSE}\s*|\s+(?:dot|DOT|point|POINT)\s+)\Z"
)
_LABEL = re.compile(r"[^\W_](?:[\w-]*[^\W_])?")
_LOCAL_CHARS = frozenset("._+-")


_DOT_FAMILY = {"plain": "plain", "spaced": "spaced", "bracket": "spelt", "word": "spelt"}


def _domain_end(text: str, pos: int, *, need_spelt_dot: bool) -> int | None:
    """End of the longest `label(.label)+` from `pos` whose last label is a real TLD, or None.

    All dots of one domain are written the same way (plain, spaced or spelt), so that
    `contact@monsite.fr point de vente` stops at `.fr`.
    """
    first = _LABEL.match(text, pos)
    if first is None:
        return None
    upper = first.group().isupper()
    best: int | None = None
    end = first.end()
    family: str | None = None
    while True:
        dot = _DOT.match(text, end)
        if dot is None or family not in (None, _DOT_FAMILY[dot.lastgroup or ""]):
            break
        label = _LABEL.match(text, dot.end())
        if label is None:
            break
        family = _DOT_FAMILY[dot.lastgroup or ""]
        word = label.group()
        upper = upper and word.isupper()
        cased = word.islower() or (word.isupper() and (upper or family == "plain"))
        if word.isascii() and word.lower() in _tlds() and cased and (family == "spelt" or not need_spelt_dot):
            best = label.end()
        end = label.end()
    return best


def _local_start(text: str, at_start: int, *, obfuscated: bool) -> int | None:
    i = at_start
    while True:
        j = i
        while j > 0 and (text[j - 1].isalnum() or text[j - 1] in _LOCAL_CHARS):
            j -= 1
        while j < i and text[j] in ".-+":
            j += 1
        if j == i:
            return None if i == at_start else i
        i = j
        if not obfuscated:
            return i
        dot = _OBFUSCATED_DOT_BEFORE.search(text, max(0, i - 12), i)
        if dot is None or dot.start() == 0 or not text[dot.start() - 1].isalnum():
            return i
        i = dot.start()


def _at_tokens(text: str) -> list[tuple[int, int, str]]:
    lower = text.lower()
    tokens: list[tuple[int, int, str]] = []
    for kind, hint, pattern in _AT_FORMS:
        if hint in lower:
            for m in pattern.finditer(text):
                start, end = m.start(), m.end()
                if kind != "short":
                    while start > 0 and text[start - 1].isspace():
                        start -= 1
                    while end < len(text) and text[end].isspace():
                        end += 1
                tokens.append((start, end, kind))
    return tokens


def _emails(text: str) -> list[tuple[int, int, str, int]]:
    found: list[tuple[int, int, str, int]] = []
    for at_start, at_end, kind in _at_tokens(text):
        start = _local_start(text, at_start, obfuscated=kind not in ("plain", "short"))
        if start is None:
            continue
        end = _domain_end(text, at_end, need_spelt_dot=kind == "word")
        if end is not None:
            found.append((start, end, "email", _RANK_EMAIL))
    return found


# ---- Web addresses ---------------------------------------------------------------

_SCHEME_URL = re.compile(r"(?<![\w.])(?i:https?|ftp)://[^\s<>\"'`]+")
_WWW = re.compile(r"(?<![\w.@/-])(?i:www)(?=\s*\.\s*[^\W_]|\s*[\(\[\{]\s*(?i:dot|point|\.)\s*[\)\]\}])")
_BARE = re.compile(r"(?<![\w.@/:+-])[^\W_][\w-]*(?:\.[\w-]+)+")  # matched at the starts of dotted words
_SPELT_DOMAIN = re.compile(
    r"(?<![\w.@/-])([^\W_][\w-]*[^\W_])"
    r"(?:\s*[\(\[\{]\s*(?i:dot|point|\.)\s*[\)\]\}]\s*([a-z]{2,24})|\s+(?:dot|point)\s+(fr|com|net|org|eu))(?![\w-])"
)
_MAX_DOMAIN = 253
_TOKEN_TAIL = re.compile(r"[\w.-]*")
_PATH = re.compile(r"/[^\s<>\"'`]*")
_TRAILING = ".,;:!?'\"»)]}"
_CONTINUES = re.compile(r"\s*[a-zà-ÿ0-9]")


def _trim(text: str, start: int, end: int) -> int:
    """`end` less the punctuation that closes the sentence rather than the address (a `)` it opened stays)."""
    opened = closed = -1  # counted once, on the first `)`: counting at each one is quadratic on `))))…`
    while end > start and text[end - 1] in _TRAILING:
        if text[end - 1] == ")":
            if opened < 0:
                opened, closed = text.count("(", start, end), text.count(")", start, end)
            if opened >= closed:
                break
            closed -= 1
        end -= 1
    return end


def _with_path(text: str, end: int) -> int:
    path = _PATH.match(text, end)
    return _trim(text, end, path.end()) if path else end


def _bare_domain(text: str, start: int, token: str) -> int | None:
    """End of the bare domain that starts `token`, or None when the token is not one."""
    labels = token[:_MAX_DOMAIN].split(".")
    ends = [start + len(labels[0])]
    for label in labels[1:]:
        ends.append(ends[-1] + 1 + len(label))
    for k in range(len(labels), 1, -1):
        tld, name = labels[k - 1], labels[k - 2]
        if not (tld.isascii() and tld.isalpha() and tld.lower() in _tlds()):
            continue
        parts = labels[:k]
        if any(not p or p[0] == "-" or p[-1] == "-" for p in parts):
            continue
        if len(name) < 2 or not any(c.isalpha() for c in name):
            continue
        end = ends[k - 1]
        if tld.isupper():
            if tld.lower() not in _UPPER_TLDS or len(name) < 3 or not all(p.isupper() or p.isdigit() for p in parts):
                continue
        elif not tld.islower():
            continue
        has_path = text.startswith("/", end)
        low = tld.lower()
        if low in _FILE_LIKE_TLDS and not has_path:
            continue
        if low not in _COMMON_TLDS and not has_path and _CONTINUES.match(text, end):
            continue
        return _with_path(text, end)
    return None


def _urls(text: str) -> list[tuple[int, int, str, int]]:
    found: list[tuple[int, int, str, int]] = []
    if "://" in text:
        for m in _SCHEME_URL.finditer(text):
            end = _trim(text, m.start(), m.end())
            if end - m.start() > len(m.group().split("://", 1)[0]) + 3:
                found.append((m.start(), end, "url", _RANK_SCHEME))
    lower = text.lower()
    if "www" in lower:
        for m in _WWW.finditer(text):
            end = _domain_end(text, m.start(), need_spelt_dot=False)
            if end is not None:
                found.append((m.start(), _with_path(text, end), "url", _RANK_WWW))
    for start in _dotted_token_starts(text):
        bare = _BARE.match(text, start)
        if bare is not None:
            end = _bare_domain(text, start, bare.group())
            if end is not None:
                found.append((start, end, "url", _RANK_BARE))
    if "dot" in lower or "point" in lower or "[.]" in text or "(.)" in text:
        for m in _SPELT_DOMAIN.finditer(text):
            tld = m.group(2) or m.group(3)
            if len(m.group(1)) >= 3 and tld in _tlds():
                found.append((m.start(), m.end(), "url", _RANK_BARE))
    return found


def _dotted_token_starts(text: str) -> list[int]:
    """Where the words holding a dot followed by a letter begin (the only places a bare domain can be)."""
    starts: list[int] = []
    last_end = -1
    dot = text.find(".")
    while dot != -1:
        if dot > last_end and dot + 1 < len(text) and text[dot + 1].isascii() and text[dot + 1].isalpha():
            start = dot
            while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_-."):
                start -= 1
            end = _TOKEN_TAIL.match(text, dot).end()
            if start < dot:
                starts.append(start)
            last_end = end
        dot = text.find(".", dot + 1)
    return starts


# ---- Phones ---------------------------------------------------------------------

_MAX_TRIES = 50  # candidates the matcher may try per window: a long table of numbers is not worth more
_TRUNK_ZERO = re.compile(r"(?<!\d)0")
_DIGIT_RUN = re.compile(r"\d(?:[\s.\-\u2013/()]{0,3}\d){6,}")
_REFERENCE_CUE = re.compile(
    r"\b(?i:r[ée]f[ée]rence|r[ée]f|code|sku|ean|gtin|upc|isbn|article|art|lot|s[ée]rie|n°|no|num[ée]ro|siret|siren|tva)"
    r"\W{0,6}\Z"
)
_SLASHED_FR = re.compile(r"(?<![\w/])0[1-9](?:/\d{2}){4}(?![\w/])")


@cache
def _phone_api() -> tuple[Any, Any, Any]:
    import phonenumbers

    return phonenumbers.PhoneNumberMatcher, phonenumbers.Leniency.VALID, phonenumbers


def _phone_windows(text: str) -> list[tuple[int, int]]:
    """Stretches of `text` holding a digit run long enough to be a phone number, with a little context.

    The matcher parses every number-like fragment (`120 x 60`, `2 kg`…), which is slow on
    long descriptions; it only needs to see the places where a phone number can be: seven
    digits or more after a `+` or `00`; otherwise nine or more with a group opening on the
    French trunk `0`, and not one unbroken run longer than a French number (an EAN, a lot).
    """
    windows: list[tuple[int, int]] = []
    for m in _DIGIT_RUN.finditer(text):
        run = m.group()
        international = "+" in text[max(0, m.start() - 2):m.start()] or run.startswith("00")
        if not international and ((run.isdigit() and len(run) > 10) or sum(c.isdigit() for c in run) < 9
                                  or _TRUNK_ZERO.search(run) is None):
            continue
        start, end = max(0, m.start() - 4), min(len(text), m.end() + 2)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


def _phones(text: str) -> list[tuple[int, int, str, int]]:
    windows = _phone_windows(text)
    if not windows:
        return []
    matcher, valid, api = _phone_api()
    found: list[tuple[int, int, str, int]] = []
    for lo, hi in windows:
        for m in matcher(text[lo:hi], "FR", leniency=valid, max_tries=_MAX_TRIES):
            start, end = lo + m.start, lo + m.end
            if m.raw_string.isdigit() and _REFERENCE_CUE.search(text, max(0, start - 24), start):
                continue
            found.append((start, end, "phone", _RANK_PHONE))
    if "/" in text:
        for m in _SLASHED_FR.finditer(text):
            if api.is_valid_number(api.parse(m.group().replace("/", ""), "FR")):
                found.append((m.start(), m.end(), "phone", _RANK_PHONE))
    return found


# ---- Links in markup -------------------------------------------------------------

# A link element, then its href. Two patterns rather than one: a single pattern searching for `href` inside
# a tag that never closes retries every `href=` against the rest of the text (quadratic); here the tag's
# extent is taken first, in one possessive scan, and the attribute is looked for only inside it.
_LINK_TAG = re.compile(r"<(a|area)\b([^<>]*+)>", re.I)
_HREF = re.compile(r"\bhref\s*+=\s*+(?:\"([^\"<>]*+)\"|'([^'<>]*+)'|([^\s<>]++))", re.I)
_LINK_KINDS = (("mailto:", "email"), ("tel:", "phone"), ("callto:", "phone"), ("sms:", "phone"))


def _anchors(raw: str) -> list[tuple[int, int, int, str, str]]:
    """(start, end, element end, kind, contact) for every link element of `raw`."""
    found: list[tuple[int, int, int, str, str]] = []
    lower = raw.lower()
    for m in _LINK_TAG.finditer(raw):
        attribute = _HREF.search(m.group(2))
        if attribute is None:
            continue
        href = html.unescape(attribute.group(1) or attribute.group(2) or attribute.group(3) or "").strip()
        low = href.lower()
        if not href or low.startswith(("#", "javascript:")):
            continue
        kind, contact = "url", href
        for prefix, link_kind in _LINK_KINDS:
            if low.startswith(prefix):
                kind, contact = link_kind, href[len(prefix):].split("?", 1)[0].strip() or href
                break
        close = lower.find("</a>", m.end()) if m.group(1).lower() == "a" else -1
        found.append((m.start(), m.end(), close if close >= 0 else m.end(), kind, contact))
    return found


# ---- Public API --------------------------------------------------------------------


def _resolve(candidates: list[tuple[int, int, str, int, str]]) -> list[tuple[int, int, str, int, str]]:
    """Keep non-overlapping spans: best rank first, then earlier, then longer."""
    starts: list[int] = []
    taken: list[tuple[int, int, str, int, str]] = []
    for cand in sorted(candidates, key=lambda c: (c[3], c[0], c[0] - c[1])):
        i = bisect_right(starts, cand[0])
        if (i and taken[i - 1][1] > cand[0]) or (i < len(taken) and taken[i][0] < cand[1]):
            continue
        starts.insert(i, cand[0])
        taken.insert(i, cand)
    return taken


def find_contacts(text: str) -> list[ContactMatch]:
    """Every email, phone number and web address in `text`, in order, without overlaps."""
    if not text:
        return []
    visible = _Visible(text)
    seen = visible.text
    found = [(s, e, kind, rank, seen[s:e]) for s, e, kind, rank in (*_emails(seen), *_urls(seen), *_phones(seen))]
    matches = [(*visible.span(s, e), kind, rank, shown) for s, e, kind, rank, shown in _resolve(found)]
    links = _anchors(text) if "<" in text else []
    if links:
        matches = [m for m in matches if not any(s <= m[0] and m[1] <= close and kind == m[2]
                                                  for s, _, close, kind, _ in links)]
        matches.extend((s, e, kind, _RANK_LINK, contact) for s, e, _, kind, contact in links)
    return [ContactMatch(kind, s, e, shown) for s, e, kind, _, shown in _resolve(matches)]


def contact_issues(text: str, *, at: Location, product: str | None) -> list[Issue]:
    """One `contact.*` issue per contact detail found in `text`."""
    return [
        issue(f"contact.{m.kind}", at=at, product=product,
              value=excerpt(text, m.start, m.end), found=m.text)
        for m in find_contacts(text)
    ]
