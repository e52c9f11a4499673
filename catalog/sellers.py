"""The seller registry: the sellers file, what a seller needs before importing, and price conversion."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from stdnum.eu import vat

from catalog.domain.addresses import MAX_CC, is_valid_address
from catalog.domain.errors import CatalogError
from catalog.domain.iso import currency_codes

SELLER_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
CENT = Decimal("0.01")

# The labels `readiness` codes stand for, in French and English, for the `seller.not_ready` message.
READINESS_LABELS: dict[str, tuple[str, str]] = {
    "email": ("adresse email de contact valide", "valid contact email address"),
    "vat_number": ("numéro de TVA intracommunautaire", "EU VAT number"),
    "vat_number_invalid": ("numéro de TVA intracommunautaire valide (celui enregistré est invalide)",
                           "a valid EU VAT number (the one on file is invalid)"),
    "default_shipping": ("transporteur par défaut", "default shipping method"),
}

_FIELDS = ("id", "name", "email", "cc", "vat_number", "default_shipping", "currency", "fx_rates", "price_rule",
           "in_stock_default_qty")


@dataclass(frozen=True, slots=True)
class PriceRule:
    """A seller's margin on converted prices: `increase` or `decrease`, by a `percent` or a `fixed` amount."""

    direction: str
    kind: str
    amount: Decimal

    def apply(self, price: Decimal) -> Decimal:
        delta = price * self.amount / 100 if self.kind == "percent" else self.amount
        return price + delta if self.direction == "increase" else price - delta

    def to_dict(self) -> dict[str, str]:
        return {"direction": self.direction, "kind": self.kind, "amount": str(self.amount)}


@dataclass(slots=True)
class Seller:
    id: str
    name: str = ""
    email: str = ""
    cc: tuple[str, ...] = ()
    vat_number: str = ""
    default_shipping: str = ""
    currency: str = "EUR"
    fx_rates: dict[str, Decimal] = field(default_factory=dict)
    price_rule: PriceRule | None = None
    in_stock_default_qty: int | None = None
    updated_at: datetime | None = None


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


def readiness(seller: Seller) -> list[str]:
    """What the seller lacks before importing (codes of READINESS_LABELS); empty when ready.

    An email that is not a usable address counts as missing: the report could not reach the seller.
    """
    missing: list[str] = []
    if not is_valid_address(seller.email):
        missing.append("email")
    if not seller.vat_number:
        missing.append("vat_number")
    elif not vat.is_valid(seller.vat_number):
        missing.append("vat_number_invalid")
    if not seller.default_shipping:
        missing.append("default_shipping")
    return missing


def readiness_text(missing: list[str]) -> tuple[str, str]:
    """The French and English list of what is missing, for `{missing_fr}` / `{missing_en}`."""
    labels = [READINESS_LABELS[code] for code in missing]
    return ", ".join(fr for fr, _ in labels), ", ".join(en for _, en in labels)


def convert_price(price: Decimal, currency: str, seller: Seller) -> Decimal | None:
    """The price in EUR: the seller's fx rate, then their price rule, rounded to the cent.

    An empty currency or EUR is returned as is (no rule: the rule is the margin on converted prices).
    None when the seller has no rate for `currency`, or the rule leaves no positive price.
    """
    code = currency.strip().upper()
    if code in ("", "EUR"):
        return price
    rate = seller.fx_rates.get(code)
    if rate is None:
        return None
    converted = price * rate
    if seller.price_rule is not None:
        converted = seller.price_rule.apply(converted)
    converted = converted.quantize(CENT, rounding=ROUND_HALF_UP)
    return converted if converted > 0 else None


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
