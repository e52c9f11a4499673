#!/usr/bin/env python3
"""What a nightly refresh costs when little or nothing changed.

    python benchmarks/refresh_feeds.py [--feeds N] [--items N] [--changed SHARE]

Two measures, on a loopback HTTPS feed server that sends ETag and Last-Modified and answers 304 (the test
suite's server, with a throwaway CA), on a fresh SQLite store:

1. **N unchanged feeds** (default 100, 20 items each): every feed registered and read once, then the
   whole process `catalog feeds refresh --all --offline` timed (Python start, Prefect's embedded server,
   one conditional request per feed, nothing parsed). Target: under 30 s.
2. **One large feed** (default 10,000 items) read a first time, then again after 1 % of its items changed
   price: `catalog.refresh.refresh_feed` in process, offline, both times. Target: the changed refresh costs
   under a fifth of the first read.

Prints a Markdown table. Exit status 0 when both targets are met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
CATALOG = ROOT / ".venv" / "bin" / "catalog"
SHARED_TAXONOMY = ROOT.parent / "shared" / "taxonomy" / "taxonomy-with-ids.fr-FR.txt"
TARGET_UNCHANGED_S = 30.0
TARGET_SHARE = 0.2
SELLERS = """
sellers:
  - id: bench
    name: Banc d'essai SARL
    email: bench@example.org
    vat_number: FR40303265045
    default_shipping: Colissimo
    currency: EUR
"""
WORDS = ("robuste", "compact", "léger", "professionnel", "silencieux", "précis", "ergonomique", "durable")


def feed_bytes(items: int, *, prefix: str, changed: frozenset[int] = frozenset()) -> bytes:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">'
             "<channel><title>Banc</title>\n"]
    for n in range(items):
        a, b = WORDS[n % 8], WORDS[(n // 8) % 8]
        title = f"Perceuse visseuse {a} {b} 18 V référence {prefix}{n:06d} avec coffret"
        body = (f"<p>Cette perceuse {a} et {b}, référence {prefix}{n:06d}, est pensée pour les artisans : "
                f"couple de {20 + n % 40} Nm, mandrin de 13 mm, deux batteries de {2 + n % 3} Ah et un chargeur "
                f"rapide. Livrée en coffret rigide avec une garantie de deux ans.</p>")
        price = "44.90" if n in changed else "49.90"
        parts.append(
            f"<item><g:id>{prefix}{n:06d}</g:id><g:title>{escape(title)}</g:title>"
            f"<g:description>{escape(body)}</g:description><g:price>{price} EUR</g:price>"
            f"<g:image_link>https://img.example/{prefix}{n}.jpg</g:image_link><g:availability>in_stock</g:availability>"
            f"<g:quantity>{5 + n % 20}</g:quantity>"
            "<g:google_product_category>Quincaillerie &gt; Outils &gt; Perceuses</g:google_product_category></item>\n")
    parts.append("</channel></rss>\n")
    return "".join(parts).encode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--changed", type=float, default=0.01)
    args = parser.parse_args(argv)

    from support_servers import https_server, loopback_env

    with tempfile.TemporaryDirectory() as tmp, https_server() as server:
        env = {**os.environ, **loopback_env(server, tmp), "CATALOG_DATA_DIR": str(Path(tmp) / "var"),
               "PREFECT_HOME": str(Path(tmp) / "prefect")}
        env.setdefault("CATALOG_TAXONOMY", str(SHARED_TAXONOMY))
        env.pop("CATALOG_DB_URL", None)
        os.environ.update(env)
        from catalog import refresh
        from catalog.net.taxonomy_file import default_taxonomy
        from catalog.sellers import load_sellers_file
        from catalog.settings import load_settings
        from catalog.store import Store

        settings = load_settings(None)
        sellers = Path(tmp) / "sellers.yaml"
        sellers.write_text(SELLERS, encoding="utf-8")
        taxonomy = default_taxonomy(settings)
        with Store.open(settings.db_url) as store:
            store.upsert_sellers(load_sellers_file(sellers))
            feed_ids = []
            for n in range(args.feeds):
                url = server.add(f"/f/{n}.xml", feed_bytes(20, prefix=f"F{n}-"), content_type="application/xml",
                                 etag=f'"f{n}"', last_modified="Wed, 02 Dec 2026 01:00:00 GMT")
                feed_ids.append(store.add_feed("bench", f"flux-{n}", url).id)
            for feed_id in feed_ids:
                refresh.refresh_feed(store, settings, feed_id, offline=True, taxonomy=taxonomy)

            before = len(server.requests)
            started = time.perf_counter()
            done = subprocess.run([str(CATALOG), "feeds", "refresh", "--all", "--offline"], env=env,
                                  capture_output=True, text=True, check=False)
            unchanged_s = time.perf_counter() - started
            requests = len(server.requests) - before
            if done.returncode != 0:
                print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
                return 1

            changed = frozenset(range(0, args.items, max(1, round(1 / args.changed))))
            big = server.add("/big.xml", feed_bytes(args.items, prefix="B-"), content_type="application/xml",
                             etag='"big-1"')
            big_id = store.add_feed("bench", "grand-flux", big).id
            started = time.perf_counter()
            first = refresh.refresh_feed(store, settings, big_id, offline=True, taxonomy=taxonomy)
            first_s = time.perf_counter() - started
            server.add("/big.xml", feed_bytes(args.items, prefix="B-", changed=changed),
                       content_type="application/xml", etag='"big-2"')
            started = time.perf_counter()
            second = refresh.refresh_feed(store, settings, big_id, offline=True, taxonomy=taxonomy)
            second_s = time.perf_counter() - started

    share = second_s / first_s
    ok = unchanged_s < TARGET_UNCHANGED_S and share < TARGET_SHARE
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; SQLite store, "
          "embedded Prefect server, loopback HTTPS feeds, offline (no image download)")
    print()
    print("| measure | figure | target |")
    print("| --- | --- | --- |")
    print(f"| refresh of {args.feeds} unchanged feeds, whole process | {unchanged_s:.1f} s, {requests} requests "
          f"| < {TARGET_UNCHANGED_S:.0f} s |")
    print(f"| first read of a {args.items:,}-item feed | {first_s:.1f} s ({first.added} staged) | |")
    print(f"| the same feed with {len(changed)} items changed | {second_s:.1f} s ({second.staged} staged, "
          f"{second.unchanged} unchanged) | |")
    print(f"| changed refresh / first read | {share:.2f} | < {TARGET_SHARE} |")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
