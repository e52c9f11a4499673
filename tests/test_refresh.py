"""The nightly refresh of registered feeds, on a real loopback HTTPS feed server that sends ETag and
Last-Modified and answers 304, against SQLite and PostgreSQL."""

from __future__ import annotations

import email
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from email import policy
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from catalog import refresh
from catalog.sellers import load_sellers_file
from catalog.settings import Settings
from catalog.store import Store
from taxonomy import Taxonomy
from tests.support_servers import LoopbackServer, jpeg_bytes
from tests.test_feed_reader import item, rss

SELLERS = """
sellers:
  - id: atelier-dupont
    name: Atelier Dupont SARL
    email: vendeur@atelier-dupont.example
    vat_number: FR40303265045
    default_shipping: Colissimo
    currency: EUR
  - id: lumiere-bureau
    name: Lumière et Bureau SAS
    email: catalogue@lumiere-bureau.example
    vat_number: FR44732829320
    default_shipping: DPD Predict
    currency: EUR
"""

TOOLS = [
    ("P-1", "Perceuse visseuse sans fil 18 V avec deux batteries", "perceuse visseuse"),
    ("P-2", "Scie sauteuse pendulaire 650 W avec guide laser", "scie sauteuse"),
    ("P-3", "Ponceuse orbitale 300 W avec aspiration intégrée", "ponceuse orbitale"),
    ("P-4", "Meuleuse d'angle 125 mm 900 W avec poignée latérale", "meuleuse d'angle"),
]


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    from catalog.net.taxonomy_file import default_taxonomy
    from catalog.settings import load_settings
    from tests.conftest import SHARED_TAXONOMY

    return default_taxonomy(replace(load_settings(None), taxonomy=SHARED_TAXONOMY))


def body(name: str) -> str:
    return (f"<p>Cette {name} robuste est pensée pour les artisans : moteur puissant, poignée "
            f"confortable, livrée en coffret avec ses accessoires. Garantie deux ans, pièces disponibles."
            f" Idéale sur les chantiers comme à l'atelier, elle se range facilement.</p>")


@dataclass
class Shop:
    """A seller's shop that publishes its feed on the loopback server, with its product images."""

    server: LoopbackServer
    path: str = "/flux/atelier.xml"
    version: int = 0

    def publish(self, products: list[tuple[str, str, str]], *, prices: dict[str, str] | None = None,
                etag: bool = True) -> str:
        items = []
        for gid, title, name in products:
            image = self.server.add(f"/img/{gid}.jpg", jpeg_bytes(400, 400), content_type="image/jpeg")
            items.append(item(gid, title=title, description=escape(body(name)), image_link=image,
                              price=(prices or {}).get(gid, "49.90 EUR")))
        self.version += 1
        tag = f'"v{self.version}"' if etag else None
        modified = f"Wed, 02 Dec 2026 0{self.version % 10}:00:00 GMT" if etag else None
        return self.server.add(self.path, rss(*items).encode(), content_type="application/xml", etag=tag,
                               last_modified=modified)

    def feed_hits(self) -> int:
        return self.server.hits(self.path)

    def image_hits(self, gid: str) -> int:
        return self.server.hits(f"/img/{gid}.jpg")


@pytest.fixture
def store(db_url: str, allowed: Settings, tmp_path: Path) -> Iterator[Store]:
    sellers = tmp_path / "sellers.yaml"
    sellers.write_text(SELLERS, encoding="utf-8")
    with Store.open(db_url) as opened:
        opened.upsert_sellers(load_sellers_file(sellers))
        yield opened


@pytest.fixture
def shop(server: LoopbackServer) -> Shop:
    return Shop(server)


def run(store: Store, settings: Settings, taxonomy: Taxonomy, feed_id: int, **options) -> refresh.FeedOutcome:
    return refresh.refresh_feed(store, settings, feed_id, taxonomy=taxonomy, **options)


def outbox(settings: Settings) -> list[Path]:
    return sorted(settings.outbox.glob("*.eml")) if settings.outbox.is_dir() else []


def pending(store: Store) -> list:
    return store.list_moderation(status="pending")


def approve_all(store: Store) -> None:
    store.approve([i.id for i in pending(store)], by="ops")


