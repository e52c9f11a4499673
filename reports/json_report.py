"""The report JSON of interfaces.md ("Report JSON")."""

from __future__ import annotations

import json

from catalog.domain.report import Report


def render_json(report: Report) -> str:
    """The report as JSON: keys in the documented order (not sorted), accents kept as is, indented."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
