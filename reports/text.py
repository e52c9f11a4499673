"""The terminal summary of `catalog validate --format text`, and the grouping of issues by product.

The grouping (`group_issues`) is shared with the HTML report so both tell the
same story in the same order: file-level issues, then refused products, then
accepted products with warnings or infos, then accepted products without issues.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from catalog.issues import Issue, Severity
from catalog.report import ProductResult, Report

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


def is_file_issue(issue: Issue) -> bool:
    return issue.row is None and issue.product is None and issue.item is None


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
        if is_file_issue(issue):
            file_issues.append(issue)
            continue
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


def _plural(count: int, word: str, plural: str | None = None) -> str:
    """`count word`, in the French plural from 2 on (0 and 1 take the singular)."""
    return f"{count} {word if count <= 1 else (plural or word + 's')}"


def header_line(report: Report) -> str:
    s = report.summary()
    one, many, e = _nouns(report)
    parts = [f"{report.source} : {STATUS_FR.get(report.status, report.status)}"]
    if report.products:
        parts.append(f"{_plural(s['products'], one, many)} ({_plural(s['accepted'], 'accepté' + e)}, "
                     f"{_plural(s['refused'], 'refusé' + e)})")
    parts.append(", ".join([_plural(s["errors"], "erreur"), _plural(s["warnings"], "avertissement"),
                            _plural(s["infos"], "info")]))
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


def group_title(group: ProductGroup) -> str:
    outcome = {"refused": "refusé", "warnings": "accepté avec avertissements", "accepted": "accepté"}[group.outcome]
    if group.key is None:
        name = "hors produit"
    elif group.is_variant:
        name = f"variante {group.key}"
    else:
        name = group.key
    where = rows_label(group.rows)
    return f"{name} ({where}) : {outcome}" if where else f"{name} : {outcome}"


def _nouns(report: Report) -> tuple[str, str, str]:
    """Singular noun, plural noun and grammatical gender suffix for what the report lists."""
    return ("variante", "variantes", "e") if report.kind == "bulk" else ("produit", "produits", "")


def final_line(report: Report) -> str:
    s = report.summary()
    one, many, e = _nouns(report)
    if report.status == "rejected":
        return "Fichier refusé : rien n'est importé tant que les erreurs du fichier ne sont pas corrigées."
    if report.status == "partial":
        refused = f"{_plural(s['refused'], one, many)} refusé{e}{'' if s['refused'] <= 1 else 's'}"
        return f"{refused} sur {s['products']} : corrigez les erreurs ci-dessus ; les autres sont accepté{e}s."
    if not report.products:
        return f"Aucun{e} {one}."
    if s["warnings"]:
        return f"Tou{'tes' if e else 's'} les {many} sont accepté{e}s ; voyez les avertissements ci-dessus."
    return f"Tou{'tes' if e else 's'} les {many} sont accepté{e}s."


def render_text(report: Report, *, limit: int | None = None) -> str:
    """The report as plain text; `limit` caps the number of issue lines (the rest are counted)."""
    file_issues, groups = group_issues(report)
    lines = [header_line(report)]
    shown = 0
    hidden = 0

    def add(issue: Issue, indent: str) -> None:
        nonlocal shown, hidden
        if limit is not None and shown >= limit:
            hidden += 1
            return
        lines.append(f"{indent}[{SEVERITY_FR[issue.severity]}] {issue_text(issue)}")
        shown += 1

    if file_issues:
        lines.append("")
        lines.append("Fichier :")
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
    quiet = [g for g in groups if not g.issues and g.status != "refused"]
    if quiet:
        lines.append("")
        one, many, _ = _nouns(report)
        lines.append(f"Sans remarque : {_plural(len(quiet), one, many)}.")
    if hidden:
        lines.append("")
        lines.append(f"… et {_plural(hidden, 'autre problème', 'autres problèmes')} (voir le rapport complet).")
    lines.append("")
    lines.append(final_line(report))
    return "\n".join(lines) + "\n"
