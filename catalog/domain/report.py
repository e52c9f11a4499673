"""The outcome of checking one file: its issues, each product's verdict, and the seller's table."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from catalog.domain.issues import Issue, Severity
from catalog.domain.model import Product

SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(slots=True)
class Table:
    """The seller's file as read: header, and data rows with their spreadsheet row numbers."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    delimiter: str = ","
    had_bom: bool = False
    encoding: str = "utf-8"  # the Python codec the file was decoded with
    template_header: list[str] | None = None  # the header with its slips (case, spaces) fixed, when it had any


@dataclass(slots=True)
class ProductResult:
    handle: str
    rows: list[int]
    status: str  # accepted | refused
    codes: list[str]
    product: Product | None = None
    variant_id: str | None = None
    changes: dict[str, list[str]] | None = None
    title: str = ""
    items: tuple[str, ...] = ()  # a feed product's item ids, in the feed's order
    content_hash: str | None = None  # of the product as the seller sent it, when the run tracks versions
    unchanged: bool = False  # the same as a live or pending version: not checked again, nothing to stage

    def to_dict(self) -> dict[str, Any]:
        if self.variant_id is not None:
            data: dict[str, Any] = {"variant_id": self.variant_id, "rows": self.rows,
                                    "status": self.status, "codes": self.codes}
            if self.changes is not None:
                data["changes"] = self.changes
            return data
        return {"handle": self.handle, "rows": self.rows, "status": self.status, "codes": self.codes}


@dataclass(slots=True)
class Report:
    kind: str
    source: str
    issues: list[Issue] = field(default_factory=list)
    products: list[ProductResult] = field(default_factory=list)
    row_count: int = 0
    table: Table | None = None
    corrections: dict[tuple[int, str], str] = field(default_factory=dict)

    @property
    def file_rejected(self) -> bool:
        return any(i.is_error and i.is_file_level for i in self.issues)

    @property
    def status(self) -> str:
        if self.file_rejected:
            return "rejected"
        if any(p.status == "refused" for p in self.products):
            return "partial"
        return "accepted"

    @property
    def accepted(self) -> list[ProductResult]:
        return [p for p in self.products if p.status == "accepted"]

    @property
    def has_errors(self) -> bool:
        return any(i.is_error for i in self.issues)

    def summary(self) -> dict[str, int]:
        count = {s: 0 for s in Severity}
        for issue in self.issues:
            count[issue.severity] += 1
        refused = sum(1 for p in self.products if p.status == "refused")
        out = {
            "rows": self.row_count,
            "products": len(self.products),
            "accepted": len(self.products) - refused,
            "refused": refused,
            "errors": count[Severity.ERROR],
            "warnings": count[Severity.WARNING],
            "infos": count[Severity.INFO],
        }
        unchanged = sum(1 for p in self.products if p.unchanged)
        if unchanged:  # among the accepted: nothing new to stage for them
            out["unchanged"] = unchanged
        return out

    def sorted_issues(self) -> Iterator[Issue]:
        """File-level issues first, then by row, errors before warnings before infos; found order otherwise.

        A feed has no rows: its issues come in one pass per severity, never all in memory at once.
        """
        if self.kind == "feed":
            for severity in SEVERITY_ORDER:
                yield from (i for i in self.issues if i.severity is severity)
            return
        yield from sorted(self.issues, key=lambda i: (i.row is not None, i.row or 0, SEVERITY_ORDER[i.severity]))

    def header(self) -> dict[str, Any]:
        """The report JSON's fields that come before the issues."""
        return {"kind": self.kind, "source": self.source, "status": self.status, "summary": self.summary()}

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.header(),
            "issues": [i.to_dict() for i in self.sorted_issues()],
            "products": [p.to_dict() for p in self.products],
        }
