"""Feeds through the one engine: the mapping table, feed-only codes, and the same code as a CSV for the same defect."""

from __future__ import annotations

import gzip
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.domain.sellers import Seller
from catalog.engine import Options, validate_file
from catalog.readers.feed.items import parse_grams, parse_price, sale_applies
from catalog.settings import load_settings
from taxonomy import Taxonomy
from tests.support_csv import GOOD_BODY, good_product, write_csv

REAL_FEEDS = Path(__file__).resolve().parents[2] / "shared" / "real-feeds"
G = 'xmlns:g="http://base.google.com/ns/1.0"'


def rss(*items: str) -> str:
    return f'<?xml version="1.0"?>\n<rss version="2.0" {G}><channel><title>Boutique</title>\n' + "\n".join(
        f"<item>{body}</item>" for body in items) + "\n</channel></rss>\n"


def item(gid: str, **fields: str) -> str:
    values = {"title": "Perceuse visseuse sans fil 18 V avec deux batteries", "description": GOOD_BODY,
              "price": "49.90 EUR", "image_link": f"https://img.example/{gid}.jpg", "availability": "in_stock",
              "google_product_category": "Quincaillerie > Outils > Perceuses", **fields}
    parts = [f"<g:id>{gid}</g:id>"] + [f"<g:{name}>{value}</g:{name}>" for name, value in values.items() if value]
    return "".join(parts)


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    from dataclasses import replace

    from catalog.net.taxonomy_file import default_taxonomy
    from tests.conftest import SHARED_TAXONOMY

    return default_taxonomy(replace(load_settings(None), taxonomy=SHARED_TAXONOMY))  # with the English names


def check(path: Path, taxonomy: Taxonomy, seller: Seller | None = None, **options):
    return validate_file(path, load_settings(None), Options(offline=True, seller=seller, **options), taxonomy=taxonomy)


@pytest.fixture
def feed(tmp_path: Path):
    def write(*items: str, name: str = "flux.xml") -> Path:
        path = tmp_path / name
        data = rss(*items).encode()
        path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
        return path
    return write


def test_one_item_maps_onto_the_product_model(feed, taxonomy: Taxonomy) -> None:
    report = check(feed(item("P-1", shipping_weight="1.3 kg", gtin="4006381333931", brand="Bosch",
                            link="https://boutique.example/perceuse")), taxonomy)
    (result,) = report.products
    product = result.product
    assert report.kind == "feed" and result.status == "accepted", report.issues
    assert product.handle == "p-1" and product.type == "Perceuses" and product.tags == "Perceuses"
    variant = product.variants[0]
    assert (variant.sku, variant.price, variant.grams, variant.barcode) == ("P-1", Decimal("49.90"), 1300,
                                                                          "4006381333931")
    assert product.link == "https://boutique.example/perceuse" and product.brand == "Bosch"
    assert [i.code for i in report.issues if i.code == "contact.url"] == []  # g:link is never a contact violation
    # A feed has no SEO fields: they are generated for it, and the seller is not told of cells they cannot fill.
    assert product.seo_title and "seo.generated" not in [i.code for i in report.issues]


def test_a_phone_number_gets_the_same_code_from_a_feed_item_and_a_csv_row(feed, tmp_path: Path,
                                                                          taxonomy: Taxonomy) -> None:
    body = GOOD_BODY.replace("</p>", " Appelez le 06 12 34 56 78.</p>", 1)
    from_feed = check(feed(item("P-1", description=body)), taxonomy)
    (found,) = [i for i in from_feed.issues if i.code == "contact.phone"]
    assert (found.row, found.item, found.column, found.product) == (None, "P-1", "description", "p-1")
    assert found.to_dict()["row"] is None and found.to_dict()["item"] == "P-1"
    csv = write_csv(tmp_path / "c.csv", [good_product(**{"Body (HTML)": body})])
    from_csv = check(csv, taxonomy)
    (same,) = [i for i in from_csv.issues if i.code == "contact.phone"]
    assert found.message.fr == same.message.fr.replace("« Body (HTML) »", "« description »")
    assert found.message.en == same.message.en.replace('"Body (HTML)"', '"description"')


def test_item_group_becomes_one_product_with_options(feed, taxonomy: Taxonomy) -> None:
    items = [item(f"T-{size}", item_group_id="tee", size=size, color="Rouge", title="T-shirt coton bio col rond",
                  google_product_category="212") for size in ("S", "M", "L")]
    report = check(feed(*items), taxonomy)
    (result,) = report.products
    assert result.handle == "tee" and result.product.option_names == ("Couleur", "Taille")
    assert [v.options for v in result.product.variants] == [("Rouge", "S"), ("Rouge", "M"), ("Rouge", "L")]
    assert result.product.type == taxonomy.collection_for_category("212").name


def test_more_than_three_options_refuse_the_group(feed, taxonomy: Taxonomy) -> None:
    items = [item(f"T-{n}", item_group_id="tee", size=str(n), color="Rouge", material="Coton", pattern="Uni")
             for n in range(2)]
    report = check(feed(*items), taxonomy)
    assert report.products[0].status == "refused"
    assert "variants.too_many_options" in report.products[0].codes


def test_feed_only_problems_get_feed_codes(feed, taxonomy: Taxonomy) -> None:
    report = check(feed(item("A", price="49,90 €"), item("B", image_link=""), item("C"), item("C")), taxonomy)
    by_code = {(i.code, i.item, i.column) for i in report.issues}
    assert ("feed.price_format", "A", "g:price") in by_code
    assert ("feed.item_missing_field", "B", "g:image_link") in by_code
    assert ("feed.duplicate_id", "C", "g:id") in by_code
    assert {p.handle: p.status for p in report.products}["a"] == "refused"


