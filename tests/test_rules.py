import re

from catalog.domain.issues import Severity
from catalog.domain.rules import RULES, issue


def test_every_rule_has_both_languages_and_a_fix():
    for code, rule in RULES.items():
        assert re.fullmatch(r"[a-z_]+\.[a-z_0-9]+", code), code
        assert rule.message.fr and rule.message.en and rule.fix.fr and rule.fix.en, code
        assert rule.message.fr != rule.message.en, code


def test_issue_fills_the_templates():
    found = issue("contact.email", row=7, column="Body (HTML)", product="perceuse-18v", found="a@b.fr")
    assert found.severity is Severity.ERROR
    assert "a@b.fr" in found.message.fr and "a@b.fr" in found.message.en
    assert found.to_dict()["row"] == 7


def test_severity_can_be_lowered_for_two_level_rules():
    warn = issue("title.too_long", severity=Severity.WARNING, length=160, limit=150)
    assert warn.severity is Severity.WARNING and "160" in warn.message.fr


def test_the_sellers_rule_page_is_generated_from_the_catalog():
    from pathlib import Path

    from catalog.rules_doc import render

    page = Path(__file__).resolve().parent.parent / "docs" / "regles.md"
    assert page.read_text(encoding="utf-8") == render(), "run: python -m catalog.rules_doc > docs/regles.md"
    assert all(f"`{code}`" in render() for code in RULES)


def test_every_rule_has_a_french_title_for_the_reports_summary():
    from catalog.domain.rules import TITLES_FR, title

    assert set(TITLES_FR) == set(RULES)
    assert title("contact.email").fr == "Adresse email dans un texte"
    assert title("contact.email").en == RULES["contact.email"].title


def test_the_report_columns_of_our_annotated_file_are_an_info():
    found = issue("structure.report_columns", columns="Statut, Erreurs")
    assert found.severity is Severity.INFO and found.is_file_level and not found.is_error
    assert "Statut, Erreurs" in found.message.fr and "Statut, Erreurs" in found.message.en
