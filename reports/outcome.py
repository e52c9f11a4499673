"""Questions every renderer asks: is an issue about the file, is the account at fault, was anything accepted."""

from __future__ import annotations

from catalog.domain.issues import Issue
from catalog.domain.report import Report


def is_file_issue(issue: Issue) -> bool:
    """An issue about the file itself (`Issue.is_file_level`); as an error it rejects the whole file."""
    return issue.is_file_level


def account_not_ready(report: Report) -> bool:
    """The seller's account lacks what imports need (`seller.not_ready`): the file was not read, nor is it at fault."""
    return any(i.code == "seller.not_ready" for i in report.issues)


def nothing_accepted(report: Report) -> bool:
    """A file read to the end where every product was refused.

    Its status stays `partial` (the value of the report JSON), but the reports say « Aucun produit accepté »
    rather than « Partiellement accepté · 0 accepté ».
    """
    return report.status == "partial" and report.summary()["accepted"] == 0
