"""The HTML report a seller reads: one self-contained page, French first, English below.

Inline CSS only: no script, font, image or stylesheet is fetched, so the page
reads the same as an email attachment, offline or on a phone. Seller values
are untrusted (a cell may hold `<script>`): the template is rendered with
autoescaping on, and nothing is marked safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from catalog.issues import Issue, Severity, Text
from catalog.report import Report
from reports.text import ProductGroup, group_issues

TEMPLATES = Path(__file__).resolve().parent / "templates"
VALUE_EXCERPT = 300

REPORT_STATUS = {
    "accepted": (Text("Accepté", "Accepted"),
                 Text("Tous les produits ont passé les contrôles.", "Every product passed the checks.")),
    "partial": (Text("Partiellement accepté", "Partially accepted"),
                Text("Certains produits sont refusés : corrigez-les puis renvoyez-les. Les autres ont passé "
                     "les contrôles.",
                     "Some products are refused: fix them and send them again. The others passed the checks.")),
    "rejected": (Text("Refusé", "Rejected"),
                 Text("Le fichier est refusé : aucun produit n'est importé. Corrigez les erreurs du fichier puis "
                      "renvoyez-le.",
                      "The file is rejected: no product is imported. Fix the file's errors and send it again.")),
}
PRODUCT_OUTCOME = {
    "refused": Text("Refusé", "Refused"),
    "warnings": Text("Accepté avec avertissements", "Accepted with warnings"),
    "accepted": Text("Accepté", "Accepted"),
}
SEVERITY = {
    Severity.ERROR: Text("Erreur", "Error"),
    Severity.WARNING: Text("Avertissement", "Warning"),
    Severity.INFO: Text("Information", "Info"),
}


@dataclass(frozen=True, slots=True)
class Count:
    value: int
    label: Text
    tone: str


def _noun(count: int, fr: tuple[str, str], en: tuple[str, str]) -> Text:
    """Singular or plural label: French takes the singular for 0 and 1, English for 1 only."""
    return Text(fr[count > 1], en[count != 1])


def _counts(report: Report) -> list[Count]:
    s = report.summary()
    bulk = report.kind == "bulk"
    fr_item = ("variante", "variantes") if bulk else ("produit", "produits")
    en_item = ("variant", "variants") if bulk else ("product", "products")
    e = "e" if bulk else ""
    counts = []
    if report.products:
        accepted = _noun(s["accepted"], (f"{fr_item[0]} accepté{e}", f"{fr_item[1]} accepté{e}s"),
                         (f"{en_item[0]} accepted", f"{en_item[1]} accepted"))
        refused = _noun(s["refused"], (f"{fr_item[0]} refusé{e}", f"{fr_item[1]} refusé{e}s"),
                        (f"{en_item[0]} refused", f"{en_item[1]} refused"))
        counts += [Count(s["accepted"], accepted, "ok"), Count(s["refused"], refused, "bad")]
    counts += [
        Count(s["errors"], _noun(s["errors"], ("erreur", "erreurs"), ("error", "errors")), "bad"),
        Count(s["warnings"], _noun(s["warnings"], ("avertissement", "avertissements"), ("warning", "warnings")),
              "warn"),
        Count(s["infos"], _noun(s["infos"], ("information", "informations"), ("info", "infos")), "info"),
    ]
    if report.row_count:
        counts.append(Count(s["rows"], _noun(s["rows"], ("ligne", "lignes"), ("row", "rows")), "neutral"))
    return counts


def _rows_text(rows: list[int]) -> str:
    ordered = sorted(rows)
    if len(ordered) > 1 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]}–{ordered[-1]}"
    return ", ".join(str(r) for r in ordered)


def _issue_view(issue: Issue) -> dict[str, Any]:
    value = issue.value or ""
    if len(value) > VALUE_EXCERPT:
        value = value[:VALUE_EXCERPT].rstrip() + " …"
    return {
        "severity": str(issue.severity),
        "severity_label": SEVERITY[issue.severity],
        "code": issue.code,
        "row": issue.row,
        "item": issue.item,
        "column": issue.column,
        "message": issue.message,
        "fix": issue.fix,
        "suggestions": list(issue.suggestions),
        "value": value,
    }


def _group_view(group: ProductGroup) -> dict[str, Any]:
    return {
        "key": group.key,
        "is_variant": group.is_variant,
        "rows": _rows_text(group.rows),
        "row_count": len(group.rows),
        "outcome": group.outcome,
        "outcome_label": PRODUCT_OUTCOME[group.outcome],
        "issues": [_issue_view(i) for i in group.issues],
    }


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(report: Report, *, seller_name: str | None = None) -> str:
    """The report as a self-contained HTML page (UTF-8, inline CSS, no script)."""
    file_issues, groups = group_issues(report)
    label, explanation = REPORT_STATUS.get(report.status, (Text(report.status, report.status), Text("", "")))
    return environment().get_template("report.html.j2").render(
        source=report.source,
        kind=report.kind,
        seller_name=seller_name,
        status=report.status,
        status_label=label,
        status_explanation=explanation,
        counts=_counts(report),
        file_issues=[_issue_view(i) for i in file_issues],
        groups=[_group_view(g) for g in groups if g.issues or g.status == "refused"],
        quiet=[_group_view(g) for g in groups if not g.issues and g.status != "refused"],
    )