def test_sale_price_availability_and_the_sellers_default_quantity(feed, taxonomy: Taxonomy) -> None:
    seller = Seller(id="s", email="vendeur@atelier.example", vat_number="FR40303265045", default_shipping="Colissimo",
                    in_stock_default_qty=7)
    report = check(feed(item("A", sale_price="39.90 EUR"), item("B", availability="out_of_stock"),
                        item("C", availability="preorder"), item("D", quantity="3")), taxonomy, seller)
    variants = {p.handle: p.product.variants[0] for p in report.products}
    assert set(variants) == {"a", "b", "c", "d"}, [(i.code, i.item) for i in report.issues]
    assert (variants["a"].price, variants["a"].compare_at_price, variants["a"].inventory_qty) == (
        Decimal("39.90"), Decimal("49.90"), 7)
    assert variants["b"].inventory_qty == 0
    assert variants["c"].inventory_policy == "continue"
    assert variants["d"].inventory_qty == 3


def test_value_parsers() -> None:
    assert parse_price("18000 INR") == (Decimal("18000"), "INR") and parse_price("49,90 EUR") is None
    assert (parse_grams("500 g"), parse_grams("1.3 kg"), parse_grams("2 lb"), parse_grams("lourd")) == (
        500, 1300, 907, None)
    from datetime import UTC, datetime
    now = datetime(2026, 6, 15, tzinfo=UTC)
    assert sale_applies("2026-06-01T00:00+02:00/2026-06-30T00:00+02:00", now)
    assert not sale_applies("2026-07-01/2026-07-31", now)
    assert sale_applies("", now)


def test_gzip_feed_and_unsafe_xml(feed, tmp_path: Path, taxonomy: Taxonomy) -> None:
    assert check(feed(item("A"), name="flux.xml.gz"), taxonomy).status == "accepted"
    xxe = tmp_path / "xxe.xml"
    xxe.write_text('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                   f'<rss {G}><channel><item><g:id>&x;</g:id></item></channel></rss>')
    report = check(xxe, taxonomy)
    assert report.status == "rejected" and [i.code for i in report.issues] == ["feed.forbidden_xml"]
    cut = tmp_path / "cut.xml"
    cut.write_text(rss(item("A"), item("B"))[:-60])
    report = check(cut, taxonomy)
    assert report.status == "rejected" and [i.code for i in report.issues] == ["feed.not_xml"]
    assert report.products == []
    assert "tronqué" in report.issues[0].message.fr and "ligne" in report.issues[0].message.fr
    from reports.text import render_text

    assert "Flux refusé" in render_text(report) and "Fichier" not in render_text(report)


@pytest.mark.parametrize("name, items, products", [
    ("avernas-sek-sv.xml", 36, 36), ("fork-clothe-fr-eur-variants.xml", 15, 3),
    ("woodenmax-atom-inr.xml", 25, 25), ("zenhogar-cdata-es-cop.xml", 53, 53)])
def test_real_feeds_are_read_and_judged(name: str, items: int, products: int, taxonomy: Taxonomy) -> None:
    path = REAL_FEEDS / name
    if not path.is_file():
        pytest.skip(f"{path} is not here")
    report = check(path, taxonomy)
    assert report.status != "rejected" and report.row_count == items and len(report.products) == products
    assert all(i.row is None and i.item for i in report.issues)


def test_item_diagnostics_one_row_per_item_formulas_inert(feed, tmp_path: Path, taxonomy: Taxonomy) -> None:
    import csv
    import io

    from reports.files import write_reports

    items = [item(f"T-{size}", item_group_id="tee", size=size, title="=HYPERLINK(\"http://x\")",
                  price="12,00 EUR" if size == "M" else "12.00 EUR") for size in ("S", "M")]
    report = check(feed(*items, item("P-2")), taxonomy)
    paths = write_reports(report, tmp_path / "out")
    assert "annotated" not in paths and "corrected" not in paths
    rows = list(csv.reader(io.StringIO(paths["diagnostics"].read_text("utf-8-sig"))))
    assert [r[0] for r in rows] == ["g:id", "T-S", "T-M", "P-2"]
    assert rows[1][1].startswith("'=") and rows[2][2].startswith("refusé")
    assert "feed.price_format" in rows[2][3] and "feed.price_format" not in rows[1][3]


def test_a_feed_report_is_the_same_when_its_issues_wait_on_disk(feed, tmp_path: Path, taxonomy: Taxonomy,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import functools

    import catalog.engine
    from catalog.domain import issue_log
    from catalog.domain.issue_log import IssueLog
    from reports.files import write_reports

    path = feed(*[item(f"P-{n}", price="9,90 EUR" if n % 3 else "9.90 EUR") for n in range(40)])
    kept = check(path, taxonomy)
    monkeypatch.setattr(catalog.engine, "IssueLog", functools.partial(IssueLog, in_memory=5))
    monkeypatch.setattr(issue_log, "BLOCK", 3)
    spilled = check(path, taxonomy)
    assert spilled.issues.spilled and not kept.issues.spilled
    assert spilled.to_dict() == kept.to_dict()
    first = write_reports(kept, tmp_path / "a")
    second = write_reports(spilled, tmp_path / "b")
    for kind in ("json", "diagnostics"):
        assert first[kind].read_bytes() == second[kind].read_bytes()
