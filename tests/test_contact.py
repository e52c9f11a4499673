"""Banned contact details: the detector, its issues, and its precision/recall on a labelled French corpus."""

from __future__ import annotations

import csv
import itertools
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from catalog.domain.issues import Severity
from catalog.domain.location import Location
from validators.contact import ContactMatch, contact_issues, find_contacts

CORPUS = Path(__file__).parent / "data" / "contact_corpus.tsv"
KINDS = {"email", "phone", "url"}


@dataclass(frozen=True)
class Scores:
    examples: int
    positives: int
    predicted: int
    correct: int
    misses: tuple[str, ...]

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.positives if self.positives else 0.0

    def summary(self) -> str:
        lines = [
            f"contact corpus: {self.examples} examples, {self.positives} with contact details, "
            f"precision {self.precision:.4f} ({self.correct}/{self.predicted}), "
            f"recall {self.recall:.4f} ({self.correct}/{self.positives})",
            *self.misses,
        ]
        return "\n".join(lines)


def _corpus() -> list[tuple[frozenset[str], str]]:
    with CORPUS.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == ["label", "text"]
    out = []
    for label, text in rows[1:]:
        gold = frozenset() if label == "none" else frozenset(label.split(","))
        assert gold <= KINDS, label
        out.append((gold, text))
    return out


def _score(corpus: list[tuple[frozenset[str], str]]) -> Scores:
    """An example is right when the kinds found are exactly its labels (nothing at all for `none`).

    Precision counts the examples where something was found; recall the examples that hold a contact.
    """
    positives = predicted = correct = 0
    misses = []
    for gold, text in corpus:
        found = find_contacts(text)
        kinds = {m.kind for m in found}
        positives += bool(gold)
        predicted += bool(kinds)
        if kinds == gold:
            correct += bool(gold)
        else:
            label = ",".join(sorted(gold)) or "none"
            misses.append(f"  expected {label}, found {sorted(kinds) or 'nothing'}: {text!r} "
                          f"{[m.text for m in found]}")
    return Scores(len(corpus), positives, predicted, correct, tuple(misses))


def test_corpus_is_large_and_balanced_enough() -> None:
    corpus = _corpus()
    counts = {kind: sum(kind in gold for gold, _ in corpus) for kind in KINDS}
    negatives = sum(not gold for gold, _ in corpus)
    assert sum(bool(gold) for gold, _ in corpus) >= 150
    assert negatives >= 250
    assert min(counts.values()) >= 50, counts


def test_precision_and_recall_on_corpus() -> None:
    scores = _score(_corpus())
    print()
    print(scores.summary())
    assert scores.precision >= 0.98 and scores.recall >= 0.95, scores.summary()


def test_scoring_counts_a_wrong_kind_against_precision() -> None:
    scores = _score([(frozenset({"phone"}), "écrivez à contact@monsite.fr"), (frozenset(), "Perceuse 18V")])
    assert (scores.positives, scores.predicted, scores.correct) == (1, 1, 0)
    assert scores.precision == 0.0 and scores.recall == 0.0


# ---- Forms that must be found ------------------------------------------------------

