"""The corrected copy: the seller's file with only the safe automatic fixes applied, ready to send again.

Same header, same rows in the same order, same number of cells per row, no
extra column; a cell differs from the seller's only where `report.corrections`
gives its fixed value (rules.md, "Safe automatic fixes"). Written like the
annotated copy: UTF-8 with BOM (which our reader accepts and drops), comma
separator whatever the original used, RFC 4180 quoting, CRLF line ends.

Spreadsheet formulas: neutralised exactly as in the annotated copy
(`reports.annotated.neutralise`), since this copy goes to ops too and is
likely to be opened in a spreadsheet: a formula-like cell, the seller's or a
fixed one, gets a leading `'`, plain numbers are left alone. Our reader drops
that `'` again, so re-sending the copy imports the seller's text (with the
fixes) unchanged; a fix that happens to expose a formula (removing an
invisible character in front of `=`, say) is therefore applied, and stays
inert in a spreadsheet. As for the annotated copy, a seller's cell that
itself begins with `'=` (or `'+`, `'-`, `'@`) comes back without its `'`.
"""

from __future__ import annotations

from catalog.domain.report import Report
from reports.annotated import csv_bytes, neutralise, require_table


def render_corrected_csv(report: Report) -> bytes:
    """The seller's table with `report.corrections[(row, column)]` applied, formula-like cells neutralised."""
    table = require_table(report)
    position: dict[str, int] = {}
    for index, name in enumerate(table.header):
        position.setdefault(name, index)
    fixes: dict[int, dict[int, str]] = {}
    for (row, column), value in report.corrections.items():
        if column in position:
            fixes.setdefault(row, {})[position[column]] = value
    out: list[list[str]] = [[neutralise(cell) for cell in table.header]]
    for row, cells in table.rows:
        line = list(cells)
        for index, value in fixes.get(row, {}).items():
            if index < len(line):
                line[index] = value
        out.append([neutralise(cell) for cell in line])
    return csv_bytes(out)
