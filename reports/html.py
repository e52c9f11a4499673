"""The HTML report a seller reads: one self-contained page, French first, English below.

Inline CSS only: no script, font, image or stylesheet is fetched, so the page
reads the same as an email attachment, offline or on a phone. Seller values
are untrusted (a cell may hold `<script>`): the template is rendered with
autoescaping on, and nothing is marked safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog.domain.issues import Issue, Severity, Text
from catalog.domain.report import Report
from reports.outcome import nothing_accepted
from reports.templating import environment
from reports.text import ProductGroup, group_issues
from reports.wording import agree, nouns, read_units, word_en, word_fr

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


def _label(count: int, fr: str, en: str) -> Text:
    """The label beside a count: `erreur` / `errors` for 0, `erreurs` / `errors` for 2."""
    return Text(word_fr(count, fr), word_en(count, en))


def _outcome_label(count: int, kind: str, participle_fr: str, participle_en: str) -> Text:
    """`produits acceptés` / `products accepted`, `variante refusée` / `variant refused`."""
    n = nouns(kind)
    return Text(f"{word_fr(count, n.fr_one, n.fr_many)} {agree(participle_fr, count, n.feminine)}",
                f"{word_en(count, n.en_one, n.en_many)} {participle_en}")


def _counts(report: Report) -> list[Count]:
    s = report.summary()
    counts = []
    if report.products:
        counts += [Count(s["accepted"], _outcome_label(s["accepted"], report.kind, "accepté", "accepted"), "ok"),
                   Count(s["refused"], _outcome_label(s["refused"], report.kind, "refusé", "refused"), "bad")]
    counts += [
        Count(s["errors"], _label(s["errors"], "erreur", "error"), "bad"),
        Count(s["warnings"], _label(s["warnings"], "avertissement", "warning"), "warn"),
        Count(s["infos"], _label(s["infos"], "information", "info"), "info"),
    ]
    if report.row_count:
        fr_one, _, en_one, _ = read_units(report.kind)
        counts.append(Count(s["rows"], _label(s["rows"], fr_one, en_one), "neutral"))
    return counts


def _status(report: Report) -> tuple[Text, Text]:
    """The badge and the sentence under it; a partial file where every product is refused says so."""
    if nothing_accepted(report):
        n = nouns(report.kind)
        fr, en = n.none_accepted()
        return Text(fr, en), Text(f"{n.none_fr()} n'a passé les contrôles : corrigez les erreurs ci-dessous puis "
                                  "renvoyez le fichier.",
                                  f"No {n.en_one} passed the checks: fix the errors below, then send the file again.")
    return REPORT_STATUS.get(report.status, (Text(report.status, report.status), Text("", "")))


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
        "title": group.result.title if group.result else "",
        "is_variant": group.is_variant,
        "rows": _rows_text(group.rows),
        "row_count": len(group.rows),
        "outcome": group.outcome,
        "outcome_label": PRODUCT_OUTCOME[group.outcome],
        "issues": [_issue_view(i) for i in group.issues],
    }


def render_html(report: Report, *, seller_name: str | None = None) -> str:
    """The report as a self-contained HTML page (UTF-8, inline CSS, no script)."""
    file_issues, groups = group_issues(report)
    label, explanation = _status(report)
    return environment().get_template("report.html.j2").render(
        source=report.source,
        kind=report.kind,
        seller_name=seller_name,
        status=report.status,
        status_tone="rejected" if nothing_accepted(report) else report.status,
        status_label=label,
        status_explanation=explanation,
        counts=_counts(report),
        file_issues=[_issue_view(i) for i in file_issues],
        groups=[_group_view(g) for g in groups if g.issues or g.status == "refused"],
        quiet=[_group_view(g) for g in groups if not g.issues and g.status != "refused"],
    )
