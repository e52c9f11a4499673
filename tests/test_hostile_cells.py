"""Cells built to break the validator get the rule's code, never an internal error, and each file its report fast.

Each file runs under a 2 s budget (`within`): well above what it needs (tens of
milliseconds), far below what a backtracking pattern takes on these cells
(20,000 digits in an alt text used to cost 20-30 s). See
benchmarks/hostile_patterns.py for the figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.domain.columns import FULL_COLUMNS
from catalog.domain.report import Report
from catalog.engine import Options, validate_file
from catalog.settings import load_settings
from tests.support_csv import good_product, write_csv
from tests.support_hostile import within

BUDGET = 2.0
INTEGER_COLUMNS = {"Variant Grams": "weight.invalid", "Variant Inventory Qty": "quantity.invalid",
                   "Variant Minimum Quantity": "quantity.minimum"}
PRICE_COLUMNS = ("Variant Price", "Variant Compare At Price")
DIGITS = "9" * 20_000
UNCLOSED_LINK = "<a " + "href=" * 16_000
FEED_TEXT_FIELDS = ("title", "description", "g:product_type", "g:color", "g:size", "g:material", "g:brand",
                    "g:item_group_id", "g:id", "g:gtin", "g:price", "g:quantity", "g:shipping_weight", "g:link",
                    "g:image_link")


@pytest.fixture(scope="module", autouse=True)
def _warm(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Taxonomy, rule tables and parsers load once, outside the budgets."""
    tmp = tmp_path_factory.mktemp("warm")
    for path in (write_csv(tmp / "warm.csv", [good_product()]), _feed(tmp, "g:color", "rouge")):
        validate_file(path, load_settings(None), Options(offline=True))


def judge(path: Path) -> Report:
    with within(BUDGET):
        return validate_file(path, load_settings(None), Options(offline=True))


@pytest.mark.parametrize("column", INTEGER_COLUMNS)
def test_an_integer_past_pythons_digit_limit_is_an_invalid_cell(tmp_path: Path, column: str) -> None:
    report = judge(write_csv(tmp_path / "huge.csv", [good_product(**{column: "9" * 4_301})]))
    assert (INTEGER_COLUMNS[column], column) in {(i.code, i.column) for i in report.issues}
    assert report.products[0].status == "refused"


@pytest.mark.parametrize("column", INTEGER_COLUMNS)
def test_an_integer_the_store_cannot_hold_is_an_invalid_cell(tmp_path: Path, column: str) -> None:
    report = judge(write_csv(tmp_path / "big.csv", [good_product(**{column: "2147483648"})]))
    assert (INTEGER_COLUMNS[column], column) in {(i.code, i.column) for i in report.issues}
    fine = judge(write_csv(tmp_path / "fine.csv", [good_product(**{column: "2147483647"})]))
    assert column not in {i.column for i in fine.issues}


@pytest.mark.parametrize("column", PRICE_COLUMNS)
def test_a_price_of_thousands_of_digits_is_a_format_error(tmp_path: Path, column: str) -> None:
    report = judge(write_csv(tmp_path / "prix.csv", [good_product(**{column: "9" * 4_301})]))
    assert ("price.format", column) in {(i.code, i.column) for i in report.issues}
    assert report.products[0].status == "refused"


@pytest.mark.parametrize("column", FULL_COLUMNS)
def test_a_run_of_20000_digits_in_any_cell_gets_a_report(tmp_path: Path, column: str) -> None:
    report = judge(write_csv(tmp_path / "chiffres.csv", [good_product(**{column: DIGITS})]))
    assert report.products or report.issues


def test_a_price_after_20000_digits_in_an_alt_text_is_found(tmp_path: Path) -> None:
    report = judge(write_csv(tmp_path / "alt.csv", [good_product(**{"Image Alt Text": DIGITS + " lot à 1,50 €"})]))
    [found] = [i for i in report.issues if i.code == "alt.format"]
    assert "(1,50 €)" in found.message.fr


@pytest.mark.parametrize("column", FULL_COLUMNS)
def test_an_unclosed_tag_with_16000_hrefs_in_any_cell_gets_a_report(tmp_path: Path, column: str) -> None:
    report = judge(write_csv(tmp_path / "liens.csv", [good_product(**{column: UNCLOSED_LINK})]))
    assert report.products or report.issues


def _feed(tmp_path: Path, field: str, value: str) -> Path:
    from xml.sax.saxutils import escape

    fields = {"g:id": "P-1", "title": "Perceuse visseuse sans fil 18 V avec deux batteries",
              "description": "Perceuse visseuse sans fil livrée avec deux batteries lithium. " * 3,
              "g:price": "49.90 EUR", "g:image_link": "https://img.example/p.jpg", "g:availability": "in_stock",
              "g:google_product_category": "Quincaillerie > Outils > Perceuses", field: value}
    body = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items())
    path = tmp_path / "flux.xml"
    path.write_text('<?xml version="1.0"?><rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>'
                    f"<title>Boutique</title><item>{body}</item></channel></rss>", encoding="utf-8")
    return path


@pytest.mark.parametrize("field", FEED_TEXT_FIELDS)
@pytest.mark.parametrize("value", [DIGITS, UNCLOSED_LINK], ids=["digits", "hrefs"])
def test_a_feed_item_with_a_hostile_field_gets_a_report(tmp_path: Path, field: str, value: str) -> None:
    report = judge(_feed(tmp_path, field, value))
    assert report.kind == "feed" and report.products


def test_a_feed_quantity_past_the_digit_limit_is_not_a_quantity(tmp_path: Path) -> None:
    report = judge(_feed(tmp_path, "g:quantity", "9" * 4_301))
    assert report.products[0].product.variants[0].inventory_qty == 1  # in stock, no usable count
