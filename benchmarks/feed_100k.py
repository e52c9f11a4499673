#!/usr/bin/env python3
"""Throughput and peak memory of `catalog validate` on a 100,000-item Google Merchant feed (RSS 2.0).

    python benchmarks/feed_100k.py [--items N] [--keep DIR] [--timeout S] [--skip-catalog]

Generates, streamed to disk, a feed of N items (default 100,000) that are near-copies of one another (the
worst case for the near-duplicate search): the same long French title and ~600-character description, told
apart by a reference code, a size and a torque figure; unique `g:id`s, valid EAN-13 `g:gtin`s, and every 10th
item starting a `g:item_group_id` group of 3 items that differ by `g:size`. Then measures:

- the floor: lxml's bare `etree.iterparse` over the same file, in-process (end events on `item`, each
  element cleared), the fastest of 3 passes;
- the real thing: `.venv/bin/catalog validate FEED --offline --format json` as a child process, with
  `CATALOG_TAXONOMY` defaulting to the shared French taxonomy and a fresh `CATALOG_DATA_DIR`; wall time and
  the child's peak RSS (`getrusage(RUSAGE_CHILDREN).ru_maxrss`, the largest of the child and its own
  children), plus the report's summary and most frequent issue codes.

Prints a Markdown table against the targets: peak memory under 300 MB, at least 1,000 items/s. The feed goes
to a temporary directory, removed at the end, unless `--keep DIR` is given. Exit status: 0 done, 1 the
catalog run timed out or could not run, 2 something the benchmark needs is missing.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / ".venv" / "bin" / "catalog"
SHARED_TAXONOMY = Path("/work/shared/taxonomy/taxonomy-with-ids.fr-FR.txt")
CATEGORY = "Quincaillerie > Outils > Perceuses"
G_NS = "http://base.google.com/ns/1.0"
GROUP_EVERY, GROUP_SIZE = 10, 3
SIZES = ("S", "M", "L")
TARGET_RSS_MB = 300
TARGET_ITEMS_PER_S = 1000
FLOOR_PASSES = 3
SUMMARY_KEYS = ("products", "accepted", "refused", "errors", "warnings", "infos")
EXIT_OK, EXIT_CATALOG_FAILED, EXIT_MISSING = 0, 1, 2

TITLE = ("Perceuse-visseuse sans fil 18 V à percussion avec deux batteries 4,0 Ah, chargeur rapide et coffret, "
         "réf. {ref}")
DESCRIPTION = (
    "Cette perceuse-visseuse sans fil de 18 V convient aussi bien aux artisans qu'aux bricoleurs exigeants. "
    "Son moteur sans charbon délivre un couple maximal de {torque} Nm et deux vitesses mécaniques, pour visser "
    "comme pour percer le bois, le métal et la maçonnerie légère. Le mandrin autoserrant de 13 mm accepte la "
    "plupart des forets du marché. La poignée gainée de caoutchouc limite la fatigue lors des longues journées "
    "de chantier, et une lampe intégrée éclaire la zone de travail. Elle est livrée avec deux batteries de "
    "4,0 Ah, un chargeur rapide et un coffret de rangement robuste, sous la référence {ref}."
)


class BenchError(Exception):
    """Something the benchmark needs is missing; the message says what to do."""


@dataclass
class CatalogRun:
    """One whole-process run of `catalog validate`."""

    wall: float
    peak_rss_kib: int
    returncode: int | None  # None: killed at the timeout
    report: dict[str, Any] | None = None
    stderr_tail: list[str] = field(default_factory=list)

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


def ean13(first_twelve: str) -> str:
    """The 12 digits with their EAN-13 check digit appended."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first_twelve))
    return first_twelve + str((10 - total % 10) % 10)


def item_xml(index: int) -> str:
    """The `<item>` for the 0-based `index`: a near-copy of every other item."""
    ref = f"REF-{index:06d}"
    lead = index - index % GROUP_EVERY
    grouped = index - lead < GROUP_SIZE
    title = TITLE.format(ref=ref)
    description = DESCRIPTION.format(ref=ref, torque=40 + 5 * (index % 5))
    lines = [
        "<item>",
        f"<g:id>{ref}</g:id>",
        f"<g:title>{escape(title)}</g:title>",
        f"<g:description>{escape(description)}</g:description>",
        "<g:price>49.90 EUR</g:price>",
        "<g:availability>in_stock</g:availability>",
        f"<g:image_link>https://images.atelier-durand.fr/perceuses/{ref.lower()}.jpg</g:image_link>",
        f"<g:google_product_category>{escape(CATEGORY)}</g:google_product_category>",
        "<g:brand>Atelier Durand</g:brand>",
        f"<g:gtin>{ean13(f'340{index:09d}')}</g:gtin>",
    ]
    if grouped:
        lines.append(f"<g:item_group_id>GRP-{lead:06d}</g:item_group_id>")
        lines.append(f"<g:size>{SIZES[index - lead]}</g:size>")
    lines.append("</item>\n")
    return "\n".join(lines)


