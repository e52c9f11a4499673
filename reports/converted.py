"""The converted copy: a file refused only for what a spreadsheet's defaults do, made ready to send back.

French Excel writes `;` and Windows-1252, and a header can slip (`handle`, `Title `). None of these can
change what a cell means, so the file is converted for the seller: UTF-8 with a byte-order mark, commas,
RFC 4180 quoting, the template's column names, the seller's cells unchanged otherwise (formula-like
cells guarded as in the annotated file). It is written only when every error of the file is one of these;
any other file-level error calls for the seller's own fix, shown in the annotated file.
"""

from __future__ import annotations

from catalog.domain.report import Report
from reports.annotated import csv_bytes, neutralise, require_table

# The file-level errors a conversion removes: the encoding, the separator, a header slip.
CONVERTIBLE_CODES = frozenset({"encoding.not_utf8", "structure.delimiter", "structure.header_slip"})


def is_convertible(report: Report) -> bool:
    """A file refused only for its encoding, separator or header slips, whose table could be read."""
    errors = [i for i in report.issues if i.is_error and i.is_file_level]
    return report.table is not None and bool(errors) and all(i.code in CONVERTIBLE_CODES for i in errors)


def render_converted_csv(report: Report) -> bytes:
    """The seller's table as UTF-8 and commas, with the template's column names."""
    table = require_table(report)
    header = table.template_header or table.header
    out = [[neutralise(cell) for cell in header]]
    out += [[neutralise(cell) for cell in cells] for _, cells in table.rows]
    return csv_bytes(out)
