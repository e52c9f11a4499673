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
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from catalog.issues import Issue
from catalog.rules import issue

NEAR_THRESHOLD = 95.0
KEY_TEXT_LENGTH = 400  # enough text to tell products apart, short enough to compare hundreds fast


@dataclass(frozen=True, slots=True)
class Listing:
    handle: str
    title: str
    text: str  # description, HTML removed
    row: int | None = None
    in_file: bool = True


_COMBINING = re.compile(r"[\u0300-\u036f]+")


def fold(text: str) -> str:
    """Lowercase, accents and repeated spaces removed: `Chaise  Été` → `chaise ete`."""
    return " ".join(_COMBINING.sub("", unicodedata.normalize("NFKD", text.lower())).split())


def _key(item: Listing, length: int | None = KEY_TEXT_LENGTH) -> str:
    return fold(f"{item.title} \u2016 {item.text[:length]}")


def duplicate_issues(file_listings: Sequence[Listing], catalog_listings: Sequence[Listing] = ()) -> list[Issue]:
    """One issue per product of the file that repeats an earlier product of the file or one of the catalog."""
    from rapidfuzz import fuzz, process

    found: list[Issue] = []
    keys = [_key(item) for item in file_listings]
    catalog = [c for c in catalog_listings if c.handle not in {f.handle for f in file_listings}]
    catalog_keys = [_key(item) for item in catalog]
    exact: dict[str, Listing] = {}
    for item in catalog:
        exact.setdefault(_key(item, None), item)

    def where(other: Listing) -> tuple[str, str]:
        if other.in_file:
            return f"(ligne {other.row} de ce fichier)", f"(row {other.row} of this file)"
        return "(déjà dans votre catalogue)", "(already in your catalog)"

    near_scorer: Callable[..., float] = fuzz.ratio
    for index, (key, item) in enumerate(zip(keys, file_listings, strict=True)):
        if not item.title:
            continue
        full_key = _key(item, None)
        other = exact.get(full_key)
        if other is not None:
            fr, en = where(other)
            found.append(issue("duplicate.exact", row=item.row, column="Title", product=item.handle,
                               value=item.title[:120], other=other.handle, where_fr=fr, where_en=en))
            continue
        exact[full_key] = item
        pool = keys[:index] + catalog_keys
        if not pool:
            continue
        match = process.extractOne(key, pool, scorer=near_scorer, score_cutoff=NEAR_THRESHOLD)
        if match is not None:
            _, score, position = match
            other = file_listings[position] if position < index else catalog[position - index]
            found.append(issue("duplicate.near", row=item.row, column="Title", product=item.handle,
                               value=item.title[:120], other=other.handle, score=round(score)))
    return found