def write_feed(out: TextIO, items: int) -> None:
    """Write an RSS 2.0 feed of `items` items to `out`, one item at a time."""
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(f'<rss version="2.0" xmlns:g="{G_NS}">\n<channel>\n')
    out.write("<title>Atelier Durand - outillage</title>\n<link>https://www.atelier-durand.fr/</link>\n")
    out.write("<description>Catalogue de perceuses</description>\n")
    for index in range(items):
        out.write(item_xml(index))
    out.write("</channel>\n</rss>\n")


def products_in(items: int) -> int:
    """How many products the feed holds: each group of 3 items is one product."""
    full, rest = divmod(items, GROUP_EVERY)
    return full * (GROUP_EVERY - GROUP_SIZE + 1) + (rest if rest <= 1 else 1 + max(0, rest - GROUP_SIZE))


def check_category(taxonomy: Path) -> None:
    """The feed's category must be a path of the taxonomy the run uses."""
    with taxonomy.open(encoding="utf-8") as fh:
        if not any(line.partition(" - ")[2].strip() == CATEGORY for line in fh):
            raise BenchError(f"{CATEGORY!r} is not in {taxonomy}: pick a level-3 path of that file")


def iter_items(path: Path) -> Iterator[None]:
    """lxml's bare streaming parse: one step per `item` end event, the element cleared."""
    from lxml import etree

    for _, element in etree.iterparse(str(path), events=("end",), tag="item"):
        element.clear()
        yield None


def measure_floor(path: Path, passes: int = FLOOR_PASSES) -> tuple[int, float]:
    """Items seen and seconds taken by the bare parse: the fastest of `passes`, lxml imported beforehand."""
    importlib.import_module("lxml.etree")  # the import is not part of the parse

    best, count = float("inf"), 0
    for _ in range(passes):
        start = time.perf_counter()
        count = sum(1 for _ in iter_items(path))
        best = min(best, time.perf_counter() - start)
    return count, best


