"""`catalog bulk …` and `catalog validate` on a bulk file: exit codes and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support_bulk import SELLER, bulk_file, live_catalog

from catalog.cli import main
from catalog.settings import load_settings
from catalog.store import Store


@pytest.fixture
def catalog() -> dict[tuple[str, int], int]:
    with Store.open(load_settings().db_url) as store:
        return live_catalog(store).variants


def row(catalog: dict[tuple[str, int], int], qty: str = "5") -> list[str]:
    return ["1", str(catalog[("perceuse-18v", 0)]), "Perceuse visseuse 18V", "perceuse-18v-0", qty, "49.90"]


@pytest.mark.parametrize("args", [
    ["bulk", "validate", "missing.csv", "--seller", SELLER],
    ["bulk", "submit", "missing.csv", "--seller", SELLER],
    ["bulk", "export", "--seller", "nobody"],
    ["bulk", "export", "--seller", SELLER, "--since", "2026-13-01"],
    ["bulk", "validate", "--seller", SELLER],
])
def test_what_cannot_run_exits_2_with_one_line(catalog: dict, args: list[str], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("catalog: error: ") and len(err.strip().splitlines()) == 1


def test_an_unknown_seller_cannot_submit(catalog: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = bulk_file(tmp_path / "modifs.csv", [row(catalog)])
    assert main(["bulk", "submit", str(path), "--seller", "nobody"]) == 2
    assert "unknown seller: nobody" in capsys.readouterr().err


def test_validate_reads_a_bulk_file_by_its_header_with_or_without_a_seller(
        catalog: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = bulk_file(tmp_path / "modifs.csv", [row(catalog, qty="7")])
    assert main(["validate", str(path), "--format", "json"]) == 0
    alone = json.loads(capsys.readouterr().out)
    assert alone["kind"] == "bulk" and "changes" not in alone["products"][0]
    assert main(["validate", str(path), "--seller", SELLER, "--format", "json"]) == 0
    against = json.loads(capsys.readouterr().out)
    assert against["products"][0]["changes"] == {"Variant Qty": ["5", "7"]}
    broken = bulk_file(tmp_path / "casse.csv", [row(catalog, qty="sept")])
    assert main(["bulk", "validate", str(broken), "--seller", SELLER]) == 1
    out = capsys.readouterr().out
    assert "quantity.invalid" in out and "Inchangées" not in out


def test_the_text_report_shows_each_change_old_to_new(catalog: dict, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = bulk_file(tmp_path / "modifs.csv", [row(catalog, qty="12")])
    assert main(["bulk", "validate", str(path), "--seller", SELLER]) == 0
    out = capsys.readouterr().out
    assert f"variante {catalog[('perceuse-18v', 0)]} (ligne 2) · Variant Qty : 5 → 12" in out
