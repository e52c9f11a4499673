"""Title and description rules for search engines and external channels (Google Shopping and the like)."""

from __future__ import annotations

import re
import unicodedata

from catalog.domain.issues import Issue, Severity, excerpt
from catalog.domain.location import Location
from catalog.domain.rules import issue
from validators.html import html_to_text
from validators.text import fix_text

TITLE_MAX = 255
TITLE_WARN = 150
DESCRIPTION_MIN = 500
DESCRIPTION_MAX = 5000
META_TITLE_MAX = 60
META_DESCRIPTION_MAX = 150

# Capitals: share of the title's word letters that sit in shouted (all-caps) words.
CAPS_SHARE = 0.25
ACRONYM_MAX_LETTERS = 4
BRAND_MAX_WORDS = 2
_TOKEN_RE = re.compile(r"[^\W_]+")
# Capitalised sales words are never a brand name.
_SALES_WORDS = frozenset((
    "PROMO", "PROMOTION", "SOLDE", "SOLDES", "OFFRE", "GRATUIT", "GRATUITE", "NOUVEAU", "NOUVEAUTÉ", "NEUF",
    "SUPER", "MEGA", "MÉGA", "EXCEPTIONNEL", "DESTOCKAGE", "DÉSTOCKAGE", "LIQUIDATION", "URGENT", "TOP",
    "BEST", "PRIX", "REMISE", "LIVRAISON", "QUALITÉ", "OFFERT", "OFFERTE", "EXCLUSIF", "UNIQUE",
))

_PROMO_CHARS = frozenset("!%*")
# Pictographic code points (emoji); ⌀, °, ©, ®, ™ and the like are not in these ranges.
_EMOJI_RE = re.compile(
    "[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u231A\u231B\u23E9-\u23FA\u3030\u303D\u3297\u3299]"
)
_FINAL_PUNCTUATION = frozenset(".!?…")
# What may close a sentence after its final mark: quotes and brackets.
_CLOSERS = "»\"”’')]"
# Trimmed from the end of a generated SEO text: separators and punctuation that would dangle.
_TRAILING = " \u00a0\u202f,;:.!?–—-/|&+(«\"'"


def is_emoji(char: str) -> bool:
    """True for a pictographic character (😀, ★, ✅, ⭐): promotional noise in a title."""
    return _EMOJI_RE.fullmatch(char) is not None and unicodedata.category(char) == "So"


def emoji_in(text: str) -> list[str]:
    """The emoji of `text`, in order."""
    return [char for char in _EMOJI_RE.findall(text) if unicodedata.category(char) == "So"]


def promotional_symbols(text: str) -> list[str]:
    """`!`, `%`, `*`, currency signs (€, $, £…) and emoji found in `text`, each once, in order."""
    found: dict[str, None] = {}
    for char in text:
        if char in _PROMO_CHARS or unicodedata.category(char) == "Sc" or (char >= "\u231a" and is_emoji(char)):
            found[char] = None
    return list(found)


def _shouted_share(title: str) -> float:
    """Share of the title's word letters written in capitals that are neither acronyms nor the brand.

    Words are runs of letters and digits; tokens holding a digit (18V, 4K, IP65, 2Ah)
    and single letters are left out. A word is shouted when all its letters are
    capitals, and consecutive shouted words form a run. A run is forgiven when
    - all its words have at most 4 letters: acronyms, units, sizes (USB, LED, UHD IPS HDMI, XXL);
    - it is the title's longest run of at most 2 words without a sales word: the brand
      (PROTOOLS, DELTA PLUS; not SUPER PROMO).
    A title with no lowercase word at all is fully shouted, unless it is a single acronym.
    """
    words: list[tuple[str, int, bool]] = []
    for token in _TOKEN_RE.findall(title):
        letters = sum(1 for char in token if char.isalpha())
        if letters < 2 or any(char.isdigit() for char in token):
            continue
        words.append((token, letters, token.isupper()))
    total = sum(letters for _, letters, _ in words)
    if total == 0:
        return 0.0
    if all(shouted for _, _, shouted in words):
        return 0.0 if len(words) == 1 and total <= ACRONYM_MAX_LETTERS else 1.0
    runs: list[list[tuple[str, int]]] = []
    previous = False
    for token, letters, shouted in words:
        if shouted and previous:
            runs[-1].append((token, letters))
        elif shouted:
            runs.append([(token, letters)])
        previous = shouted
    runs = [run for run in runs if any(letters > ACRONYM_MAX_LETTERS for _, letters in run)]
    brands = [run for run in runs if len(run) <= BRAND_MAX_WORDS and not any(token in _SALES_WORDS for token, _ in run)]
    if brands:
        runs.remove(max(brands, key=lambda run: sum(letters for _, letters in run)))
    return sum(letters for run in runs for _, letters in run) / total


