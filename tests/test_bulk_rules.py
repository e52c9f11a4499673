"""The bulk file's checks, pure: the header, the row limit, ids and ownership, the title, SKU, quantity and
price rules (the full CSV's own), the suspicious price factor, and what each row changes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from support_bulk import bulk_file, write_rows

from catalog.domain.bulk import BulkCatalog, LiveVariant, bulk_edits
from catalog.domain.columns import BULK_COLUMNS
from catalog.domain.report import Report
from catalog.engine import check_bulk
from catalog.readers import is_bulk, read_file

ME, OTHER = "atelier-dupont", "quincaillerie-martin"


def live(variant_id: int, product_id: int, title: str = "Perceuse visseuse 18V", sku: str = "", price: str = "49.90",
         qty: int = 5, seller: str = ME) -> LiveVariant:
    return LiveVariant(variant_id=variant_id, product_id=product_id, seller_id=seller, handle=f"p{product_id}",
                       title=title, sku=sku or f"SKU-{variant_id}", price=Decimal(price), qty=qty)


CATALOG = BulkCatalog(seller_id=ME, variants={
    v.variant_id: v for v in (live(1, 10), live(2, 10), live(3, 11, title="Scie sauteuse 650 W"),
                              live(9, 90, title="Marteau", seller=OTHER))
}, skus={"SKU-1": "1", "SKU-2": "2", "SKU-3": "3", "SKU-77": "77"})

SAME = [["10", "1", "Perceuse visseuse 18V", "SKU-1", "5", "49.90"],
        ["10", "2", "Perceuse visseuse 18V", "SKU-2", "5", "49.90"],
        ["11", "3", "Scie sauteuse 650 W", "SKU-3", "5", "49.90"]]


def judge(tmp_path: Path, rows: list[list[str]], catalog: BulkCatalog | None = CATALOG) -> Report:
    reading = read_file(bulk_file(tmp_path / "modifs.csv", rows), max_bytes=1 << 20, kind="bulk")
    return check_bulk(reading, seller=None, catalog=catalog)


def codes_by_row(report: Report) -> dict[int | None, list[str]]:
    out: dict[int | None, list[str]] = {}
    for found in report.issues:
        out.setdefault(found.row, []).append(found.code)
    return out


def edit(row: int, column: str, value: str) -> list[list[str]]:
    rows = [r[:] for r in SAME]
    rows[row][BULK_COLUMNS.index(column)] = value
    return rows


def test_a_file_identical_to_the_catalog_changes_nothing_and_says_so(tmp_path: Path) -> None:
    report = judge(tmp_path, SAME)
    assert report.status == "accepted" and bulk_edits(report) == []
    assert [p.changes for p in report.products] == [{}, {}, {}]
    assert codes_by_row(report) == {2: ["product.unchanged"], 3: ["product.unchanged"], 4: ["product.unchanged"]}
    assert report.to_dict()["products"][0] == {"variant_id": "1", "rows": [2], "status": "accepted", "codes":
                                               ["product.unchanged"], "changes": {}}


@pytest.mark.parametrize(("header", "position"), [
    (["Product ID", "Variant ID", "Product Title", "Variant SKU", "Variant Qty"], 6),
    (["Product ID", "Variant ID", "Product Title", "Variant SKU", "Variant Qty", "Variant Price", "Notes"], 7),
    (["Product ID", "Variant ID", "Title", "Variant SKU", "Variant Qty", "Variant Price"], 3),
    (["Variant ID", "Product ID", "Product Title", "Variant SKU", "Variant Qty", "Variant Price"], 1),
])
def test_any_other_header_is_the_number_of_columns_altered_error(tmp_path: Path, header: list[str],
                                                                  position: int) -> None:
    path = write_rows(tmp_path / "modifs.csv", [header, ["10", "1", "x", "y", "1", "2.00"]])
    report = check_bulk(read_file(path, max_bytes=1 << 20, kind="bulk"), seller=None, catalog=CATALOG)
    [found] = report.issues
    assert report.status == "rejected" and found.code == "structure.columns"
    assert f"position {position}" in found.message.fr


def test_an_empty_trailing_column_is_refused(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "modifs.csv", [[*BULK_COLUMNS, ""], [*SAME[0], ""]])
    report = check_bulk(read_file(path, max_bytes=1 << 20, kind="bulk"), seller=None, catalog=CATALOG)
    assert [i.code for i in report.issues] == ["structure.blank_header"]


def test_more_than_2000_rows_is_refused_whole(tmp_path: Path) -> None:
    report = judge(tmp_path, [SAME[0]] * 2001)
    assert [i.code for i in report.issues] == ["structure.too_many_rows"]
    assert "2000" in report.issues[0].message.fr and report.status == "rejected"


def test_ids_the_seller_may_not_touch(tmp_path: Path) -> None:
    rows = [["10", "abc", "x", "", "1", "1.00"], ["90", "9", "Marteau", "SKU-9", "1", "1.00"],
            ["11", "1", "Perceuse visseuse 18V", "SKU-1", "5", "49.90"], ["10", "404", "x", "", "1", "1.00"]]
    report = judge(tmp_path, rows)
    assert codes_by_row(report) == {2: ["bulk.unknown_variant"], 3: ["bulk.not_owner"],
                                    4: ["bulk.product_mismatch"], 5: ["bulk.unknown_variant"]}
    assert all(p.status == "refused" and p.changes is None for p in report.products)
    mismatch = next(i for i in report.issues if i.code == "bulk.product_mismatch")
    assert mismatch.column == "Product ID" and "« 1 »" in mismatch.message.fr and "« 11 »" in mismatch.message.fr


def test_a_changed_title_gets_the_full_csvs_title_and_contact_rules(tmp_path: Path) -> None:
    rows = [r[:] for r in SAME]
    rows[0][2] = "PERCEUSE VISSEUSE SUPER PROMO !!!"
    rows[2][2] = "Scie sauteuse, appelez le 06 12 34 56 78"
    report = judge(tmp_path, rows)
    by_row = codes_by_row(report)
    assert set(by_row[2]) == {"seo.title_caps", "seo.title_symbols"} and by_row[4] == ["contact.phone"]
    assert [p.status for p in report.products] == ["accepted", "accepted", "refused"]
    [title] = bulk_edits(report)
    assert title.title == "PERCEUSE VISSEUSE SUPER PROMO !!!" and title.product_id == 10


def test_a_title_already_live_is_not_judged_again(tmp_path: Path) -> None:
    catalog = BulkCatalog(seller_id=ME, variants={1: live(1, 10, title="PERCEUSE SUPER PROMO !!!")})
    report = judge(tmp_path, [["10", "1", "PERCEUSE SUPER PROMO !!!", "SKU-1", "5", "49.90"]], catalog)
    assert [i.code for i in report.issues] == ["product.unchanged"]
    without_catalog = judge(tmp_path, [["10", "1", "PERCEUSE SUPER PROMO !!!", "SKU-1", "5", "49.90"]], None)
    assert {i.code for i in without_catalog.issues} == {"seo.title_caps", "seo.title_symbols"}


def test_two_new_titles_for_one_product_conflict(tmp_path: Path) -> None:
    rows = edit(0, "Product Title", "Perceuse 18V compacte")
    rows[1][2] = "Perceuse 18V légère"
    report = judge(tmp_path, rows)
    assert codes_by_row(report)[3] == ["bulk.title_conflict"]
    same_title_twice = judge(tmp_path, [*edit(0, "Product Title", "Perceuse 18V compacte")[:1],
                                        ["10", "2", "Perceuse 18V compacte", "SKU-2", "5", "49.90"]])
    assert same_title_twice.status == "accepted"


def test_the_same_variant_twice_refuses_both_rows(tmp_path: Path) -> None:
    report = judge(tmp_path, [SAME[0], edit(0, "Variant Qty", "9")[0]])
    assert codes_by_row(report) == {2: ["bulk.variant_repeated"], 3: ["bulk.variant_repeated"]}
    assert "(2, 3)" in report.issues[0].message.fr
    assert [p.status for p in report.products] == ["refused", "refused"]


@pytest.mark.parametrize(("column", "value", "code", "suggestion"), [
    ("Variant Qty", "3,5", "quantity.invalid", None),
    ("Variant Qty", "-1", "quantity.invalid", None),
    ("Variant Price", "49,90", "price.format", "49.90"),
    ("Variant Price", "49.909", "price.format", "49.91"),
    ("Variant Price", "0", "price.not_positive", None),
    ("Variant Price", "", "field.required", None),
    ("Product Title", "", "field.required", None),
])
def test_quantity_and_price_formats_are_the_full_csvs_cell_rules(tmp_path: Path, column: str, value: str, code: str,
                                                                 suggestion: str | None) -> None:
    report = judge(tmp_path, edit(0, column, value))
    [found] = [i for i in report.issues if i.row == 2]
    assert (found.code, found.column) == (code, column)
    if suggestion:
        assert list(found.suggestions) == [suggestion]
    assert report.products[0].status == "refused"


def test_skus_are_unique_in_the_file_and_in_the_catalog_and_may_be_swapped(tmp_path: Path) -> None:
    taken = judge(tmp_path, edit(0, "Variant SKU", "SKU-77"))
    assert codes_by_row(taken)[2] == ["sku.duplicate"] and "catalogue" in taken.issues[0].message.fr
    kept_by_another_row = judge(tmp_path, edit(0, "Variant SKU", "SKU-3"))  # row 4 keeps SKU-3
    assert codes_by_row(kept_by_another_row) == {2: ["sku.duplicate"], 3: ["product.unchanged"],
                                                 4: ["product.unchanged"]}
    both_new = [r[:] for r in SAME]
    both_new[0][3] = both_new[1][3] = "SKU-NEW"
    assert "sku.duplicate" in codes_by_row(judge(tmp_path, both_new))[3]
    swapped = [r[:] for r in SAME]
    swapped[0][3], swapped[1][3] = "SKU-2", "SKU-1"
    report = judge(tmp_path, swapped)
    assert report.status == "accepted"
    assert [(e.variant_id, e.sku) for e in bulk_edits(report)] == [(1, "SKU-2"), (2, "SKU-1")]
    cleared = judge(tmp_path, edit(0, "Variant SKU", ""))
    assert codes_by_row(cleared)[2] == ["sku.missing"] and cleared.status == "accepted"


@pytest.mark.parametrize(("new", "held"), [("149.70", False), ("149.71", True), ("16.64", False), ("16.63", True),
                                           ("499.00", True), ("4.99", True)])
def test_a_price_moving_by_more_than_the_factor_is_held(tmp_path: Path, new: str, held: bool) -> None:
    report = judge(tmp_path, edit(0, "Variant Price", new))
    [change] = bulk_edits(report)
    assert report.products[0].changes == {"Variant Price": ["49.90", new]}
    assert (change.held_price is not None, change.price is not None) == (held, not held)
    assert ("price.suspicious_change" in codes_by_row(report).get(2, [])) is held


def test_the_factor_is_a_setting(tmp_path: Path) -> None:
    catalog = BulkCatalog(seller_id=ME, variants=dict(CATALOG.variants), skus=dict(CATALOG.skus),
                          price_factor=Decimal("1.5"))
    report = judge(tmp_path, edit(0, "Variant Price", "79.90"), catalog)
    held = next(i for i in report.issues if i.code == "price.suspicious_change")
    assert "×1.5" in held.message.fr


def test_a_bulk_header_is_recognised_even_with_semicolons(tmp_path: Path) -> None:
    assert is_bulk(bulk_file(tmp_path / "a.csv", SAME))
    assert is_bulk(write_rows(tmp_path / "b.csv", [list(BULK_COLUMNS), *SAME], delimiter=";"))
    assert not is_bulk(write_rows(tmp_path / "c.csv", [["Handle", "Title", "Body (HTML)"]]))


def test_a_file_whose_first_line_is_huge_is_no_bulk_file(tmp_path: Path) -> None:
    path = tmp_path / "enorme.csv"
    path.write_text("x" * 200_000 + "\n", encoding="utf-8")
    assert not is_bulk(path)
