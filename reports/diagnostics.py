"""The item diagnostics of a feed: one row per item, in the feed's order, to filter in a spreadsheet.

Merchant Center's item diagnostics is the model: the item's `g:id`, its title,
whether its product was accepted, the codes and the messages (French, then
English) of what concerns the item or its product.
"""

from __future__ import annotations

from catalog.domain.issues import Issue
from catalog.domain.report import Report
from reports.annotated import csv_bytes, neutralise

HEADER = ("g:id", "Titre / Title", "Statut / Status", "Codes", "Messages")
STATUS = {"accepted": "accepté / accepted", "refused": "refusé / refused"}


def render_item_diagnostics(report: Report) -> bytes:
    """The diagnostics CSV (UTF-8 with BOM, cells a spreadsheet would run as formulas made inert)."""
    by_item: dict[str | None, list[Issue]] = {}
    by_product: dict[str | None, list[Issue]] = {}
    for found in report.issues:
        by_item.setdefault(found.item, []).append(found)
        by_product.setdefault(found.product, []).append(found)
    rows: list[tuple[str, ...]] = [HEADER]
    for result in report.products:
        product = result.product
        if product is None:
            continue
        first = product.variants[0].item if product.variants else None
        for variant in product.variants:
            mine = [i for i in by_item.get(variant.item, []) if i.product == result.handle]
            # What concerns the whole product is said on its first item only.
            if variant.item == first:
                items = {v.item for v in product.variants}
                mine += [i for i in by_product.get(result.handle, []) if i.item not in items]
            codes = list(dict.fromkeys(i.code for i in mine))
            messages = " | ".join(f"{i.message.fr} / {i.message.en}" for i in mine)
            rows.append(tuple(neutralise(cell) for cell in (variant.item or "", product.title,
                                                             STATUS.get(result.status, result.status),
                                                             ", ".join(codes), messages)))
    return csv_bytes(rows)