def title_issues(title: str, *, at: Location, product: str | None) -> list[Issue]:
    """`title.too_long` (error over 255, warning over 150), `seo.title_caps` and `seo.title_symbols`."""
    title = title.strip()
    if not title:
        return []
    out: list[Issue] = []
    where = {"at": at, "product": product}
    length = len(title)
    if length > TITLE_MAX:
        out.append(issue("title.too_long", **where, value=excerpt(title, TITLE_MAX, length, 30),
                         length=length, limit=TITLE_MAX))
    elif length > TITLE_WARN:
        out.append(issue("title.too_long", **where, value=excerpt(title, TITLE_WARN, length, 30),
                         severity=Severity.WARNING, length=length, limit=TITLE_WARN))
    if _shouted_share(title) > CAPS_SHARE:
        out.append(issue("seo.title_caps", **where, value=title))
    symbols = promotional_symbols(title)
    if symbols:
        out.append(issue("seo.title_symbols", **where, value=title, symbols=" ".join(symbols)))
    return out


def ends_with_punctuation(text: str) -> bool:
    """True when the last sentence ends with . ! ? or …, possibly followed by a closing quote or bracket."""
    end = text.rstrip().rstrip(_CLOSERS + " \u00a0\u202f")
    return bool(end) and end[-1] in _FINAL_PUNCTUATION


def description_issues(body_html: str, *, at: Location, product: str | None) -> list[Issue]:
    """`seo.description_short` (under 500 characters of text), `seo.description_long` (over 5000) and
    `seo.description_punctuation`. An empty description is `field.required`'s business, not this."""
    text = html_to_text(body_html)
    if not text:
        return []
    out: list[Issue] = []
    where = {"at": at, "product": product}
    length = len(text)
    if length < DESCRIPTION_MIN:
        out.append(issue("seo.description_short", **where, value=excerpt(text, 0, 0, 60), length=length))
    elif length > DESCRIPTION_MAX:
        out.append(issue("seo.description_long", **where, value=excerpt(text, DESCRIPTION_MAX, length, 30),
                         length=length))
    if not ends_with_punctuation(text):
        out.append(issue("seo.description_punctuation", **where, value=excerpt(text, length, length, 40)))
    return out


def meta_issues(seo_title: str, seo_description: str, *, title_at: Location, description_at: Location,
                product: str | None) -> list[Issue]:
    """`seo.meta_title_long` (SEO Title over 60 characters) and `seo.meta_description_long` (over 150)."""
    out: list[Issue] = []
    title, description = seo_title.strip(), seo_description.strip()
    if len(title) > META_TITLE_MAX:
        out.append(issue("seo.meta_title_long", at=title_at, product=product, value=title,
                         length=len(title)))
    if len(description) > META_DESCRIPTION_MAX:
        out.append(issue("seo.meta_description_long", at=description_at, product=product,
                         value=description, length=len(description)))
    return out


def _cut(text: str, limit: int, ellipsis: str) -> str:
    """`text` cut on a word boundary to fit `limit` characters, ellipsis included, trailing separators dropped."""
    if len(text) <= limit:
        return text
    room = limit - len(ellipsis)
    head = text[:room + 1]
    cut = head.rfind(" ")
    head = head[:cut] if cut > 0 else text[:room]
    return head.rstrip(_TRAILING) + ellipsis


def generate_seo(title: str, body_text: str) -> tuple[str, str]:
    """(SEO title, SEO description) as the marketplace fills them when the seller left them empty.

    The title is the product title cut to 60 characters on a word boundary, without
    trailing punctuation; the description is the start of the description's text
    (HTML or plain) cut to 150 characters on a word boundary, ending with … when cut.
    """
    clean_title = " ".join(fix_text(title).split())
    seo_title = _cut(clean_title, META_TITLE_MAX, "").rstrip(_TRAILING)
    clean_body = " ".join(fix_text(html_to_text(body_text)).split())
    seo_description = _cut(clean_body, META_DESCRIPTION_MAX, "…")
    return seo_title, seo_description


def seo_generated_issues(seo_title: str, seo_description: str, generated: tuple[str, str], *,
                         title_at: Location, description_at: Location, product: str | None) -> list[Issue]:
    """`seo.generated`, once for each SEO cell left empty and filled from `generated` (see `generate_seo`)."""
    found = []
    for at, given, text, fr, en in (
        (title_at, seo_title, generated[0], "le titre SEO", "SEO title"),
        (description_at, seo_description, generated[1], "la description SEO", "SEO description"),
    ):
        if not given.strip() and text:
            found.append(issue("seo.generated", at=at, product=product, value=text,
                               fields_fr=fr, fields_en=en, generated=text))
    return found
