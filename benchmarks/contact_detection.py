"""How long the contact-detail scan takes on a 3000-character French description.

    .venv/bin/python benchmarks/contact_detection.py

Builds the description from the hard negatives of the test corpus (product
text that must not fire) plus one phone number, then times `find_contacts`
in batches and prints the quietest batch's average (other processes only
ever add time). Target: well under 5 ms.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

from validators.contact import find_contacts

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "contact_corpus.tsv"
TARGET_MS = 5.0


def description() -> str:
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        negatives = [text for label, text in csv.reader(handle, delimiter="\t") if label == "none"]
    return "<p>" + "</p><p>".join(negatives)[:3000] + "</p><p>Tél. 06 12 34 56 78</p>"


def main() -> int:
    text = description()
    find_contacts(text)  # warm-up: loads phonenumbers and the public suffix list
    batches, runs = 7, 50
    averages = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(runs):
            find_contacts(text)
        averages.append((time.perf_counter() - start) / runs * 1000)
    best = min(averages)
    print(f"find_contacts on {len(text)} characters: {best:.2f} ms (quietest of {batches} batches of {runs}); "
          f"target under {TARGET_MS:g} ms -> {'OK' if best < TARGET_MS else 'SLOW'}")
    return 0 if best < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
