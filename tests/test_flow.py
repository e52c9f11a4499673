"""The ingest-full-csv flow on real parts: Prefect's test server, an HTTPS image server, an SMTP server, SQLite."""

from __future__ import annotations

import csv
import email
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from pathlib import Path

import pytest
from support_servers import LoopbackServer, https_server, jpeg_bytes, loopback_env
from support_smtp import SmtpServer, smtp_server, unused_port

from catalog import ingest
from catalog.cli import main
from catalog.settings import load_settings
from catalog.store import Store
from pipelines.runtime import CONSOLE_LEVEL
from tests.support_csv import GOOD_BODY, good_product, write_csv

SELLERS = """
sellers:
  - id: atelier-dupont
    name: Atelier Dupont SARL
    email: vendeur@atelier-dupont.example
    cc: [compta@atelier-dupont.example]
    vat_number: FR40303265045
    default_shipping: Colissimo
    currency: EUR
  - id: sans-tva
    name: Boutique sans TVA
    email: contact@sans-tva.example
    default_shipping: Colissimo
"""


@pytest.fixture(scope="module", autouse=True)
def prefect_server() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@dataclass
class World:
    images: LoopbackServer
    smtp: SmtpServer
    csv: Path
    tmp: Path

    def store(self) -> Store:
        return Store.open(load_settings().db_url)


def catalogue(server: LoopbackServer, tmp: Path, *, broken_phone: bool = True) -> Path:
    rows = []
    for handle, title in (("perceuse-visseuse-18v", "Perceuse visseuse sans fil 18V avec deux batteries"),
                          ("scie-sauteuse-650w", "Scie sauteuse 650 W avec guide laser et coffret")):
        url = server.add(f"/produits/{handle}.jpg", jpeg_bytes(400, 400), content_type="image/jpeg")
        body = GOOD_BODY if handle.startswith("perceuse") else GOOD_BODY.replace("perceuse visseuse", "scie sauteuse")
        rows.append(good_product(handle, Title=title, **{"Image Src": url, "Variant SKU": f"SKU-{handle}",
                                                         "Body (HTML)": body}))
    url = server.add("/produits/ponceuse.jpg", jpeg_bytes(400, 400), content_type="image/jpeg")
    phone = "<p>Commandez par téléphone au 06 12 34 56 78.</p>" if broken_phone else ""
    rows.append(good_product("ponceuse-orbitale", Title="Ponceuse orbitale 300 W avec aspiration intégrée",
                             **{"Image Src": url, "Variant SKU": "SKU-ponceuse",
                                "Body (HTML)": GOOD_BODY.replace("perceuse visseuse", "ponceuse") + phone}))
    return write_csv(tmp / "catalogue-mars.csv", rows)


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with https_server() as images, smtp_server(tmp_path) as smtp:
        for key, value in loopback_env(images, tmp_path).items():
            monkeypatch.setenv(key, value)
        smtp.configure(monkeypatch)
        monkeypatch.setenv("CATALOG_OPS_EMAIL", "ops@marketplace.example")
        sellers = tmp_path / "sellers.yaml"
        sellers.write_text(SELLERS, encoding="utf-8")
        assert main(["sellers", "load", str(sellers)]) == 0
        yield World(images, smtp, catalogue(images, tmp_path), tmp_path)


def run_flow(world: World) -> ingest.IngestOutcome:
    from pipelines.ingest_full_csv import ingest_full_csv

    return ingest_full_csv(str(world.csv), "atelier-dupont")


def test_the_seller_gets_one_email_and_good_products_wait_for_moderation(world: World):
    outcome = run_flow(world)
    assert outcome.report.status == "partial"
    assert outcome.email_status == "sent"
    [received] = world.smtp.messages
    assert set(received.rcpt_tos) == {"vendeur@atelier-dupont.example", "compta@atelier-dupont.example",
                                      "ops@marketplace.example"}
    attachments = {part.get_filename(): part.get_content() for part in received.message.iter_attachments()}
    annotated = next(v for k, v in attachments.items() if k.endswith(".annote.csv"))
    assert "Statut" in annotated and "Refusé" in annotated and "06 12 34 56 78" in annotated
    assert all(world.images.hits(f"/produits/{h}.jpg") == 1 for h in ("perceuse-visseuse-18v", "scie-sauteuse-650w"))

    with world.store() as store:
        pending = store.list_moderation(status="pending")
        run = store.get_run(outcome.run_id)
    assert sorted(item.handle for item in pending) == ["perceuse-visseuse-18v", "scie-sauteuse-650w"]
    assert all(item.action == "create" for item in pending)
    assert run.email_status == "sent" and run.report_status == "partial"
    assert Path(outcome.files["html"]).is_file() and Path(outcome.files["json"]).is_file()


