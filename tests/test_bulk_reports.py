"""The bulk report as sellers read it: the HTML page, the email (text and HTML) and the annotated file."""

from __future__ import annotations

import json
from pathlib import Path

from test_bulk_rules import SAME, edit, judge

from reports.annotated import render_annotated_csv
from reports.email import compose_report_email
from reports.html import render_html
from reports.json_report import render_json


def report_with_every_kind_of_change(tmp_path: Path):
    rows = edit(0, "Variant Qty", "9")
    rows[1][5] = "499.00"  # held
    rows[2][2] = "Scie sauteuse 650 W pendulaire"  # to moderation
    rows.append(["10", "abc", "x", "", "1", "1.00"])  # refused
    return judge(tmp_path, rows)


def test_the_json_lists_variants_with_their_changes(tmp_path: Path) -> None:
    data = json.loads(render_json(judge(tmp_path, edit(0, "Variant Price", "44.90"))))
    assert data["kind"] == "bulk"
    assert data["products"][0] == {"variant_id": "1", "rows": [2], "status": "accepted", "codes": [],
                                   "changes": {"Variant Price": ["49.90", "44.90"]}}
    assert "handle" not in data["products"][0]


def test_the_html_report_shows_changes_and_when_they_take_effect(tmp_path: Path) -> None:
    html = render_html(judge(tmp_path, [*edit(0, "Variant Qty", "9")[:1], SAME[1]]))
    assert "Mise à jour en masse" in html and "Toutes les lignes ont passé les contrôles." in html
    table = html[html.index('<section id="modifications">'):html.index("</section>")]
    assert "Variant Qty" in table and '<span class="old">5</span> → <span class="new">9</span>' in table
    assert "En ligne dès l&#39;envoi" in table
    unchanged = html[html.index('<section id="inchangees">'):]
    assert "1 variante identique au catalogue" in unchanged
    assert "Remarques par variante" not in html  # an unchanged variant is no card


def test_the_html_report_says_refused_variants_in_the_feminine_and_why(tmp_path: Path) -> None:
    html = render_html(report_with_every_kind_of_change(tmp_path))
    assert "Refusée</span>" in html and "Refusé</span>" not in html.split("badge st-partial")[1]
    assert "Après vérification du prix par notre équipe" in html and "Après validation par la modération" in html
    repeated = render_html(judge(tmp_path, [SAME[0], edit(0, "Variant Qty", "9")[0]]))
    assert repeated.count("<li class=\"issue sev-error") == 2  # both rows of the variant say why


def test_the_email_lists_the_changes_and_what_happens_next(tmp_path: Path) -> None:
    report = report_with_every_kind_of_change(tmp_path)
    msg = compose_report_email(report, to="vendeur@atelier.example", cc=[], ops=None, sender="catalogue@localhost",
                               seller_name="Atelier", attachments=[])
    text = msg.get_body(("plain",)).get_content()
    assert "STATUT : MISE À JOUR PARTIELLE." in text and "STATUS: PARTLY APPLIED." in text
    assert "- Ligne 2 · Variant Qty : 5 → 9 (En ligne dès l'envoi)" in text
    assert "- Row 3 · Variant Price: 49.90 → 499.00 (Once our team has checked the price)" in text
    assert "1 nouveau prix s'écarte trop de l'ancien : notre équipe le vérifie avant de l'appliquer" in text
    assert "1 nouveau titre attend la validation" in text
    assert "product.unchanged" not in text  # counted, not listed
    html = msg.get_body(("html",)).get_content()
    assert "Mise à jour partielle." in html and "<h3 style=\"margin:16px 0 4px 0\">Modifications</h3>" in html


def test_the_annotated_file_is_the_sellers_file_with_statut_and_erreurs(tmp_path: Path) -> None:
    lines = render_annotated_csv(report_with_every_kind_of_change(tmp_path)).decode("utf-8-sig").splitlines()
    assert lines[0] == "Product ID,Variant ID,Product Title,Variant SKU,Variant Qty,Variant Price,Statut,Erreurs"
    assert lines[4].startswith("10,abc,x,,1,1.00,Refusé,[bulk.unknown_variant]")
    assert ",Accepté avec avertissements,\"[price.suspicious_change]" in lines[2]
