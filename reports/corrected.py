"""The corrected copy: the seller's file with only the safe automatic fixes applied, ready to send again.

Same header, same rows in the same order, same number of cells per row, no
extra column; a cell differs from the seller's only where `report.corrections`
gives its fixed value (rules.md, "Safe automatic fixes"). Written like the
annotated copy: UTF-8 with BOM (which our reader accepts and drops), comma
separator whatever the original used, RFC 4180 quoting, CRLF line ends.

Spreadsheet formulas: unlike the annotated copy, cells are NOT prefixed with
`'`. This file is meant to be imported again, and our reader keeps a leading
`'` as part of the value, so neutralising would alter the seller's data (a
description starting with "- " would come back as "'- "). Cells we did not
change are the seller's own, byte for byte: the copy exposes nothing the
seller's file did not already hold. The one way a fix could make things worse
is by turning text into something a spreadsheet runs as a formula (removing an
invisible character in front of `=`, say). Such a fix is not safe, since it
changes what a spreadsheet does with the cell, so it is withheld: the cell
keeps the seller's value and its warning still stands.
"""

from __future__ import annotations

from catalog.report import Report
from reports.annotated import csv_bytes, is_formula_like, require_table


def corrected_cell(original: str, fixed: str) -> str:
    """The value written for a cell with a fix: the fix, unless it would turn the cell into a formula."""
    if is_formula_like(fixed) and not is_formula_like(original):
        return original
    return fixed


def render_corrected_csv(report: Report) -> bytes:
    """The seller's table with `report.corrections[(row, column)]` applied, as CSV bytes."""
    table = require_table(report)
    position: dict[str, int] = {}
    for index, name in enumerate(table.header):
        position.setdefault(name, index)
    fixes: dict[int, dict[int, str]] = {}
    for (row, column), value in report.corrections.items():
        if column in position:
            fixes.setdefault(row, {})[position[column]] = value
    out: list[list[str]] = [list(table.header)]
    for row, cells in table.rows:
        line = list(cells)
        for index, value in fixes.get(row, {}).items():
            if index < len(line):
                line[index] = corrected_cell(line[index], value)
        out.append(line)
    return csv_bytes(out)
