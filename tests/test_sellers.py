"""The sellers file, seller readiness, price conversion, and the registry in the store."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.domain.errors import CatalogError
from catalog.sellers import PriceRule, Seller, convert_price, load_sellers_file, readiness, readiness_text
from catalog.store import Store

SAMPLE = """\
sellers:
  - id: atelier-dupont            # [a-z0-9-]
    name: Atelier Dupont SARL
    email: vendeur@atelier-dupont.example
    cc: [compta@atelier-dupont.example]   # at most 5
    vat_number: FR40303265045     # EU VAT number, checked
    default_shipping: Colissimo
    currency: EUR
    fx_rates: {USD: 0.92}         # 1 USD = 0.92 EUR
    price_rule: {direction: increase, kind: percent, amount: 10}   # optional
    in_stock_default_qty: 10      # feeds: "in stock" without a quantity
  - id: quincaillerie-42
    name: Quincaillerie 42
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sellers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def one_seller(tmp_path: Path, body: str) -> Path:
    """A sellers file with one seller `atelier-dupont` and the given extra YAML lines."""
    lines = "".join(f"    {line}\n" for line in body.strip().splitlines())
    return write(tmp_path, f"sellers:\n  - id: atelier-dupont\n{lines}")


def test_sample_file_loads(tmp_path: Path) -> None:
    dupont, quincaillerie = load_sellers_file(write(tmp_path, SAMPLE))
    assert dupont == Seller(
        id="atelier-dupont", name="Atelier Dupont SARL", email="vendeur@atelier-dupont.example",
        cc=("compta@atelier-dupont.example",), vat_number="FR40303265045", default_shipping="Colissimo",
        currency="EUR", fx_rates={"USD": Decimal("0.92")},
        price_rule=PriceRule(direction="increase", kind="percent", amount=Decimal("10")), in_stock_default_qty=10,
    )
    assert quincaillerie.id == "quincaillerie-42" and quincaillerie.currency == "EUR"
    assert quincaillerie.fx_rates == {} and quincaillerie.price_rule is None


