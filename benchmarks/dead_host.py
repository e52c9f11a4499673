"""A dead image host: 434 image URLs on a loopback host that accepts connections and never answers.

Run from the repository root:  .venv/bin/python benchmarks/dead_host.py
Default settings (CATALOG_HTTP_TIMEOUT 10 s, 32 downloads at once), private networks allowed.
Prints the wall time, the connections the dead host received and the log lines written; exits 1
when more than a few connections were made or a URL did not fail.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support_servers import SilentHost  # noqa: E402

from catalog.domain.location import Location  # noqa: E402
from catalog.net.hosts import DOWN_AFTER  # noqa: E402
from catalog.net.images import ImageRef, check_image_urls  # noqa: E402
from catalog.settings import load_settings  # noqa: E402


class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=434)
    args = parser.parse_args()
    for name in [key for key in os.environ if key.startswith("CATALOG_")]:
        del os.environ[name]
    log = _Count()
    logging.getLogger().addHandler(log)
    host = SilentHost()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            os.environ["CATALOG_ALLOW_PRIVATE_NETWORKS"] = "true"
            os.environ["CATALOG_DATA_DIR"] = str(Path(scratch) / "var")
            settings = load_settings(None)
            refs = [ImageRef(host.url(f"/p/{n}.jpg"), at=Location(n + 2, "Image Src"), product=f"produit-{n}")
                    for n in range(args.count)]
            started = time.perf_counter()
            outcomes = check_image_urls(refs, settings)
            elapsed = time.perf_counter() - started
    finally:
        host.close()
    failed = sum(1 for outcome in outcomes.values() if outcome.failure is not None)
    reasons = {outcome.failure.message.en for outcome in outcomes.values() if outcome.failure is not None}
    ok = failed == args.count and host.accepted <= 2 * DOWN_AFTER
    print(f"dead host: {args.count} URLs, timeout {settings.http_timeout:g} s, concurrency {settings.http_concurrency}")
    print(f"elapsed: {elapsed:.1f} s; connections to the host: {host.accepted}; failed URLs: {failed}; "
          f"reasons: {sorted(reasons)}")
    print(f"log lines: {len(log.lines)}" + "".join(f"\n  {line}" for line in log.lines))
    print("OK" if ok else "TOO MANY ATTEMPTS OR A URL DID NOT FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
