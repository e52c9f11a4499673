"""Duplicate listings: the same product sent twice under two Handles, in the file or against the catalog.

Exact: title and description text equal once case, accents and spacing are
folded. Near: rapidfuzz's `ratio` over the folded title + description at or
above `NEAR_THRESHOLD` — series products whose text differs only by a size or
a capacity land there, and the warning asks the seller to group them as
variants.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog.domain.issues import Issue
from catalog.domain.location import NOWHERE, Location
from catalog.domain.rules import issue

if TYPE_CHECKING:
    import numpy as np

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


def minhash_permutations(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` random affine maps `h -> a·h + b` modulo 2³² (`a` odd, so each is a bijection)."""
    import numpy as np

    rng = random.Random(seed)  # not numpy.random: a tenth of a second of imports for 128 numbers
    a = [rng.getrandbits(31) * 2 + 1 for _ in range(count)]
    b = [rng.getrandbits(32) for _ in range(count)]
    return np.array(a, dtype=np.uint32), np.array(b, dtype=np.uint32)


def minhash_signature(shingles: set[str], permutations: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """The MinHash of a set of shingles: for each permutation, the least image of the shingles' hashes.

    The scheme is datasketch's "affine32" (CRC-32 of each shingle, mixed by MurmurHash3's finaliser, then
    each affine map), written out here because importing datasketch imports scipy, a second of every
    `catalog validate` for the dozen lines used.
    """
    import numpy as np

    hashes = np.array([zlib.crc32(s.encode()) for s in shingles], dtype=np.uint32).reshape(-1, 1)
    hashes ^= hashes >> np.uint32(16)
    hashes *= np.uint32(0x85EBCA6B)
    hashes ^= hashes >> np.uint32(13)
    hashes *= np.uint32(0xC2B2AE35)
    hashes ^= hashes >> np.uint32(16)
    a, b = permutations
    return (hashes * a + b).min(axis=0)


class CandidateIndex:
    """The latest listings, found again by MinHash bands (locality-sensitive hashing) in near-constant time.

    Each listing's short key is cut into shingles, signed with a MinHash
    (`minhash_signature`) and filed under each band of its signature. A bucket keeps
    only its `BUCKET_CAP` latest listings, so an input of near-copies (every
    listing in every bucket) still costs a bounded number of comparisons per
    listing; and the index forgets listings older than the `WINDOW` latest, so
    its memory is bounded whatever the input's length.
    """

    NUM_PERM = 64
    BANDS = 16  # 16 bands of 4 rows: pairs from about 50 % Jaccard similarity (of word pairs) meet in a bucket
    BUCKET_CAP = 8
    MAX_CANDIDATES = 24
    WINDOW = 10_000

    def __init__(self) -> None:
        self._permutations = minhash_permutations(self.NUM_PERM, seed=7)
        self._buckets: dict[int, list[int]] = {}
        self._filed: dict[int, tuple[int, ...]] = {}  # position -> its bands, for the listings in the window

    def _bands(self, key: str) -> tuple[int, ...]:
        words = key.split()
        shingles = {" ".join(words[i:i + 2]) for i in range(max(1, len(words) - 1))} if len(words) >= 10 else {
            key[i:i + 4] for i in range(max(1, len(key) - 3))}
        values = minhash_signature(shingles, self._permutations)
        rows = self.NUM_PERM // self.BANDS
        return tuple(hash((band, values[band * rows:(band + 1) * rows].tobytes())) for band in range(self.BANDS))

    def candidates_then_add(self, index: int, key: str) -> tuple[list[int], list[int]]:
        """The listings that may be near `key` (latest first, at most MAX_CANDIDATES), then `index` is filed
        under `key`; and the listings the window forgot to make room for it."""
        found: dict[int, None] = {}
        bands = self._bands(key)
        for band in bands:
            for other in reversed(self._buckets.get(band, ())):
                found.setdefault(other)
        for band in bands:
            bucket = self._buckets.setdefault(band, [])
            bucket.append(index)
            if len(bucket) > self.BUCKET_CAP:
                del bucket[0]
        self._filed[index] = bands
        forgotten: list[int] = []
        while len(self._filed) > self.WINDOW:
            oldest = next(iter(self._filed))
            for band in self._filed.pop(oldest):
                bucket = self._buckets.get(band)
                if bucket is not None and oldest in bucket:
                    bucket.remove(oldest)
                    if not bucket:
                        del self._buckets[band]
            forgotten.append(oldest)
        return list(found)[: self.MAX_CANDIDATES], forgotten


class DuplicateFinder:
    """Products that repeat an earlier product of the input or one of the seller's catalog, one by one.

    Exact repeats are found by a digest of their folded text, over the whole input; near ones among a
    bounded set of candidates from a MinHash index over the latest `CandidateIndex.WINDOW` listings, on a
    short key (title and the start of the text), each then judged on the whole text. Time grows linearly
    with the listings and memory is bounded.
    `input_handles` leave out the catalog versions of the input's own products when known beforehand; a
    streamed input's product is never compared with its own catalog version either.
    """

    def __init__(self, catalog_listings: Sequence[Listing] = (), input_handles: set[str] | None = None) -> None:
        self._index = CandidateIndex()
        self._keys: dict[int, tuple[str, str]] = {}  # position -> (short key, full key), within the window
        self._listed: dict[int, tuple[str, Location, bool]] = {}  # position -> (handle, where, in the input)
        self._exact: dict[bytes, tuple[str, Location, bool]] = {}
        self._count = 0
        for item in catalog_listings:
            if input_handles is None or item.handle not in input_handles:
                full = _key(item)
                self._exact.setdefault(_digest(full), (item.handle, item.at, item.in_file))
                self._file(item, full)

    def _file(self, item: Listing, full: str) -> str:
        position, self._count = self._count, self._count + 1
        short = _key(item, KEY_TEXT_LENGTH)
        candidates, forgotten = self._index.candidates_then_add(position, short)
        for old in forgotten:
            del self._keys[old], self._listed[old]
        self._keys[position] = (short, full)
        self._listed[position] = (item.handle, item.at, item.in_file)
        self._last_candidates = [c for c in candidates if c in self._keys]
        return short

    @staticmethod
    def _where(listed: tuple[str, Location, bool]) -> tuple[str, str]:
        _, at, in_file = listed
        if in_file:
            fr, en = at.place()
            return f"({fr} de ce fichier)", f"({en} of this file)"
        return "(déjà dans votre catalogue)", "(already in your catalog)"

    @staticmethod
    def _own_version(listed: tuple[str, Location, bool], item: Listing) -> bool:
        """A product's own catalog version is no duplicate of it."""
        handle, _, in_file = listed
        return handle == item.handle and not in_file

    def check(self, item: Listing) -> list[Issue]:
        from rapidfuzz import fuzz

        if not item.title:
            return []
        full = _key(item)
        digest = _digest(full)
        other = self._exact.get(digest)
        if other is not None and not self._own_version(other, item):
            fr, en = self._where(other)
            return [issue("duplicate.exact", at=item.at, product=item.handle, value=item.title[:120],
                          other=other[0], where_fr=fr, where_en=en)]
        self._exact[digest] = (item.handle, item.at, item.in_file)
        short = self._file(item, full)
        close = sorted(((fuzz.ratio(short, self._keys[c][0], score_cutoff=PREFILTER_THRESHOLD), c)
                        for c in self._last_candidates if not self._own_version(self._listed[c], item)),
                       key=lambda pair: -pair[0])
        scored = [(fuzz.ratio(full, self._keys[c][1]), c) for score, c in close[:5] if score]
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
