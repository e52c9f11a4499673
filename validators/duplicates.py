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


class CandidateIndex:
    """Listings seen so far, found again by MinHash bands (locality-sensitive hashing) in near-constant time.

    Each listing's short key is cut into shingles, signed with a MinHash
    (datasketch) and filed under each band of its signature. A bucket keeps
    only its `BUCKET_CAP` latest listings, so a file or feed of near-copies
    (every listing in every bucket) still costs a bounded number of
    comparisons per listing: the search stays linear in the input.
    """

    NUM_PERM = 64
    BANDS = 16  # 16 bands of 4 rows: pairs from about 50 % Jaccard similarity meet in a bucket
    BUCKET_CAP = 8
    MAX_CANDIDATES = 24

    def __init__(self) -> None:
        self._buckets: dict[bytes, list[int]] = {}

    @classmethod
    def _bands(cls, key: str) -> list[bytes]:
        from datasketch import MinHash

        words = key.split()
        shingles = {" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))} if len(words) >= 10 else {
            key[i:i + 4] for i in range(max(1, len(key) - 3))}
        signature = MinHash(num_perm=cls.NUM_PERM, seed=7)
        signature.update_batch([s.encode() for s in shingles])
        rows = cls.NUM_PERM // cls.BANDS
        values = signature.hashvalues
        return [band.to_bytes(1, "big") + values[band * rows:(band + 1) * rows].tobytes() for band in range(cls.BANDS)]

    def candidates_then_add(self, index: int, key: str, *, add: bool = True) -> list[int]:
        """The listings that may be near `key` (latest first, at most MAX_CANDIDATES); then file `index` under it."""
        found: dict[int, None] = {}
        bands = self._bands(key)
        for band in bands:
            for other in reversed(self._buckets.get(band, ())):
                found.setdefault(other)
        if add:
            for band in bands:
                bucket = self._buckets.setdefault(band, [])
                bucket.append(index)
                if len(bucket) > self.BUCKET_CAP:
                    del bucket[0]
        return list(found)[: self.MAX_CANDIDATES]


def duplicate_issues(file_listings: Sequence[Listing], catalog_listings: Sequence[Listing] = ()) -> list[Issue]:
    """One issue per product of the input that repeats an earlier product of it or one of the catalog.

    Exact repeats are found by their folded text; near ones among a bounded set of candidates from a
    MinHash index on a short key (title and the start of the text), each then judged on the whole text.
    Time and memory grow linearly with the listings.
    """
    from rapidfuzz import fuzz

    in_file = {f.handle for f in file_listings}
    catalog = [c for c in catalog_listings if c.handle not in in_file]
    index = CandidateIndex()
    keys: dict[int, tuple[str, str]] = {}  # position -> (short key, full key), for the listings kept in the index
    listed: dict[int, Listing] = {}
    seen_exact: dict[str, Listing] = {}
    for position, item in enumerate(catalog, start=len(file_listings)):
        full = _key(item)
        seen_exact.setdefault(full, item)
        short = _key(item, KEY_TEXT_LENGTH)
        keys[position], listed[position] = (short, full), item
        index.candidates_then_add(position, short)

    def where(other: Listing) -> tuple[str, str]:
        if other.in_file:
            fr, en = other.at.place()
            return f"({fr} de ce fichier)", f"({en} of this file)"
        return "(déjà dans votre catalogue)", "(already in your catalog)"

    found: list[Issue] = []
    for position, item in enumerate(file_listings):
        if not item.title:
            continue
        full = _key(item)
        other = seen_exact.get(full)
        if other is not None:
            fr, en = where(other)
            found.append(issue("duplicate.exact", at=item.at, product=item.handle,
                               value=item.title[:120], other=other.handle, where_fr=fr, where_en=en))
            continue
        seen_exact[full] = item
        short = _key(item, KEY_TEXT_LENGTH)
        candidates = index.candidates_then_add(position, short)
        keys[position], listed[position] = (short, full), item
        close = sorted(((fuzz.ratio(short, keys[c][0], score_cutoff=PREFILTER_THRESHOLD), c) for c in candidates),
                       key=lambda pair: -pair[0])
        scored = [(fuzz.ratio(full, keys[c][1]), c) for score, c in close[:5] if score]
        best = max(scored, default=None)
        if best is not None and best[0] >= NEAR_THRESHOLD:
            found.append(issue("duplicate.near", at=item.at, product=item.handle,
                               value=item.title[:120], other=listed[best[1]].handle, score=round(best[0])))
    return found
