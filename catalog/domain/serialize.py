"""Product <-> JSON-safe dict, for the versions the store keeps.

Decimals become strings (exact, unlike floats), tuples become lists; reading
back restores the same dataclasses, so `product_from_dict(product_to_dict(p)) == p`.
Floats are refused on the way in: a price held as a float has already lost its
exactness, and storing it would hide that.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields, is_dataclass
from decimal import Decimal
from typing import Any

from catalog.domain.model import Image, Product, Variant

_NESTED: dict[str, type] = {"list[Image]": Image, "list[Variant]": Variant}


def product_to_dict(product: Product) -> dict[str, Any]:
    if not isinstance(product, Product):
        raise TypeError(f"expected a Product, got {type(product).__name__}")
    return _encode_dataclass(product)


def product_from_dict(data: dict[str, Any]) -> Product:
    return _decode_dataclass(Product, data)


# Where a value sits in the input (row numbers, column names) and the raw cell texts are not content:
# moving a product down a file, or writing 49,90 for 49.90, does not change it.
_NOT_CONTENT = frozenset({"rows", "row", "column", "raw"})
_NESTED_FIELDS = frozenset({"images", "variants"})


def _content_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.name not in _NOT_CONTENT | _NESTED_FIELDS)


_PRODUCT_FIELDS = _content_fields(Product)
_VARIANT_FIELDS = _content_fields(Variant)
_IMAGE_FIELDS = _content_fields(Image)


def content_hash(product: Product, context: str = "") -> str:
    """A digest of what the seller says about the product, not of where it sits in the input.

    `context` joins what else shapes the staged version (the seller's price settings), so a product read
    the same under other settings is not taken for unchanged. The digest is of the `repr` of the typed
    values (str, int, bool, Decimal, tuples: all stable), a few times cheaper than a JSON encoding, since
    a night's refresh computes one per product of every feed. Changing what it covers makes every
    product "changed" once, which costs one full check, never a wrong "unchanged".
    """
    content = (
        tuple(getattr(product, name) for name in _PRODUCT_FIELDS),
        tuple(tuple(getattr(image, name) for name in _IMAGE_FIELDS) for image in product.images),
        tuple(tuple(getattr(variant, name) for name in _VARIANT_FIELDS) for variant in product.variants),
        context,
    )
    return hashlib.sha256(repr(content).encode("utf-8")).hexdigest()


def _encode_dataclass(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(obj):
        try:
            out[f.name] = _encode(getattr(obj, f.name))
        except TypeError as exc:
            raise TypeError(f"{type(obj).__name__}.{f.name}: {exc}") from None
    return out


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return _encode_dataclass(value)
    raise TypeError(f"cannot store a {type(value).__name__} value ({value!r})")


def _decode_dataclass(cls: type, data: dict[str, Any]) -> Any:
    if not isinstance(data, dict):
        raise ValueError(f"{cls.__name__}: expected an object, got {type(data).__name__}")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ValueError(f"{cls.__name__}: unknown fields {', '.join(unknown)}")
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        kwargs[name] = _decode(str(known[name].type), value)
    return cls(**kwargs)


def _decode(type_text: str, value: Any) -> Any:
    """Rebuild one field from its declared type (annotations are strings in catalog.domain.model)."""
    if value is None:
        return None
    if type_text in _NESTED:
        return [_decode_dataclass(_NESTED[type_text], item) for item in value]
    if type_text.startswith("Decimal"):
        return Decimal(str(value))
    if type_text.startswith("tuple"):
        return tuple(value)
    if type_text.startswith("list"):
        return list(value)
    if type_text.startswith("dict"):
        return dict(value)
    return value
