#!/usr/bin/env python3
"""Whole-process `catalog bulk validate` and `catalog bulk submit` on a 2000-row bulk file (target: each < 3 s).

    python benchmarks/bulk_2000.py [--runs N] [--db-url URL]

Builds a seller with 1000 live products of 2 variants in a throwaway data dir (SQLite there, or the empty
database `--db-url` names), exports them, then times N runs (default 5) of each command as a new process.
Every submit changes every row (quantities on all 2000, prices on 500, 50 titles, 100 SKUs), so each run
writes as much as a full file can; the validate runs read the same kind of file.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalog.domain.model import Image, Product, Variant  # noqa: E402
from catalog.domain.sellers import Seller  # noqa: E402
from catalog.store import Store  # noqa: E402

SELLER = "atelier-bench"
CATALOG = [str(ROOT / ".venv" / "bin" / "catalog")]
PRODUCTS, VARIANTS = 1000, 2


def seed(url: str) -> None:
    with Store.open(url) as store:
        store.upsert_seller(Seller(id=SELLER, name="Atelier Bench", email="vendeur@bench.example",
                                   vat_number="FR40303265045", default_shipping="Colissimo"))
        run = store.start_run(SELLER, "full", "catalogue.csv", "0" * 64)
        products = [Product(
            handle=f"produit-{n:04d}", rows=[2], title=f"Perceuse visseuse modèle {n}", body_html="<p>Perceuse.</p>",
            type="Perceuses", tags="Perceuses", option_names=("Couleur",),
            images=[Image(src=f"https://img.example/{n}.jpg", row=2)],
            variants=[Variant(row=2 + i, options=(f"coloris {i}",), sku=f"P{n:04d}-{i}", inventory_qty=10,
                              minimum_qty=1, price=Decimal("49.90")) for i in range(VARIANTS)],
        ) for n in range(PRODUCTS)]
        store.approve(store.stage_products(SELLER, run, products, "catalogue.csv"), by="bench")


def edited(rows: list[list[str]], turn: int) -> list[list[str]]:
    out = [rows[0]]
    for i, row in enumerate(rows[1:]):
        row = row[:]
        row[4] = str(20 + turn + i % 7)
        if i % 4 == 0:
            row[5] = f"{45 + turn % 5}.{i % 100:02d}"
        if i % 40 == 0:
            row[2] = f"{row[2]} (série {turn})"
        if i % 20 == 1:
            row[3] = f"{row[3]}-R{turn}"
        out.append(row)
    return out


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(CATALOG + args, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db-url", help="an empty PostgreSQL database (default: SQLite in a temporary dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        url = args.db_url or f"sqlite:///{data / 'catalog.db'}"
        env = {**os.environ, "CATALOG_DATA_DIR": str(data), "CATALOG_DB_URL": url}
        env.pop("CATALOG_OPS_EMAIL", None)
        env.pop("CATALOG_SMTP_HOST", None)
        start = time.perf_counter()
        seed(url)
        backend = url.split(":")[0]
        print(f"seeded {PRODUCTS * VARIANTS} live variants in {time.perf_counter() - start:.1f} s ({backend})")
        subprocess.run([*CATALOG, "bulk", "export", "--seller", SELLER, "--out", str(data / "export")], env=env,
                       check=True, capture_output=True)
        with (data / "export" / "seller_products_quantity_and_price.csv").open(encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
        assert len(rows) == 2001, len(rows)
        validate, submit = [], []
        for turn in range(args.runs):
            path = data / f"modifs-{turn}.csv"
            with path.open("w", encoding="utf-8-sig", newline="") as handle:
                csv.writer(handle, lineterminator="\r\n").writerows(edited(rows, turn))
            validate.append(timed(["bulk", "validate", str(path), "--seller", SELLER], env))
            submit.append(timed(["bulk", "submit", str(path), "--seller", SELLER], env))
    for name, times in (("bulk validate", validate), ("bulk submit", submit)):
        print(f"catalog {name}, 2000 rows, whole process, {args.runs} runs: min {min(times):.2f} s, "
              f"median {statistics.median(times):.2f} s, max {max(times):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
