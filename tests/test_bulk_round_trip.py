"""The bulk file end to end on SQLite and PostgreSQL: export, edit as a spreadsheet does, dry run, submit,
export again; ownership, held prices, concurrent submits and a crash mid-submit."""

from __future__ import annotations

import email
import json
import threading
import time
from email import policy
from pathlib import Path

import pytest
from support_bulk import OTHER, SELLER, Catalog, live_catalog, read_rows, write_rows

from catalog.cli import main
from catalog.domain.bulk import BulkEdit
from catalog.ingest_bulk import submit_bulk
from catalog.settings import load_settings
from catalog.store import Store


@pytest.fixture
def world(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Catalog:
    monkeypatch.setenv("CATALOG_DB_URL", db_url)
    monkeypatch.setenv("CATALOG_OPS_EMAIL", "ops@marketplace.example")
    with Store.open(db_url) as store:
        return live_catalog(store)


def export(tmp_path: Path, name: str, seller: str = SELLER) -> list[list[str]]:
    out = tmp_path / name
    assert main(["bulk", "export", "--seller", seller, "--out", str(out)]) == 0
    [path] = sorted(out.iterdir())
    assert path.name == "seller_products_quantity_and_price.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbfProduct ID,Variant ID,Product Title,")
    return read_rows(path)


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = main([*args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def outbox(tmp_path: Path) -> list[email.message.EmailMessage]:
    folder = tmp_path / "var" / "outbox"
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)  # type: ignore[misc]
            for p in sorted(folder.glob("*.eml"))] if folder.is_dir() else []


