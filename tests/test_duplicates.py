"""Near-duplicate search: candidates come from a bounded MinHash index, so near-copies cost linear work."""

from __future__ import annotations

from dataclasses import replace

from catalog.domain.location import Location
from validators.duplicates import CandidateIndex, Listing, duplicate_issues

TEXT = ("Perceuse visseuse sans fil 18 V livrée avec deux batteries lithium de 2 Ah, un chargeur rapide et un "
        "coffret de transport. Couple de serrage réglable sur vingt positions, mandrin autoserrant de 13 mm.")


def listing(n: int, text: str = TEXT) -> Listing:
    return Listing(f"perceuse-{n}", f"Perceuse visseuse 18 V modèle {n}", text.replace("2 Ah", f"{n} Ah"),
                   Location(n + 2, "Title"))


def test_near_copies_are_found_among_few_candidates() -> None:
    index = CandidateIndex()
    sizes = []
    for n in range(3000):
        candidates, _ = index.candidates_then_add(n, f"perceuse visseuse 18 v modele {n} {TEXT.lower()}")
        sizes.append(len(candidates))
    assert max(sizes) <= CandidateIndex.MAX_CANDIDATES and sizes[-1] > 0


def test_near_and_exact_verdicts() -> None:
    found = duplicate_issues([listing(1), listing(2), listing(1), Listing("autre", "Table de jardin", "Teck.")])
    assert [(i.code, i.product, i.row) for i in found] == [("duplicate.near", "perceuse-2", 4),
                                                           ("duplicate.exact", "perceuse-1", 3)]
    assert "ligne 3" in found[1].message.fr


def test_catalog_listings_count_and_unrelated_texts_do_not() -> None:
    old = Listing("ancienne", "Perceuse visseuse 18 V modèle 7", TEXT.replace("2 Ah", "7 Ah"), in_file=False)
    found = duplicate_issues([listing(7), Listing("x", "Chaise pliante en hêtre", "Une chaise solide et légère.")],
                             [old])
    assert [(i.code, i.product) for i in found] == [("duplicate.exact", "perceuse-7")]
    assert "catalogue" in found[0].message.fr


def test_the_index_forgets_beyond_its_window_so_memory_is_bounded(monkeypatch) -> None:
    from validators.duplicates import DuplicateFinder

    monkeypatch.setattr(CandidateIndex, "WINDOW", 50)
    finder = DuplicateFinder()
    found = [i for n in range(400) for i in finder.check(listing(n))]
    assert len(finder._keys) == 50 and len(finder._index._filed) == 50
    assert sum(len(b) for b in finder._index._buckets.values()) <= 50 * CandidateIndex.BANDS
    assert len(found) >= 390 and {i.code for i in found} == {"duplicate.near"}
    assert [i.code for i in finder.check(listing(3))] == ["duplicate.exact"]  # exact repeats: over the whole input


def test_a_product_is_no_duplicate_of_its_own_catalog_version() -> None:
    from validators.duplicates import DuplicateFinder

    own = Listing("perceuse-7", "Perceuse visseuse 18 V modèle 7", TEXT.replace("2 Ah", "7 Ah"), in_file=False)
    finder = DuplicateFinder([own])  # a streamed input: its handles are not known beforehand
    assert finder.check(listing(7)) == []
    other = DuplicateFinder([replace(own, handle="ancienne")])
    assert [i.code for i in other.check(listing(7))] == ["duplicate.exact"]
