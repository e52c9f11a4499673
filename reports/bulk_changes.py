"""What a bulk report changes, as every renderer tells it: each changed cell old → new, and when it takes effect.

Quantity, SKU and price take effect on submit; a title after moderation; a price that moves by more than
the configured factor after review (`price.suspicious_change`). The report itself says nothing of whether
it was a dry run: the same report is given before and after a submit.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.domain.bulk import HELD_CODE, PRICE, TITLE
from catalog.domain.issues import Text
from catalog.domain.report import Report

EFFECTS = {
    "now": Text("En ligne dès l'envoi", "Live on submit"),
    "moderation": Text("Après validation par la modération", "Once moderation approves it"),
    "review": Text("Après vérification du prix par notre équipe", "Once our team has checked the price"),
}


@dataclass(frozen=True, slots=True)
class CellChange:
    variant_id: str
    row: int
    column: str
    old: str
    new: str
    effect: str  # now | moderation | review

    @property
    def effect_label(self) -> Text:
        return EFFECTS[self.effect]


@dataclass(frozen=True, slots=True)
class BulkSummary:
    changes: list[CellChange]
    changed: int  # variants with at least one change
    unchanged: list[str]  # variant ids identical to the catalog
    now: int  # variants with a change live on submit
    titles: int  # products whose title goes to moderation
    held: int  # prices held for review


def effect(column: str, codes: list[str]) -> str:
    if column == TITLE:
        return "moderation"
    if column == PRICE and HELD_CODE in codes:
        return "review"
    return "now"


def bulk_summary(report: Report) -> BulkSummary:
    """The changes of a bulk report's accepted variants, in file order."""
    changes: list[CellChange] = []
    unchanged: list[str] = []
    now: set[str] = set()
    titles: set[str] = set()
    held = 0
    for result in report.products:
        if result.changes is None or result.variant_id is None:
            continue
        if not result.changes:
            unchanged.append(result.variant_id)
        for column, (old, new) in result.changes.items():
            kind = effect(column, result.codes)
            changes.append(CellChange(result.variant_id, result.rows[0] if result.rows else 0, column, old, new,
                                      kind))
            if kind == "now":
                now.add(result.variant_id)
            elif kind == "moderation":
                product_id = result.product.raw.get("Product ID", "") if result.product else ""
                titles.add(product_id or result.variant_id)
            else:
                held += 1
    changed = len({c.variant_id for c in changes})
    return BulkSummary(changes, changed, unchanged, len(now), len(titles), held)
