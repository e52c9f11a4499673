"""Duplicate listings: the same product sent twice under two Handles, in the file or against the catalog.

Exact: title and description text equal once case, accents and spacing are
folded. Near: rapidfuzz's `ratio` over the folded title + description at or
above `NEAR_THRESHOLD` — series products whose text differs only by a size or
a capacity land there, and the warning asks the seller to group them as
variants.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from catalog.domain.issues import Issue
from catalog.domain.location import NOWHERE, Location
from catalog.domain.rules import issue

NEAR_THRESHOLD = 95.0
KEY_TEXT_LENGTH = 400  # the prefilter's key: enough text to find candidates, short enough to compare hundreds
PREFILTER_THRESHOLD = 80.0


@dataclass(frozen=True, slots=True)
class Listing:
    handle: str
    title: str
    text: str  # description, HTML removed
    at: Location = NOWHERE  # where its title is
    in_file: bool = True


_COMBINING = re.compile(r"[\u0300-\u036f]+")


def fold(text: str) -> str:
    """Lowercase, accents and repeated spaces removed: `Chaise  Été` → `chaise ete`."""
    return " ".join(_COMBINING.sub("", unicodedata.normalize("NFKD", text.lower())).split())


def _key(item: Listing, length: int | None = None) -> str:
    return fold(f"{item.title} \u2016 {item.text[:length]}")


def duplicate_issues(file_listings: Sequence[Listing], catalog_listings: Sequence[Listing] = ()) -> list[Issue]:
    """One issue per product of the file that repeats an earlier product of the file or one of the catalog.

    Candidates are found on a short key (title and the start of the text, cheap to compare by the
    hundred); each candidate is then judged on the whole text.
    """
    from rapidfuzz import fuzz, process

    in_file = {f.handle for f in file_listings}
    catalog = [c for c in catalog_listings if c.handle not in in_file]
    listings = [*file_listings, *catalog]
    full = [_key(item) for item in listings]
    short = [_key(item, KEY_TEXT_LENGTH) for item in listings]
    seen_exact: dict[str, Listing] = {}
    for index in range(len(file_listings), len(listings)):
        seen_exact.setdefault(full[index], listings[index])

    def where(other: Listing) -> tuple[str, str]:
        if other.in_file:
            fr, en = other.at.place()
            return f"({fr} de ce fichier)", f"({en} of this file)"
        return "(déjà dans votre catalogue)", "(already in your catalog)"

    found: list[Issue] = []
    for index, item in enumerate(file_listings):
        if not item.title:
            continue
        other = seen_exact.get(full[index])
        if other is not None:
            fr, en = where(other)
            found.append(issue("duplicate.exact", at=item.at, product=item.handle,
                               value=item.title[:120], other=other.handle, where_fr=fr, where_en=en))
            continue
        seen_exact[full[index]] = item
        earlier = list(range(index)) + list(range(len(file_listings), len(listings)))
        if not earlier:
            continue
        candidates = process.extract(short[index], [short[i] for i in earlier], scorer=fuzz.ratio,
                                     score_cutoff=PREFILTER_THRESHOLD, limit=5)
        scored = [(fuzz.ratio(full[index], full[earlier[pos]]), earlier[pos]) for _, _, pos in candidates]
        best = max(scored, default=None)
        if best is not None and best[0] >= NEAR_THRESHOLD:
            found.append(issue("duplicate.near", at=item.at, product=item.handle,
                               value=item.title[:120], other=listings[best[1]].handle, score=round(best[0])))
    return found