def test_sending_the_same_file_twice_stages_nothing_new(world: World):
    first = run_flow(world)
    second = run_flow(world)
    with world.store() as store:
        pending = store.list_moderation(status="pending")
        superseded = store.list_moderation(status="superseded")
    assert sorted(item.handle for item in pending) == ["perceuse-visseuse-18v", "scie-sauteuse-650w"]
    assert {item.import_run_id for item in pending} == {first.run_id}
    assert superseded == [] and second.staged == []
    assert second.report.summary()["unchanged"] == 2
    assert {r.handle for r in second.report.products if r.unchanged} == {"perceuse-visseuse-18v",
                                                                          "scie-sauteuse-650w"}
    assert len(world.smtp.messages) == 2


def test_approve_then_reject_an_update_keeps_the_approved_version_live(world: World, capsys):
    run_flow(world)
    with world.store() as store:
        first = {i.handle: i.id for i in store.list_moderation(status="pending")}
    assert main(["moderation", "approve", str(first["perceuse-visseuse-18v"]), "--by", "ops-marie"]) == 0

    updated = good_product("perceuse-visseuse-18v", Title="Perceuse visseuse sans fil 18V, version 2024",
                           **{"Image Src": world.images.url("/produits/perceuse-visseuse-18v.jpg"),
                              "Variant SKU": "SKU-perceuse-visseuse-18v"})
    world.csv = write_csv(world.tmp / "mise-a-jour.csv", [updated])
    run_flow(world)
    with world.store() as store:
        [update] = [i for i in store.list_moderation(status="pending") if i.handle == "perceuse-visseuse-18v"]
    assert update.action == "update"
    assert main(["moderation", "reject", str(update.id), "--reason", "Photo floue, merci d'en envoyer une nette.",
                 "--by", "ops-marie"]) == 0
    with world.store() as store:
        live = store.live_product("atelier-dupont", "perceuse-visseuse-18v")
        [rejected] = store.list_moderation(status="rejected")
    assert live.title == "Perceuse visseuse sans fil 18V avec deux batteries"
    assert rejected.id == update.id
    rejection = world.smtp.messages[-1].message
    assert "Photo floue" in rejection.get_body(("plain",)).get_content()
    assert "vendeur@atelier-dupont.example" in world.smtp.messages[-1].rcpt_tos


def test_smtp_down_keeps_staging_and_report_and_the_email_can_be_resent(world: World, monkeypatch, capfd):
    monkeypatch.setenv("CATALOG_SMTP_PORT", str(unused_port()))
    outcome = run_flow(world)
    assert "Traceback" not in capfd.readouterr().err
    assert outcome.email_status == "failed" and outcome.email_error
    assert any("EMAIL FAILED" in line for line in outcome.summary_lines())
    with world.store() as store:
        assert len(store.list_moderation(status="pending")) == 2
        run = store.get_run(outcome.run_id)
        assert run.email_status == "failed" and run.report_status == "partial"
        assert [r.id for r in store.runs_with_failed_email()] == [outcome.run_id]
    assert Path(outcome.files["annotated"]).is_file()
    assert world.smtp.messages == []

    world.smtp.configure(monkeypatch)
    assert main(["runs", "resend-email", str(outcome.run_id)]) == 0
    [received] = world.smtp.messages
    assert "catalogue-mars" in received.message["Subject"]
    with world.store() as store:
        assert store.get_run(outcome.run_id).email_status == "sent"


