"""The engine over whole files: each rule raised by the defect it names, and never on good products."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.domain.columns import FULL_COLUMNS
from catalog.domain.issues import Severity
from catalog.domain.report import Report
from catalog.engine import CatalogContext, Options, validate_file
from catalog.settings import load_settings
from tests.support_csv import GOOD_BODY, csv_text, good_product, tshirt, variant_row, write_csv

Rows = list[dict[str, str]]


@pytest.fixture(scope="module")
def taxonomy():
    from taxonomy import load_taxonomy
    from tests.conftest import SHARED_TAXONOMY

    return load_taxonomy(SHARED_TAXONOMY)


@pytest.fixture
def check(tmp_path: Path, taxonomy) -> Callable[..., Report]:
    def run(rows: Rows | str, options: Options | None = None) -> Report:
        path = tmp_path / "catalogue.csv"
        if isinstance(rows, str):
            path.write_text(rows, encoding="utf-8")
        else:
            write_csv(path, rows)
        return validate_file(path, load_settings(), options or Options(offline=True), taxonomy=taxonomy)

    return run


def good_file() -> Rows:
    second = good_product(
        "chaise-de-bureau-ergonomique", Title="Chaise de bureau ergonomique à dossier en maille respirante",
        Type="Sièges de bureau", Tags="Sièges de bureau,ergonomie,bureau",
        **{"Body (HTML)": GOOD_BODY.replace("perceuse visseuse sans fil", "chaise de bureau ergonomique")
           .replace("perçage et de vissage", "bureau"), "Variant Barcode": "4006381333931",
           "Image Alt Text": "Chaise noire vue de trois quarts", "Country of Origin": "DE"},
    )
    return [good_product(), *tshirt(), second]


def test_good_products_are_accepted_without_errors_or_warnings(check):
    report = check(good_file())
    noisy = [(i.code, i.row, i.column, i.message.fr) for i in report.issues if i.severity is not Severity.INFO]
    assert noisy == []
    assert report.status == "accepted"
    assert [p.status for p in report.products] == ["accepted"] * 3
    assert [p.rows for p in report.products] == [[2], [3, 4, 5, 6, 7], [8]]
    tshirt_model = report.products[1].product
    assert len(tshirt_model.variants) == 4 and len(tshirt_model.images) == 2
    assert tshirt_model.option_names == ("Taille", "Couleur")
    assert report.products[0].product.variants[0].price == Decimal("129.90")


def with_(**cells: str) -> Rows:
    return [good_product(**{k.replace("__", " ").replace("_", " "): v for k, v in cells.items()})]


def cell(column: str, value: str) -> Rows:
    return [good_product(**{column: value})]


def body_plus(text: str) -> Rows:
    return cell("Body (HTML)", GOOD_BODY + f"<p>{text}</p>")


def two_products(**second: str) -> Rows:
    return [good_product(), good_product("perceuse-bis", **{"Variant SKU": "SKU-bis", **second})]


def tshirt_with(index: int, **cells: str) -> Rows:
    rows = tshirt()
    rows[index] = {**rows[index], **cells}
    return rows


LONG_TEXT = " ".join(["Une phrase de description assez longue pour remplir la fiche produit."] * 80)
ENGLISH = ("<p>This cordless drill is designed for intensive drilling and screwdriving work on building sites and "
           "in the workshop. It comes with two lithium batteries and a fast charger, and it offers long battery "
           "life and constant power from the start to the end of the charge. The handle limits vibrations.</p>") * 2

CASES: list[tuple[str, Rows | Callable[[], Rows], str, str | None, Severity]] = [
    ("collection", cell("Collection", "Outillage"), "structure.collection_not_empty", "Collection", Severity.WARNING),
    ("title-required", cell("Title", ""), "field.required", "Title", Severity.ERROR),
    ("price-required", cell("Variant Price", ""), "field.required", "Variant Price", Severity.ERROR),
    ("handle", [good_product("Perceuse_18V")], "handle.format", "Handle", Severity.ERROR),
    ("title-255", cell("Title", "Perceuse visseuse " * 16), "title.too_long", "Title", Severity.ERROR),
    ("title-150", cell("Title", "Perceuse visseuse sans fil " * 6), "title.too_long", "Title", Severity.WARNING),
    ("caps", cell("Title", "PERCEUSE VISSEUSE SANS FIL 18V AVEC DEUX BATTERIES"), "seo.title_caps", "Title",
     Severity.WARNING),
    ("symbols", cell("Title", "Perceuse visseuse sans fil 18V à prix cassé !"), "seo.title_symbols", "Title",
     Severity.WARNING),
    ("short", cell("Body (HTML)", "<p>Perceuse puissante et légère.</p>"), "seo.description_short", "Body (HTML)",
     Severity.WARNING),
    ("long", cell("Body (HTML)", LONG_TEXT), "seo.description_long", "Body (HTML)", Severity.WARNING),
    ("punctuation", cell("Body (HTML)", GOOD_BODY + "<p>Garantie deux ans</p>"), "seo.description_punctuation",
     "Body (HTML)", Severity.WARNING),
    ("meta-title", cell("SEO Title", "Perceuse visseuse sans fil 18V avec deux batteries lithium et coffret"),
     "seo.meta_title_long", "SEO Title", Severity.WARNING),
    ("meta-description", cell("SEO Description", "Perceuse visseuse livrée complète. " * 6),
     "seo.meta_description_long", "SEO Description", Severity.WARNING),
    ("seo-generated", cell("SEO Title", ""), "seo.generated", None, Severity.INFO),
    ("img-in-body", body_plus('<img src="https://images.atelier-dupont.example/a.jpg">'), "description.image",
     "Body (HTML)", Severity.ERROR),
    ("script", body_plus("<script>alert(1)</script>"), "description.unsafe_html", "Body (HTML)", Severity.ERROR),
    ("email", body_plus("Écrivez-nous : contact (at) atelier-dupont (dot) fr."), "contact.email", "Body (HTML)",
     Severity.ERROR),
    ("phone", body_plus("Appelez-nous au 06 12 34 56 78."), "contact.phone", "Body (HTML)", Severity.ERROR),
    ("url", body_plus("Plus de modèles sur www.atelier-dupont.fr."), "contact.url", "Body (HTML)", Severity.ERROR),
    ("invisible", cell("Title", "Perceuse visseuse\u200b sans fil 18V avec deux batteries"), "text.invisible_chars",
     "Title", Severity.WARNING),
    ("mojibake", body_plus("Idéale pour l'Ã©tÃ© et les travaux d'extÃ©rieur."), "text.mojibake", "Body (HTML)",
     Severity.WARNING),
    ("english", cell("Body (HTML)", ENGLISH), "language.not_french", "Body (HTML)", Severity.INFO),
    ("type-unknown", cell("Type", "Perceuse"), "taxonomy.type_unknown", "Type", Severity.ERROR),
    ("type-not-leaf", [good_product(Type="Quincaillerie", Tags="Quincaillerie,outillage")],
     "taxonomy.type_not_leaf", "Type", Severity.ERROR),
    ("type-too-deep", [good_product(Type="Perceuses électriques portatives", Tags="Perceuses électriques portatives")],
     "taxonomy.type_too_deep", "Type", Severity.ERROR),
    ("tag-mismatch", cell("Tags", "outillage,18V"), "taxonomy.tag_mismatch", "Tags", Severity.ERROR),
    ("tags-format", cell("Tags", "Perceuses, outillage,,18V"), "tags.format", "Tags", Severity.WARNING),
    ("price-format", cell("Variant Price", "129,90"), "price.format", "Variant Price", Severity.ERROR),
    ("price-zero", cell("Variant Price", "0"), "price.not_positive", "Variant Price", Severity.ERROR),
    ("compare-at", cell("Variant Compare At Price", "99.00"), "price.compare_at", "Variant Compare At Price",
     Severity.ERROR),
    ("currency", cell("Currency", "XYZ"), "price.currency", "Currency", Severity.ERROR),
    ("currency-no-seller", cell("Currency", "USD"), "price.currency", "Currency", Severity.WARNING),
    ("quantity", cell("Variant Inventory Qty", "-3"), "quantity.invalid", "Variant Inventory Qty", Severity.ERROR),
    ("minimum", cell("Variant Minimum Quantity", "0"), "quantity.minimum", "Variant Minimum Quantity",
     Severity.ERROR),
    ("minimum-empty", cell("Variant Minimum Quantity", ""), "quantity.minimum", "Variant Minimum Quantity",
     Severity.ERROR),
    ("grams", cell("Variant Grams", "1,3kg"), "weight.invalid", "Variant Grams", Severity.ERROR),
    ("boolean", cell("Variant Taxable", "oui"), "boolean.invalid", "Variant Taxable", Severity.ERROR),
    ("policy", cell("Variant Inventory Policy", "stop"), "inventory_policy.invalid", "Variant Inventory Policy",
     Severity.ERROR),
    ("barcode", cell("Variant Barcode", "3760123456781"), "barcode.invalid", "Variant Barcode", Severity.ERROR),
    ("barcode-excel", cell("Variant Barcode", "3.76012E+12"), "barcode.invalid", "Variant Barcode", Severity.ERROR),
    ("country", cell("Country of Origin", "France"), "country.invalid", "Country of Origin", Severity.ERROR),
    ("sku-missing", cell("Variant SKU", ""), "sku.missing", "Variant SKU", Severity.WARNING),
    ("sku-duplicate", two_products(**{"Variant SKU": "SKU-perceuse-visseuse-18v", "Title": "Autre perceuse 12V",
                                      "Body (HTML)": ENGLISH}), "sku.duplicate", "Variant SKU", Severity.ERROR),
    ("variants-duplicate", lambda: tshirt_with(2, **{"Option1 Value": "M", "Option2 Value": "Bleu"}),
     "variants.duplicate", "Option1 Value", Severity.ERROR),
    ("options-missing-value", lambda: tshirt_with(3, **{"Option2 Value": ""}), "variants.options_inconsistent",
     "Option2 Value", Severity.ERROR),
    ("options-renamed", lambda: tshirt_with(1, **{"Option1 Name": "Pointure"}), "variants.options_inconsistent",
     "Option1 Name", Severity.ERROR),
    ("options-value-without-name", cell("Option2 Value", "Rouge"), "variants.options_inconsistent",
     "Option2 Value", Severity.ERROR),
    ("product-cells-ignored", lambda: tshirt_with(1, Title="Un autre titre"), "structure.product_cells_ignored",
     "Title", Severity.WARNING),
    ("split", lambda: [*tshirt()[:2], good_product(), *tshirt()[2:]], "structure.variants_split", "Handle",
     Severity.ERROR),
    ("image-missing", cell("Image Src", ""), "image.missing", "Image Src", Severity.ERROR),
    ("image-url", cell("Image Src", "photo perceuse"), "image.url", "Image Src", Severity.ERROR),
    ("image-http", cell("Image Src", "http://images.atelier-dupont.example/p.jpg"), "image.not_https", "Image Src",
     Severity.ERROR),
    ("image-drive", cell("Image Src", "https://drive.google.com/file/d/1AbCdEf/view?usp=sharing"),
     "image.host_not_allowed", "Image Src", Severity.ERROR),
    ("image-extension", cell("Image Src", "https://images.atelier-dupont.example/p.webp"), "image.extension",
     "Image Src", Severity.WARNING),
    ("variant-image", cell("Variant Image", "http://images.atelier-dupont.example/v.jpg"), "image.not_https",
     "Variant Image", Severity.ERROR),
    ("alt", cell("Image Alt Text", "Perceuse en promotion à 129,90 €"), "alt.format", "Image Alt Text",
     Severity.WARNING),
    ("video", cell("Video URL", "https://www.dailymotion.com/video/x8abcd"), "video.url", "Video URL",
     Severity.ERROR),
    ("duplicate-exact", two_products(), "duplicate.exact", "Title", Severity.ERROR),
    ("duplicate-near", two_products(Title="Perceuse visseuse sans fil 18V avec deux batteries lithium neuve"),
     "duplicate.near", "Title", Severity.WARNING),
    ("variants-too-many", lambda: [good_product(**{"Option1 Name": "Taille", "Option1 Value": "T0"}),
                                   *[variant_row("perceuse-visseuse-18v", **{"Option1 Value": f"T{i}"})
                                     for i in range(1, 101)]], "variants.too_many", None, Severity.ERROR),
]


@pytest.mark.parametrize(("rows", "code", "column", "severity"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_defect_raises_its_code(check, rows, code, column, severity):
    report = check(rows() if callable(rows) else rows)
    hits = [i for i in report.issues if i.code == code]
    assert hits, f"{code} not raised; got {[i.code for i in report.issues]}"
    hit = hits[0]
    assert hit.severity is severity
    if column is not None:
        assert hit.column == column
    assert hit.row is not None and hit.product is not None
    assert hit.message.fr and hit.message.en and hit.fix.fr
    refused = {p.handle for p in report.products if p.status == "refused"}
    if severity is Severity.ERROR:
        assert hit.product in refused and report.status == "partial"
    else:
        assert hit.product not in refused


def test_row_of_the_wrong_length_refuses_its_product(check):
    text = csv_text([good_product(), good_product("autre-perceuse", **{"Variant SKU": "S2", "Title": "Autre"})])
    lines = text.split("\r\n")
    lines[2] = lines[2] + ",en trop"
    report = check("\r\n".join(lines))
    [hit] = [i for i in report.issues if i.code == "structure.row_length"]
    assert hit.row == 3 and hit.product == "autre-perceuse" and "32" in hit.message.fr
    assert {p.handle: p.status for p in report.products}["perceuse-visseuse-18v"] == "accepted"


def test_row_without_handle_is_reported_not_lost(check):
    report = check([good_product(), good_product("", **{"Variant SKU": "S3"})])
    assert any(i.code == "field.required" and i.column == "Handle" and i.row == 3 for i in report.issues)
    assert any(p.rows == [3] and p.status == "refused" for p in report.products)


def test_catalog_skus_and_listings_count(check):
    from validators.duplicates import Listing

    options = Options(offline=True, catalog=CatalogContext(
        skus={"SKU-perceuse-visseuse-18v": "ancienne-perceuse"},
        listings=[Listing("ancienne-chaise", "Chaise en chêne massif", "Une chaise solide.", in_file=False)],
    ))
    report = check([good_product()], options)
    [hit] = [i for i in report.issues if i.code == "sku.duplicate"]
    assert "ancienne-perceuse" in hit.message.fr


def test_same_handle_sku_in_catalog_is_an_update_not_a_duplicate(check):
    options = Options(offline=True, catalog=CatalogContext(skus={"SKU-perceuse-visseuse-18v": "perceuse-visseuse-18v"}))
    assert not [i for i in check([good_product()], options).issues if i.code == "sku.duplicate"]


def test_corrected_copy_applies_only_safe_fixes(check):
    rows = [good_product(**{"Variant Price": "129,90", "Variant Taxable": "true", "Tags": "Perceuses, outillage",
                            "Title": "Perceuse visseuse\u200b sans fil 18V avec deux batteries"}),
            good_product("perceuse-deux", **{"Variant SKU": "S-2", "Type": "perceuses", "Tags": "perceuses,18V",
                                             "Title": "Perceuse à percussion 750 W avec mallette",
                                             "Body (HTML)": ENGLISH + "<p>Contact : 06 12 34 56 78</p>"})]
    report = check(rows)
    fixes = report.corrections
    assert fixes[(2, "Variant Price")] == "129.90"
    assert fixes[(2, "Variant Taxable")] == "TRUE"
    assert fixes[(2, "Tags")] == "Perceuses,outillage"
    assert "\u200b" not in fixes[(2, "Title")]
    assert fixes[(3, "Type")] == "Perceuses" and fixes[(3, "Tags")] == "Perceuses,18V"
    assert (3, "Body (HTML)") not in fixes  # contact details are never "fixed"


def test_too_deep_type_is_corrected_with_its_tag(check):
    report = check([good_product(Type="Perceuses électriques portatives",
                                 Tags="Perceuses électriques portatives,outillage")])
    assert report.corrections[(2, "Type")] == "Perceuses"
    assert report.corrections[(2, "Tags")] == "Perceuses,outillage"


def test_report_json_shape(check):
    report = check([good_product(), *tshirt_with(3, **{"Option2 Value": ""})])
    data = report.to_dict()
    assert data["status"] == "partial"
    assert data["summary"]["products"] == 2 and data["summary"]["refused"] == 1
    assert {p["handle"]: p["status"] for p in data["products"]} == {
        "perceuse-visseuse-18v": "accepted", "t-shirt-coton-bio": "refused"}
    assert all(set(i) >= {"code", "severity", "row", "column", "product", "value", "message", "fix", "suggestions"}
               for i in data["issues"])


def test_file_level_error_rejects_everything(check):
    report = check(csv_text([good_product()]).replace(",", ";"))
    assert report.status == "rejected" and report.products == []
    assert [i.code for i in report.issues] == ["structure.delimiter"]


def test_rows_are_spreadsheet_rows_with_multiline_cells(check):
    body = GOOD_BODY.replace("</p><ul>", "</p>\n\n<ul>").replace("</ul><p>", "</ul>\n<p>")
    report = check([good_product(**{"Body (HTML)": body}), good_product("b", **{"Variant SKU": "B", "Title": "B",
                                                                              "Variant Price": "x"})])
    [hit] = [i for i in report.issues if i.code == "price.format"]
    assert hit.row == 3


def test_annotated_export_keeps_every_row(check):
    from reports.annotated import render_annotated_csv

    rows = [good_product(), *tshirt_with(3, **{"Option2 Value": ""})]
    report = check(rows)
    out = list(csv.reader(io.StringIO(render_annotated_csv(report).decode("utf-8-sig"))))
    assert out[0] == [*FULL_COLUMNS, "Statut", "Erreurs"]
    assert len(out) == 1 + len(rows)
    assert out[1][-2].startswith("Accepté") and out[2][-2] == "Refusé"


def test_the_example_catalogue_raises_every_planted_code_and_nothing_on_its_clean_products(taxonomy):
    import json

    from tests.conftest import ROOT

    samples = ROOT / "samples"
    expected = json.loads((samples / "catalogue-exemple.expected.json").read_text(encoding="utf-8"))
    report = validate_file(samples / "catalogue-exemple.csv", load_settings(), Options(offline=True),
                           taxonomy=taxonomy)
    by_product: dict[str, set[str]] = {}
    for item in report.issues:
        by_product.setdefault(item.product or "", set()).add(item.code)
    missing = {handle: sorted(set(codes) - by_product.get(handle, set()))
               for handle, codes in expected["planted"].items() if set(codes) - by_product.get(handle, set())}
    assert missing == {}
    noisy = {handle: sorted(i.code for i in report.issues if i.product == handle and i.severity is not Severity.INFO)
             for handle in expected["clean"]}
    assert {h: c for h, c in noisy.items() if c} == {}


def test_the_valid_catalogue_is_accepted_whole(taxonomy):
    from tests.conftest import ROOT

    report = validate_file(ROOT / "samples" / "catalogue-valide.csv", load_settings(), Options(offline=True),
                           taxonomy=taxonomy)
    assert report.row_count == 500 and report.status == "accepted"
    assert [i.code for i in report.issues if i.severity is not Severity.INFO] == []
    assert all(p.status == "accepted" for p in report.products) and len(report.products) == 160


def test_two_products_may_swap_skus_in_one_file(check):
    options = Options(offline=True, catalog=CatalogContext(skus={"SKU-A": "perceuse-visseuse-18v",
                                                                 "SKU-B": "perceuse-bis"}))
    rows = [good_product(**{"Variant SKU": "SKU-B"}),
            good_product("perceuse-bis", **{"Variant SKU": "SKU-A", "Title": "Perceuse à percussion 750 W",
                                            "Body (HTML)": ENGLISH})]
    assert [i for i in check(rows, options).issues if i.code == "sku.duplicate"] == []


def _seller(**extra: object):
    from catalog.sellers import seller_from_dict

    return seller_from_dict({"id": "atelier-dupont", "name": "Atelier Dupont", "email": "v@atelier-dupont.example",
                             "vat_number": "FR40303265045", "default_shipping": "Colissimo", **extra})


def test_foreign_prices_are_converted_with_the_sellers_rate_and_rule(check):
    seller = _seller(fx_rates={"USD": 0.92}, price_rule={"direction": "increase", "kind": "percent", "amount": 10})
    report = check(cell("Currency", "USD"), Options(offline=True, seller=seller))
    [converted] = [i for i in report.issues if i.code == "price.converted"]
    assert "129.90 USD" in converted.message.fr and "131.46 EUR" in converted.message.fr
    variant = report.products[0].product.variants[0]
    assert variant.price == Decimal("131.46") and variant.compare_at_price == Decimal("151.70")
    assert report.status == "accepted"


def test_a_currency_without_the_sellers_rate_is_refused(check):
    report = check(cell("Currency", "GBP"), Options(offline=True, seller=_seller(fx_rates={"USD": 0.92})))
    [hit] = [i for i in report.issues if i.code == "price.currency"]
    assert hit.severity is Severity.ERROR and report.status == "partial"


def test_staged_products_carry_the_safe_fixes(check):
    rows = [good_product(Title="Perceuse visseuse\u200b sans fil 18V avec deux batteries", Tags="Perceuses, 18V")]
    product = check(rows).products[0].product
    assert product.title == "Perceuse visseuse sans fil 18V avec deux batteries"
    assert product.tags == "Perceuses,18V"


def test_seo_generated_is_only_said_of_products_that_are_staged(check):
    rows = [good_product(**{"SEO Title": ""}), good_product("b", **{"SEO Title": "", "Variant Price": "0",
                                                                    "Variant SKU": "B", "Title": "Autre perceuse"})]
    report = check(rows)
    assert [i.product for i in report.issues if i.code == "seo.generated"] == ["perceuse-visseuse-18v"]


def test_a_picture_in_the_product_policy_is_not_a_description_image(check):
    report = check(cell("Product Policy", '<p>Retours sous 30 jours.</p><img src="https://x.example/a.jpg">'))
    assert not [i for i in report.issues if i.code == "description.image"]
    report = check(cell("Product Policy", "<p>Retours.</p><script>alert(1)</script>"))
    assert [i.column for i in report.issues if i.code == "description.unsafe_html"] == ["Product Policy"]


def test_the_example_report_leads_with_what_matters_and_its_annotated_file_comes_back(taxonomy, tmp_path):
    from reports.files import write_reports
    from tests.conftest import ROOT

    report = validate_file(ROOT / "samples" / "catalogue-exemple.csv", load_settings(), Options(offline=True),
                           taxonomy=taxonomy)
    paths = write_reports(report, tmp_path)
    html = paths["html"].read_text(encoding="utf-8")
    infos = html.index('<section id="infos">')
    cards = html.count('<article class="card product"')
    warned = {p.handle for p in report.products if p.status == "accepted"
              and any(i.product == p.handle and i.severity is Severity.WARNING for i in report.issues)}
    assert cards == report.summary()["refused"] + len(warned), "a card is a refused product or one with warnings"
    assert "sev-info" not in html[html.index("<body>"):infos], "no info among the cards"
    assert html.index('id="resume"') < html.index('id="refuses"') < html.index('id="avertissements"') < infos
    codes = {i.code for i in report.issues if i.severity is not Severity.INFO}
    assert html[:html.index('id="refuses"')].count('<tr class="sev-') == len(codes), "one summary line per code"
    # The one file to fix, sent back unchanged: read with its safe fixes, our columns ignored.
    again = validate_file(paths["annotated"], load_settings(), Options(offline=True), taxonomy=taxonomy)
    assert [i.code for i in again.issues if i.is_file_level] == ["structure.report_columns"]
    assert again.summary()["products"] == report.summary()["products"]
    assert again.summary()["accepted"] >= report.summary()["accepted"], "safe fixes only ever help"
    assert not any(i.code in ("text.mojibake", "text.invisible_chars", "tags.format") for i in again.issues)