def test_an_unchanged_feed_costs_one_conditional_request(store: Store, allowed: Settings, taxonomy: Taxonomy,
                                                         shop: Shop) -> None:
    url = shop.publish(TOOLS)
    feed = store.add_feed("atelier-dupont", "catalogue", url)
    first = run(store, allowed, taxonomy, feed.id)
    assert first.outcome == "changed" and first.added == 4 and first.refused == 0, first
    refresh.email_sellers(store, allowed, [first])
    queue, mails, hits = len(pending(store)), len(outbox(allowed)), len(shop.server.requests)
    assert queue == 4 and mails == 1

    second = run(store, allowed, taxonomy, feed.id)
    assert second.outcome == "unchanged" and second.not_modified and second.run_id is None
    assert refresh.email_sellers(store, allowed, [second]) == []
    assert len(shop.server.requests) == hits + 1, "one request, nothing else (no image)"
    last = shop.server.requests[-1]
    assert last.headers.get("If-None-Match") == '"v1"' and last.headers.get("If-Modified-Since")
    assert len(pending(store)) == queue and len(outbox(allowed)) == mails
    assert store.get_feed(feed.id).last_outcome == "unchanged"


def test_a_server_without_validators_costs_one_download_and_nothing_else(store: Store, allowed: Settings,
                                                                         taxonomy: Taxonomy, shop: Shop) -> None:
    url = shop.publish(TOOLS, etag=False)
    feed = store.add_feed("atelier-dupont", "catalogue", url)
    run(store, allowed, taxonomy, feed.id)
    runs = len(store.list_runs())
    second = run(store, allowed, taxonomy, feed.id)
    assert second.outcome == "unchanged" and not second.not_modified
    assert len(store.list_runs()) == runs and shop.image_hits("P-1") == 1


def test_a_price_change_stages_one_update_and_fetches_only_that_products_image(
        store: Store, allowed: Settings, taxonomy: Taxonomy, shop: Shop) -> None:
    feed = store.add_feed("atelier-dupont", "catalogue", shop.publish(TOOLS))
    run(store, allowed, taxonomy, feed.id)
    approve_all(store)
    images_before = {gid: shop.image_hits(gid) for gid, _, _ in TOOLS}

    shop.publish(TOOLS, prices={"P-2": "44.90 EUR"})
    changed = run(store, allowed, taxonomy, feed.id)
    assert (changed.outcome, changed.added, changed.updated, changed.unchanged) == ("changed", 0, 1, 3), changed
    [update] = pending(store)
    assert (update.handle, update.action) == ("p-2", "update")
    after = {gid: shop.image_hits(gid) for gid, _, _ in TOOLS}
    assert {gid for gid in after if after[gid] != images_before[gid]} <= {"P-2"}
    report = store.get_run(changed.run_id).report
    assert report["summary"]["unchanged"] == 3
    assert [i["code"] for i in report["issues"]].count("product.unchanged") == 3


def test_a_dropped_product_is_staged_for_unpublishing_never_deleted(store: Store, allowed: Settings,
                                                                    taxonomy: Taxonomy, shop: Shop) -> None:
    feed = store.add_feed("atelier-dupont", "catalogue", shop.publish(TOOLS))
    run(store, allowed, taxonomy, feed.id)
    approve_all(store)
    shop.publish(TOOLS[:3])
    outcome = run(store, allowed, taxonomy, feed.id)
    assert (outcome.outcome, outcome.unpublished, outcome.unchanged) == ("changed", 1, 3)
    [item_] = pending(store)
    assert (item_.handle, item_.action) == ("p-4", "unpublish")
    assert store.live_product("atelier-dupont", "p-4") is not None, "live until ops approve the unpublish"
    store.approve([item_.id], by="ops")
    assert store.live_product("atelier-dupont", "p-4") is None
    assert store.product_id("atelier-dupont", "p-4") is not None, "unpublished, not deleted"


