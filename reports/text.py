"""The terminal summary of `catalog validate --format text`, and the grouping of issues by product.

Each issue takes one line, then what to do about it (`→ …`) and, when the check has any,
its suggestions, so the seller can act from the terminal alone.

The grouping (`group_issues`) is shared with the HTML report so both tell the
same story in the same order: file-level issues, then refused products, then
accepted products with warnings or infos, then accepted products without issues.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from catalog.domain.issues import Issue, Severity
from catalog.domain.report import ProductResult, Report
from reports.outcome import account_not_ready, nothing_accepted
from reports.wording import agree, count_fr, nouns

STATUS_FR = {"accepted": "accepté", "partial": "partiellement accepté", "rejected": "refusé"}
SEVERITY_FR = {Severity.ERROR: "erreur", Severity.WARNING: "avert.", Severity.INFO: "info"}


@dataclass(slots=True)
class ProductGroup:
    """A product (or bulk variant, or feed item) with its issues, in row order."""

    key: str | None
    rows: list[int]
    status: str  # accepted | refused
    result: ProductResult | None = None
    issues: list[Issue] = field(default_factory=list)

    @property
    def is_variant(self) -> bool:
        return self.result is not None and self.result.variant_id is not None

    @property
    def has_warnings(self) -> bool:
        return any(i.severity is Severity.WARNING for i in self.issues)

    @property
    def outcome(self) -> str:
        """refused, warnings (accepted with warnings) or accepted."""
        if self.status == "refused":
            return "refused"
        return "warnings" if self.has_warnings else "accepted"


def group_issues(report: Report) -> tuple[list[Issue], list[ProductGroup]]:
    """File-level issues, and every product with its issues: refused first, then by first row.

    An issue is matched to a product by Handle (or variant id / item id), else by row.
    Issues that match no product get a group of their own, refused if they hold an error.
    """
    groups: list[ProductGroup] = []
    by_key: dict[str, ProductGroup] = {}
    by_row: dict[int, ProductGroup] = {}
    for result in report.products:
        group = ProductGroup(key=result.variant_id or result.handle, rows=list(result.rows),
                             status=result.status, result=result)
        groups.append(group)
        for key in (result.handle, result.variant_id):
            if key:
                by_key.setdefault(key, group)
        for row in result.rows:
            by_row.setdefault(row, group)

    file_issues: list[Issue] = []
    for issue in report.sorted_issues():
        if issue.is_file_level:
            file_issues.append(issue)
            continue
        # A bulk file's rows are its variants: a row names its variant even when two rows name the same id.
        group = by_row.get(issue.row) if report.kind == "bulk" and issue.row is not None else None
        if group is None:
            group = by_key.get(issue.product or "") or by_key.get(issue.item or "")
        if group is None and issue.row is not None:
            group = by_row.get(issue.row)
        if group is None:
            key = issue.product or issue.item
            group = ProductGroup(key=key, rows=[], status="accepted")
            groups.append(group)
            if key:
                by_key[key] = group
            if issue.row is not None:
                by_row[issue.row] = group
        if issue.row is not None and issue.row not in group.rows and group.result is None:
            group.rows.append(issue.row)
        if issue.is_error:
            group.status = "refused"
        group.issues.append(issue)

    order = {"refused": 0, "warnings": 1, "accepted": 1}
    groups.sort(key=lambda g: (order[g.outcome] if g.issues or g.status == "refused" else 2, min(g.rows, default=0)))
    return file_issues, groups


def rows_label(rows: list[int]) -> str:
    """`ligne 6`, `lignes 6–8` for consecutive rows, or `lignes 6, 9`."""
    if not rows:
        return ""
    if len(rows) == 1:
        return f"ligne {rows[0]}"
    ordered = sorted(rows)
    if ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"lignes {ordered[0]}–{ordered[-1]}"
    return "lignes " + ", ".join(str(r) for r in ordered)


def status_label(report: Report) -> str:
    """`accepté`, `partiellement accepté`, `refusé`, or `aucun produit accepté` when every product is refused."""
    if nothing_accepted(report):
        return nouns(report.kind).none_accepted()[0].lower()
    return STATUS_FR.get(report.status, report.status)


def header_line(report: Report) -> str:
    s = report.summary()
    n = nouns(report.kind)
    parts = [f"{report.source} : {status_label(report)}"]
    if report.products:
        accepted = f"{s['accepted']} {agree('accepté', s['accepted'], n.feminine)}"
        refused = f"{s['refused']} {agree('refusé', s['refused'], n.feminine)}"
        parts.append(f"{n.fr(s['products'])} ({accepted}, {refused})")
    parts.append(", ".join([count_fr(s["errors"], "erreur"), count_fr(s["warnings"], "avertissement"),
                            count_fr(s["infos"], "info")]))
    return " · ".join(parts)


def issue_text(issue: Issue) -> str:
    """`ligne 7 · Body (HTML) · contact.email · message`, leaving out the parts the issue has not."""
    parts: list[str] = []
    if issue.row is not None:
        parts.append(f"ligne {issue.row}")
    elif issue.item is not None:
        parts.append(f"article {issue.item}")
    if issue.column:
        parts.append(issue.column)
    parts.extend([issue.code, issue.message.fr])
    return " · ".join(parts)


def issue_lines(issue: Issue, indent: str) -> list[str]:
    """The issue line, then the fix (`→ …`) and the suggestions, if any, indented under it."""
    under = indent + "    "
    lines = [f"{indent}[{SEVERITY_FR[issue.severity]}] {issue_text(issue)}"]
    if issue.fix.fr:
        lines.append(f"{under}→ {issue.fix.fr}")
    if issue.suggestions:
        lines.append(f"{under}Suggestions : {', '.join(issue.suggestions)}")
    return lines


def group_title(group: ProductGroup) -> str:
    outcome = {"refused": "refusé", "warnings": "accepté avec avertissements", "accepted": "accepté"}[group.outcome]
    if group.is_variant:  # une variante
        outcome = outcome.replace("é", "ée", 1)
    if group.key is None:
        name = "hors produit"
    elif group.is_variant:
        name = f"variante {group.key}"
    else:
        name = group.key
    where = rows_label(group.rows)
    return f"{name} ({where}) : {outcome}" if where else f"{name} : {outcome}"


def final_line(report: Report) -> str:
    s = report.summary()
    n = nouns(report.kind)
    e = "e" if n.feminine else ""
    if account_not_ready(report):
        return ("Compte vendeur incomplet : votre fichier n'a pas été lu ; complétez votre compte, puis renvoyez-le "
                "tel quel.")
    if report.status == "rejected":
        if report.kind == "feed":
            return "Flux refusé : rien n'est importé tant que les erreurs du flux ne sont pas corrigées."
        return "Fichier refusé : rien n'est importé tant que les erreurs du fichier ne sont pas corrigées."
    if nothing_accepted(report):
        return f"{n.none_accepted()[0]} : corrigez les erreurs ci-dessus puis renvoyez le fichier."
    if report.status == "partial":
        refused = f"{n.fr(s['refused'])} {agree('refusé', s['refused'], n.feminine)}"
        others = f"l'autre est accepté{e}" if s["accepted"] == 1 else f"les autres sont accepté{e}s"
        return f"{refused} sur {s['products']} : corrigez les erreurs ci-dessus ; {others}."
    if not report.products:
        return f"{n.none_fr()}."
    every = f"Tou{'tes' if e else 's'} les {n.fr_many} sont accepté{e}s"
    if s["warnings"]:
        return f"{every} ; voyez les avertissements ci-dessus."
    return f"{every}."


NOTE_FR = {"now": "", "moderation": "en attente de modération", "review": "en attente de vérification"}


def change_lines(report: Report) -> list[str]:
    """A bulk report's changes, old → new, one line per changed cell; then how many variants stay as they are."""
    from reports.bulk_changes import bulk_summary

    summary = bulk_summary(report)
    lines: list[str] = []
    if summary.changes:
        lines += ["", f"Modifications ({nouns(report.kind).fr(summary.changed)}) :"]
        for change in summary.changes:
            note = NOTE_FR[change.effect]
            lines.append(f"  variante {change.variant_id} (ligne {change.row}) · {change.column} : "
                         f"{change.old or '(vide)'} → {change.new or '(vide)'}" + (f" ({note})" if note else ""))
    if summary.unchanged:
        same = "identique" if len(summary.unchanged) == 1 else "identiques"
        lines += ["", f"Inchangées : {nouns(report.kind).fr(len(summary.unchanged))}, {same} au catalogue."]
    return lines


