"""Image alt texts and video links: the checks that read only the text of the cell."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from catalog.domain.issues import Issue
from catalog.domain.location import Location
from catalog.domain.rules import issue
from validators.seo import emoji_in

# A price: an amount with a currency sign or code before or after it (49,90 €, 19.99€, EUR 20, $5, 20 euros).
# An amount starts where a run of digits starts and takes the whole run at once (`(?<!\d)`, `\d++`): tried
# from every digit of a long run, as `\d+` was, 20,000 digits cost half a minute (see benchmarks/).
_PRICE_RE = re.compile(
    r"(?<!\d)\d++(?:[.,]\d{1,2})?\s*+(?:[€$£]|\b(?:eur|euros?|usd|gbp|chf)\b)"
    r"|(?:[€$£]|\b(?:eur|usd|gbp|chf)\b)\s*+\d++(?:[.,]\d{1,2})?",
    re.IGNORECASE,
)
_SPECIAL_RE = re.compile(r"[#*@|<>{}\[\]^~_\\]")

_YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com"})
_YOUTUBE_EMBED_HOSTS = _YOUTUBE_HOSTS | {"youtube-nocookie.com", "www.youtube-nocookie.com"}
_YOUTUBE_ID_RE = re.compile(r"[A-Za-z0-9_-]{11}")
_YOUTUBE_PATH_RE = re.compile(r"/(?:embed|shorts|live|v)/([A-Za-z0-9_-]{11})/?")
_VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com"})
# vimeo.com/123456789, vimeo.com/123456789/abcdef1234 (unlisted), vimeo.com/channels/name/123456789.
_VIMEO_PATH_RE = re.compile(r"/(?:channels/[\w-]+/|groups/[\w-]+/videos/)?\d+(?:/[0-9a-f]+)?/?")
_VIMEO_PLAYER_RE = re.compile(r"/video/\d+/?")


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def alt_problems(alt: str, title: str) -> list[tuple[str, str]]:
    """(French, English) descriptions of what is wrong with an alt text; empty when it is fine."""
    problems: list[tuple[str, str]] = []
    price = _PRICE_RE.search(alt)
    if price:
        found = price.group().strip()
        problems.append((f"il contient un prix ({found})", f"it holds a price ({found})"))
    special = dict.fromkeys([*_SPECIAL_RE.findall(alt), *emoji_in(alt)])
    if special:
        shown = " ".join(special)
        problems.append((f"il contient des caractères spéciaux ({shown})", f"it holds special characters ({shown})"))
    if title.strip() and _normalise(alt) == _normalise(title):
        problems.append(("il reprend le titre à l'identique", "it repeats the title word for word"))
    return problems


def alt_issues(alt: str, *, title: str, at: Location, product: str | None) -> list[Issue]:
    """`alt.format` when the alt text holds a price, special characters or emoji, or repeats the title.

    An empty alt text is fine: the marketplace uses the title in its place.
    """
    if not alt.strip():
        return []
    problems = alt_problems(alt, title)
    if not problems:
        return []
    return [issue("alt.format", at=at, product=product, value=alt,
                  problem_fr=" ; ".join(fr for fr, _ in problems), problem_en="; ".join(en for _, en in problems))]


def is_accepted_video(url: str) -> bool:
    """True for an https link to a YouTube or Vimeo video, or to an .mp4 file."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if parts.scheme.lower() != "https" or not host or parts.username or parts.password:
        return False
    path = parts.path
    if host in _YOUTUBE_HOSTS and path.rstrip("/") == "/watch":
        ids = parse_qs(parts.query).get("v", [])
        return len(ids) == 1 and _YOUTUBE_ID_RE.fullmatch(ids[0]) is not None
    if host in _YOUTUBE_EMBED_HOSTS and _YOUTUBE_PATH_RE.fullmatch(path):
        return True
    if host == "youtu.be":
        return _YOUTUBE_ID_RE.fullmatch(path.strip("/")) is not None
    if host in _VIMEO_HOSTS:
        return _VIMEO_PATH_RE.fullmatch(path) is not None
    if host == "player.vimeo.com":
        return _VIMEO_PLAYER_RE.fullmatch(path) is not None
    return "." in host and path.lower().endswith(".mp4")


def video_issues(url: str, *, at: Location, product: str | None) -> list[Issue]:
    """`video.url` unless the link is YouTube, Vimeo or an https .mp4 (an empty cell is fine)."""
    if not url.strip() or is_accepted_video(url):
        return []
    return [issue("video.url", at=at, product=product, value=url.strip())]