def test_an_emptied_feed_unpublishes_nothing_until_removals_are_allowed(store: Store, allowed: Settings,
                                                                        taxonomy: Taxonomy, shop: Shop) -> None:
    feed = store.add_feed("atelier-dupont", "catalogue", shop.publish(TOOLS))
    run(store, allowed, taxonomy, feed.id)
    approve_all(store)
    shop.publish([])
    held = run(store, allowed, taxonomy, feed.id)
    assert held.outcome == "held" and held.unpublished == 0 and held.held_removals == 4
    assert held.issue is not None and held.issue.code == "feed.mass_removal"
    assert pending(store) == []
    emails = refresh.email_sellers(store, allowed, [held])
    message = email.message_from_bytes(emails[0].path.read_bytes(), policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    assert "aucun n'est retiré de la vente" in text and "none is taken off sale" in text

    again = run(store, allowed, taxonomy, feed.id)
    assert again.outcome == "held", "a held refresh keeps no validators: the next one says it again"
    confirmed = run(store, allowed, taxonomy, feed.id, allow_removals=True)
    assert confirmed.outcome == "changed" and confirmed.unpublished == 4
    assert sorted(i.handle for i in pending(store) if i.action == "unpublish") == ["p-1", "p-2", "p-3", "p-4"]


def test_a_big_share_gone_is_held_but_new_products_are_still_staged(store: Store, allowed: Settings,
                                                                    taxonomy: Taxonomy, shop: Shop) -> None:
    feed = store.add_feed("atelier-dupont", "catalogue", shop.publish(TOOLS))
    run(store, allowed, taxonomy, feed.id)
    approve_all(store)
    new = ("P-9", "Marteau perforateur SDS plus 800 W avec coffret", "marteau perforateur")
    shop.publish([TOOLS[0], new])
    outcome = run(store, allowed, taxonomy, feed.id)
    assert outcome.outcome == "held" and outcome.added == 1 and outcome.held_removals == 3
    assert [(i.handle, i.action) for i in pending(store)] == [("p-9", "create")]


def test_a_dead_feed_fails_alone_and_keeps_its_last_good_state(store: Store, allowed: Settings, taxonomy: Taxonomy,
                                                               shop: Shop, server: LoopbackServer) -> None:
    good = store.add_feed("atelier-dupont", "catalogue", shop.publish(TOOLS))
    lamps = Shop(server, path="/flux/lampes.xml")
    dead = store.add_feed("lumiere-bureau", "lampes", lamps.publish(
        [("L-1", "Lampe de bureau LED orientable avec variateur", "lampe de bureau")]))
    run(store, allowed, taxonomy, dead.id)
    before = store.get_feed(dead.id)
    server.add("/flux/lampes.xml", b"erreur interne", status=500, content_type="text/plain")

    outcomes = [run(store, allowed, taxonomy, f.id) for f in refresh.select_feeds(store)]
    by_name = {o.feed_name: o for o in outcomes}
    assert by_name["catalogue"].outcome == "changed" and by_name["catalogue"].added == 4
    failed = by_name["lampes"]
    assert failed.outcome == "failed" and failed.issue.code == "feed.fetch_failed"
    after = store.get_feed(dead.id)
    assert (after.etag, after.content_hash, after.last_good_at) == (before.etag, before.content_hash,
                                                                     before.last_good_at)
    assert after.consecutive_failures == 1 and after.last_outcome == "failed"
    assert store.get_run(failed.run_id).report_status == "rejected"
    assert [i.handle for i in pending(store) if i.seller == "lumiere-bureau"] == ["l-1"], "nothing unpublished"
    del good


def test_one_email_per_seller_covering_all_their_feeds(store: Store, allowed: Settings, taxonomy: Taxonomy,
                                                       shop: Shop, server: LoopbackServer) -> None:
    first = store.add_feed("atelier-dupont", "outils", shop.publish(TOOLS[:2]))
    other = Shop(server, path="/flux/jardin.xml")
    second = store.add_feed("atelier-dupont", "jardin", other.publish(TOOLS[2:]))
    broken = store.add_feed("atelier-dupont", "cassé", server.add("/flux/vide.xml", b"<rss><channel>",
                                                                  content_type="application/xml"))
    outcomes = [run(store, allowed, taxonomy, f.id) for f in (first, second, broken)]
    emails = refresh.email_sellers(store, allowed, outcomes)
    assert [e.seller_id for e in emails] == ["atelier-dupont"] and len(outbox(allowed)) == 1
    message = email.message_from_bytes(emails[0].path.read_bytes(), policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    assert "outils" in text and "jardin" in text and "cassé" in text and "n'est pas un XML valide" in text
    assert {store.get_run(o.run_id).email_status for o in outcomes} == {"outbox"}


def test_two_refreshes_at_once_stage_nothing_twice(store: Store, allowed: Settings, taxonomy: Taxonomy,
                                                   shop: Shop) -> None:
    feed = store.add_feed("atelier-dupont", "catalogue", shop.publish(TOOLS))
    results: list[refresh.FeedOutcome] = []
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def go() -> None:
        start.wait()
        try:
            results.append(run(store, allowed, taxonomy, feed.id, offline=True))
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=go) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sum(o.added for o in results) == 4
    assert sorted(o.outcome for o in results).count("changed") == 1
    assert sorted(i.handle for i in pending(store)) == ["p-1", "p-2", "p-3", "p-4"]
    again = run(store, allowed, taxonomy, feed.id, offline=True)
    assert again.outcome == "unchanged" and len(pending(store)) == 4


def test_a_full_csv_sent_again_stages_nothing(store: Store, allowed: Settings, taxonomy: Taxonomy,
                                              tmp_path: Path) -> None:
    from catalog import ingest
    from tests.support_csv import good_product, write_csv

    rows = [good_product(f"outil-{i}", Title=title, **{"Body (HTML)": body(name)})
            for i, (_, title, name) in enumerate(TOOLS[:2])]
    path = write_csv(tmp_path / "catalogue.csv", rows)
    for expected in (2, 0):
        report = ingest.validate_for_seller(path, allowed, store, "atelier-dupont", offline=True, taxonomy=taxonomy)
        run_id = ingest.open_run(store, path, "atelier-dupont")
        assert len(ingest.stage_accepted(store, report, "atelier-dupont", run_id)) == expected
    assert report.summary()["unchanged"] == 2 and len(pending(store)) == 2


def test_removal_plan() -> None:
    live = [(f"p-{i}", True, False) for i in range(10)]
    assert refresh.plan_removals(live, {f"p-{i}" for i in range(7)}, share=0.3, allow_removals=False).unpublish == [
        "p-7", "p-8", "p-9"]
    held = refresh.plan_removals(live, {f"p-{i}" for i in range(6)}, share=0.3, allow_removals=False)
    assert held.unpublish == [] and len(held.keep) == 4 and held.held is not None
    assert refresh.plan_removals(live, set(), share=0.3, allow_removals=True).unpublish == [h for h, _, _ in live]
    elsewhere = [("p-1", True, True), ("p-2", True, False)]
    assert refresh.plan_removals(elsewhere, {"p-2"}, share=0.3, allow_removals=False).unpublish == []
    never_live = [("p-1", False, False)]
    assert refresh.plan_removals(never_live, set(), share=0.3, allow_removals=False).unpublish == ["p-1"]


def test_the_content_hash_ignores_where_a_product_sits_and_sees_what_it_says() -> None:
    from decimal import Decimal

    from catalog.domain.model import Image, Product, Variant
    from catalog.domain.serialize import content_hash

    def product(row: int, price: str = "49.90", raw: str = "49.90") -> Product:
        return Product("perceuse", rows=[row], title="Perceuse", images=[Image("https://img.example/a.jpg", row=row)],
                       variants=[Variant(row=row, sku="P-1", price=Decimal(price), raw={"Variant Price": raw})])

    assert content_hash(product(2)) == content_hash(product(40, raw="49,90"))
    assert content_hash(product(2)) != content_hash(product(2, price="44.90"))
    assert content_hash(product(2)) != content_hash(product(2), "another price rule")


@pytest.mark.parametrize("raw", ["1.5", "-0.1", "nan", "trente"])
def test_the_removal_share_is_a_share(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from catalog.domain.errors import CatalogError
    from catalog.settings import load_settings

    monkeypatch.setenv("CATALOG_FEED_REMOVAL_SHARE", raw)
    with pytest.raises(CatalogError, match="CATALOG_FEED_REMOVAL_SHARE"):
        load_settings(None)
