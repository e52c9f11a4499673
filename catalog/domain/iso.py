"""The ISO code sets rules check against (countries, currencies), from pycountry, loaded on first use."""

from __future__ import annotations

from functools import cache

# ISO 4217 codes that are not money a price can be in: precious metals, funds, units of account, test codes.
NOT_PRICE_CURRENCIES = frozenset((
    "XAG", "XAU", "XPD", "XPT", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA", "XTS", "XXX",
    "BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW",
))


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes."""
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 codes of currencies a price can be in."""
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.currencies) - NOT_PRICE_CURRENCIES
