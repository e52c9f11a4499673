"""What a proposed version changes against the live one, field by field, for the ops reviewing it.

Variants are matched by their stable id (given at staging), so a reordered or
renamed variant shows as the fields that changed, not as one removed and one
added. Prices are compared as amounts (`49.9` and `49.90` are the same price).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from catalog.domain.model import Product, Variant

PRODUCT_FIELDS = ("title", "body_html", "type", "tags", "collection", "option_names", "currency", "brand",
                  "video_url", "link", "policy", "country", "seo_title", "seo_description")
VARIANT_FIELDS = ("options", "sku", "barcode", "price", "compare_at_price", "inventory_qty", "inventory_policy",
                  "minimum_qty", "grams", "requires_shipping", "taxable", "image")


@dataclass(frozen=True, slots=True)
class Change:
    """One field that differs. `of` names what the field belongs to when not the product itself: a variant
    (its SKU, else its options, else its id) or an image (its URL)."""

    field: str
    live: Any
    proposed: Any
    of: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "of": self.of, "live": self.live, "proposed": self.proposed}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def variant_label(variant: Variant) -> str:
    if variant.sku:
        return variant.sku
    if any(variant.options):
        return " / ".join(v for v in variant.options if v)
    return f"#{variant.variant_id}" if variant.variant_id else "(no SKU)"


def version_changes(live: Product | None, proposed: Product | None) -> list[Change]:
    """The differences from `live` to `proposed`; empty when either is missing (a creation, a take-down)."""
    if live is None or proposed is None:
        return []
    out = [Change(name, _plain(getattr(live, name)), _plain(getattr(proposed, name)))
           for name in PRODUCT_FIELDS if getattr(live, name) != getattr(proposed, name)]
    out += _image_changes(live, proposed)
    out += _variant_changes(live.variants, proposed.variants)
    return out


def _image_changes(live: Product, proposed: Product) -> list[Change]:
    before = {image.src: image.alt for image in live.images}
    after = {image.src: image.alt for image in proposed.images}
    out: list[Change] = []
    if list(before) != list(after):
        out.append(Change("images", list(before), list(after)))
    out += [Change("alt", before[src], alt, of=src) for src, alt in after.items()
            if src in before and before[src] != alt]
    return out


def _variant_changes(live: list[Variant], proposed: list[Variant]) -> list[Change]:
    def key(variant: Variant, index: int) -> str:
        return variant.variant_id or f"position {index + 1}"

    before = {key(v, i): v for i, v in enumerate(live)}
    after = {key(v, i): v for i, v in enumerate(proposed)}
    out: list[Change] = []
    for variant_key, new in after.items():
        old = before.get(variant_key)
        if old is None:
            out.append(Change("variant", None, variant_label(new), of=variant_label(new)))
            continue
        out += [Change(name, _plain(getattr(old, name)), _plain(getattr(new, name)), of=variant_label(new))
                for name in VARIANT_FIELDS if getattr(old, name) != getattr(new, name)]
    out += [Change("variant", variant_label(old), None, of=variant_label(old))
            for variant_key, old in before.items() if variant_key not in after]
    return out
