"""`catalog taxonomy search` ranks the obvious collection first, measured on our own labelled queries.

`tests/data/taxonomy_queries.tsv` holds everyday French seller queries and the collection each
means (labels checked against the taxonomy read at run time). The test prints top-1 and top-3
accuracy and holds top-1 to at least 85 %.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from taxonomy import Taxonomy, load_taxonomy, search

QUERIES = Path(__file__).parent / "data" / "taxonomy_queries.tsv"
TOP1_TARGET = 0.85
TOP3_TARGET = 0.90


@pytest.fixture(scope="module")
def tax(taxonomy_path: Path) -> Taxonomy:
    return load_taxonomy(taxonomy_path)


def labelled() -> list[tuple[str, tuple[str, ...]]]:
    rows = []
    for line in QUERIES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            query, *right = line.split("\t")
            rows.append((query, tuple(right)))
    return rows


def test_the_labelled_set_is_big_enough_and_names_real_collections(tax: Taxonomy) -> None:
    rows = labelled()
    assert len(rows) >= 60 and len({query for query, _ in rows}) == len(rows)
    unknown = [name for _, right in rows for name in right if name not in tax.collection_by_name]
    assert unknown == [], "every label must be an assignable collection of the taxonomy"


def test_top1_and_top3_accuracy(tax: Taxonomy) -> None:
    rows = labelled()
    top1 = top3 = 0
    misses = []
    for query, right in rows:
        names = [hit.name for hit in search(tax, query, limit=3)]
        top1 += bool(names) and names[0] in right
        top3 += any(name in right for name in names)
        if not names or names[0] not in right:
            misses.append(f"{query!r}: wanted {right[0]!r}, got {names}")
    print(f"\ntaxonomy search on {len(rows)} labelled queries: top-1 {top1 / len(rows):.1%}, "
          f"top-3 {top3 / len(rows):.1%}")
    print("\n".join(f"  miss {line}" for line in misses))
    assert top1 / len(rows) >= TOP1_TARGET
    assert top3 / len(rows) >= TOP3_TARGET


@pytest.mark.parametrize(("query", "right"), [
    ("gants", ("Gants et moufles", "Gants de sécurité")),
    ("lampe de bureau led", ("Lampes",)),
    ("casque de chantier", ("Casques de sécurité",)),
])
def test_the_cases_sellers_reported(tax: Taxonomy, query: str, right: tuple[str, ...]) -> None:
    assert search(tax, query, limit=3)[0].name in right


def test_a_collection_named_by_its_head_noun_beats_one_for_its_accessories(tax: Taxonomy) -> None:
    assert search(tax, "perceuse visseuse 18v")[0].name == "Perceuses"
    assert search(tax, "scie circulaire")[0].name == "Scies"
    assert search(tax, "portefeuille cuir")[0].name == "Portefeuilles et pinces à billets"


def test_each_of_coordinated_names_is_read_alone(tax: Taxonomy) -> None:
    """`Imprimantes, copieurs et télécopieurs` is a collection of printers as plainly as `Imprimantes 3D`
    is one of 3D printers."""
    assert search(tax, "imprimante")[0].name == "Imprimantes, copieurs et télécopieurs"
    assert search(tax, "imprimante 3d")[0].name == "Imprimantes 3D"


def test_a_french_word_is_not_taken_for_an_english_stopword(tax: Taxonomy) -> None:
    assert search(tax, "thé vert")[0].name == "Thé et infusions"


def test_the_command_prints_the_obvious_collection_first(capsys: pytest.CaptureFixture[str]) -> None:
    from catalog.cli import main

    assert main(["taxonomy", "search", "casque", "de", "chantier", "--limit", "3"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == "Casques de sécurité\tEntreprise et industrie > Équipement de protection > Casques de sécurité"
