"""A seller as the pipeline sees them: identity, money settings, and what an import needs from the account."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from stdnum.eu import vat

from catalog.domain.addresses import is_valid_address
from catalog.domain.issues import Issue
from catalog.domain.rules import issue

CENT = Decimal("0.01")

# The labels `readiness` codes stand for, in French and English, for the `seller.not_ready` message.
READINESS_LABELS: dict[str, tuple[str, str]] = {
    "email": ("adresse email de contact valide", "valid contact email address"),
    "vat_number": ("numéro de TVA intracommunautaire", "EU VAT number"),
    "vat_number_invalid": ("numéro de TVA intracommunautaire valide (celui enregistré est invalide)",
                           "a valid EU VAT number (the one on file is invalid)"),
    "default_shipping": ("transporteur par défaut", "default shipping method"),
}

# Where each setting is made in the seller's account (the sellers' FAQ names these menus).
_VAT_PLACE = ("numéro de TVA intracommunautaire dans Configuration > Configuration des factures (champ « Numéro de "
              "TVA »), puis Enregistrer",
              "EU VAT number in Configuration > Invoice configuration (\"VAT number\" field), then Save")
READINESS_PLACES: dict[str, tuple[str, str]] = {
    "email": ("adresse email dans Profil > Mon compte (champ « Email »), puis cliquez sur le lien de vérification "
              "reçu à cette adresse",
              "email address in Profile > My account (\"Email\" field), then click the verification link sent to "
              "that address"),
    "vat_number": _VAT_PLACE,
    "vat_number_invalid": _VAT_PLACE,
    "default_shipping": ("transporteur par défaut dans Configuration > Méthodes de livraison : activez le "
                         "transporteur, puis « Définir par défaut » dans son menu Action (…)",
                         "default shipping method in Configuration > Shipping methods: enable the carrier, then "
                         "\"Set as default\" in its Action menu (…)"),
}


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


def readiness_where(missing: list[str]) -> tuple[str, str]:
    """Where, in the seller's account, each missing setting is made (French, English), for `{where_fr}`."""
    places = list(dict.fromkeys(READINESS_PLACES[code] for code in missing))
    return " ; ".join(fr for fr, _ in places), "; ".join(en for _, en in places)


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


def not_ready_issue(missing: list[str]) -> Issue:
    """`seller.not_ready`: what the account lacks and where in the account each setting is made."""
    missing_fr, missing_en = readiness_text(missing)
    where_fr, where_en = readiness_where(missing)
    return issue("seller.not_ready", missing_fr=missing_fr, missing_en=missing_en, where_fr=where_fr,
                 where_en=where_en)