def run_catalog(feed: Path, work: Path, timeout: float) -> CatalogRun:
    """Run the console script on `feed` as a child process, in its own process group, and measure it."""
    data_dir = work / "data"
    data_dir.mkdir(exist_ok=True)
    env = {**os.environ, "CATALOG_DATA_DIR": str(data_dir)}
    env.setdefault("CATALOG_TAXONOMY", str(SHARED_TAXONOMY))
    out_path, err_path = work / "report.json", work / "stderr.txt"
    command = [str(CATALOG), "validate", str(feed), "--offline", "--format", "json"]
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                 start_new_session=True)
        try:
            returncode: int | None = child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            returncode = None
        wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    run = CatalogRun(wall, peak, returncode)
    run.stderr_tail = err_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
    if returncode in (0, 1):
        try:
            run.report = json.loads(out_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            run.report = None
    return run


def mb(kib: int) -> float:
    return kib / 1024


def human_size(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def code_version() -> str:
    """The project's commit, read without touching the repository (uncommitted edits are not seen)."""
    try:
        result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=False)
    except OSError:
        return "unknown"
    head = result.stdout.strip() or "unknown"
    return f"{head}, PYTHONPATH={os.environ['PYTHONPATH']}" if os.environ.get("PYTHONPATH") else head


def table(items: int, size: int, floor_rate: float, run: CatalogRun | None) -> str:
    """The Markdown table of the figures, with the targets under it."""
    lines = [
        f"Google Merchant RSS feed of {items:,} near-identical items, `catalog validate --offline --format json` "
        f"({platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"project at {code_version()}).",
        "",
        "| items | file size | floor items/s | catalog items/s | ratio | catalog wall s | peak RSS MB |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    if run is None:
        cells = ["skipped"] * 4
    elif run.timed_out:
        cells = [f"< {items / run.wall:,.0f}", f"> {floor_rate / (items / run.wall):,.0f}×",
                 f"> {run.wall:.1f} (timeout)", f"≥ {mb(run.peak_rss_kib):.0f}"]
    else:
        rate = items / run.wall
        cells = [f"{rate:,.0f}", f"{floor_rate / rate:,.0f}×", f"{run.wall:.1f}", f"{mb(run.peak_rss_kib):.0f}"]
    lines.append(f"| {items:,} | {human_size(size)} | {floor_rate:,.0f} | " + " | ".join(cells) + " |")
    lines += ["", f"Targets: peak memory under {TARGET_RSS_MB} MB, at least {TARGET_ITEMS_PER_S:,} items/s."]
    if run is not None and not run.timed_out:
        rate_ok = items / run.wall >= TARGET_ITEMS_PER_S
        rss_ok = mb(run.peak_rss_kib) < TARGET_RSS_MB
        lines.append(f"Throughput target {'met' if rate_ok else 'MISSED'}; "
                     f"memory target {'met' if rss_ok else 'MISSED'}.")
    lines.append("Peak RSS: `resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` after the child exits (KiB on Linux), "
                 "the largest of the child and its own children.")
    return "\n".join(lines)


def report_lines(run: CatalogRun, items: int) -> list[str]:
    """What the run reported: exit status, the summary counts, the most frequent issue codes."""
    lines = ["", f"Exit status of `catalog validate`: {run.returncode}"]
    if run.report is None:
        lines.append("No JSON report could be read from its output.")
        return lines
    summary = run.report.get("summary", {})
    keys = list(summary) or list(SUMMARY_KEYS)
    lines.append(f"Report status: {run.report.get('status')}; expected products: {products_in(items):,}.")
    lines += ["", "| " + " | ".join(keys) + " |", "| " + " | ".join("---:" for _ in keys) + " |",
              "| " + " | ".join(f"{summary[k]:,}" if k in summary else "—" for k in keys) + " |"]
    codes = Counter(issue.get("code", "?") for issue in run.report.get("issues", []))
    lines += ["", "| most frequent issue codes | severity | count |", "| --- | --- | ---: |"]
    severity = {i.get("code"): i.get("severity") for i in run.report.get("issues", [])}
    for code, count in codes.most_common(5):
        lines.append(f"| `{code}` | {severity.get(code)} | {count:,} |")
    if not codes:
        lines.append("| (none) | | 0 |")
    return lines


def bench(args: argparse.Namespace, work: Path) -> int:
    taxonomy = Path(os.environ.get("CATALOG_TAXONOMY") or SHARED_TAXONOMY)
    if not taxonomy.is_file():
        raise BenchError(f"taxonomy {taxonomy} not found: set CATALOG_TAXONOMY to the French taxonomy file")
    check_category(taxonomy)
    if not args.skip_catalog and not CATALOG.is_file():
        raise BenchError(f"{CATALOG.relative_to(ROOT)} is missing: install the project first "
                         "(make test, or .venv/bin/pip install -e '.[dev]')")
    feed = work / f"feed-{args.items}.xml"
    start = time.perf_counter()
    with feed.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
        write_feed(out, args.items)
    print(f"wrote {feed} ({human_size(feed.stat().st_size)}) in {time.perf_counter() - start:.1f} s",
          file=sys.stderr)
    seen, floor_seconds = measure_floor(feed)
    if seen != args.items:
        raise BenchError(f"the bare parse saw {seen} items, not {args.items}: the generated feed is wrong")
    floor_rate = seen / floor_seconds
    run = None
    if not args.skip_catalog:
        print(f"running catalog validate (timeout {args.timeout:.0f} s)...", file=sys.stderr)
        run = run_catalog(feed, work, args.timeout)
    print(table(args.items, feed.stat().st_size, floor_rate, run))
    if run is None:
        return EXIT_OK
    if run.timed_out:
        print(f"\ncatalog validate timed out: killed after {args.timeout:.0f} s on {args.items:,} items.")
        return EXIT_CATALOG_FAILED
    print("\n".join(report_lines(run, args.items)))
    if run.returncode not in (0, 1):
        tail = "; ".join(run.stderr_tail) or "no message"
        print(f"\ncatalog validate could not run (exit {run.returncode}): {tail}")
        return EXIT_CATALOG_FAILED
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000, help="items in the feed (default 100000)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="write the feed and the report here and keep them")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before the catalog run is killed "
                        "(default 1800)")
    parser.add_argument("--skip-catalog", action="store_true", help="measure the bare parse only")
    args = parser.parse_args(argv)
    if args.items < 1:
        parser.error("--items must be at least 1")
    if args.timeout <= 0:
        parser.error("--timeout must be positive")
    try:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            return bench(args, args.keep.resolve())
        with tempfile.TemporaryDirectory(prefix="feed-bench-") as work:
            return bench(args, Path(work))
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_MISSING
    except ModuleNotFoundError as exc:
        print(f"error: {exc.name} is not installed: run this with {ROOT / '.venv' / 'bin' / 'python'}",
              file=sys.stderr)
        return EXIT_MISSING


if __name__ == "__main__":
    raise SystemExit(main())
