"""Duplicate listings: the same product sent twice under two Handles, in the file or against the catalog.

Exact: title and description text equal once case, accents and spacing are
folded. Near: rapidfuzz's `ratio` over the folded title + description at or
above `NEAR_THRESHOLD` — series products whose text differs only by a size or
a capacity land there, and the warning asks the seller to group them as
variants.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
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


class DuplicateFinder:
    """Products that repeat an earlier product of the input or one of the seller's catalog, one by one.

    Exact repeats are found by a digest of their folded text; near ones among a bounded set of candidates
    from a MinHash index on a short key (title and the start of the text), each then judged on the whole
    text. Time and memory grow linearly with the listings; the texts kept for judging are compressed.
    `input_handles` leave out the catalog versions of the input's own products when known beforehand.
    """

    def __init__(self, catalog_listings: Sequence[Listing] = (), input_handles: set[str] | None = None) -> None:
        self._index = CandidateIndex()
        self._keys: list[tuple[str, bytes]] = []  # position -> (short key, compressed full key)
        self._listed: list[tuple[str, Location, bool]] = []  # position -> (handle, where, in the input)
        self._exact: dict[bytes, int] = {}
        for item in catalog_listings:
            if input_handles is None or item.handle not in input_handles:
                self._remember(item, _key(item), add_exact=True)

    def _remember(self, item: Listing, full: str, *, add_exact: bool) -> tuple[int, str]:
        position = len(self._keys)
        short = _key(item, KEY_TEXT_LENGTH)
        self._keys.append((short, zlib.compress(full.encode(), 1)))
        self._listed.append((item.handle, item.at, item.in_file))
        if add_exact:
            self._exact.setdefault(_digest(full), position)
        return position, short

    def _where(self, position: int) -> tuple[str, str]:
        _, at, in_file = self._listed[position]
        if in_file:
            fr, en = at.place()
            return f"({fr} de ce fichier)", f"({en} of this file)"
        return "(déjà dans votre catalogue)", "(already in your catalog)"

    def check(self, item: Listing) -> list[Issue]:
        from rapidfuzz import fuzz

        if not item.title:
            return []
        full = _key(item)
        other = self._exact.get(_digest(full))
        if other is not None:
            fr, en = self._where(other)
            return [issue("duplicate.exact", at=item.at, product=item.handle, value=item.title[:120],
                          other=self._listed[other][0], where_fr=fr, where_en=en)]
        position = len(self._keys)
        short = _key(item, KEY_TEXT_LENGTH)
        candidates = self._index.candidates_then_add(position, short)
        self._remember(item, full, add_exact=True)
        close = sorted(((fuzz.ratio(short, self._keys[c][0], score_cutoff=PREFILTER_THRESHOLD), c)
                        for c in candidates), key=lambda pair: -pair[0])
        scored = [(fuzz.ratio(full, zlib.decompress(self._keys[c][1]).decode()), c) for score, c in close[:5] if score]
        best = max(scored, default=None)
        if best is None or best[0] < NEAR_THRESHOLD:
            return []
        return [issue("duplicate.near", at=item.at, product=item.handle, value=item.title[:120],
                      other=self._listed[best[1]][0], score=round(best[0]))]


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def duplicate_issues(file_listings: Sequence[Listing], catalog_listings: Sequence[Listing] = ()) -> list[Issue]:
    """`DuplicateFinder` over a whole list of listings."""
    finder = DuplicateFinder(catalog_listings, {f.handle for f in file_listings})
    return [found for item in file_listings for found in finder.check(item)]