def test_a_crash_while_staging_leaves_nothing_and_running_again_finishes(world: World):
    settings = load_settings()
    with world.store() as store:
        run_id = ingest.open_run(store, world.csv, "atelier-dupont")
        report = ingest.validate_for_seller(world.csv, settings, store, "atelier-dupont")
        products = [r.product for r in report.accepted]
        staged: list[str] = []

        def crash_after_first(product, item_id):
            staged.append(product.handle)
            if len(staged) == 2:
                raise OSError("disk full")

        with pytest.raises(OSError):
            store.stage_products("atelier-dupont", run_id, products, report.source, on_staged=crash_after_first)
        assert store.list_moderation() == []
    outcome = run_flow(world)
    with world.store() as store:
        pending = store.list_moderation(status="pending")
    assert sorted(i.handle for i in pending) == ["perceuse-visseuse-18v", "scie-sauteuse-650w"]
    assert len(outcome.staged) == 2


def attached(message: email.message.EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_payload(decode=True) for part in message.iter_attachments()}


def test_a_seller_without_vat_is_told_what_the_account_lacks_and_nothing_is_staged(world: World):
    from pipelines.ingest_full_csv import ingest_full_csv

    outcome = ingest_full_csv(str(world.csv), "sans-tva")
    assert outcome.report.status == "rejected"
    assert [i.code for i in outcome.report.issues] == ["seller.not_ready"]
    [received] = world.smtp.messages
    assert received.rcpt_tos[0] == "contact@sans-tva.example"
    text = received.message.get_body(("plain",)).get_content()
    assert "COMPTE VENDEUR INCOMPLET" in text and "numéro de TVA intracommunautaire" in text
    assert "Configuration > Configuration des factures" in text
    assert "doit être corrigé" not in text and "Corrigez" not in text
    files = attached(received.message)
    assert list(files) == ["catalogue-mars.rapport.html"], "no annotated file: the file was not read"
    page = files["catalogue-mars.rapport.html"].decode()
    assert "Compte vendeur incomplet" in page and "Corrigez les erreurs du fichier" not in page
    with world.store() as store:
        assert store.list_moderation() == []


def test_the_command_line_says_an_account_problem_at_once(world: World, capfd):
    assert main(["ingest", str(world.csv), "--seller", "sans-tva"]) == 2
    err = capfd.readouterr().err.strip()
    assert err.startswith("catalog: error: seller sans-tva cannot import yet: the account lacks EU VAT number")
    assert "Configuration > Invoice configuration" in err and "Nothing was run" in err
    assert "\n" not in err
    with world.store() as store:
        assert store.list_runs(seller="sans-tva") == []
    assert world.smtp.messages == []


def test_the_annotated_file_sent_back_as_it_is_imports_with_the_fixes(world: World):
    outcome = run_flow(world)
    [first] = world.smtp.messages
    files = attached(first.message)
    assert sorted(files) == ["catalogue-mars.annote.csv", "catalogue-mars.rapport.html"]
    annotated = files["catalogue-mars.annote.csv"].decode("utf-8-sig")
    assert "06 12 34 56 78" in annotated and outcome.report.summary()["refused"] == 1
    # The seller fixes the refused row in place and sends the same file back, Statut and Erreurs included.
    fixed = world.tmp / "catalogue-mars.annote.csv"
    fixed.write_bytes(annotated.replace("<p>Commandez par téléphone au 06 12 34 56 78.</p>", "").encode("utf-8-sig"))
    world.csv = fixed
    again = run_flow(world)
    assert [(i.code, str(i.severity)) for i in again.report.issues if i.code.startswith("structure.")] == [
        ("structure.report_columns", "info")]
    assert again.report.status == "accepted", [(i.code, i.message.fr) for i in again.report.issues if i.is_error]
    assert again.report.summary()["accepted"] == 3
    with world.store() as store:
        assert "ponceuse-orbitale" in {i.handle for i in store.list_moderation(status="pending")}