@pytest.mark.parametrize(("text", "kind", "found"), [
    ("Écrivez à contact@monsite.fr pour un devis.", "email", "contact@monsite.fr"),
    ("contact (at) atelier (dot) fr", "email", "contact (at) atelier (dot) fr"),
    ("Mail : contact[at]atelier.fr", "email", "contact[at]atelier.fr"),
    ("Mail : contact{at}atelier.fr", "email", "contact{at}atelier.fr"),
    ("Mail : contact[@]atelier.fr", "email", "contact[@]atelier.fr"),
    ("Mail : contact @ atelier . fr", "email", "contact @ atelier . fr"),
    ("contact arobase atelier point fr", "email", "contact arobase atelier point fr"),
    ("marc DOT petit AT gmail DOT com", "email", "marc DOT petit AT gmail DOT com"),
    ("Appelez le 06 12 34 56 78.", "phone", "06 12 34 56 78"),
    ("Tél. 06.12.34.56.78", "phone", "06.12.34.56.78"),
    ("Tél. 0612345678", "phone", "0612345678"),
    ("Standard 01-23-45-67-89", "phone", "01-23-45-67-89"),
    ("Depuis l'étranger +33 6 12 34 56 78", "phone", "+33 6 12 34 56 78"),
    ("WhatsApp +33 (0)6 12 34 56 78", "phone", "+33 (0)6 12 34 56 78"),
    ("Tél : 0033 6 12 34 56 78", "phone", "0033 6 12 34 56 78"),
    ("UK: +44 20 7946 0958", "phone", "+44 20 7946 0958"),
    ("US: +1 415 555 2671", "phone", "+1 415 555 2671"),
    ("Notre site https://www.monsite.fr/promo, à bientôt", "url", "https://www.monsite.fr/promo"),
    ("Voir www.monsite.fr.", "url", "www.monsite.fr"),
    ("Visitez monsite.fr !", "url", "monsite.fr"),
    ("Commandez sur boutique-dupont.com", "url", "boutique-dupont.com"),
    ("Infos sur atelier.paris", "url", "atelier.paris"),
    ("Le guide : chaussures.fr/guide-tailles.", "url", "chaussures.fr/guide-tailles"),
    ("Notre boutique allemande : lampes-vintage.de", "url", "lampes-vintage.de"),
])
def test_finds(text: str, kind: str, found: str) -> None:
    assert [(m.kind, m.text) for m in find_contacts(text)] == [(kind, found)]


# ---- Product data that must not be taken for a contact -----------------------------

@pytest.mark.parametrize("text", [
    "Dimensions 120x60x75 cm", "Tapis 2.5 x 3 m", "Réf. REF-2024-0012", "Modèle X200.15",
    "EAN 3760123456789", "GTIN 03760123456789", "Fabriqué le 12/03/2024", "DLUO 2024-03-12",
    "Prix 49.90 €", "Prix 1 299,00 €", "Batterie 18V", "Wi-Fi 2.4 GHz", "Tension 220-240 V", "Protection IP65",
    "Firmware v2.1.3", "Bluetooth 5.0", "Windows 11", "Poids 1.3 kg", "Remise de 15 %",
    "Elle est parfaite.De plus, elle est pliable.", "Très pratique.Il est léger.", "Belle finition.La housse",
    "Voir dimensions.Le plateau", "La notice.pdf est fournie", "Développé avec Node.js", "Épaisseur 0.5 mm",
    "N° de lot 20240312", "Utilisation de -20 °C à +40 °C", "Lot de 06 12 pièces", "Horaires 9h-18h",
    "Vendu par lot.de plus, la livraison est offerte", "Très pratique.il se range", "ASP.NET et .NET 8",
    "Réf. 0145789632", "Prix unitaire : 4 pièces @ 3,50 €",
])
def test_ignores_product_data(text: str) -> None:
    assert find_contacts(text) == []


# ---- Matches and offsets -------------------------------------------------------------

def test_matches_are_ordered_non_overlapping_and_point_into_the_text() -> None:
    text = "Tél 06 12 34 56 78, mail contact@monsite.fr, site https://monsite.fr/contact?tel=0612345678"
    found = find_contacts(text)
    assert [m.kind for m in found] == ["phone", "email", "url"]
    assert all(isinstance(m, ContactMatch) for m in found)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    assert all(text[m.start:m.end] == m.text for m in found)
    assert found[2].text == "https://monsite.fr/contact?tel=0612345678"


def test_email_domain_is_not_reported_again_as_a_web_address() -> None:
    assert [m.kind for m in find_contacts("contact@boutique-dupont.com")] == ["email"]


def test_html_offsets_point_at_the_seller_s_markup() -> None:
    text = "<p>Service après-vente&nbsp;: sav&#64;cuisine.fr</p><p>Tél&nbsp;: <b>04 78</b> 12 34 56</p>"
    email, phone = find_contacts(text)
    assert (email.kind, email.text, text[email.start:email.end]) == ("email", "sav@cuisine.fr", "sav&#64;cuisine.fr")
    assert (phone.kind, phone.text, text[phone.start:phone.end]) == ("phone", "04 78 12 34 56",
                                                                      "04 78</b> 12 34 56")


