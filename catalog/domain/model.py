"""The product model that full CSVs, bulk files and XML feeds all fill.

Values are kept as the seller wrote them (`raw`) next to their typed form, so a
check can quote the original text and a report can rewrite the seller's own
file. Typed fields are `None` when the cell was empty or did not parse: the
cell-level check has already said why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from catalog.domain.columns import FIELD_NAMES
from catalog.domain.location import Location


def option_field(kind: str, index: int) -> str:
    """The model name of option `index` (0-based) of `kind` `name` or `value`: `option1_name`, `option2_value`…"""
    return f"option{index + 1}_{kind}"


@dataclass(slots=True)
class Image:
    src: str
    alt: str = ""
    row: int | None = None
    column: str = "Image Src"  # the input's name of the field that holds `src`
    item: str | None = None


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
    item: str | None = None


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

    def has_field(self, name: str) -> bool:
        """Whether the seller's input has a field for `name` (a feed has no SEO title, a CSV has no link)."""
        return name in FIELD_NAMES.get(self.source_kind, {})

    def at(self, name: str | None, of: Variant | Image | None = None) -> Location:
        """Where field `name` of this product (or of one of its variants or images) is in the seller's input.

        No name: the product (or variant) itself, its row or item without a column.
        """
        names = FIELD_NAMES.get(self.source_kind, {})
        if name is None:
            return Location(self.first_row if of is None else of.row, None, self.item_id if of is None else
                            (of.item or self.item_id))
        if of is None:
            return Location(self.first_row, names.get(name, name), self.item_id)
        column = of.column if isinstance(of, Image) and name == "src" else names.get(name, name)
        return Location(of.row, column, of.item or self.item_id)

    def text_fields(self) -> list[tuple[Location, str]]:
        """(where, text) for every seller text the contact and text rules read."""
        out: list[tuple[Location, str]] = [
            (self.at(name), getattr(self, name))
            for name in ("title", "body_html", "tags", "policy", "seo_title", "seo_description")
        ]
        out += [(self.at(option_field("name", i)), name) for i, name in enumerate(self.option_names)]
        for variant in self.variants:
            out += [(self.at(option_field("value", i), variant), value) for i, value in enumerate(variant.options)]
        out += [(self.at("alt", image), image.alt) for image in self.images]
        return [(where, text) for where, text in out if text]