def test_a_french_excel_file_gets_both_problems_and_a_converted_copy_to_send_back(world: World):
    text = world.csv.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows[0][0] = "handle"
    rows[1][1] += " – 129 € l’œuvre"
    sheet = io.StringIO()
    csv.writer(sheet, delimiter=";", lineterminator="\r\n").writerows(rows)
    excel = world.tmp / "catalogue-excel.csv"
    excel.write_bytes(sheet.getvalue().encode("cp1252"))
    world.csv = excel
    outcome = run_flow(world)
    assert [i.code for i in outcome.report.issues] == ["encoding.not_utf8", "structure.delimiter",
                                                       "structure.header_slip"]
    assert "Windows-1252" in outcome.report.issues[0].message.fr
    assert "ISO-8859-1" not in outcome.report.issues[0].message.fr, "€ ’ œ are Windows-1252 bytes"
    assert "« handle » → « Handle »" in outcome.report.issues[2].message.fr
    files = attached(world.smtp.messages[0].message)
    assert sorted(files) == ["catalogue-excel.rapport.html", "catalogue-excel.utf8.csv"]
    body = world.smtp.messages[0].message.get_body(("plain",)).get_content()
    assert "« catalogue-excel.utf8.csv » est votre fichier converti en UTF-8" in body
    converted = world.tmp / "catalogue-excel.utf8.csv"
    converted.write_bytes(files["catalogue-excel.utf8.csv"])
    assert "129 € l’œuvre" in converted.read_text(encoding="utf-8-sig")
    world.csv = converted
    again = run_flow(world)
    assert not again.report.file_rejected and again.report.summary()["accepted"] == 2


def test_outbox_mode_writes_an_eml(world: World, monkeypatch):
    monkeypatch.delenv("CATALOG_SMTP_HOST")
    outcome = run_flow(world)
    assert outcome.email_status == "outbox" and outcome.email_path is not None
    message = email.message_from_bytes(outcome.email_path.read_bytes(), policy=policy.default)
    assert "vendeur@atelier-dupont.example" in message["To"]
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == ["catalogue-mars.rapport.html", "catalogue-mars.annote.csv"]
    [page] = [part for part in message.iter_attachments() if part.get_content_type() == "text/html"]
    assert page.get_content().startswith("<!DOCTYPE html>") and 'id="resume"' in page.get_content()


def test_the_flow_runs_on_postgresql_too(world: World, monkeypatch: pytest.MonkeyPatch, request):
    url = request.getfixturevalue("pg_database")
    monkeypatch.setenv("CATALOG_DB_URL", url)
    sellers = world.tmp / "sellers.yaml"
    assert main(["sellers", "load", str(sellers)]) == 0
    outcome = run_flow(world)
    run_flow(world)
    with Store.open(url) as store:
        pending = store.list_moderation(status="pending")
        assert store.get_run(outcome.run_id).email_status == "sent"
    assert sorted(item.handle for item in pending) == ["perceuse-visseuse-18v", "scie-sauteuse-650w"]


def test_a_process_killed_while_staging_leaves_nothing_and_the_flow_then_finishes(world: World):
    """A real death mid-transaction: a child process stages with a hook that exits hard after one product."""
    import textwrap

    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from catalog import ingest
        from catalog.settings import load_settings
        from catalog.store import Store

        settings = load_settings()
        with Store.open(settings.db_url) as store:
            path = Path({str(world.csv)!r})
            run_id = ingest.open_run(store, path, "atelier-dupont")
            report = ingest.validate_for_seller(path, settings, store, "atelier-dupont", offline=True)
            products = [r.product for r in report.accepted]
            assert len(products) == 2
            store.stage_products("atelier-dupont", run_id, products, report.source,
                                 on_staged=lambda product, item_id: os._exit(9) if product is products[-1] else None)
    """)
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert child.returncode == 9, child.stderr
    with world.store() as store:
        assert store.list_moderation() == []
    outcome = run_flow(world)
    with world.store() as store:
        assert sorted(i.handle for i in store.list_moderation(status="pending")) == [
            "perceuse-visseuse-18v", "scie-sauteuse-650w"]
    assert len(outcome.staged) == 2


class Terminal(io.StringIO):
    """A stderr that says it is a terminal, as when ops run `catalog ingest` by hand."""

    def isatty(self) -> bool:
        return True


def test_ingest_on_a_terminal_shows_the_image_progress_as_validate_does(world: World, monkeypatch):
    from prefect.settings import PREFECT_API_URL

    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())  # the harness's server, as a deployment has
    monkeypatch.setenv(CONSOLE_LEVEL, "WARNING")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["ingest", str(world.csv), "--seller", "atelier-dupont"]) == 1
    assert "Images : 3/3\n" in terminal.getvalue()


def test_ingest_hides_prefect_info_lines_unless_verbose(world: World):
    """The console script, as ops run it: its own summary on stdout, Prefect's INFO lines only with --verbose."""
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_HOME": str(world.tmp / "prefect")}
    env.pop(CONSOLE_LEVEL, None)
    command = [str(Path(sys.executable).parent / "catalog"), "ingest", str(world.csv), "--seller", "atelier-dupont",
               "--offline"]
    quiet = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert quiet.returncode == 1, quiet.stderr
    assert quiet.stdout.startswith("Run ") and "staged for moderation: 2" in quiet.stdout
    assert quiet.stderr == ""
    loud = subprocess.run([*command, "--verbose"], env=env, capture_output=True, text=True, timeout=300, check=False)
    assert loud.returncode == 1, loud.stderr
    assert "| INFO    | Flow run" in loud.stderr and "Finished in state Completed()" in loud.stderr
    assert loud.stdout.startswith("Run ")


