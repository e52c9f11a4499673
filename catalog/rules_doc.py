"""Render the rule catalog as the sellers' documentation page (`docs/regles.md`).

Run `python -m catalog.rules_doc > docs/regles.md` after changing `catalog/domain/rules.py`;
a test fails while the committed page differs from the catalog.
"""

from __future__ import annotations

import re
import sys

from catalog.domain.rules import RULES, Rule

SEVERITY_FR = {"error": "erreur", "warning": "avertissement", "info": "info"}
SCOPES = (
    ("file", "Fichier — une erreur refuse tout le fichier / File — an error rejects the whole file"),
    ("product", "Lignes et produits — une erreur refuse le produit / Rows and products — an error refuses the "
                "product"),
    ("bulk", "Fichier de mise à jour en masse / Bulk update file"),
    ("feed", "Flux XML / XML feeds"),
)


def _plain(template: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "…", template).replace("|", "\\|")


def _row(rule: Rule) -> str:
    severity = f"{SEVERITY_FR[rule.severity]} / {rule.severity}"
    return (f"| `{rule.code}` | {severity} | {_plain(rule.message.fr)}<br>*{_plain(rule.message.en)}* | "
            f"{_plain(rule.fix.fr)}<br>*{_plain(rule.fix.en)}* |")


def render() -> str:
    lines = [
        "# Règles du catalogue / Catalog rules",
        "",
        "Chaque problème trouvé dans un fichier porte un code stable : le rapport (email, fichier annoté, page HTML)",
        "le cite avec la ligne du tableur (l'en-tête est la ligne 1) et la colonne. Ce tableau est généré depuis",
        "le catalogue des règles du programme (`catalog/domain/rules.py`).",
        "",
        "*Every problem found in a file carries a stable code: the report (email, annotated file, HTML page) quotes",
        "it with the spreadsheet row (the header is row 1) and the column. This table is generated from the",
        "program's rule catalog (`catalog/domain/rules.py`).*",
        "",
        "- **erreur / error** : au niveau fichier, tout le fichier est refusé ; sinon le produit est refusé, les",
        "  autres continuent. *File level: the whole file is rejected; otherwise that product is refused.*",
        "- **avertissement / warning** : le produit est accepté ; il peut être exclu des canaux externes",
        "  (Google Shopping…) ou a été corrigé automatiquement. *Accepted; may be left out of external channels.*",
        "- **info** : ce que la plateforme a fait pour vous. *What the platform did for you.*",
        "",
    ]
    for scope, heading in SCOPES:
        rules = [r for r in RULES.values() if r.scope == scope]
        lines += [f"## {heading}", "", "| code | gravité / severity | message | que faire / how to fix |",
                  "| --- | --- | --- | --- |"]
        lines += [_row(rule) for rule in rules]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(render())
