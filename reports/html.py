"""The HTML report a seller reads: one self-contained page, French first, English below.

Inline CSS only: no script, font, image or stylesheet is fetched, so the page
reads the same as an email attachment, offline or on a phone. Seller values
are untrusted (a cell may hold `<script>`): the template is rendered with
autoescaping on, and nothing is marked safe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from catalog.domain.issues import Issue, Severity, Text
from catalog.domain.report import Report
from catalog.domain.rules import title as rule_title
from reports.bulk_changes import EFFECTS, bulk_summary
from reports.outcome import account_not_ready, nothing_accepted
from reports.templating import environment
from reports.text import ProductGroup, group_issues
from reports.wording import agree, nouns, read_units, word_en, word_fr

VALUE_EXCERPT = 300
UNCHANGED = "product.unchanged"  # a bulk file's unchanged variants are listed together, not one info each
TITLE_EXCERPT = 60
SUMMARY_PRODUCTS = 6  # products named on a summary line; the others are counted

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
# A bulk file's rows are variants of live products: nothing is imported, rows apply or not.
BULK_STATUS = {
    "accepted": (Text("Accepté", "Accepted"),
                 Text("Toutes les lignes ont passé les contrôles.", "Every row passed the checks.")),
    "partial": (Text("Partiellement accepté", "Partially accepted"),
                Text("Certaines lignes sont refusées et ne modifient rien : corrigez-les puis renvoyez le fichier. "
                     "Les autres ont passé les contrôles.",
                     "Some rows are refused and change nothing: fix them and send the file again. The others passed "
                     "the checks.")),
    "rejected": (Text("Refusé", "Rejected"),
                 Text("Le fichier est refusé : rien n'est modifié. Corrigez les erreurs du fichier puis renvoyez-le.",
                      "The file is rejected: nothing is changed. Fix the file's errors and send it again.")),
}
PRODUCT_OUTCOME = {
    "refused": Text("Refusé", "Refused"),
    "warnings": Text("Accepté avec avertissements", "Accepted with warnings"),
    "accepted": Text("Accepté", "Accepted"),
}
VARIANT_OUTCOME = {  # une variante: the French agrees
    "refused": Text("Refusée", "Refused"),
    "warnings": Text("Acceptée avec avertissements", "Accepted with warnings"),
    "accepted": Text("Acceptée", "Accepted"),
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
        if s.get("unchanged") and report.kind != "bulk":  # among the accepted: sent again as they were
            counts.append(Count(s["unchanged"], _outcome_label(s["unchanged"], report.kind, "inchangé", "unchanged"),
                                "neutral"))
    counts += [
        Count(s["errors"], _label(s["errors"], "erreur", "error"), "bad"),
        Count(s["warnings"], _label(s["warnings"], "avertissement", "warning"), "warn"),
        Count(s["infos"], _label(s["infos"], "information", "info"), "info"),
    ]
    if report.row_count:
        fr_one, _, en_one, _ = read_units(report.kind)
        counts.append(Count(s["rows"], _label(s["rows"], fr_one, en_one), "neutral"))
    return counts


ACCOUNT_STATUS = (Text("Compte vendeur incomplet", "Seller account incomplete"),
                  Text("Votre fichier n'a pas été lu ; il n'est pas en cause. Complétez votre compte vendeur comme "
                       "indiqué ci-dessous, puis renvoyez le même fichier, sans le modifier.",
                       "Your file was not read; it is not at fault. Complete your seller account as shown below, "
                       "then send the same file again, unchanged."))


def _status(report: Report, converted: str | None = None) -> tuple[Text, Text]:
    """The badge and the sentence under it; a partial file where every product is refused says so.

    An account that is not ready, and a file refused only for what a conversion fixed, say so instead.
    """
    if account_not_ready(report):
        return ACCOUNT_STATUS
    if converted:
        return (REPORT_STATUS["rejected"][0],
                Text(f"Le fichier n'est pas enregistré au format attendu (voir ci-dessous) : nous l'avons converti "
                     f"pour vous. Renvoyez tel quel le fichier joint « {converted} ».",
                     f"The file is not saved in the expected format (see below): we converted it for you. Send "
                     f"back the attached \"{converted}\" as it is."))
    if nothing_accepted(report):
        n = nouns(report.kind)
        fr, en = n.none_accepted()
        return Text(fr, en), Text(f"{n.none_fr()} n'a passé les contrôles : corrigez les erreurs ci-dessous puis "
                                  "renvoyez le fichier.",
                                  f"No {n.en_one} passed the checks: fix the errors below, then send the file again.")
    statuses = BULK_STATUS if report.kind == "bulk" else REPORT_STATUS
    return statuses.get(report.status, (Text(report.status, report.status), Text("", "")))


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


@dataclass(frozen=True, slots=True)
class ProductLink:
    """A product named in the summary: where its card is, its title and its Handle (or variant / item id)."""

    anchor: str
    title: str
    key: str


@dataclass(slots=True)
class CodeLine:
    """One line of the summary, as Merchant Center's diagnostics: an issue code, how often, where, the fix."""

    code: str
    severity: str
    severity_label: Text
    title: Text
    count: int = 0
    products: list[ProductLink] = field(default_factory=list)
    more_products: int = 0
    file_level: bool = False
    fix: Text = field(default_factory=lambda: Text("", ""))
    example: bool = False  # the fix is one issue's (its text depends on the value), shown as an example


