"""The report JSON of interfaces.md ("Report JSON"), written as it goes: a feed's report never sits whole in memory."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any, TextIO

from catalog.domain.report import Report


def _dump(value: Any, indent: int) -> str:
    """`value` as indented JSON, shifted right by `indent` spaces (its first line too)."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    return "\n".join(" " * indent + line for line in text.splitlines())


def _write_list(out: TextIO, name: str, values: Iterable[dict[str, Any]], *, last: bool) -> None:
    out.write(f'  "{name}": [')
    first = True
    for value in values:
        out.write("\n" if first else ",\n")
        out.write(_dump(value, 4))
        first = False
    out.write("]" if first else "\n  ]")
    out.write("\n" if last else ",\n")


def write_json(report: Report, out: TextIO) -> None:
    """The report as JSON on `out`: keys in the documented order, accents kept as is, indented, one issue at a time."""
    out.write("{\n")
    for key, value in report.header().items():
        shown = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        out.write(f"  {json.dumps(key)}: {shown},\n")
    _write_list(out, "issues", (i.to_dict() for i in report.sorted_issues()), last=False)
    _write_list(out, "products", (p.to_dict() for p in report.products), last=True)
    out.write("}")


def render_json(report: Report) -> str:
    """The report JSON as one string (a CSV's report is small)."""
    buffer = io.StringIO()
    write_json(report, buffer)
    return buffer.getvalue()
