"""The one file a seller fixes: their own file, the safe fixes applied, with two more columns, `Statut` and `Erreurs`.

Rows in their order, cells as the seller wrote them except where a safe automatic fix (rules.md) changed
one: that cell holds the fixed value and `Erreurs` says so (`[corrigé] Tags : « a, b » → « a,b »`). The
seller fixes the rest in place and sends the file back as it is: the reader ignores `Statut` and `Erreurs`
(`structure.report_columns`, an info), so no one ever merges two files by hand.

Also holds the CSV writing rules shared with the converted copy (`reports.converted`).

Encoding: UTF-8 with a byte-order mark. Excel, the spreadsheet most sellers use,
opens a CSV without a BOM in the machine's legacy code page (Windows-1252 on a
French Windows), which turns every accent into mojibake (`é` shows as `Ã©`).
The BOM is what tells Excel the file is UTF-8; LibreOffice and Google Sheets
accept it too, and our own reader drops it.

Spreadsheet formulas (CSV injection): a cell beginning with `=`, `+`, `-`, `@`,
a tab or a carriage return may be run as a formula when the file is opened in
a spreadsheet (`=HYPERLINK(...)` can leak data or lure a click). Every such
cell, the seller's and ours, gets a leading `'`, the spreadsheet convention
for "this is text"; the converted copy (`reports.converted`) is written the
same way. Plain numbers (`-5`, `-12.5`, `+33`) are left alone: a spreadsheet
reads them as numbers, never as formulas, and a negative price must stay
readable as such. `+33 6 12 34 56 78` is not a plain number and is neutralised.

The `'` does not stick: when a file comes back, our reader drops one leading
`'` in front of `=`, `+`, `-`, `@`, a tab or a carriage return, so a seller
who fixes this file (or re-sends the converted copy) gets their own text back.
The price of that symmetry: a seller's cell that itself begins with `'=`
(or `'+`, `'-`, `'@`) is read back without its `'`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from catalog.domain.columns import ERRORS_COLUMN, STATUS_COLUMN
from catalog.domain.issues import Issue, Severity
from catalog.domain.report import SEVERITY_ORDER, ProductResult, Report, Table

__all__ = ["ERRORS_COLUMN", "STATUS_COLUMN", "csv_bytes", "neutralise", "render_annotated_csv"]

FIXED_TAG = "[corrigé]"
FIXED_EXCERPT = 60

STATUS_REFUSED = "Refusé"
STATUS_ACCEPTED = "Accepté"
STATUS_WARNINGS = "Accepté avec avertissements"

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def is_formula_like(cell: str) -> bool:
    """Whether a spreadsheet could take `cell` for a formula: a trigger first, and not a plain number."""
    return cell.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(cell)


def neutralise(cell: str) -> str:
    """`cell` made inert for spreadsheets: a leading `'` on formula-like text, anything else unchanged."""
    return "'" + cell if is_formula_like(cell) else cell


def csv_bytes(rows: Iterable[Sequence[str]]) -> bytes:
    """RFC 4180 CSV (comma, minimal quoting, CRLF line ends), UTF-8 with BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", quotechar='"', quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def require_table(report: Report) -> Table:
    if report.table is None:
        raise ValueError(f"{report.source}: no table to render (the file was not read as a CSV)")
    return report.table


def product_keys(product: ProductResult) -> list[str]:
    """The names an issue may use for this product: its Handle, or for bulk files its variant id."""
    return [key for key in (product.handle, product.variant_id) if key]


def issues_by_row(report: Report) -> dict[int, list[Issue]]:
    """Each row's issues, errors first, then warnings, then infos.

    An issue about a product but no particular row is shown on the product's first row.
    """
    first_row: dict[str, int] = {}
    for product in report.products:
        if product.rows:
            for key in product_keys(product):
                first_row.setdefault(key, product.rows[0])
    by_row: dict[int, list[Issue]] = {}
    for issue in sorted(report.issues, key=lambda i: SEVERITY_ORDER[i.severity]):
        row = issue.row
        if row is None:
            row = first_row.get(issue.product or "") or first_row.get(issue.item or "")
        if row is not None:
            by_row.setdefault(row, []).append(issue)
    return by_row