@pytest.mark.parametrize(("body", "expected"), [
    ("email: pas-une-adresse", r"seller 'atelier-dupont': email: 'pas-une-adresse' is not a valid email address"),
    ("email: vendeur@exémple.fr", r"seller 'atelier-dupont': email: 'vendeur@exémple.fr' is not a valid email"),
    ("email: a@b.c", r"seller 'atelier-dupont': email: 'a@b.c' is not a valid email address"),
    ("email: Vendeur <vendeur@x.fr>", r"email: 'Vendeur <vendeur@x.fr>' is not a valid email address"),
    ("cc: [a@x.fr, b@x.fr, c@x.fr, d@x.fr, e@x.fr, f@x.fr]", r"cc: 6 addresses, at most 5"),
    ("cc: [a@x.fr, nope]", r"seller 'atelier-dupont': cc: 'nope' is not a valid email address"),
    ("cc: [a@x.fr, compta@exémple.fr]", r"seller 'atelier-dupont': cc: 'compta@exémple.fr' is not a valid email"),
    ("cc: [a@b.c]", r"cc: 'a@b.c' is not a valid email address"),
    ("currency: EURO", r"currency: 'EURO' is not an ISO 4217 currency code"),
    ("currency: XXX", r"currency: 'XXX' is not an ISO 4217"),
    ("fx_rates: {USD: 0}", r"fx_rates\.USD: 0 must be a positive number"),
    ("fx_rates: {USD: -1.2}", r"fx_rates\.USD: -1\.2 must be a positive number"),
    ("fx_rates: {USD: beaucoup}", r"fx_rates\.USD: 'beaucoup' is not a number"),
    ("fx_rates: {DOLLAR: 0.9}", r"fx_rates: 'DOLLAR' is not an ISO 4217"),
    ("fx_rates: [0.92]", r"fx_rates: expected a mapping"),
    ("price_rule: {direction: up, kind: percent, amount: 10}", r"price_rule\.direction: 'up' must be increase"),
    ("price_rule: {direction: increase, kind: ratio, amount: 10}", r"price_rule\.kind: 'ratio' must be percent"),
    ("price_rule: {direction: increase, kind: fixed, amount: 0}", r"price_rule\.amount: 0 must be a positive"),
    ("price_rule: {direction: increase, kind: fixed}", r"price_rule\.amount: missing"),
    ("price_rule: {direction: decrease, kind: percent, amount: 100}", r"price_rule\.amount: a decrease of 100%"),
    ("price_rule: {direction: increase, kind: fixed, amount: 1, cap: 2}", r"price_rule\.cap: unknown field"),
    ("in_stock_default_qty: -3", r"in_stock_default_qty: -3 must be a whole number"),
    ("emial: a@x.fr", r"emial: unknown field"),
    ("name: [Atelier]", r"name: expected text"),
])
def test_each_validation_error_names_seller_and_field(tmp_path: Path, body: str, expected: str) -> None:
    with pytest.raises(CatalogError, match=expected) as caught:
        load_sellers_file(one_seller(tmp_path, body))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("text", "expected"), [
    ("sellers:\n  - id: Atelier_Dupont\n", r"seller 'Atelier_Dupont': id: 'Atelier_Dupont' must be lowercase"),
    ("sellers:\n  - name: Sans id\n", r"seller #1: id: missing"),
    ("sellers:\n  - id: a\n  - id: a\n", r"seller 'a': id: listed twice"),
    ("sellers:\n  - just a string\n", r"seller #1: entry: expected a mapping"),
    ("vendeurs: []\n", r"expected a top-level 'sellers:' list"),
    ("sellers: [\n", r"not valid YAML \(line \d+\)"),
])
def test_malformed_files(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(CatalogError, match=expected):
        load_sellers_file(write(tmp_path, text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="sellers file not found"):
        load_sellers_file(tmp_path / "absent.yaml")


def test_readiness() -> None:
    ready = Seller(id="a", email="a@x.fr", vat_number="FR40303265045", default_shipping="Colissimo")
    assert readiness(ready) == []
    assert readiness(Seller(id="b")) == ["email", "vat_number", "default_shipping"]
    bad_vat = Seller(id="c", email="a@x.fr", vat_number="FR00303265045", default_shipping="Colissimo")
    assert readiness(bad_vat) == ["vat_number_invalid"]
    fr, en = readiness_text(["email", "default_shipping"])
    assert fr == "adresse email de contact valide, transporteur par défaut"
    assert en == "valid contact email address, default shipping method"


@pytest.mark.parametrize("email", ["vendeur@exémple.fr", "a@b.c", "vendeur@", "vendeur@atelier-dupont"])
def test_an_unusable_email_counts_as_missing(email: str) -> None:
    """A seller stored before the check (or edited by hand) cannot import with an address no email reaches."""
    seller = Seller(id="a", email=email, vat_number="FR40303265045", default_shipping="Colissimo")
    assert readiness(seller) == ["email"]


def test_vat_number_is_normalised_on_load(tmp_path: Path) -> None:
    (seller,) = load_sellers_file(one_seller(tmp_path, "vat_number: fr 40 303 265 045"))
    assert seller.vat_number == "FR40303265045"


def rule_seller(direction: str = "increase", kind: str = "percent", amount: str = "10") -> Seller:
    return Seller(id="a", fx_rates={"USD": Decimal("0.92"), "GBP": Decimal("1.1719")},
                  price_rule=PriceRule(direction, kind, Decimal(amount)))


def test_price_conversion_applies_rate_then_rule() -> None:
    assert convert_price(Decimal("100"), "USD", Seller(id="a", fx_rates={"USD": Decimal("0.92")})) == Decimal("92.00")
    assert convert_price(Decimal("100"), "USD", rule_seller()) == Decimal("101.20")
    assert convert_price(Decimal("100"), "usd", rule_seller("decrease", "fixed", "2")) == Decimal("90.00")
    assert convert_price(Decimal("100"), "USD", rule_seller("increase", "fixed", "5")) == Decimal("97.00")
    assert convert_price(Decimal("9.99"), "GBP", rule_seller("decrease", "percent", "5")) == Decimal("11.12")


def test_price_conversion_without_rate_or_in_euros() -> None:
    assert convert_price(Decimal("100"), "CHF", rule_seller()) is None
    assert convert_price(Decimal("49.90"), "EUR", rule_seller()) == Decimal("49.90")
    assert convert_price(Decimal("49.90"), "", rule_seller()) == Decimal("49.90")
    assert convert_price(Decimal("1"), "USD", rule_seller("decrease", "fixed", "5")) is None


def test_registry_round_trip(store: Store, tmp_path: Path) -> None:
    loaded = load_sellers_file(write(tmp_path, SAMPLE))
    store.upsert_sellers(loaded)
    stored = store.get_seller("atelier-dupont")
    assert stored is not None and stored.updated_at is not None
    assert stored == replace(loaded[0], updated_at=stored.updated_at)
    assert [s.id for s in store.list_sellers()] == ["atelier-dupont", "quincaillerie-42"]
    changed = Seller(id="atelier-dupont", name="Atelier Dupont", email="autre@atelier-dupont.example")
    store.upsert_seller(changed)
    again = store.get_seller("atelier-dupont")
    assert again is not None and again.email == "autre@atelier-dupont.example" and again.price_rule is None
    assert again.fx_rates == {} and len(store.list_sellers()) == 2
    assert store.get_seller("nobody") is None
