#!/usr/bin/env python3
"""Ops decisions at volume: `approve --seller ID --all-pending` over N staged products, one transaction each.

    python benchmarks/moderation.py [--items N] [--db-url URL]

Stages N one-variant products for a seller in a fresh database (a SQLite file
in a temporary directory unless --db-url names an empty one), then times
listing the seller's pending items and approving each in its own transaction,
as the command does. Prints items, seconds and milliseconds per item.
"""

from __future__ import annotations

import argparse
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

SELLER = Seller(id="atelier-dupont", name="Atelier Dupont SARL", email="vendeur@atelier-dupont.example",
                vat_number="FR40303265045", default_shipping="Colissimo")


def product(index: int) -> Product:
    handle = f"perceuse-{index}"
    return Product(handle=handle, rows=[index + 2], title=f"Perceuse visseuse {index}", body_html="<p>Perceuse.</p>",
                   type="Perceuses", images=[Image(src=f"https://img.example/{handle}.jpg", alt="vue de face")],
                   variants=[Variant(row=index + 2, sku=f"PV-{index}", inventory_qty=5, price=Decimal("49.90"))])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000, help="products staged, then approved")
    parser.add_argument("--db-url", help="an empty database (default: a SQLite file in a temporary directory)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(args.db_url or f"sqlite:///{tmp}/catalog.db")
        store.upsert_seller(SELLER)
        run_id = store.start_run(SELLER.id, "full", "catalogue.csv", "0" * 64)
        store.stage_products(SELLER.id, run_id, [product(i) for i in range(args.items)], "catalogue.csv")
        start = time.perf_counter()
        decisions = store.approve_each(store.pending_ids(SELLER.id), by="ops")
        seconds = time.perf_counter() - start
        store.close()
    approved = sum(1 for d in decisions if d.item is not None)
    print(f"{store.engine.url.get_backend_name()}: {approved} approved in {seconds:.2f} s "
          f"({1000 * seconds / max(approved, 1):.1f} ms per item)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
