"""HTML in seller texts: its plain text, and the tags a description may not hold.

Descriptions (`Body (HTML)`) and product policies may be plain text or HTML
fragments, often broken. lxml's HTML parser (libxml2) repairs them much as a
browser would; where the two differ (content after </html>, odd tag soup) the
checks below lean towards what a browser would show and run.
"""

from __future__ import annotations

import html as html_std
import re
import threading
from collections.abc import Iterable
from functools import lru_cache

from lxml import etree

from catalog.domain.issues import Issue
from catalog.domain.location import Location
from catalog.domain.rules import issue

# Elements that start a new line of text when rendered.
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
    "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul",
})
# Elements whose content is never shown as text.
HIDDEN_TAGS = frozenset({"script", "style", "template", "noscript", "head", "title"})

MEDIA_TAGS = ("img", "picture", "video", "audio", "svg", "canvas", "source")
UNSAFE_TAGS = (
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button",
    "textarea", "select", "style", "link", "meta", "base",
)
# Attributes whose value a browser follows or loads as a URL.
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "poster", "background", "srcset", "data", "xlink:href", "lowsrc",
    "dynsrc", "cite", "longdesc", "codebase", "manifest", "ping",
})
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")

_local = threading.local()
_TAG_RE = re.compile(r"<[a-zA-Z!/?]")
_ANY_TAG_RE = re.compile(r"<[^>]*>")
# Safety net for markup libxml2 repairs differently from a browser: an unsafe tag name right after `<`.
_RAW_UNSAFE_RE = re.compile(r"<\s*(" + "|".join(UNSAFE_TAGS) + r")(?=[\s/>])", re.IGNORECASE)
# Characters libxml2 refuses in text (XML 1.0 forbids them); they become spaces before parsing.
_XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# libxml2 drops what follows </body> or </html>, where a browser still shows (and runs) it.
_DOCUMENT_END_RE = re.compile(r"</\s*(?:body|html)\s*>", re.IGNORECASE)
# Whitespace other than the plain space (str.translate is slow on non-ASCII text; a regex that rarely matches is not).
_ALL_SPACES_RE = re.compile(r"[\t\n\r\f\v]")
_LINE_SPACES_RE = re.compile(r"[\t\r\f\v]")
_BREAKS_RE = re.compile(r"\n[ \n]*")
# What browsers skip inside a URL scheme (`java\tscript:` still runs).
_URL_NOISE_RE = re.compile("[\x00-\x20\x7f]+")


def looks_like_html(text: str) -> bool:
    """True when the text holds something a browser would read as a tag."""
    return _TAG_RE.search(text) is not None


def _parsers() -> tuple[etree.HTMLParser, etree.HTMLParser]:
    """This thread's HTML parsers (lxml parsers must not be shared between threads)."""
    if not hasattr(_local, "parsers"):
        _local.parsers = (etree.HTMLParser(), etree.HTMLParser(encoding="utf-8"))
    return _local.parsers


def _parse(text: str) -> etree._Element | None:
    """The text as libxml2 repairs it into an HTML document, or None when nothing is left (blank, comment)."""
    cleaned = _DOCUMENT_END_RE.sub(" ", _XML_ILLEGAL_RE.sub(" ", text))
    text_parser, bytes_parser = _parsers()
    try:
        try:
            return etree.fromstring(cleaned, text_parser)
        except ValueError:  # an <?xml … encoding=…?> declaration: lxml only takes those from bytes
            return etree.fromstring(cleaned.encode("utf-8"), bytes_parser)
    except etree.LxmlError:
        return None


def _squeeze(text: str) -> str:
    """Runs of spaces as one space. (str.replace beats a regex here: most spaces need no change.)"""
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def _tidy_lines(text: str) -> str:
    """One space at most between words, no space around line breaks, no empty line, no edge blanks."""
    text = _squeeze(text)
    while " \n" in text:
        text = text.replace(" \n", "\n")
    return _BREAKS_RE.sub("\n", text).strip(" \n")


