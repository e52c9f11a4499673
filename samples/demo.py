"""`make demo`: the whole ingestion job on the embedded defaults, offline.

Loads the sample sellers, serves the sample pictures over a local HTTPS
server (a throwaway CA, trusted through CATALOG_CA_BUNDLE; loopback fetches
allowed for this run only), ingests the example catalogue through the Prefect
flow, and says where the report, the email and the moderation queue are. Then
registers the sample feed of another seller (served with an ETag by the same
server) and refreshes it twice through the refresh flow: the second refresh
is one conditional request that changes nothing.
The HTTPS server is the one the test suite uses.
"""

from __future__ import annotations

import mimetypes
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT), str(ROOT / "tests")]

SELLER = "atelier-dupont"
FEED_SELLER = "lumiere-bureau"


def main() -> int:
    from make_samples import generate
    from support_servers import https_server

    from catalog.settings import load_settings
    from catalog.store import Store

    settings = load_settings()
    demo = settings.data_dir / "demo"
    with https_server() as server:
        images = demo / "images"
        files = generate(demo, server.base_url, images)
        for path in sorted((images / "produits").iterdir()):
            server.add(f"/produits/{path.name}", path.read_bytes(),
                       content_type=mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        os.environ["CATALOG_ALLOW_PRIVATE_NETWORKS"] = "true"
        os.environ["CATALOG_CA_BUNDLE"] = str(server.write_ca_bundle(demo / "demo-ca.pem"))

        from catalog.sellers import load_sellers_file

        with Store.open(settings.db_url) as store:
            store.upsert_sellers(load_sellers_file(HERE / "sellers.yaml"))

        from pipelines.runtime import configure_prefect

        configure_prefect(settings)
        from pipelines.ingest_full_csv import ingest_full_csv

        print(f"Ingesting {files['catalogue-exemple.csv']} for {SELLER} (images served on {server.base_url}) …")
        outcome = ingest_full_csv(str(files["catalogue-exemple.csv"]), SELLER)
        feed_lines = refresh_sample_feed(server, files["flux-exemple.xml"], settings)

    with Store.open(settings.db_url) as store:
        pending = store.list_moderation(status="pending", seller=SELLER)
    s = outcome.report.summary()
    print()
    print("Done.")
    print(f"  status     : {outcome.report.status} — {s['accepted']} products accepted, {s['refused']} refused, "
          f"{s['errors']} errors, {s['warnings']} warnings")
    for kind, path in outcome.files.items():
        print(f"  {kind:<10} : {path.resolve()}")
    print(f"  email      : {outcome.email_path.resolve() if outcome.email_path else outcome.email_status}")
    print(f"  queue      : {len(pending)} pending in {settings.db_url}")
    print("               see it with: .venv/bin/catalog moderation list --status pending")
    print("               approve with: .venv/bin/catalog moderation approve ID")
    print()
    print("\n".join(feed_lines))
    return 0


def refresh_sample_feed(server, feed_file: Path, settings) -> list[str]:  # type: ignore[no-untyped-def]
    """Register the sample feed (served with an ETag) and refresh it twice: the second costs one request."""
    from catalog.store import Store
    from pipelines.refresh_feeds import refresh_feeds

    url = server.add("/flux/lumiere-bureau.xml", feed_file.read_bytes(), content_type="application/xml",
                     etag='"flux-exemple-1"', last_modified="Wed, 02 Dec 2026 01:00:00 GMT")
    with Store.open(settings.db_url) as store:
        known = [f for f in store.list_feeds(FEED_SELLER) if f.url == url or f.name == "catalogue"]
        for stale in known:  # a port from an earlier demo: register the feed anew
            store.remove_feed(stale.id)
        feed = store.add_feed(FEED_SELLER, "catalogue", url)
    print(f"Refreshing the feed {url} of {FEED_SELLER} twice …")
    before = len(server.requests)
    first = refresh_feeds(feed=str(feed.id))
    middle = len(server.requests)
    second = refresh_feeds(feed=str(feed.id))
    after = len(server.requests)
    one, two = first[0], second[0]
    return [
        f"  feed       : feed {feed.id} of {FEED_SELLER}, {url}",
        f"  1st refresh: {one.outcome} — {one.products} products read, {one.added} staged, {one.refused} refused "
        f"({middle - before} requests, images included); email: {one.email_status}",
        f"  2nd refresh: {two.outcome}{' (304 Not Modified)' if two.not_modified else ''} — "
        f"{after - middle} request, nothing parsed, staged or emailed",
        "               list feeds with: .venv/bin/catalog feeds list",
    ]


if __name__ == "__main__":
    raise SystemExit(main())