def render_text(report: Report, *, limit: int | None = None, infos: bool = True) -> str:
    """The report as plain text; `limit` caps the number of issues shown (the rest are counted).

    With `infos=False` (the terminal's default) only errors and warnings are listed: the infos of a
    500-row file (generated SEO fields, converted prices) would bury them; their count stays in the header.
    """
    file_issues, groups = group_issues(report)
    if not infos:
        for group in groups:
            group.issues = [i for i in group.issues if i.severity is not Severity.INFO]
    lines = [header_line(report)]
    shown = 0
    hidden = 0

    def add(issue: Issue, indent: str) -> None:
        nonlocal shown, hidden
        if limit is not None and shown >= limit:
            hidden += 1
            return
        lines.extend(issue_lines(issue, indent))
        shown += 1

    if file_issues:
        lines.append("")
        lines.append("Flux :" if report.kind == "feed" else "Fichier :")
        for issue in file_issues:
            add(issue, "  ")
    for group in groups:
        if not group.issues and group.status != "refused":
            continue
        if limit is None or shown < limit:
            lines.append("")
            lines.append(group_title(group))
        for issue in group.issues:
            add(issue, "  ")
    if report.kind == "bulk":
        lines.extend(change_lines(report))
    quiet = [g for g in groups if not g.issues and g.status != "refused"]
    if quiet and report.kind != "bulk":
        lines.append("")
        lines.append(f"Sans remarque : {nouns(report.kind).fr(len(quiet))}.")
    if hidden:
        lines.append("")
        lines.append(f"… et {count_fr(hidden, 'autre problème', 'autres problèmes')} (voir le rapport complet).")
    left_out = report.summary()["infos"] if not infos else 0
    if left_out:
        lines.append("")
        what = "variantes inchangées" if report.kind == "bulk" else "SEO généré, prix convertis…"
        lines.append(f"{count_fr(left_out, 'information non affichée', 'informations non affichées')} "
                     f"({what}) : --infos pour les voir.")
    lines.append("")
    lines.append(final_line(report))
    return "\n".join(lines) + "\n"