def _ingest_in_a_child(world: World, slow_image: str) -> tuple[subprocess.Popen[str], int]:
    """`catalog ingest` of the world's file in another process, on this test's Prefect server, caught while it
    downloads `slow_image` (the run is open, nothing is staged yet); returns the process and its run id."""
    from prefect.settings import get_current_settings

    env = {**os.environ, "PREFECT_API_URL": str(get_current_settings().api.url)}
    child = subprocess.Popen([sys.executable, "-m", "catalog.cli", "ingest", str(world.csv), "--seller",
                              "atelier-dupont"], cwd=Path(__file__).resolve().parent.parent, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 240
    while world.images.hits(slow_image) == 0:
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            pytest.fail(f"the ingest never reached the image: {child.communicate()[0][-2000:]}")
        time.sleep(0.05)
    with world.store() as store:
        [run] = store.list_runs()
    assert run.status == "running"
    return child, run.id


def _slow_catalogue(world: World) -> str:
    url = world.images.add("/produits/lente.jpg", jpeg_bytes(400, 400), content_type="image/jpeg", delay=60)
    rows = [good_product("perceuse-visseuse-18v", **{"Image Src": url})]
    world.csv = write_csv(world.tmp / "catalogue-lent.csv", rows)
    return "/produits/lente.jpg"


def test_an_ingest_killed_outright_is_crashed_and_ingesting_the_file_again_resumes_its_run(world: World, capsys):
    slow = _slow_catalogue(world)
    child, run_id = _ingest_in_a_child(world, slow)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=60)
    assert main(["runs", "list", "--format", "json"]) == 0  # the next command to open the store sees it gone
    [entry] = json.loads(capsys.readouterr().out)
    assert (entry["status"], entry["email_status"], entry["crashes"]) == ("crashed", "failed", 1)

    world.images.add(slow, jpeg_bytes(400, 400), content_type="image/jpeg")
    outcome = run_flow(world)
    assert outcome.run_id == run_id and len(outcome.staged) == 1
    with world.store() as store:
        run = store.get_run(run_id)
        assert (run.status, run.email_status, run.crashes) == ("done", "sent", 1)
        assert [r.id for r in store.list_runs()] == [run_id]
    assert main(["runs", "list"]) == 0
    assert " done (resumed after 1 crash) " in capsys.readouterr().out


def test_an_ingest_stopped_by_sigterm_marks_its_run_crashed_itself(world: World):
    child, run_id = _ingest_in_a_child(world, _slow_catalogue(world))
    child.send_signal(signal.SIGTERM)
    output = child.communicate(timeout=120)[0]
    with Store.open(load_settings().db_url) as store:
        run = store.get_run(run_id)
    assert run.status == "crashed", output[-2000:]
    assert "flow run" in run.error  # the flow's on_crashed hook, not the next store opening, closed it
