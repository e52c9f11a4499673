"""The sellers file: reading and checking it into `Seller` records (the record itself is in the domain)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from catalog.domain.addresses import MAX_CC, is_valid_address
from catalog.domain.errors import CatalogError
from catalog.domain.iso import currency_codes
from catalog.domain.sellers import (
    READINESS_LABELS,
    PriceRule,
    Seller,
    convert_price,
    readiness,
    readiness_text,
)

__all__ = ["READINESS_LABELS", "PriceRule", "Seller", "convert_price", "load_sellers_file", "readiness",
           "readiness_text", "seller_from_dict"]

SELLER_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_FIELDS = ("id", "name", "email", "cc", "vat_number", "default_shipping", "currency", "fx_rates", "price_rule",
           "in_stock_default_qty")


class SellerFieldError(ValueError):
    def __init__(self, field_name: str, problem: str) -> None:
        super().__init__(f"{field_name}: {problem}")
        self.field = field_name


def load_sellers_file(path: str | Path) -> list[Seller]:
    """Read and check a sellers YAML file (interfaces.md "Sellers file"); any problem is a one-line CatalogError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError(f"sellers file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"sellers file {path}: cannot read it: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise CatalogError(f"sellers file {path}: not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict) or not isinstance(data.get("sellers"), list):
        raise CatalogError(f"sellers file {path}: expected a top-level 'sellers:' list")
    out: list[Seller] = []
    seen: set[str] = set()
    for index, entry in enumerate(data["sellers"], start=1):
        label = f"#{index}"
        if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry["id"]:
            label = repr(entry["id"])
        try:
            seller = seller_from_dict(entry)
        except SellerFieldError as exc:
            raise CatalogError(f"sellers file {path}: seller {label}: {exc}") from None
        if seller.id in seen:
            raise CatalogError(f"sellers file {path}: seller {label}: id: listed twice")
        seen.add(seller.id)
        out.append(seller)
    return out


def seller_from_dict(data: Any) -> Seller:
    """Build a Seller from one entry of the sellers file; raises SellerFieldError naming the field."""
    if not isinstance(data, Mapping):
        raise SellerFieldError("entry", "expected a mapping of fields")
    unknown = sorted(str(k) for k in data if k not in _FIELDS)
    if unknown:
        raise SellerFieldError(unknown[0], f"unknown field (expected one of {', '.join(_FIELDS)})")
    seller_id = _text(data, "id")
    if not seller_id:
        raise SellerFieldError("id", "missing")
    if not SELLER_ID.fullmatch(seller_id):
        raise SellerFieldError("id", f"{seller_id!r} must be lowercase letters, digits and '-' (64 at most)")
    email = _text(data, "email")
    if email and not is_valid_address(email):
        raise SellerFieldError("email", f"{email!r} is not a valid email address")
    cc_raw = data.get("cc") or []
    if isinstance(cc_raw, str):
        cc_raw = [cc_raw]
    if not isinstance(cc_raw, list):
        raise SellerFieldError("cc", "expected a list of email addresses")
    if len(cc_raw) > MAX_CC:
        raise SellerFieldError("cc", f"{len(cc_raw)} addresses, at most {MAX_CC}")
    cc: list[str] = []
    for value in cc_raw:
        if not isinstance(value, str) or not is_valid_address(value.strip()):
            raise SellerFieldError("cc", f"{value!r} is not a valid email address")
        cc.append(value.strip())
    currency = (_text(data, "currency") or "EUR").upper()
    if currency not in currency_codes():
        raise SellerFieldError("currency", f"{currency!r} is not an ISO 4217 currency code")
    return Seller(
        id=seller_id,
        name=_text(data, "name"),
        email=email,
        cc=tuple(cc),
        vat_number=_text(data, "vat_number").replace(" ", "").upper(),
        default_shipping=_text(data, "default_shipping"),
        currency=currency,
        fx_rates=_fx_rates(data.get("fx_rates")),
        price_rule=_price_rule(data.get("price_rule")),
        in_stock_default_qty=_quantity(data.get("in_stock_default_qty")),
    )


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise SellerFieldError(name, f"expected text, got {value!r}")
    return str(value).strip()


def _positive(name: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise SellerFieldError(name, f"{value!r} is not a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise SellerFieldError(name, f"{value!r} is not a number") from None
    if not number.is_finite() or number <= 0:
        raise SellerFieldError(name, f"{value!r} must be a positive number")
    return number


def _fx_rates(value: Any) -> dict[str, Decimal]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise SellerFieldError("fx_rates", "expected a mapping like {USD: 0.92}")
    rates: dict[str, Decimal] = {}
    for code, rate in value.items():
        code_text = str(code).strip().upper()
        if code_text not in currency_codes():
            raise SellerFieldError("fx_rates", f"{code!r} is not an ISO 4217 currency code")
        rates[code_text] = _positive(f"fx_rates.{code_text}", rate)
    return rates


def _price_rule(value: Any) -> PriceRule | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise SellerFieldError("price_rule", "expected {direction: increase|decrease, kind: percent|fixed, amount: N}")
    unknown = sorted(str(k) for k in value if k not in ("direction", "kind", "amount"))
    if unknown:
        raise SellerFieldError(f"price_rule.{unknown[0]}", "unknown field (expected direction, kind, amount)")
    direction, kind = value.get("direction"), value.get("kind")
    if direction not in ("increase", "decrease"):
        raise SellerFieldError("price_rule.direction", f"{direction!r} must be increase or decrease")
    if kind not in ("percent", "fixed"):
        raise SellerFieldError("price_rule.kind", f"{kind!r} must be percent or fixed")
    if "amount" not in value:
        raise SellerFieldError("price_rule.amount", "missing")
    amount = _positive("price_rule.amount", value["amount"])
    if kind == "percent" and direction == "decrease" and amount >= 100:
        raise SellerFieldError("price_rule.amount", f"a decrease of {amount}% leaves no price")
    return PriceRule(direction=direction, kind=kind, amount=amount)


def _quantity(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SellerFieldError("in_stock_default_qty", f"{value!r} must be a whole number ≥ 0")
    return value
