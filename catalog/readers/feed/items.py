"""Feed items as products of the one model: the mapping table of xml-feed.md.

Items of one `g:item_group_id` are one product whose variants are the items;
an item without a group is a product of its own. What only a feed can get
wrong (a missing field, a price not like `49.90 EUR`) gets its `feed.*` code
here; everything else is left to the product rules every input shares.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from catalog.domain.issues import Issue
from catalog.domain.location import Location
from catalog.domain.model import Image, Product, Variant
from catalog.domain.rules import issue
from catalog.readers.feed.xml_stream import RawItem
from taxonomy import Taxonomy
from validators.cells import FULL_CELL_RULES, handle_suggestion

MAX_ADDITIONAL_IMAGES = 10
# What a variant keeps of its item as the seller wrote it (the texts are on the product already).
KEPT_FIELDS = ("g:id", "g:item_group_id", "g:mpn", "g:gtin", "g:availability", "g:price", "g:sale_price")
# Option attributes in the order the spec lists them, with the name sellers read.
OPTION_FIELDS: tuple[tuple[str, str], ...] = (
    ("g:color", "Couleur"), ("g:size", "Taille"), ("g:material", "Matière"), ("g:pattern", "Motif"),
)
_PRICE = re.compile(r"(\d{1,12}(?:\.\d{1,2})?)\s*([A-Za-z]{3})", re.ASCII)
_WEIGHT = re.compile(r"(\d{1,9}(?:[.,]\d{1,6})?)\s*(kg|g|lb|oz)", re.ASCII | re.IGNORECASE)
_GRAMS_PER = {"g": Decimal(1), "kg": Decimal(1000), "lb": Decimal("453.59237"), "oz": Decimal("28.349523125")}
_IN_STOCK = {"in_stock", "in stock"}
_ORDERABLE = {"preorder", "backorder"}
_REQUIRED = (("g:id", ("g:id",)), ("title", ("g:title", "title")), ("description", ("g:description", "description",
             "summary", "content")), ("g:price", ("g:price",)), ("g:image_link", ("g:image_link",)))


def first(item: RawItem, *names: str) -> str:
    """The first non-empty value among the fields `names`, or ""."""
    for name in names:
        for value in item.fields.get(name, ()):
            if value.strip():
                return value.strip()
    return ""


def item_id(item: RawItem) -> str:
    return first(item, "g:id")


def group_id(item: RawItem) -> str:
    return first(item, "g:item_group_id")


def handle_for(item: RawItem) -> str:
    """The product's Handle: from `g:item_group_id` when the item has one, else from its `g:id`."""
    return handle_suggestion(group_id(item) or item_id(item) or f"article-{item.position}")


def parse_price(text: str) -> tuple[Decimal, str] | None:
    """`49.90 EUR` → (49.90, "EUR"); None when it is not a price like that."""
    match = _PRICE.fullmatch(text.strip())
    return (Decimal(match[1]), match[2].upper()) if match else None


def parse_grams(text: str) -> int | None:
    """`1.3 kg`, `500 g`, `2 lb`, `12 oz` → grams, rounded."""
    match = _WEIGHT.fullmatch(text.strip())
    if not match:
        return None
    return int((Decimal(match[1].replace(",", ".")) * _GRAMS_PER[match[2].lower()]).to_integral_value())


def sale_applies(window: str, now: datetime) -> bool:
    """Whether `now` is inside a `g:sale_price_effective_date` window (`start/end`, ISO 8601); no window: yes."""
    if not window.strip():
        return True
    start_text, _, end_text = window.partition("/")
    try:
        start = datetime.fromisoformat(start_text.strip()) if start_text.strip() else None
        end = datetime.fromisoformat(end_text.strip()) if end_text.strip() else None
    except ValueError:
        return False
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    if end is not None and end.tzinfo is None:
        end = end.replace(tzinfo=UTC)
    return (start is None or start <= now) and (end is None or now < end)


def _missing(item: RawItem, handle: str) -> list[Issue]:
    gid = item_id(item) or None
    return [issue("feed.item_missing_field", at=Location(item=gid or f"#{item.position}", column=field),
                  product=handle, field=field)
            for field, names in _REQUIRED if not first(item, *names)]


