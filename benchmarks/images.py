"""Image check throughput: 200 distinct image URLs on a loopback HTTPS server answering in 0.25 s each.

Run from the repository root:  .venv/bin/python benchmarks/images.py
Uses the project's default settings (concurrency, timeouts, size cap), with private networks
allowed and the server's throwaway CA trusted. Exits 1 when the run is over budget or an image failed.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from PIL import Image  # noqa: E402
from support_servers import https_server, loopback_env  # noqa: E402

from catalog.net.images import ImageRef, check_image_urls  # noqa: E402
from catalog.settings import load_settings  # noqa: E402


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
        refs = [ImageRef(server.add(f"/p/{n}/photo.jpg", photo, content_type="image/jpeg", delay=args.delay),
                         row=n + 2, product=f"produit-{n}") for n in range(args.count)]

        started = time.perf_counter()
        outcomes = check_image_urls(refs, settings, progress=True)
        elapsed = time.perf_counter() - started

        failed = [url for url, outcome in outcomes.items() if not outcome.ok]
        requests = len(server.requests)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    serial = args.count * args.delay
    ok = elapsed < args.budget and not failed and len(outcomes) == args.count
    print(f"images: {args.count} URLs of {len(photo) / 1000:.0f} kB, {args.delay:g} s server delay each "
          f"({serial:.0f} s if fetched one by one)")
    print(f"concurrency: {settings.http_concurrency}, requests served: {requests}, failed: {len(failed)}")
    print(f"elapsed: {elapsed:.2f} s (budget {args.budget:g} s) -> {'OK' if ok else 'OVER BUDGET OR FAILED'}")
    print(f"peak RSS: {peak_mb:.0f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
