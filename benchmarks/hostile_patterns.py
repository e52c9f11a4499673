"""How the patterns over seller text scale on the cells built against them: before and after.

    .venv/bin/python benchmarks/hostile_patterns.py

For each hostile cell, times the pattern as it was (kept here, for the
comparison only) and as it is, at doubling sizes, and prints seconds and the
growth from one size to the next (x2 for linear time, x4 for quadratic, x8 cubic).
Then times a whole file through the engine (offline) with each cell in it.
Each figure is the quietest of a few runs (other processes only add time);
the old patterns are stopped at sizes where they still finish in seconds.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalog.engine import Options, validate_file  # noqa: E402
from catalog.settings import load_settings  # noqa: E402
from tests.support_csv import good_product, write_csv  # noqa: E402
from validators.contact import find_contacts  # noqa: E402
from validators.media import alt_problems  # noqa: E402

OLD_ALT_PRICE = re.compile(
    r"\d+(?:[.,]\d{1,2})?\s*(?:[€$£]|\b(?:eur|euros?|usd|gbp|chf)\b)"
    r"|(?:[€$£]|\b(?:eur|usd|gbp|chf)\b)\s*\d+(?:[.,]\d{1,2})?",
    re.IGNORECASE,
)
OLD_ANCHOR = re.compile(r"<(a|area)\b[^<>]*?\bhref\s*=\s*(?:\"([^\"<>]*)\"|'([^'<>]*)'|([^\s<>]+))[^<>]*>", re.I)


def best_of(runs: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def scaling(label: str, make: Callable[[int], str], check: Callable[[str], object], sizes: list[int],
            runs: int = 3) -> None:
    previous = None
    cells = []
    for n in sizes:
        text = make(n)
        seconds = best_of(runs, lambda text=text: check(text))
        growth = f" (x{seconds / previous:.1f})" if previous else ""
        cells.append(f"{n:>7,}: {seconds:8.4f} s{growth}")
        previous = seconds
    print(f"{label}\n  " + "\n  ".join(cells), flush=True)


def digits(n: int) -> str:
    return "9" * n


def hrefs(n: int) -> str:
    return "<a " + "href=" * n


def main() -> None:
    find_contacts("warm-up: 06 12 34 56 78 contact@exemple.fr")
    scaling("alt-text price, old pattern, digits", digits, OLD_ALT_PRICE.search, [2_500, 5_000, 10_000], runs=1)
    scaling("alt-text price, now (alt_problems), digits", digits, lambda t: alt_problems(t, ""),
            [20_000, 40_000, 80_000, 160_000])
    scaling("link in markup, old pattern, unclosed <a + href=", hrefs, lambda t: list(OLD_ANCHOR.finditer(t)),
            [125, 250, 500], runs=1)
    scaling("contact scan, now (find_contacts), unclosed <a + href=", hrefs, find_contacts,
            [16_000, 32_000, 64_000, 128_000])
    settings = load_settings(None)
    with tempfile.TemporaryDirectory() as tmp:
        warm = write_csv(Path(tmp) / "warm.csv", [good_product()])
        validate_file(warm, settings, Options(offline=True))
        for label, column, value in (("20,000 digits in Image Alt Text", "Image Alt Text", digits(20_000)),
                                     ("16,000 href= in Body (HTML)", "Body (HTML)", hrefs(16_000)),
                                     ("both, in every text column", None, hrefs(16_000) + digits(20_000))):
            cells = {column: value} if column else {c: value for c in ("Title", "Body (HTML)", "Tags",
                                                                        "Image Alt Text", "SEO Description")}
            path = write_csv(Path(tmp) / "hostile.csv", [good_product(**cells)])
            seconds = best_of(3, lambda path=path: validate_file(path, settings, Options(offline=True)))
            print(f"whole file, {label}: {seconds:.3f} s", flush=True)


if __name__ == "__main__":
    main()