def _variant(item: RawItem, handle: str, option_fields: Sequence[str], default_qty: int | None,
             now: datetime) -> tuple[Variant, str, list[Issue]]:
    """One item as a variant, the currency of its price, and its feed-only issues."""
    gid = item_id(item)
    found: list[Issue] = []
    variant = Variant(row=None, item=gid or None, sku=gid, options=tuple(first(item, f) for f in option_fields),
                      minimum_qty=1, raw={k: first(item, k) for k in KEPT_FIELDS if first(item, k)})
    currency = ""
    price_text = first(item, "g:price")
    price = parse_price(price_text) if price_text else None
    if price_text and price is None:
        found.append(issue("feed.price_format", at=Location(item=gid, column="g:price"), product=handle,
                           value=price_text))
    if price is not None:
        variant.price, currency = price
    sale_text = first(item, "g:sale_price")
    sale = parse_price(sale_text) if sale_text else None
    if sale_text and sale is None:
        found.append(issue("feed.price_format", at=Location(item=gid, column="g:sale_price"), product=handle,
                           value=sale_text))
    if sale is not None and price is not None and sale_applies(first(item, "g:sale_price_effective_date"), now):
        variant.compare_at_price, variant.price = variant.price, sale[0]
    availability = first(item, "g:availability").lower()
    quantity = first(item, "g:quantity", "g:sell_on_google_quantity")
    if quantity.isdigit() and len(quantity) <= 9:
        variant.inventory_qty = int(quantity)
    elif availability in _IN_STOCK:
        variant.inventory_qty = default_qty if default_qty is not None else 1
    else:
        variant.inventory_qty = 0
    if availability in _ORDERABLE:
        variant.inventory_policy = "continue"
    barcode = first(item, "g:gtin")
    if barcode:
        variant.barcode = barcode
        rule = FULL_CELL_RULES["Variant Barcode"][0]
        if not rule.ok(barcode):
            found.append(rule.issue(barcode, at=Location(item=gid, column="g:gtin"), product=handle))
    weight = first(item, "g:shipping_weight")
    if weight:
        variant.grams = parse_grams(weight)
    return variant, currency, found


def _collection(item: RawItem, taxonomy: Taxonomy) -> str:
    """The Type: `g:product_type` when it names an assignable collection, else `g:google_product_category`'s."""
    product_type = first(item, "g:product_type")
    if product_type:
        for candidate in (product_type, product_type.split(">")[-1].strip()):
            if candidate in taxonomy.collection_by_name:
                return candidate
    category = first(item, "g:google_product_category")
    node = taxonomy.collection_for_category(category) if category else None
    if node is not None:
        return node.name
    return product_type.split(">")[-1].strip() if product_type else category


def product_from_items(items: Sequence[RawItem], *, taxonomy: Taxonomy, default_qty: int | None = None,
                       now: datetime | None = None) -> tuple[Product, list[Issue]]:
    """One product from the items of a group (or one item alone), with the issues only the feed shows."""
    now = now or datetime.now(UTC)
    head = items[0]
    handle = handle_for(head)
    found: list[Issue] = []
    for item in items:
        found += _missing(item, handle)
    present = [field for field, _ in OPTION_FIELDS if any(first(item, field) for item in items)]
    option_fields = present if len(items) > 1 else []
    names = dict(OPTION_FIELDS)
    collection = _collection(head, taxonomy)
    product = Product(
        handle=handle,
        title=first(head, "g:title", "title"),
        body_html=first(head, "g:description", "description", "summary", "content"),
        type=collection,
        tags=collection,
        option_names=tuple(names[f] for f in option_fields),
        source_kind="feed",
        item_id=item_id(head) or None,
        link=first(head, "g:link", "link"),
        brand=first(head, "g:brand"),
        raw={"g:id": item_id(head), "g:item_group_id": group_id(head), "g:mpn": first(head, "g:mpn")},
    )
    seen_images: set[str] = set()
    currencies: list[str] = []
    for item in items:
        variant, currency, variant_issues = _variant(item, handle, option_fields, default_qty, now)
        product.variants.append(variant)
        currencies.append(currency)
        found += variant_issues
        links = [first(item, "g:image_link")] + [v.strip() for v in item.fields.get("g:additional_image_link", ())]
        for index, src in enumerate(links[: 1 + MAX_ADDITIONAL_IMAGES]):
            if src and src not in seen_images:
                seen_images.add(src)
                column = "g:image_link" if index == 0 else "g:additional_image_link"
                product.images.append(Image(src=src, row=None, column=column, item=variant.item))
    product.currency = next((c for c in currencies if c), "")
    return product, found