def test_tags_are_not_text_and_zero_width_characters_do_not_hide_a_number() -> None:
    assert find_contacts('<p class="dim">Plateau 120x60</p><br/><img alt="photo">') == []
    hidden = "Appelez le 06\u200b12\u200b34\u200b56\u200b78"
    (m,) = find_contacts(hidden)
    assert (m.kind, m.text, hidden[m.start:m.end]) == ("phone", "0612345678", hidden[11:])


def test_link_elements_are_contacts_by_themselves() -> None:
    text = ('<p><a href="mailto:ventes@electro.fr?subject=Devis">écrivez-nous</a>, '
            '<a href="tel:+33612345678">appelez</a> ou <a href=\'/collections/promo\'>promotions</a>.</p>')
    found = find_contacts(text)
    assert [(m.kind, m.text) for m in found] == [
        ("email", "ventes@electro.fr"), ("phone", "+33612345678"), ("url", "/collections/promo")]
    assert text[found[0].start:found[0].end].startswith("<a href=")


def test_link_text_of_the_same_kind_is_reported_once_and_other_kinds_still_count() -> None:
    same = '<a href="https://www.jardin.fr">www.jardin.fr</a>'
    assert [(m.kind, m.text) for m in find_contacts(same)] == [("url", "https://www.jardin.fr")]
    other = '<a href="https://www.jardin.fr">écrivez à contact@jardin.fr</a>'
    assert [m.kind for m in find_contacts(other)] == ["url", "email"]


def test_in_page_anchors_and_script_links_are_not_contacts() -> None:
    assert find_contacts('<a href="#caracteristiques">Caractéristiques</a> <a href="javascript:void(0)">x</a>') == []


def test_empty_text() -> None:
    assert find_contacts("") == []
    assert contact_issues("", at=Location(2, "Title"), product="p") == []


# ---- Issues ---------------------------------------------------------------------------

def test_contact_issues_carry_code_place_and_excerpt() -> None:
    text = ("Perceuse robuste pour les chantiers. Pour un devis écrivez à contact@exemple.fr "
            "ou appelez le 06 12 34 56 78, catalogue sur www.exemple.fr.")
    issues = contact_issues(text, at=Location(7, "Body (HTML)"), product="perceuse-18v")
    assert [i.code for i in issues] == ["contact.email", "contact.phone", "contact.url"]
    for issue, found in zip(issues, ["contact@exemple.fr", "06 12 34 56 78", "www.exemple.fr"], strict=True):
        assert issue.severity is Severity.ERROR
        assert (issue.row, issue.column, issue.product) == (7, "Body (HTML)", "perceuse-18v")
        assert issue.value is not None and found in issue.value and len(issue.value) < len(text)
        assert found in issue.message.fr and found in issue.message.en
        assert "« Body (HTML) »" in issue.message.fr
        assert issue.fix.fr and issue.fix.en
    assert issues[0].value.startswith("… ")


def test_contact_issues_without_row_or_product() -> None:
    (issue,) = contact_issues("Visitez monsite.fr", at=Location(None, "SEO Description"), product=None)
    assert (issue.code, issue.row, issue.product, issue.value) == ("contact.url", None, None, "Visitez monsite.fr")


# ---- Cost -------------------------------------------------------------------------------

def _long_description() -> str:
    negatives = [text for gold, text in _corpus() if not gold]
    body = "<p>" + "</p><p>".join(negatives)[:3000] + "</p>"
    return body + "<p>Tél. 06 12 34 56 78</p>"


def test_a_3000_character_description_is_scanned_whole() -> None:
    """The speed of this scan is measured by benchmarks/contact_detection.py, not here."""
    text = _long_description()
    assert len(text) >= 3000
    assert [m.kind for m in find_contacts(text)] == ["phone"]


def test_import_loads_neither_phonenumbers_nor_tldextract() -> None:
    code = "import sys, validators.contact; print(sorted(m for m in ('phonenumbers', 'tldextract', 'requests') " \
           "if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parent.parent)
    assert out.stdout.strip() == "[]"
