"""Image check throughput: 200 distinct image URLs on a loopback HTTPS server answering in 0.25 s each.

Run from the repository root:  .venv/bin/python benchmarks/images.py
Uses the project's default settings (concurrency, timeouts, size cap), with private networks
allowed and the server's throwaway CA trusted, and the image checks remembered in a SQLite store
(as every import run does). Three runs of the same URLs: the first downloads everything; a re-run
the next day uses what was remembered (no request); a run once `CATALOG_IMAGE_RECHECK_DAYS` has
passed asks each URL with a conditional request (304, no download). Exits 1 when the first run is
over budget, an image failed, or a later run downloaded anything.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from PIL import Image  # noqa: E402
from support_servers import https_server, loopback_env  # noqa: E402

from catalog.domain.location import Location  # noqa: E402
from catalog.ingest import image_cache  # noqa: E402
from catalog.net.images import ImageRef, check_image_urls  # noqa: E402
from catalog.settings import load_settings  # noqa: E402
from catalog.store import Store  # noqa: E402


def product_photo(side: int = 1024) -> bytes:
    """A photo-like JPEG (smooth noise, ~100 kB), heavier to decode than a flat test image."""
    rng = random.Random(42)
    small = Image.frombytes("RGB", (64, 64), rng.randbytes(64 * 64 * 3))
    out = io.BytesIO()
    small.resize((side, side), Image.Resampling.BICUBIC).save(out, format="JPEG", quality=85)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.25)
    parser.add_argument("--budget", type=float, default=8.0, help="seconds")
    args = parser.parse_args()

    photo = product_photo()
    with https_server() as server, tempfile.TemporaryDirectory() as scratch:
        for name in [key for key in os.environ if key.startswith("CATALOG_")]:
            del os.environ[name]
        os.environ.update(loopback_env(server, scratch))
        os.environ["CATALOG_DATA_DIR"] = str(Path(scratch) / "var")
        settings = load_settings(None)
        refs = [ImageRef(server.add(f"/p/{n}/photo.jpg", photo, content_type="image/jpeg", delay=args.delay,
                                    etag=f'"photo-{n}"'),
                         at=Location(n + 2, "Image Src"), product=f"produit-{n}") for n in range(args.count)]

        with Store.open(settings.db_url) as store:
            cache = image_cache(store)
            today = datetime.now(UTC)
            runs = []
            for label, when in (("first run", today), ("re-run next day", today + timedelta(days=1)),
                                (f"after {settings.image_recheck_days:g} days",
                                 today + timedelta(days=settings.image_recheck_days + 1))):
                before, sent_before = len(server.requests), sum(server.sent.values())
                started = time.perf_counter()
                outcomes = check_image_urls(refs, settings, progress=True, cache=cache, now=when)
                elapsed = time.perf_counter() - started
                failed = [url for url, outcome in outcomes.items() if not outcome.ok]
                runs.append((label, elapsed, len(server.requests) - before, sum(server.sent.values()) - sent_before,
                             failed, len(outcomes)))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    serial = args.count * args.delay
    first = runs[0]
    ok = (first[1] < args.budget and all(not failed and count == args.count for *_, failed, count in runs)
          and all(sent == 0 for _, _, _, sent, _, _ in runs[1:]))
    print(f"images: {args.count} URLs of {len(photo) / 1000:.0f} kB, {args.delay:g} s server delay each "
          f"({serial:.0f} s if fetched one by one); concurrency {settings.http_concurrency}")
    for label, elapsed, requests, sent, failed, _ in runs:
        print(f"{label:>18}: {elapsed:6.2f} s, {requests:4d} requests, {sent / 1e6:6.1f} MB downloaded, "
              f"{len(failed)} failed")
    print(f"first run budget {args.budget:g} s -> {'OK' if ok else 'OVER BUDGET, FAILED OR DOWNLOADED AGAIN'}")
    print(f"peak RSS: {peak_mb:.0f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