def test_export_edit_validate_submit_and_export_again_shows_exactly_the_edits(
        world: Catalog, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = export(tmp_path, "before")
    assert before[0] == ["Product ID", "Variant ID", "Product Title", "Variant SKU", "Variant Qty", "Variant Price"]
    assert [row[1] for row in before[1:]] == [str(world.variants[(h, i)]) for h in
                                              ("perceuse-18v", "scie-sauteuse", "ponceuse") for i in (0, 1)]
    assert before[1] == [str(world.products["perceuse-18v"]), str(world.variants[("perceuse-18v", 0)]),
                         "Perceuse visseuse 18V", "perceuse-18v-0", "5", "49.90"]
    edited = [row[:] for row in before]
    edited[1][5] = "44.90"  # price
    edited[2][4] = "12"  # quantity
    edited[4][3] = "SCIE-B"  # SKU
    edited[5][2] = "Ponceuse orbitale 300 W avec aspiration"  # title (its product's other row keeps the old one)

    semicolons = write_rows(tmp_path / "semicolons.csv", edited, delimiter=";")
    code, report = run_json(capsys, "bulk", "validate", str(semicolons), "--seller", SELLER)
    assert code == 1 and report["status"] == "rejected"
    assert [i["code"] for i in report["issues"]] == ["structure.delimiter"]
    assert main(["bulk", "submit", str(semicolons), "--seller", SELLER]) == 1
    capsys.readouterr()
    assert export(tmp_path, "after-semicolons") == before

    commas = write_rows(tmp_path / "modifs.csv", edited)
    code, report = run_json(capsys, "bulk", "validate", str(commas), "--seller", SELLER)
    assert code == 0 and report["kind"] == "bulk" and report["status"] == "accepted"
    changes = {v["variant_id"]: v["changes"] for v in report["products"]}
    assert changes == {
        edited[1][1]: {"Variant Price": ["49.90", "44.90"]},
        edited[2][1]: {"Variant Qty": ["6", "12"]},
        edited[3][1]: {},
        edited[4][1]: {"Variant SKU": ["scie-sauteuse-1", "SCIE-B"]},
        edited[5][1]: {"Product Title": ["Ponceuse orbitale 300 W", "Ponceuse orbitale 300 W avec aspiration"]},
        edited[6][1]: {},
    }
    unchanged = [i for i in report["issues"] if i["code"] == "product.unchanged"]
    assert sorted(i["row"] for i in unchanged) == [4, 7]
    assert export(tmp_path, "after-dry-run") == before

    code, report = run_json(capsys, "bulk", "submit", str(commas), "--seller", SELLER)
    assert code == 0 and {v["variant_id"]: v["changes"] for v in report["products"]} == changes
    after = export(tmp_path, "after-submit")
    expected = [row[:] for row in before]
    expected[1][5], expected[2][4], expected[4][3] = "44.90", "12", "SCIE-B"
    assert after == expected  # the title waits for moderation: the approved one stays live

    with Store.open(load_settings().db_url) as store:
        [item] = store.list_moderation(status="pending")
        assert (item.action, item.handle, item.source) == ("update", "ponceuse", "modifs.csv")
    rejected_email, seller_email = outbox(tmp_path)  # the file re-saved with semicolons, then this one
    assert "fichier refusé" in rejected_email["Subject"]
    assert seller_email["To"].addresses[0].addr_spec == f"vendeur@{SELLER}.example"
    annotated = next(p for p in seller_email.iter_attachments() if p.get_filename().endswith(".annote.csv"))
    header = annotated.get_content().splitlines()[0]
    assert header.endswith("Variant Price,Statut,Erreurs")

    assert main(["moderation", "approve", str(item.id)]) == 0
    expected[5][2] = expected[6][2] = "Ponceuse orbitale 300 W avec aspiration"
    assert export(tmp_path, "after-approval") == expected


def test_another_sellers_variant_is_untouched_and_reported_to_ops(
        world: Catalog, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    theirs = export(tmp_path, "theirs", seller=OTHER)
    rows = export(tmp_path, "mine")
    rows.append([theirs[1][0], theirs[1][1], "Marteau", "VOLE-1", "0", "1.00"])
    rows[1][4] = "7"
    path = write_rows(tmp_path / "avec-intrus.csv", rows)
    code, report = run_json(capsys, "bulk", "submit", str(path), "--seller", SELLER)
    assert code == 1 and report["status"] == "partial"
    [refused] = [v for v in report["products"] if v["status"] == "refused"]
    assert refused == {"variant_id": theirs[1][1], "rows": [8], "status": "refused", "codes": ["bulk.not_owner"]}
    assert export(tmp_path, "theirs-after", seller=OTHER) == theirs
    assert export(tmp_path, "mine-after")[1][4] == "7"  # the seller's own rows still apply
    alerts = [m for m in outbox(tmp_path) if m["To"].addresses[0].addr_spec == "ops@marketplace.example"]
    [alert] = [m for m in alerts if m["X-Catalog-Alert"] == "bulk.not_owner"]
    assert SELLER in alert["Subject"]
    assert f"Variant ID {theirs[1][1]}" in alert.get_body(("plain",)).get_content()


def test_a_price_times_ten_is_held_then_applied_on_approval(
        world: Catalog, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = export(tmp_path, "before")
    rows[1][5] = "499.00"  # ×10
    rows[3][5] = "16.00"  # ÷3.1
    rows[5][5] = "149.70"  # ×3 exactly: not more than the factor, applied
    code, report = run_json(capsys, "bulk", "submit", str(write_rows(tmp_path / "prix.csv", rows)),
                            "--seller", SELLER)
    assert code == 0 and report["status"] == "accepted"
    held = [i for i in report["issues"] if i["code"] == "price.suspicious_change"]
    assert [(i["row"], i["severity"], i["column"]) for i in held] == [(2, "warning", "Variant Price"),
                                                                       (4, "warning", "Variant Price")]
    assert "49.90" in held[0]["message"]["fr"] and "499.00" in held[0]["message"]["fr"]
    after = export(tmp_path, "after")
    assert (after[1][5], after[3][5], after[5][5]) == ("49.90", "49.90", "149.70")

    with Store.open(load_settings().db_url) as store:
        items = store.list_moderation(status="pending")
    assert [item.action for item in items] == ["price", "price"]
    capsys.readouterr()
    assert main(["moderation", "show", str(items[0].id)]) == 0
    shown = capsys.readouterr().out
    assert "· price · pending" in shown and "price [perceuse-18v-0]: '49.90' -> '499.00'" in shown
    assert main(["moderation", "approve", str(items[0].id)]) == 0
    assert main(["moderation", "reject", str(items[1].id), "--reason", "Prix de 16 € trop bas pour ce modèle"]) == 0
    capsys.readouterr()
    after = export(tmp_path, "after-decisions")
    assert (after[1][5], after[3][5]) == ("499.00", "49.90")
    [rejection] = [m for m in outbox(tmp_path) if "Prix de 16" in m.get_body(("plain",)).get_content()]
    text = rejection.get_body(("plain",)).get_content()
    assert "nouveau prix refusé" in rejection["Subject"]
    assert "16.00 au lieu de 49.90" in text and "Le prix reste à 49.90" in text


def test_two_submits_at_once_both_apply_one_after_the_other(world: Catalog, tmp_path: Path) -> None:
    rows = export(tmp_path, "before")
    first, second = [row[:] for row in rows], [row[:] for row in rows]
    first[1][4] = "7"  # both change the same quantity: the second must see the first's value as the old one
    first[3][5] = "39.90"
    second[1][4] = "9"
    second[5][3] = "PONCEUSE-A"
    paths = [write_rows(tmp_path / "premier.csv", first), write_rows(tmp_path / "second.csv", second)]
    settings = load_settings()
    inside = threading.Event()
    reports: dict[str, object] = {}
    failures: list[BaseException] = []

    def hold_the_lock(edit: BulkEdit) -> None:
        inside.set()
        time.sleep(0.3)  # the other submit starts meanwhile and must wait for this one to commit

    def submit(path: Path, hook: object) -> None:
        try:
            with Store.open(settings.db_url) as store:
                reports[path.name], _ = submit_bulk(path, settings, store, SELLER, None,
                                                    on_applied=hook)  # type: ignore[arg-type]
        except BaseException as err:  # surfaced below
            failures.append(err)

    one = threading.Thread(target=submit, args=(paths[0], hold_the_lock))
    one.start()
    assert inside.wait(30)
    two = threading.Thread(target=submit, args=(paths[1], None))
    two.start()
    one.join(60)
    two.join(60)
    assert not failures
    later = reports["second.csv"]
    changed = {p.variant_id: p.changes for p in later.products if p.changes}  # type: ignore[attr-defined]
    assert changed == {rows[1][1]: {"Variant Qty": ["7", "9"]}, rows[3][1]: {"Variant Price": ["39.90", "49.90"]},
                       rows[5][1]: {"Variant SKU": ["ponceuse-0", "PONCEUSE-A"]}}
    after = export(tmp_path, "after")
    assert (after[1][4], after[3][5], after[5][3]) == ("9", "49.90", "PONCEUSE-A")


def test_a_crash_mid_submit_applies_nothing(world: Catalog, tmp_path: Path) -> None:
    rows = export(tmp_path, "before")
    edited = [row[:] for row in rows]
    edited[1][4], edited[2][5], edited[3][5] = "0", "59.90", "499.00"
    edited[5][2] = "Ponceuse orbitale 300 W neuve"
    path = write_rows(tmp_path / "modifs.csv", edited)
    settings = load_settings()
    seen: list[int] = []

    def crash_after_two(edit: BulkEdit) -> None:
        seen.append(edit.variant_id)
        if len(seen) == 3:
            raise RuntimeError("worker killed")

    with Store.open(settings.db_url) as store, pytest.raises(RuntimeError):
        submit_bulk(path, settings, store, SELLER, None, on_applied=crash_after_two)
    assert export(tmp_path, "after") == rows
    with Store.open(settings.db_url) as store:
        assert store.list_moderation(status="pending") == []
    with Store.open(settings.db_url) as store:
        _, applied = submit_bulk(path, settings, store, SELLER, None)
    assert len(applied.applied) == 2 and len(applied.held) == 1 and len(applied.titles) == 1


def test_export_since_a_date_and_split_into_files_of_2000_rows(world: Catalog, tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from reports.bulk_export import write_export

    today = datetime.now(UTC).date()
    assert len(export(tmp_path, "all")) == 7
    out = tmp_path / "tomorrow"
    assert main(["bulk", "export", "--seller", SELLER, "--since", str(today + timedelta(days=1)),
                 "--out", str(out)]) == 0
    assert read_rows(out / "seller_products_quantity_and_price.csv") == [read_rows(tmp_path / "all" / (
        "seller_products_quantity_and_price.csv"))[0]]
    assert main(["bulk", "export", "--seller", SELLER, "--since", "le 3 mars", "--out", str(out)]) == 2
    with Store.open(load_settings().db_url) as store:
        rows = store.bulk_export(SELLER, today)
    paths = write_export(rows, tmp_path / "split", limit=4)
    assert [p.name for p in paths] == ["seller_products_quantity_and_price_1.csv",
                                       "seller_products_quantity_and_price_2.csv"]
    assert [len(read_rows(p)) for p in paths] == [5, 3]


def test_a_pending_full_csv_update_keeps_its_content_and_never_rolls_a_bulk_offer_back(
        world: Catalog, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from decimal import Decimal

    from support_bulk import product

    with Store.open(load_settings().db_url) as store:
        update = product("perceuse-18v", "Perceuse visseuse 18V", price="59.90")
        update.body_html = "<p>Nouvelle description.</p>"
        run = store.start_run(SELLER, "full", "mise-a-jour.csv", "1" * 64)
        store.stage_products(SELLER, run, [update], "mise-a-jour.csv")
    rows = export(tmp_path, "before")
    rows[1][4] = "3"  # quantity of the product's first variant
    rows[2][2] = "Perceuse visseuse 18V compacte"  # and a new title
    code, _ = run_json(capsys, "bulk", "submit", str(write_rows(tmp_path / "modifs.csv", rows)), "--seller", SELLER)
    assert code == 0
    with Store.open(load_settings().db_url) as store:
        [item] = store.list_moderation(status="pending")
        assert (item.action, item.source) == ("update", "modifs.csv")
        [superseded] = store.list_moderation(status="superseded")
        assert superseded.source == "mise-a-jour.csv"
        store.approve([item.id], by="ops")
        [live] = [p for p in store.live_products(SELLER) if p.handle == "perceuse-18v"]
    assert live.title == "Perceuse visseuse 18V compacte" and live.body_html == "<p>Nouvelle description.</p>"
    assert [(v.inventory_qty, v.price) for v in live.variants] == [(3, Decimal("59.90")), (6, Decimal("59.90"))]
