"""Prices in another currency: known, convertible with the seller's rate, then converted to EUR."""

from __future__ import annotations

from catalog.domain.iso import currency_codes
from catalog.domain.issues import Issue, Severity
from catalog.domain.model import Product
from catalog.domain.rules import issue
from catalog.domain.sellers import Seller, convert_price


def currency_issues(product: Product, seller: Seller | None) -> list[Issue]:
    currency = product.currency
    if not currency or currency == "EUR":
        return []
    where = {"at": product.at("currency"), "product": product.handle, "value": currency}
    if currency not in currency_codes():
        return [issue("price.currency", reason_fr="n'est pas un code ISO 4217 (EUR, USD, GBP…)",
                      reason_en="is not an ISO 4217 code (EUR, USD, GBP…)", **where)]
    if seller is None:
        return [issue("price.currency", severity=Severity.WARNING,
                      reason_fr="ne peut être vérifiée qu'avec votre compte vendeur (le taux de conversion vient de "
                                "votre configuration)",
                      reason_en="can only be checked with your seller account (the conversion rate comes from your "
                                "settings)", **where)]
    if currency not in (seller.fx_rates or {}):
        return [issue("price.currency", reason_fr="n'a pas de taux de conversion configuré pour votre compte",
                      reason_en="has no conversion rate configured for your account", **where)]
    found: list[Issue] = []
    for variant in product.variants:
        for attr in ("price", "compare_at_price"):
            old = getattr(variant, attr)
            if old is None:
                continue
            new = convert_price(old, currency, seller)
            if new is None:
                return [issue("price.currency", reason_fr="donne un prix nul après conversion et règle de prix",
                              reason_en="gives no positive price after conversion and price rule", **where)]
            setattr(variant, attr, new)
            if attr == "price":
                found.append(issue("price.converted", at=product.at("price", variant),
                                   product=product.handle, value=f"{old} {currency}",
                                   currency=currency, old=f"{old} {currency}", new=f"{new} EUR"))
    product.currency = "EUR"
    return found
