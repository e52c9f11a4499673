"""A live catalog for bulk tests: two sellers, their products staged and approved, and the bulk file's CSVs."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from catalog.domain.columns import BULK_COLUMNS
from catalog.domain.model import Image, Product, Variant
from catalog.domain.sellers import Seller
from catalog.store import Store

SELLER = "atelier-dupont"
OTHER = "quincaillerie-martin"


def seller(seller_id: str) -> Seller:
    return Seller(id=seller_id, name=seller_id.replace("-", " ").title(), email=f"vendeur@{seller_id}.example",
                  vat_number="FR40303265045", default_shipping="Colissimo")


def product(handle: str, title: str, variants: int = 2, price: str = "49.90") -> Product:
    return Product(
        handle=handle, rows=[2], title=title, body_html=f"<p>Description de {title}.</p>", type="Perceuses",
        tags="Perceuses", option_names=("Couleur",),
        images=[Image(src=f"https://img.example/{handle}.jpg", alt="vue de face", row=2)],
        variants=[Variant(row=2 + i, options=(f"coloris {i}",), sku=f"{handle}-{i}", inventory_qty=5 + i,
                          minimum_qty=1, price=Decimal(price)) for i in range(variants)],
    )


@dataclass(frozen=True)
class Catalog:
    """Variant ids by (handle, position), and product ids by handle."""

    variants: dict[tuple[str, int], int]
    products: dict[str, int]


def live_catalog(store: Store) -> Catalog:
    """atelier-dupont: three products of two variants; quincaillerie-martin: one product of one variant."""
    store.upsert_sellers([seller(SELLER), seller(OTHER)])
    for seller_id, items in ((SELLER, [product("perceuse-18v", "Perceuse visseuse 18V"),
                                       product("scie-sauteuse", "Scie sauteuse 650 W"),
                                       product("ponceuse", "Ponceuse orbitale 300 W")]),
                             (OTHER, [product("marteau", "Marteau de charpentier", variants=1, price="19.90")])):
        run = store.start_run(seller_id, "full", "catalogue.csv", "0" * 64)
        # One staging per product: ids then follow this list (one staging creates its products in handle order).
        store.approve([i for item in items for i in store.stage_products(seller_id, run, [item], "catalogue.csv")],
                      by="ops")
    variants: dict[tuple[str, int], int] = {}
    products: dict[str, int] = {}
    for seller_id in (SELLER, OTHER):
        for live in store.live_products(seller_id):
            products[live.handle] = store.product_id(seller_id, live.handle) or 0
            for i, variant in enumerate(live.variants):
                variants[(live.handle, i)] = int(variant.variant_id or 0)
    return Catalog(variants, products)


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]], *, delimiter: str = ",", bom: bool = True) -> Path:
    """A CSV as a spreadsheet saves it: UTF-8 (with BOM, as Excel's "CSV UTF-8"), CRLF."""
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return path


def bulk_file(path: Path, rows: list[list[str]]) -> Path:
    return write_rows(path, [list(BULK_COLUMNS), *rows])