def issue_line(issue: Issue) -> str:
    """`[code] Column: message` in French, as shown in the `Erreurs` cell."""
    where = f"{issue.column}: " if issue.column else ""
    return f"[{issue.code}] {where}{issue.message.fr}"


def _excerpt(value: str) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= FIXED_EXCERPT else flat[:FIXED_EXCERPT].rstrip() + " …"


def fixed_line(column: str, old: str, new: str) -> str:
    """`[corrigé] Tags : « a, b » → « a,b »`: a cell the safe fixes changed, said in the `Erreurs` cell."""
    return f"{FIXED_TAG} {column} : « {_excerpt(old)} » → « {_excerpt(new)} »"


def _rows_phrase(rows: list[int]) -> str:
    if len(rows) == 1:
        return f"ligne {rows[0]}"
    return "lignes " + ", ".join(str(r) for r in rows[:-1]) + f" et {rows[-1]}"


class _Annotator:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.by_row = issues_by_row(report)
        self.product_of_row: dict[int, ProductResult] = {}
        for product in report.products:
            for row in product.rows:
                self.product_of_row.setdefault(row, product)
        self.file_errors = [i for i in report.sorted_issues() if i.is_error and i.is_file_level]

    def error_rows(self, product: ProductResult) -> list[int]:
        return [row for row in product.rows if any(i.is_error for i in self.by_row.get(row, []))]

    def annotate(self, row: int, fixed: list[str] | None = None) -> tuple[str, str]:
        own = self.by_row.get(row, [])
        product = self.product_of_row.get(row)
        own_error = any(i.is_error for i in own)
        refused = self.report.file_rejected or own_error or (product is not None and product.status == "refused")
        lines: list[str] = []
        if refused and not own_error:
            lines.extend(self.refusal_pointer(row, product))
        lines.extend(issue_line(i) for i in own)
        lines.extend(fixed or [])
        if refused:
            status = STATUS_REFUSED
        elif any(i.severity is Severity.WARNING for i in own):
            status = STATUS_WARNINGS
        else:
            status = STATUS_ACCEPTED
        return status, "\n".join(lines)

    def refusal_pointer(self, row: int, product: ProductResult | None) -> list[str]:
        """Why a row without an error of its own is refused: the file, or another row of its product."""
        if self.report.file_rejected:
            return [f"Fichier refusé : {issue_line(i)}" for i in self.file_errors]
        others = [r for r in self.error_rows(product) if r != row] if product is not None else []
        if others:
            return [f"Produit refusé : voir {_rows_phrase(others)}"]
        return ["Produit refusé : voir le rapport"]


def fixes_by_row(report: Report, table: Table) -> dict[int, dict[int, str]]:
    """row → {cell index → fixed value}, from `report.corrections` ((row, column) → value)."""
    position: dict[str, int] = {}
    for index, name in enumerate(table.header):
        position.setdefault(name, index)
    fixes: dict[int, dict[int, str]] = {}
    for (row, column), value in report.corrections.items():
        if column in position:
            fixes.setdefault(row, {})[position[column]] = value
    return fixes


def render_annotated_csv(report: Report) -> bytes:
    """The seller's file with the safe fixes applied, rows in their order, plus `Statut` and `Erreurs`.

    Short rows are padded with empty cells and, when a row is longer than the header,
    the header gets unnamed columns, so `Statut` and `Erreurs` always line up.
    """
    table = require_table(report)
    annotator = _Annotator(report)
    fixes = fixes_by_row(report, table)
    width = max([len(table.header), *(len(cells) for _, cells in table.rows)])
    header = [*table.header, *[""] * (width - len(table.header)), STATUS_COLUMN, ERRORS_COLUMN]
    out: list[list[str]] = [[neutralise(cell) for cell in header]]
    for row, cells in table.rows:
        line = list(cells)
        said: list[str] = []
        for index, value in sorted(fixes.get(row, {}).items()):
            if index < len(line):
                said.append(fixed_line(table.header[index], line[index], value))
                line[index] = value
        status, errors = annotator.annotate(row, said)
        padded = [*line, *[""] * (width - len(line)), status, errors]
        out.append([neutralise(cell) for cell in padded])
    return csv_bytes(out)
