"""The cell contract checked in a preloaded child process (`catalog validate`): same verdicts, no stray process.

The child is an optimisation only: what it finds must be what the in-process
check finds, and whatever way the command ends (done, error, help, bulk file),
the child must be gone and reaped when `main` returns.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import pytest

from catalog import cli, preload
from catalog.preload import PreloadedCellChecker
from tests.conftest import SHARED_TAXONOMY
from validators.cells import full_cell_issues

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
RECORDS = [
    (2, "chaise", {"Handle": "chaise", "Variant Price": "49,90", "Variant Barcode": "3700000000001"}),
    (3, "Table Basse", {"Handle": "Table Basse", "Variant Price": "0", "Country of Origin": "France"}),
    (4, "lampe", {"Handle": "lampe", "Variant Inventory Qty": "-3", "Variant Taxable": "oui"}),
    (5, "tapis", {"Handle": "tapis", "Variant Price": "12.50"}),
]


def children() -> set[int]:
    """This process's child processes, zombies included (a zombie is a child nobody reaped)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                if int(stat.rpartition(")")[2].split()[1]) == os.getpid():
                    found.add(int(entry))
    return found


def test_the_preloaded_child_finds_what_the_in_process_check_finds() -> None:
    expected = full_cell_issues(RECORDS)
    assert {i.code for i in expected} >= {"price.format", "handle.format", "price.not_positive", "quantity.invalid"}
    assert PreloadedCellChecker()(RECORDS) == expected


def test_rows_sent_early_and_more_than_a_pipe_holds_come_back_checked() -> None:
    """`send` while the child may still be importing (the engine sends before judging the products)."""
    many = [(n, f"produit-{n}", {"Handle": f"produit-{n}", "Variant Price": "12,5" if n % 7 else "12.50",
                                 "Body (HTML)": "<p>" + "description " * 20 + "</p>"}) for n in range(2, 3002)]
    checker = PreloadedCellChecker()
    checker.send(many)
    assert checker(many) == full_cell_issues(many)


def test_other_rows_than_those_sent_are_checked_in_process_and_the_child_stopped() -> None:
    before = children()
    checker = PreloadedCellChecker()
    checker.send(RECORDS[:1])
    assert checker(RECORDS) == full_cell_issues(RECORDS)
    assert children() == before


def test_an_unused_child_is_stopped_and_reaped_and_closing_twice_is_harmless() -> None:
    before = children()
    checker = PreloadedCellChecker()
    assert children() - before, "the child was not started"
    checker.close()
    checker.close()
    assert children() == before


@pytest.fixture
def taxonomy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CATALOG_TAXONOMY", str(SHARED_TAXONOMY))
    monkeypatch.setenv("CATALOG_DATA_DIR", str(tmp_path / "var"))


def run_main(arguments: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        status = cli.main(arguments)
    return status, out.getvalue()


@pytest.mark.usefixtures("taxonomy")
def test_catalog_validate_reports_the_same_with_and_without_the_child(monkeypatch: pytest.MonkeyPatch) -> None:
    arguments = ["validate", "--offline", str(SAMPLES / "catalogue-exemple.csv"), "--format", "json"]
    before = children()
    status, preloaded = run_main(arguments)
    assert children() == before
    monkeypatch.setattr(preload.os, "cpu_count", lambda: 1)  # one CPU: no child, the check runs in-process
    assert preload.start_cell_checker() is None
    in_process_status, in_process = run_main(arguments)
    assert status == in_process_status == cli.EXIT_ISSUES
    found, expected = json.loads(preloaded), json.loads(in_process)
    assert found["issues"] == expected["issues"]
    assert any(i["code"] == "price.format" for i in found["issues"])


@pytest.mark.usefixtures("taxonomy")
@pytest.mark.parametrize("arguments", [
    ["validate", "no-such-file.csv"],
    ["validate", "--help"],
    ["validate", "--no-such-option", "x.csv"],
    ["validate", "--offline", str(SAMPLES / "template.csv"), "--kind", "bulk"],
], ids=["missing file", "help", "usage error", "bulk file"])
def test_no_child_is_left_behind_however_validate_ends(arguments: list[str]) -> None:
    before = children()
    with contextlib.suppress(SystemExit):  # --help exits through argparse
        run_main(arguments)
    assert children() == before