@lru_cache(maxsize=256)
def html_to_text(html: str) -> str:
    """The text a reader sees: tags removed, entities decoded, one line per block, spaces collapsed.

    Plain text (no tag) keeps its own line breaks; in HTML, source line breaks
    are spaces, as in a browser. No-break spaces are kept (French typography).
    Cached: the description checks of one product all start from its text.
    """
    if not html:
        return ""
    if not looks_like_html(html):
        text = html_std.unescape(html) if "&" in html else html
        return _tidy_lines(_LINE_SPACES_RE.sub(" ", text))
    root = _parse(html)
    if root is None:
        text = html_std.unescape(html)
        cut = text.rfind(">") + 1  # no tag closes past the last `>` (searched there, `<<<<…` is quadratic)
        text = _ANY_TAG_RE.sub(" ", text[:cut]) + text[cut:]
        return _squeeze(_ALL_SPACES_RE.sub(" ", text)).strip()
    parts: list[str] = []
    hidden = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else None
        if event == "start":
            if tag in HIDDEN_TAGS:
                hidden += 1
            elif tag in BLOCK_TAGS:
                parts.append("\n")
            if tag is not None and not hidden and element.text:
                parts.append(_ALL_SPACES_RE.sub(" ", element.text))
            continue
        if tag in HIDDEN_TAGS:
            hidden -= 1
        elif tag in BLOCK_TAGS:
            parts.append("\n")
        if element is not root and not hidden and element.tail:
            parts.append(_ALL_SPACES_RE.sub(" ", element.tail))
    return _tidy_lines("".join(parts))


def _name(name: str) -> str:
    """A tag or attribute name without its namespace prefix (`svg:image` → `image`), `xlink:href` kept."""
    name = name.lower()
    return name if name.startswith("xlink:") else name.rpartition(":")[2]


def _unsafe_url(attr: str, value: str) -> str | None:
    """The forbidden scheme a URL attribute uses, if any (browsers ignore spaces and controls in it)."""
    urls = value.split(",") if attr == "srcset" else (value,)
    for url in urls:
        compact = _URL_NOISE_RE.sub("", url).lower()
        for scheme in UNSAFE_SCHEMES:
            if compact.startswith(scheme):
                return scheme
    return None


def _scan(root: etree._Element | None, source: str) -> tuple[list[str], list[str]]:
    """(media tags, unsafe constructs) found, each once, in document order."""
    media: dict[str, None] = {}
    unsafe: dict[str, None] = {}
    for match in _RAW_UNSAFE_RE.finditer(source):
        unsafe[f"<{match.group(1).lower()}>"] = None
    if root is None:
        return [], list(unsafe)
    for element in root.iter(etree.Element):
        tag = _name(element.tag)
        if tag in MEDIA_TAGS:
            media[f"<{tag}>"] = None
        if tag in UNSAFE_TAGS:
            unsafe[f"<{tag}>"] = None
        for name, value in element.attrib.items():
            attr = _name(name)
            if attr.startswith("on") and len(attr) > 2:
                unsafe[f'{attr}="…"'] = None
            elif attr in URL_ATTRIBUTES and (scheme := _unsafe_url(attr, value)):
                unsafe[f'{attr}="{scheme}…"'] = None
            elif attr == "style" and (css := value.lower()) and ("expression(" in css or "javascript:" in css):
                unsafe['style="…"'] = None
    return list(media), list(unsafe)


def _unsafe_issue(found: Iterable[str], *, at: Location, product: str | None) -> list[Issue]:
    what = ", ".join(found)
    if not what:
        return []
    return [issue("description.unsafe_html", at=at, product=product, value=what, what=what)]


def description_html_issues(html: str, *, at: Location, product: str | None) -> list[Issue]:
    """`description.image` for embedded media and `description.unsafe_html` for scripts, forms, handlers."""
    if not html or "<" not in html:
        return []
    media, unsafe = _scan(_parse(html), html)
    out: list[Issue] = []
    if media:
        tags = ", ".join(media)
        out.append(issue("description.image", at=at, product=product, value=tags, tag=tags))
    out.extend(_unsafe_issue(unsafe, at=at, product=product))
    return out


def unsafe_html_issues(html: str, *, at: Location, product: str | None) -> list[Issue]:
    """Only `description.unsafe_html`: for HTML-capable fields other than the description (Product Policy)."""
    if not html or "<" not in html:
        return []
    return _unsafe_issue(_scan(_parse(html), html)[1], at=at, product=product)
