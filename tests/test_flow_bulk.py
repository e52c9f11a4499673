"""`catalog ingest` of a bulk file runs the ingest-bulk-csv flow on Prefect's test server: applied, reported,
emailed through a real SMTP server with the annotated file, ops told of another seller's variant."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support_bulk import OTHER, SELLER, live_catalog, read_rows, write_rows
from support_smtp import smtp_server

from catalog.cli import main
from catalog.settings import load_settings
from catalog.store import Store


@pytest.fixture(scope="module", autouse=True)
def prefect_server() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


def test_ingest_recognises_a_bulk_file_and_runs_its_flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    with smtp_server(tmp_path) as smtp:
        smtp.configure(monkeypatch)
        monkeypatch.setenv("CATALOG_OPS_EMAIL", "ops@marketplace.example")
        with Store.open(load_settings().db_url) as store:
            live_catalog(store)
        assert main(["bulk", "export", "--seller", OTHER, "--out", str(tmp_path / "theirs")]) == 0
        assert main(["bulk", "export", "--seller", SELLER, "--out", str(tmp_path / "export")]) == 0
        rows = read_rows(tmp_path / "export" / "seller_products_quantity_and_price.csv")
        theirs = read_rows(tmp_path / "theirs" / "seller_products_quantity_and_price.csv")
        rows[1][4] = "42"
        rows.append(theirs[1])
        path = write_rows(tmp_path / "stock-decembre.csv", rows)
        capsys.readouterr()

        assert main(["ingest", str(path), "--seller", SELLER]) == 1  # the other seller's row is an error
        out = capsys.readouterr().out
        assert "applied now: 1 variants" in out and "email: sent" in out

        assert main(["bulk", "export", "--seller", SELLER, "--out", str(tmp_path / "after")]) == 0
        after = read_rows(tmp_path / "after" / "seller_products_quantity_and_price.csv")
        assert after[1][4] == "42" and after[2:] == rows[2:-1]
        with Store.open(load_settings().db_url) as store:
            [run] = [r for r in store.list_runs(SELLER) if r.kind == "bulk"]
        assert (run.status, run.report_status, run.email_status) == ("done", "partial", "sent")
        assert run.report is not None and run.report["products"][0]["changes"] == {"Variant Qty": ["5", "42"]}

        to_seller = [m for m in smtp.messages if f"vendeur@{SELLER}.example" in m.rcpt_tos]
        [report] = to_seller
        names = [part.get_filename() for part in report.message.iter_attachments()]
        assert "stock-decembre.annote.csv" in names
        [alert] = [m for m in smtp.messages if m.message["X-Catalog-Alert"] == "bulk.not_owner"]
        assert alert.rcpt_tos == ["ops@marketplace.example"]
