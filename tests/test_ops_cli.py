"""Ops at volume through `catalog.cli.main`: the moderation queue, one item's changes, decisions on many ids,
import runs; and the command helping itself (bare command, --version, a help text on every option).

Store parts run on SQLite and PostgreSQL (`db_url`); rejection emails go to a real loopback SMTP server.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from importlib.metadata import version

import pytest
from support_smtp import SmtpServer

from catalog.cli import build_parser, main
from catalog.domain.changes import version_changes
from catalog.domain.model import Image, Product, Variant
from catalog.domain.sellers import Seller
from catalog.store import Store

DUPONT = Seller(id="atelier-dupont", name="Atelier Dupont SARL", email="vendeur@atelier-dupont.example",
                cc=("compta@atelier-dupont.example",), vat_number="FR40303265045", default_shipping="Colissimo")
MARTIN = Seller(id="quincaillerie-martin", name="Quincaillerie Martin", email="contact@martin.example",
                vat_number="FR40303265045", default_shipping="Colissimo")


def drill(handle: str, title: str, *, price: str = "49.90", images: tuple[str, ...] = ("face",),
          skus: tuple[str, ...] = ("PV-18",)) -> Product:
    return Product(
        handle=handle, rows=[2], title=title, body_html="<p>Perceuse visseuse sans fil, deux batteries.</p>",
        type="Perceuses", tags="Perceuses", option_names=("Couleur",), currency="EUR",
        images=[Image(src=f"https://img.example/{handle}-{view}.jpg", alt=f"vue {view}", row=2) for view in images],
        variants=[Variant(row=2 + i, options=(f"coloris {i}",), sku=sku, inventory_qty=5, price=Decimal(price))
                  for i, sku in enumerate(skus)],
    )


def stage(store: Store, seller: str, *products: Product, source: str = "catalogue.csv") -> list[int]:
    run_id = store.start_run(seller, "full", source, "0" * 64)
    return store.stage_products(seller, run_id, list(products), source)


@pytest.fixture
def store(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("CATALOG_DB_URL", db_url)
    opened = Store.open(db_url)
    opened.upsert_sellers([DUPONT, MARTIN])
    yield opened
    opened.close()


def out(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    captured = capsys.readouterr()
    return captured.out, captured.err


# ---- The queue ----------------------------------------------------------------------------------------


def test_list_has_a_header_line_titles_and_filters_by_action(store: Store, capsys) -> None:
    (live,) = stage(store, DUPONT.id, drill("perceuse-18v", "Perceuse visseuse 18V"))
    store.approve([live], "ops")
    (update,) = stage(store, DUPONT.id, drill("perceuse-18v", "Perceuse visseuse 18V, deux batteries"))
    (create,) = stage(store, MARTIN.id, drill("marteau", "Marteau de charpentier 600 g"))
    capsys.readouterr()

    assert main(["moderation", "list", "--status", "pending"]) == 0
    lines = out(capsys)[0].splitlines()
    assert lines[0].split() == ["ID", "STATUS", "ACTION", "SELLER", "SUBMITTED", "(UTC)", "SOURCE", "HANDLE",
                                "TITLE"]
    assert len(lines) == 3
    assert lines[1].split()[:4] == [str(update), "pending", "update", DUPONT.id]
    assert lines[1].endswith("Perceuse visseuse 18V, deux batteries")
    assert lines[2].endswith("Marteau de charpentier 600 g")

    assert main(["moderation", "list", "--action", "update", "--format", "json"]) == 0
    [entry] = json.loads(out(capsys)[0])
    assert entry == {"id": update, "seller": DUPONT.id, "handle": "perceuse-18v",
                     "title": "Perceuse visseuse 18V, deux batteries", "action": "update", "status": "pending",
                     "source": "catalogue.csv", "submitted_at": entry["submitted_at"]}
    assert main(["moderation", "list", "--action", "create", "--status", "pending", "--format", "json"]) == 0
    assert [e["id"] for e in json.loads(out(capsys)[0])] == [create]
    assert main(["moderation", "list", "--action", "price"]) == 0
    assert out(capsys)[0].strip() == "no moderation item matches these filters"


def test_an_unpublish_item_is_listed_with_the_live_title(store: Store, capsys) -> None:
    store.approve(stage(store, DUPONT.id, drill("perceuse-18v", "Perceuse visseuse 18V")), "ops")
    run_id = store.start_run(DUPONT.id, "feed", "flux.xml", "1" * 64)
    (down,) = store.stage_unpublish(DUPONT.id, run_id, ["perceuse-18v"], "flux.xml")
    capsys.readouterr()
    assert main(["moderation", "list", "--action", "unpublish", "--format", "json"]) == 0
    [entry] = json.loads(out(capsys)[0])
    assert (entry["id"], entry["title"]) == (down, "Perceuse visseuse 18V")
    assert main(["moderation", "show", str(down)]) == 0
    text = out(capsys)[0]
    assert "Change: takes the product down" in text and "Variants (live):" in text


# ---- One item -----------------------------------------------------------------------------------------


def test_show_says_what_an_update_changes_against_the_live_version(store: Store, capsys) -> None:
    store.approve(stage(store, DUPONT.id, drill("perceuse-18v", "Perceuse visseuse 18V")), "ops")
    newer = drill("perceuse-18v", "Perceuse visseuse 18V, deux batteries", price="44.9", images=("face", "dos"),
                  skus=("PV-18", "PV-18-XL"))
    (update,) = stage(store, DUPONT.id, newer, source="mise-a-jour.csv")
    capsys.readouterr()

    assert main(["moderation", "show", str(update), "--format", "json"]) == 0
    detail = json.loads(out(capsys)[0])
    assert (detail["seller"], detail["seller_name"], detail["action"]) == (DUPONT.id, DUPONT.name, "update")
    assert detail["title"] == "Perceuse visseuse 18V, deux batteries"
    assert [v["price"] for v in detail["proposed"]["variants"]] == ["44.9", "44.9"]
    assert [v["price"] for v in detail["live"]["variants"]] == ["49.90"]
    changes = {(c["field"], c["of"]): (c["live"], c["proposed"]) for c in detail["changes"]}
    assert changes == {
        ("title", None): ("Perceuse visseuse 18V", "Perceuse visseuse 18V, deux batteries"),
        ("images", None): (["https://img.example/perceuse-18v-face.jpg"],
                           ["https://img.example/perceuse-18v-face.jpg", "https://img.example/perceuse-18v-dos.jpg"]),
        ("price", "PV-18"): ("49.90", "44.9"),
        ("variant", "PV-18-XL"): (None, "PV-18-XL"),
    }

    assert main(["moderation", "show", str(update)]) == 0
    text = out(capsys)[0]
    assert text.startswith(f"Item {update} · update · pending\nSeller:    atelier-dupont (Atelier Dupont SARL)")
    assert "PV-18 (coloris 0): 44.9 EUR, quantity 5" in text
    assert "https://img.example/perceuse-18v-dos.jpg  (alt: vue dos)" in text
    assert "Changes against the live version (4):" in text
    assert "  price [PV-18]: '49.90' -> '44.9'" in text
    assert "  images: added https://img.example/perceuse-18v-dos.jpg" in text
    assert "  variant [PV-18-XL]: added" in text


def test_show_of_a_creation_and_of_an_unknown_item(store: Store, capsys) -> None:
    (create,) = stage(store, MARTIN.id, drill("marteau", "Marteau de charpentier 600 g"))
    capsys.readouterr()
    assert main(["moderation", "show", str(create)]) == 0
    assert "Change: a new product (nothing is live yet)." in out(capsys)[0]
    assert main(["moderation", "show", "9999"]) == 2
    stdout, stderr = out(capsys)
    assert stdout == ""
    assert stderr == "catalog: error: moderation item 9999 does not exist (see: catalog moderation list)\n"


def test_a_price_only_update_shows_one_change(store: Store, capsys) -> None:
    store.approve(stage(store, DUPONT.id, drill("perceuse-18v", "Perceuse visseuse 18V", price="49.9")), "ops")
    (same,) = stage(store, DUPONT.id, drill("perceuse-18v", "Perceuse visseuse 18V", price="49.90"))
    (cheaper,) = stage(store, DUPONT.id, drill("perceuse-18v", "Perceuse visseuse 18V", price="39.90"))
    detail = store.moderation_detail(cheaper)
    assert [(c.field, c.of, c.live, c.proposed) for c in detail.changes] == [("price", "PV-18", "49.9", "39.90")]
    assert store.moderation_detail(same).changes == [], "49.9 and 49.90 are the same price"


def test_changes_match_variants_by_id_and_name_removals_reorders_and_alt_texts() -> None:
    live = drill("p", "Perceuse", images=("face", "dos"), skus=("A", "B"))
    for variant_id, variant in zip(("7", "8"), live.variants, strict=True):
        variant.variant_id = variant_id
    proposed = drill("p", "Perceuse", images=("dos", "face"), skus=("A-2",))
    proposed.variants[0].variant_id = "7"
    proposed.images[0].alt = "vue arrière"
    assert [(c.field, c.of, c.live, c.proposed) for c in version_changes(live, proposed)] == [
        ("images", None, ["https://img.example/p-face.jpg", "https://img.example/p-dos.jpg"],
         ["https://img.example/p-dos.jpg", "https://img.example/p-face.jpg"]),
        ("alt", "https://img.example/p-dos.jpg", "vue dos", "vue arrière"),
        ("sku", "A-2", "A", "A-2"),
        ("variant", "B", "B", None),
    ]
    assert version_changes(None, proposed) == [] and version_changes(live, None) == []


# ---- Decisions on many ids ----------------------------------------------------------------------------


def test_approve_skips_what_cannot_be_decided_and_approves_the_rest(store: Store, capsys) -> None:
    a, b, c = stage(store, DUPONT.id, *(drill(h, f"Perceuse {h}", skus=(f"SKU-{h}",)) for h in "abc"))
    store.approve([b], "ops")
    capsys.readouterr()
    assert main(["moderation", "approve", str(a), str(b), "9999", str(c), "--by", "marie"]) == 1
    stdout, stderr = out(capsys)
    assert stdout.splitlines() == [
        f"{a}\tapproved\tatelier-dupont\ta",
        f"{b}\tskipped\tmoderation item {b} is approved, not pending: nothing to decide",
        "9999\tskipped\tmoderation item 9999 does not exist",
        f"{c}\tapproved\tatelier-dupont\tc",
    ]
    assert stderr == "catalog: 2 of 4 skipped, 2 approved\n"
    assert {i.handle for i in store.list_moderation(status="approved")} == {"a", "b", "c"}
    assert store.get_moderation(a).decided_by == "marie"
    assert store.live_product(DUPONT.id, "c").title == "Perceuse c"


def test_approve_every_pending_item_of_one_seller(store: Store, capsys) -> None:
    dupont = stage(store, DUPONT.id, *(drill(h, f"Perceuse {h}", skus=(f"SKU-{h}",)) for h in "abc"))
    (martin,) = stage(store, MARTIN.id, drill("marteau", "Marteau de charpentier 600 g"))
    capsys.readouterr()
    assert main(["moderation", "approve", "--seller", DUPONT.id, "--all-pending"]) == 0
    assert [line.split("\t")[:2] for line in out(capsys)[0].splitlines()] == [[str(i), "approved"] for i in dupont]
    assert [i.id for i in store.list_moderation(status="pending")] == [martin]
    assert main(["moderation", "approve", "--seller", DUPONT.id, "--all-pending"]) == 0
    assert out(capsys)[0] == "nothing pending for seller atelier-dupont\n"


@pytest.mark.parametrize("args", [
    ["moderation", "approve"],
    ["moderation", "approve", "--all-pending"],
    ["moderation", "approve", "--seller", "atelier-dupont"],
    ["moderation", "approve", "1", "--seller", "atelier-dupont", "--all-pending"],
    ["moderation", "approve", "--seller", "inconnu", "--all-pending"],
    ["moderation", "reject", "1", "--reason", "   "],
])
def test_decisions_that_cannot_run_exit_2_with_one_line(store: Store, capsys, args: list[str]) -> None:
    (item,) = stage(store, DUPONT.id, drill("perceuse-18v", "Perceuse visseuse 18V"))
    capsys.readouterr()
    assert main([a.replace("1", str(item)) if a == "1" else a for a in args]) == 2
    stdout, stderr = out(capsys)
    assert stdout == "" and len(stderr.splitlines()) == 1 and stderr.startswith("catalog: error: ")
    assert store.get_moderation(item).status == "pending"


def test_reject_several_ids_with_one_reason_emails_each_seller(store: Store, smtp: SmtpServer,
                                                               monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    smtp.configure(monkeypatch)
    a, b = stage(store, DUPONT.id, *(drill(h, f"Perceuse {h}", skus=(f"SKU-{h}",)) for h in "ab"))
    (m,) = stage(store, MARTIN.id, drill("marteau", "Marteau de charpentier 600 g"))
    store.approve([b], "ops")
    capsys.readouterr()
    reason = "Photo floue : merci d'envoyer une photo nette."
    assert main(["moderation", "reject", str(a), str(b), str(m), "--reason", reason, "--by", "marie"]) == 1
    stdout, stderr = out(capsys)
    lines = stdout.splitlines()
    assert lines[:3] == [f"{a}\trejected\tatelier-dupont\ta", f"{b}\tskipped\tmoderation item {b} is approved, "
                         "not pending: nothing to decide", f"{m}\trejected\tquincaillerie-martin\tmarteau"]
    assert [line.split("\t")[:2] for line in lines[3:]] == [[str(a), "email"], [str(m), "email"]]
    assert stderr == "catalog: 1 of 3 skipped, 2 rejected\n"
    assert [(i.id, i.reason, i.decided_by) for i in store.list_moderation(status="rejected")] == [
        (a, reason, "marie"), (m, reason, "marie")]
    received = {tuple(sorted(r.rcpt_tos)): r.message for r in smtp.messages}
    assert set(received) == {("compta@atelier-dupont.example", "vendeur@atelier-dupont.example"),
                             ("contact@martin.example",)}
    for message in received.values():
        assert "Photo floue" in message.get_body(("plain",)).get_content()
    assert "marteau" in received[("contact@martin.example",)]["Subject"]


def test_each_decision_is_its_own_transaction(store: Store) -> None:
    a, b = stage(store, DUPONT.id, *(drill(h, f"Perceuse {h}", skus=(f"SKU-{h}",)) for h in "ab"))
    decisions = store.approve_each([a, a, 9999, b], "ops")
    assert [(d.item_id, d.item is not None) for d in decisions] == [(a, True), (9999, False), (b, True)]
    assert store.pending_ids(DUPONT.id) == []
    (c,) = stage(store, DUPONT.id, drill("c", "Perceuse c", skus=("SKU-c",)))
    assert [d.item.status for d in store.reject_each([c], "Photo floue", "ops")] == ["rejected"]


# ---- Import runs --------------------------------------------------------------------------------------


def test_runs_list_has_dates_counts_and_json(store: Store, capsys) -> None:
    run_id = store.start_run(DUPONT.id, "full", "catalogue-mars.csv", "2" * 64)
    store.stage_products(DUPONT.id, run_id, [drill("a", "Perceuse a", skus=("SKU-a",))], "catalogue-mars.csv")
    summary = {"rows": 3, "products": 2, "accepted": 1, "refused": 1, "errors": 1, "warnings": 0, "infos": 0}
    store.finish_run(run_id, report_status="partial", report_json={"summary": summary}, report_dir=None)
    store.set_email_status(run_id, "sent")
    other = store.start_run(MARTIN.id, "full", "vide.csv", "3" * 64)
    capsys.readouterr()

    assert main(["runs", "list"]) == 0
    lines = out(capsys)[0].splitlines()
    assert lines[0].split() == ["ID", "SELLER", "KIND", "STARTED", "(UTC)", "FINISHED", "(UTC)", "STATUS", "REPORT",
                                "PRODUCTS", "ACCEPTED", "REFUSED", "STAGED", "EMAIL", "SOURCE"]
    first = lines[1].split()
    assert first[:3] == [str(run_id), DUPONT.id, "full"] and first[-8:] == [
        "done", "partial", "2", "1", "1", "1", "sent", "catalogue-mars.csv"]
    assert lines[2].split()[-8:] == ["running", "-", "-", "-", "-", "0", "pending", "vide.csv"]

    assert main(["runs", "list", "--seller", DUPONT.id, "--format", "json"]) == 0
    [entry] = json.loads(out(capsys)[0])
    assert {k: entry[k] for k in ("id", "seller", "status", "report_status", "products", "accepted", "refused",
                                  "staged", "email_status")} == {
        "id": run_id, "seller": DUPONT.id, "status": "done", "report_status": "partial", "products": 2,
        "accepted": 1, "refused": 1, "staged": 1, "email_status": "sent"}
    assert entry["started_at"].endswith("+00:00") and entry["finished_at"].endswith("+00:00")
    assert main(["runs", "list", "--seller", MARTIN.id, "--failed-email"]) == 0
    assert out(capsys)[0] == "no import run matches\n"
    assert other


# ---- A command that helps itself ----------------------------------------------------------------------


@pytest.mark.parametrize("args", [[], ["moderation"], ["runs"], ["taxonomy"], ["sellers"]])
def test_a_bare_command_prints_its_help(args: list[str], capsys) -> None:
    assert main(args) == 0
    stdout, stderr = out(capsys)
    assert stderr == ""
    assert stdout.startswith("usage: catalog" + "".join(f" {a}" for a in args) + " [-h]")
    if not args:
        assert all(name in stdout for name in ("validate", "ingest", "moderation", "runs", "--version"))


def test_version_comes_from_the_package_metadata(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert out(capsys)[0] == f"catalog {version('catalog-ingestion')}\n"


def _parsers(parser: argparse.ArgumentParser, path: str = "catalog"):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _parsers(child, f"{path} {name}")


def test_every_option_and_argument_has_a_help_text() -> None:
    missing = [f"{path}: {action.dest}" for path, parser in _parsers(build_parser())
               for action in parser._actions
               if not isinstance(action, argparse._SubParsersAction) and not (action.help or "").strip()]
    assert missing == []
    commands = [path for path, _ in _parsers(build_parser())]
    assert {"catalog moderation show", "catalog runs list"} <= set(commands)
