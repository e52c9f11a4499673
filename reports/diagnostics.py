"""The item diagnostics of a feed: one row per item, in the feed's order, to filter in a spreadsheet.

Merchant Center's item diagnostics is the model: the item's `g:id`, its title,
whether its product was accepted, the codes and the messages (French, then
English) of what concerns the item or its product.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import BinaryIO

from catalog.domain.issues import Issue
from catalog.domain.report import ProductResult, Report
from reports.annotated import neutralise

HEADER = ("g:id", "Titre / Title", "Statut / Status", "Codes", "Messages")
STATUS = {"accepted": "accepté / accepted", "refused": "refusé / refused"}


def write_item_diagnostics(report: Report, out: BinaryIO) -> None:
    """The diagnostics CSV on `out` (UTF-8 with BOM, cells a spreadsheet would run as formulas made inert).

    The issues are read in the order they were found, which is the products' order: each product's rows
    are written as soon as its issues have all been seen, so the file is never built in memory.
    """
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    text.write("\ufeff")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(HEADER)
    found = iter(report.issues)
    pending: list[Issue] = []
    for result in report.products:
        mine, pending = _take(found, pending, result.handle)
        writer.writerows(_rows(result, mine))
    text.flush()
    text.detach()


def _take(found: Iterator[Issue], pending: list[Issue], handle: str) -> tuple[list[Issue], list[Issue]]:
    """The issues of product `handle` from the head of `found`, and what was read past them."""
    mine = [i for i in pending if i.product == handle]
    rest = [i for i in pending if i.product != handle]
    if rest:
        return mine, rest
    for issue in found:
        if issue.product == handle:
            mine.append(issue)
        else:
            return mine, [issue]
    return mine, []


def _rows(result: ProductResult, issues: list[Issue]) -> list[tuple[str, ...]]:
    """One row per item of the product: its own issues, and what concerns the whole product on its first item."""
    items: list[str | None] = list(result.items)
    rows: list[tuple[str, ...]] = []
    for index, item in enumerate(items):
        mine = [i for i in issues if i.item == item or (index == 0 and i.item not in items)]
        codes = ", ".join(dict.fromkeys(i.code for i in mine))
        messages = " | ".join(f"{i.message.fr} / {i.message.en}" for i in mine)
        cells = (item or "", result.title, STATUS.get(result.status, result.status), codes, messages)
        rows.append(tuple(neutralise(cell) for cell in cells))
    return rows
