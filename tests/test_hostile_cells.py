"""Cells built to break the validator get the rule's code, never an internal error."""

from __future__ import annotations

from pathlib import Path

from catalog.engine import Options, validate_file
from catalog.settings import load_settings
from tests.support_csv import good_product, write_csv


def test_integers_past_pythons_digit_limit_are_invalid_cells(tmp_path: Path) -> None:
    huge = "9" * 5_000
    path = write_csv(tmp_path / "huge.csv", [good_product(**{"Variant Grams": huge, "Variant Inventory Qty": huge,
                                                             "Variant Minimum Quantity": huge})])
    report = validate_file(path, load_settings(None), Options(offline=True))
    found = {(i.code, i.column) for i in report.issues}
    assert {("weight.invalid", "Variant Grams"), ("quantity.invalid", "Variant Inventory Qty"),
            ("quantity.minimum", "Variant Minimum Quantity")} <= found
    assert report.products[0].status == "refused"
