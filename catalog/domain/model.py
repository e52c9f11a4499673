"""The product model that full CSVs, bulk files and XML feeds all fill.

Values are kept as the seller wrote them (`raw`) next to their typed form, so a
check can quote the original text and a report can rewrite the seller's own
file. Typed fields are `None` when the cell was empty or did not parse: the
cell-level check has already said why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(slots=True)
class Image:
    src: str
    alt: str = ""
    row: int | None = None
    column: str = "Image Src"


@dataclass(slots=True)
class Variant:
    row: int | None
    options: tuple[str, ...] = ()
    sku: str = ""
    barcode: str = ""
    grams: int | None = None
    inventory_qty: int | None = None
    inventory_policy: str = "deny"
    minimum_qty: int | None = None
    price: Decimal | None = None
    compare_at_price: Decimal | None = None
    requires_shipping: bool = True
    taxable: bool = True
    image: str = ""
    variant_id: str | None = None
    raw: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Product:
    handle: str
    rows: list[int] = field(default_factory=list)
    title: str = ""
    body_html: str = ""
    type: str = ""
    tags: str = ""
    collection: str = ""
    option_names: tuple[str, ...] = ()
    currency: str = ""
    video_url: str = ""
    policy: str = ""
    country: str = ""
    seo_title: str = ""
    seo_description: str = ""
    images: list[Image] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    source_kind: str = "full"
    item_id: str | None = None
    link: str = ""
    brand: str = ""
    raw: dict[str, str] = field(default_factory=dict)

    @property
    def first_row(self) -> int | None:
        return self.rows[0] if self.rows else None

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]

    def text_fields(self) -> list[tuple[str, int | None, str]]:
        """(column, row, text) for every seller text the contact and text rules read."""
        first = self.first_row
        out: list[tuple[str, int | None, str]] = [
            ("Title", first, self.title),
            ("Body (HTML)", first, self.body_html),
            ("Tags", first, self.tags),
            ("Product Policy", first, self.policy),
            ("SEO Title", first, self.seo_title),
            ("SEO Description", first, self.seo_description),
        ]
        for i, name in enumerate(self.option_names):
            out.append((f"Option{i + 1} Name", first, name))
        for variant in self.variants:
            for i, value in enumerate(variant.options):
                out.append((f"Option{i + 1} Value", variant.row, value))
        for image in self.images:
            out.append(("Image Alt Text", image.row, image.alt))
        return [(column, row, text) for column, row, text in out if text]
