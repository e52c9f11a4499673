#!/usr/bin/env python3
"""In-process time of the whole check of one file, offline, every rule but the image downloads.

    python benchmarks/in_process.py [--runs N] [--file PATH]

Loads the taxonomy once (as a long-running worker does), warms up once, then
validates the file N times (default 20) and prints min and median seconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalog.engine import Options, validate_file  # noqa: E402
from catalog.net.taxonomy_file import default_taxonomy  # noqa: E402
from catalog.settings import load_settings  # noqa: E402

DEFAULT_FILE = ROOT / "samples" / "catalogue-exemple.csv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    args = parser.parse_args()
    settings = load_settings()
    taxonomy = default_taxonomy(settings)
    validate_file(args.file, settings, Options(offline=True), taxonomy=taxonomy)
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        report = validate_file(args.file, settings, Options(offline=True), taxonomy=taxonomy)
        times.append(time.perf_counter() - start)
    summary = report.summary()
    print(f"{args.file.name}: {summary['rows']} rows, {summary['products']} products, "
          f"{summary['errors']} errors, {summary['warnings']} warnings, {summary['infos']} infos")
    print(f"in-process validate --offline, {args.runs} runs: min {min(times):.3f} s, "
          f"median {statistics.median(times):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