def _link(group: ProductGroup, anchor: str) -> ProductLink:
    title = group.result.title if group.result else ""
    if len(title) > TITLE_EXCERPT:
        title = title[:TITLE_EXCERPT].rstrip() + " …"
    return ProductLink(anchor=anchor, title=title, key=group.key or "")


def code_lines(file_issues: list[Issue], groups: list[tuple[str, ProductGroup]],
               severities: tuple[Severity, ...]) -> list[CodeLine]:
    """One line per code of these severities: errors first, then the most frequent; products in card order."""
    lines: dict[str, CodeLine] = {}
    touched: dict[str, set[str]] = {}

    def line_for(issue: Issue) -> CodeLine:
        line = lines.get(issue.code)
        if line is None:
            line = lines[issue.code] = CodeLine(code=issue.code, severity=str(issue.severity),
                                                severity_label=SEVERITY[issue.severity], title=rule_title(issue.code),
                                                fix=issue.fix)
            touched[issue.code] = set()
        elif not line.example and issue.fix != line.fix:
            line.example = True
        line.count += 1
        return line

    for issue in file_issues:
        if issue.severity in severities:
            line_for(issue).file_level = True
    for anchor, group in groups:
        for issue in group.issues:
            if issue.severity not in severities:
                continue
            line = line_for(issue)
            if anchor in touched[issue.code]:
                continue
            touched[issue.code].add(anchor)
            if len(line.products) < SUMMARY_PRODUCTS:
                line.products.append(_link(group, anchor))
            else:
                line.more_products += 1
    rank = {str(s): n for n, s in enumerate(SEVERITY)}
    return sorted(lines.values(), key=lambda c: (rank[c.severity], -c.count, c.code))


def _group_view(group: ProductGroup, anchor: str) -> dict[str, Any]:
    shown = [i for i in group.issues if i.severity is not Severity.INFO]
    return {
        "anchor": anchor,
        "key": group.key,
        "title": group.result.title if group.result else "",
        "is_variant": group.is_variant,
        "rows": _rows_text(group.rows),
        "row_count": len(group.rows),
        "outcome": group.outcome,
        "outcome_label": (VARIANT_OUTCOME if group.is_variant else PRODUCT_OUTCOME)[group.outcome],
        "issues": [_issue_view(i) for i in shown],
        "infos": len(group.issues) - len(shown),
    }


def _unlinked(line: CodeLine) -> CodeLine:
    """The unchanged products' line: a count, no links (they have no card)."""
    line.products, line.more_products = [], 0
    return line


def _only_unchanged(group: ProductGroup) -> bool:
    return bool(group.issues) and all(i.code == UNCHANGED for i in group.issues)


def render_html(report: Report, *, seller_name: str | None = None, converted: str | None = None) -> str:
    """The report as a self-contained HTML page (UTF-8, inline CSS, no script).

    It leads with what matters: a summary with one line per error or warning code (count, products touched,
    fix), then the refused products, then those accepted with warnings; the infos ("nothing to do") and the
    products without remarks come last, folded. `converted` names the converted copy sent with it, if any.
    A bulk file's page adds the table of its changes, old → new, and lists its unchanged variants apart.
    """
    file_issues, groups = group_issues(report)
    bulk = bulk_summary(report) if report.kind == "bulk" else None
    label, explanation = _status(report, converted)
    anchored = [(f"p{n}", g) for n, g in enumerate(groups, start=1)]
    refused = [_group_view(g, a) for a, g in anchored if g.status == "refused"]
    warned = [_group_view(g, a) for a, g in anchored if g.status != "refused" and g.has_warnings]
    # A bulk variant without remarks is in the table of changes, or among the unchanged, already. A product
    # the seller sent unchanged has nothing to say: the summary counts them (a night's feed is mostly that).
    quiet = [] if bulk else [_group_view(g, a) for a, g in anchored if g.status != "refused" and not g.has_warnings
                             and not _only_unchanged(g)]
    return environment().get_template("report.html.j2").render(
        source=report.source,
        kind=report.kind,
        seller_name=seller_name,
        status=report.status,
        status_tone="rejected" if nothing_accepted(report) else report.status,
        status_label=label,
        status_explanation=explanation,
        counts=_counts(report),
        summary=code_lines(file_issues, anchored, (Severity.ERROR, Severity.WARNING)),
        info_lines=[_unlinked(line) if line.code == UNCHANGED else line
                    for line in code_lines(file_issues, anchored, (Severity.INFO,))
                    if not (bulk and line.code == UNCHANGED)],
        info_items=[{"anchor": a, "name": _link(g, a), "issue": _issue_view(i)}
                    for a, g in anchored for i in g.issues if i.severity is Severity.INFO and i.code != UNCHANGED],
        file_issues=[_issue_view(i) for i in file_issues if i.severity is not Severity.INFO],
        refused=refused,
        warned=warned,
        quiet=quiet,
        converted=converted,
        account=account_not_ready(report),
        bulk=bulk,
        effects=EFFECTS,
    )
