"""Images checked once, not every run: the store remembers each URL's check, on SQLite and PostgreSQL.

Every test counts the requests a real loopback HTTPS server receives: a second run downloads
nothing, a stale entry costs one conditional request (a 304, no bytes), a changed image is
inspected again, a bad image is always asked again, a failure is never remembered.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support_servers import LoopbackServer, image_bytes, jpeg_bytes, loopback_env

from catalog import ingest
from catalog.domain.errors import CatalogError
from catalog.domain.location import Location
from catalog.domain.sellers import Seller
from catalog.net.image_cache import CachedImage
from catalog.net.images import ImageRef, check_image_urls, issues_for
from catalog.settings import Settings, load_settings
from catalog.store import Store
from catalog.store.image_checks import StoredImageChecks
from tests.support_csv import good_product, write_csv
from validators.images import ImageFault, ImageInfo

CATALOG = Path(sys.executable).parent / "catalog"
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 02 Dec 2026 08:00:00 GMT"
DAY_ONE = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def refs(*urls: str) -> list[ImageRef]:
    return [ImageRef(url, at=Location(n, "Image Src"), product=f"p{n}") for n, url in enumerate(urls, start=2)]


def downloads(server: LoopbackServer) -> int:
    """Requests answered with a body (a 304 sends none)."""
    return sum(1 for r in server.requests if "If-None-Match" not in r.headers
               and "If-Modified-Since" not in r.headers)


def test_a_second_run_downloads_nothing(server: LoopbackServer, allowed: Settings, store: Store) -> None:
    a = server.add("/a.jpg", jpeg_bytes(800, 600), content_type="image/jpeg", etag=ETAG)
    b = server.add("/b.png", image_bytes("PNG", 40, 40), content_type="image/png", last_modified=LAST_MODIFIED)
    cache = ingest.image_cache(store)
    first = check_image_urls(refs(a, b, a), allowed, cache=cache, now=DAY_ONE)
    assert len(server.requests) == 2 and {o.origin for o in first.values()} == {"download"}
    second = check_image_urls(refs(a, b), allowed, cache=cache, now=DAY_ONE + timedelta(days=6))
    assert len(server.requests) == 2, "nothing asked again within CATALOG_IMAGE_RECHECK_DAYS"
    assert (second[a].origin, second[a].width, second[a].height, second[a].format) == ("cache", 800, 600, "JPEG")
    assert [i.code for i in issues_for(second[b], refs(b)[0])] == ["image.too_small"]


def test_a_stale_entry_costs_one_conditional_request(server: LoopbackServer, allowed: Settings,
                                                     store: Store) -> None:
    a = server.add("/a.jpg", jpeg_bytes(), content_type="image/jpeg", etag=ETAG)
    b = server.add("/b.jpg", jpeg_bytes(), content_type="image/jpeg", last_modified=LAST_MODIFIED)
    cache = StoredImageChecks(store)
    check_image_urls(refs(a, b), allowed, cache=cache, now=DAY_ONE)
    sent = sum(server.sent.values())
    later = DAY_ONE + timedelta(days=8)
    outcomes = check_image_urls(refs(a, b), allowed, cache=cache, now=later)
    assert server.hits("/a.jpg") == 2 and server.hits("/b.jpg") == 2
    assert downloads(server) == 2
    conditional = {r.path: r.headers for r in server.requests[2:]}
    assert conditional["/a.jpg"]["If-None-Match"] == ETAG
    assert conditional["/b.jpg"]["If-Modified-Since"] == LAST_MODIFIED
    assert sum(server.sent.values()) == sent, "a 304 sends no bytes"
    assert {o.origin for o in outcomes.values()} == {"not_modified"} and outcomes[a].ok
    # Confirmed unchanged: trusted again for another CATALOG_IMAGE_RECHECK_DAYS from then.
    assert cache.recall([a])[a].checked_at == later
    check_image_urls(refs(a, b), allowed, cache=cache, now=later + timedelta(days=1))
    assert len(server.requests) == 4


def test_a_changed_image_is_checked_again(server: LoopbackServer, allowed: Settings, store: Store) -> None:
    url = server.add("/photo.jpg", jpeg_bytes(600, 600), content_type="image/jpeg", etag=ETAG)
    cache = StoredImageChecks(store)
    check_image_urls(refs(url), allowed, cache=cache, now=DAY_ONE)
    server.add("/photo.jpg", jpeg_bytes(60, 60), content_type="image/jpeg", etag='"v2"')
    outcome = check_image_urls(refs(url), allowed, cache=cache, now=DAY_ONE + timedelta(days=8))[url]
    assert (outcome.origin, outcome.width, outcome.etag) == ("download", 60, '"v2"')
    assert cache.recall([url])[url].inspection == ImageInfo("JPEG", 60, 60)


def test_zero_days_asks_every_run(server: LoopbackServer, allowed: Settings, store: Store,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_IMAGE_RECHECK_DAYS", "0")
    url = server.add("/a.jpg", jpeg_bytes(), content_type="image/jpeg", etag=ETAG)
    settings = load_settings(None)
    cache = StoredImageChecks(store)
    check_image_urls(refs(url), settings, cache=cache)
    assert check_image_urls(refs(url), settings, cache=cache)[url].origin == "not_modified"
    assert server.hits("/a.jpg") == 2 and downloads(server) == 1


def test_a_bad_image_is_asked_again_every_run_and_a_fix_seen_at_once(server: LoopbackServer, allowed: Settings,
                                                                      store: Store) -> None:
    url = server.add("/photo.jpg", image_bytes("WEBP", 300, 300), content_type="image/webp", etag=ETAG)
    cache = StoredImageChecks(store)
    check_image_urls(refs(url), allowed, cache=cache, now=DAY_ONE)
    again = check_image_urls(refs(url), allowed, cache=cache, now=DAY_ONE + timedelta(hours=1))[url]
    assert again.origin == "not_modified" and isinstance(again.inspection, ImageFault)
    assert [i.code for i in issues_for(again, refs(url)[0])] == ["image.format"]
    server.add("/photo.jpg", jpeg_bytes(), content_type="image/jpeg", etag='"v2"')
    fixed = check_image_urls(refs(url), allowed, cache=cache, now=DAY_ONE + timedelta(hours=2))[url]
    assert fixed.ok and server.hits("/photo.jpg") == 3


def test_a_failed_download_is_never_remembered(server: LoopbackServer, allowed: Settings, store: Store) -> None:
    missing = server.url("/missing.jpg")
    cache = StoredImageChecks(store)
    check_image_urls(refs(missing), allowed, cache=cache, now=DAY_ONE)
    assert cache.recall([missing]) == {}
    server.add("/missing.jpg", jpeg_bytes(), content_type="image/jpeg")
    assert check_image_urls(refs(missing), allowed, cache=cache, now=DAY_ONE)[missing].ok


def test_a_lower_byte_limit_applies_to_what_was_remembered(server: LoopbackServer, allowed: Settings,
                                                          store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    url = server.add("/photo.jpg", jpeg_bytes(800, 800, noise=True), content_type="image/jpeg", etag=ETAG)
    cache = StoredImageChecks(store)
    first = check_image_urls(refs(url), allowed, cache=cache, now=DAY_ONE)[url]
    assert first.ok and cache.recall([url])[url].size == first.size > 10_000
    monkeypatch.setenv("CATALOG_MAX_IMAGE_BYTES", "10000")
    again = check_image_urls(refs(url), load_settings(None), cache=cache, now=DAY_ONE + timedelta(hours=1))[url]
    assert [i.code for i in issues_for(again, refs(url)[0])] == ["image.too_large"]
    assert "If-None-Match" not in server.requests[-1].headers


def test_an_image_without_validators_is_downloaded_again_once_stale(server: LoopbackServer, allowed: Settings,
                                                                    store: Store) -> None:
    url = server.add("/a.jpg", jpeg_bytes(), content_type="image/jpeg")
    cache = StoredImageChecks(store)
    check_image_urls(refs(url), allowed, cache=cache, now=DAY_ONE)
    check_image_urls(refs(url), allowed, cache=cache, now=DAY_ONE + timedelta(days=1))
    assert server.hits("/a.jpg") == 1
    assert check_image_urls(refs(url), allowed, cache=cache, now=DAY_ONE + timedelta(days=9))[url].origin == "download"
    assert downloads(server) == 2


def test_the_store_keeps_one_row_per_url_and_drops_oversized_validators(store: Store) -> None:
    cache = StoredImageChecks(store)
    url = "https://cdn.boutique.example/é/a.jpg?v=" + "x" * 3000
    cache.remember([CachedImage(url, ImageInfo("JPEG", 10, 10), DAY_ONE, etag='"' + "e" * 2000 + '"'),
                    CachedImage(url, ImageInfo("PNG", 300, 200), DAY_ONE, etag='"ok"')])
    cache.remember([CachedImage("https://x.example/b.jpg", ImageFault("image.corrupt", {"reason_fr": "tronqué",
                                                                                       "reason_en": "cut"}),
                                DAY_ONE, last_modified="x" * 100)])
    found = cache.recall([url, "https://x.example/b.jpg", "https://x.example/none.jpg"])
    assert found[url] == CachedImage(url, ImageInfo("PNG", 300, 200), DAY_ONE, '"ok"', None)
    assert found["https://x.example/b.jpg"].inspection == ImageFault("image.corrupt", {"reason_fr": "tronqué",
                                                                                       "reason_en": "cut"})
    assert found["https://x.example/b.jpg"].last_modified is None and len(found) == 2


def test_many_urls_and_two_runs_writing_at_once(db_url: str) -> None:
    """Past one batch of rows, and two runs (two connections) remembering overlapping URLs together."""
    urls = [f"https://cdn.boutique.example/p/{n}.jpg" for n in range(1300)]

    def write(part: list[str], width: int) -> None:
        with Store.open(db_url) as own:
            StoredImageChecks(own).remember([CachedImage(url, ImageInfo("JPEG", width, 300), DAY_ONE)
                                             for url in part])

    Store.open(db_url).close()  # the schema first: the two runs race on the rows, not on creating tables
    runs = [threading.Thread(target=write, args=(urls[:900], 300)),
            threading.Thread(target=write, args=(urls[400:], 400))]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=60)
    with Store.open(db_url) as store:
        found = StoredImageChecks(store).recall(urls)
    assert len(found) == 1300
    assert found[urls[0]].inspection.width == 300 and found[urls[-1]].inspection.width == 400


@pytest.mark.parametrize("raw", ["abc", "-1", "nan", "inf"])
def test_the_recheck_setting_is_a_number_of_days(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_IMAGE_RECHECK_DAYS", raw)
    with pytest.raises(CatalogError, match="CATALOG_IMAGE_RECHECK_DAYS"):
        load_settings(None)


def test_the_recheck_setting_defaults_to_a_week(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(None).image_recheck_days == 7
    monkeypatch.setenv("CATALOG_IMAGE_RECHECK_DAYS", "0.5")
    assert load_settings(None).image_recheck_days == 0.5


# ---- Every input through the job steps, and the CLI -------------------------------------------------------

SELLER = Seller(id="atelier", name="Atelier", email="vendeur@atelier.example", vat_number="FR40303265045",
                default_shipping="Colissimo")


def _catalogue(tmp_path: Path, server: LoopbackServer) -> Path:
    image = server.add("/perceuse.jpg", jpeg_bytes(), content_type="image/jpeg", etag=ETAG)
    return write_csv(tmp_path / "catalogue.csv", [good_product(**{"Image Src": image})])


def test_a_full_csv_sent_again_downloads_no_image(server: LoopbackServer, allowed: Settings, store: Store,
                                                  tmp_path: Path) -> None:
    store.upsert_seller(SELLER)
    path = _catalogue(tmp_path, server)
    first = ingest.validate_for_seller(path, allowed, store, "atelier")
    second = ingest.validate_for_seller(path, allowed, store, "atelier")
    assert server.hits("/perceuse.jpg") == 1
    assert first.status == second.status == "accepted"
    assert [i.code for i in first.issues] == [i.code for i in second.issues]


def test_a_feed_shares_the_checks_of_a_csv(server: LoopbackServer, allowed: Settings, store: Store,
                                           tmp_path: Path) -> None:
    store.upsert_seller(SELLER)
    csv = _catalogue(tmp_path, server)
    feed = tmp_path / "flux.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>'
        "<title>Atelier</title><link>https://atelier.example</link><description>Flux</description><item>"
        "<g:id>P1</g:id><title>Perceuse visseuse sans fil 18V avec deux batteries lithium</title>"
        f"<description>{'Perceuse visseuse robuste pour le bricolage du quotidien. ' * 12}</description>"
        f"<link>https://atelier.example/p1</link><g:image_link>{server.url('/perceuse.jpg')}</g:image_link>"
        "<g:price>89.90 EUR</g:price><g:availability>in_stock</g:availability><g:brand>Atelier</g:brand>"
        "<g:google_product_category>Matériel &gt; Outils &gt; Perceuses</g:google_product_category>"
        "</item></channel></rss>", encoding="utf-8")
    report = ingest.validate_for_seller(feed, allowed, store, "atelier")
    assert report.kind == "feed" and not [i for i in report.issues if i.code.startswith("image.")]
    assert server.hits("/perceuse.jpg") == 1, "the feed's image is downloaded"
    ingest.validate_for_seller(csv, allowed, store, "atelier")
    assert server.hits("/perceuse.jpg") == 1, "and the same image in a CSV is not downloaded again"


def test_cli_validate_with_a_seller_remembers_the_checks(server: LoopbackServer, tmp_path: Path) -> None:
    env = {**os.environ, **loopback_env(server, tmp_path)}
    with Store.open(load_settings(None).db_url) as store:
        store.upsert_seller(SELLER)
    path = _catalogue(tmp_path, server)
    for _ in range(2):
        done = subprocess.run([str(CATALOG), "validate", str(path), "--seller", "atelier"], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    assert server.hits("/perceuse.jpg") == 1
    without = subprocess.run([str(CATALOG), "validate", str(path)], env=env, capture_output=True, text=True,
                             timeout=120)
    assert without.returncode == 0 and server.hits("/perceuse.jpg") == 2, "no seller: no store, no cache"
