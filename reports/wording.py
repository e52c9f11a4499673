"""Counted nouns and agreement in French and English, shared by the text report, the HTML report and the email.

French takes the singular for 0 and 1 (« 0 erreur », « 1 produit refusé »), English for 1 only
("0 errors", "1 product refused"). A report counts products, or variants for a bulk file, and
the French participles agree with that noun: « 2 variantes acceptées ».
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Nouns:
    """What a report counts, in both languages, with the French gender."""

    fr_one: str
    fr_many: str
    feminine: bool
    en_one: str
    en_many: str

    def fr(self, count: int) -> str:
        """`3 produits`, `1 variante`, `0 produit`."""
        return count_fr(count, self.fr_one, self.fr_many)

    def en(self, count: int) -> str:
        """`3 products`, `1 variant`, `0 products`."""
        return count_en(count, self.en_one, self.en_many)

    def none_fr(self) -> str:
        """`Aucun produit`, `Aucune variante`."""
        return f"Aucun{'e' if self.feminine else ''} {self.fr_one}"

    def none_accepted(self) -> tuple[str, str]:
        """`Aucun produit accepté` / `No product accepted`, `Aucune variante acceptée` / `No variant accepted`."""
        return f"{self.none_fr()} {agree('accepté', 1, self.feminine)}", f"No {self.en_one} accepted"


PRODUCTS = Nouns("produit", "produits", False, "product", "products")
VARIANTS = Nouns("variante", "variantes", True, "variant", "variants")


def nouns(kind: str) -> Nouns:
    """Variants for a bulk report, products for the others."""
    return VARIANTS if kind == "bulk" else PRODUCTS


def read_units(kind: str) -> tuple[str, str, str, str]:
    """What an input is read in, French and English, singular and plural: a feed's items, a CSV's rows."""
    return ("article", "articles", "item", "items") if kind == "feed" else ("ligne", "lignes", "row", "rows")


def word_fr(count: int, one: str, many: str | None = None) -> str:
    """The French noun for `count`: singular for 0 and 1, `many` (default: `one` + s) from 2 on."""
    return one if count <= 1 else (many or one + "s")


def word_en(count: int, one: str, many: str | None = None) -> str:
    """The English noun for `count`: singular for 1 only, `many` (default: `one` + s) otherwise."""
    return one if count == 1 else (many or one + "s")


def count_fr(count: int, one: str, many: str | None = None) -> str:
    """`count` and its French noun: `0 erreur`, `2 erreurs`."""
    return f"{count} {word_fr(count, one, many)}"


def count_en(count: int, one: str, many: str | None = None) -> str:
    """`count` and its English noun: `0 errors`, `1 error`."""
    return f"{count} {word_en(count, one, many)}"


def agree(participle: str, count: int, feminine: bool) -> str:
    """A French past participle agreeing with a counted noun: `accepté`, `acceptées` (0 and 1 are singular)."""
    return participle + ("e" if feminine else "") + ("s" if count > 1 else "")
