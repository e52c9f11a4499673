"""The one email-address check, shared by the sellers file, the seller's readiness and the report email."""

from __future__ import annotations

import pytest

from catalog import sellers
from catalog.domain.addresses import MAX_CC, is_valid_address
from reports import email


@pytest.mark.parametrize("address", [
    "vendeur@atelier-dupont.example",
    "compta+factures@atelier-dupont.fr",
    "prenom.nom@sous.domaine.co.uk",
    "a@b.io",
    "o'brien@x.ie",
    "VENDEUR@EXEMPLE.FR",
])
def test_valid(address: str) -> None:
    assert is_valid_address(address)


@pytest.mark.parametrize("address", [
    "",
    "vendeur",
    "vendeur@",
    "@exemple.fr",
    "vendeur@exemple",
    "a@b.c",
    "vendeur@exémple.fr",
    "vendéur@exemple.fr",
    "vendeur@exemple.fr2",
    "vendeur@-exemple.fr",
    "vendeur@exemple-.fr",
    "vendeur@exemple..fr",
    ".vendeur@exemple.fr",
    "vendeur.@exemple.fr",
    "ven deur@exemple.fr",
    " vendeur@exemple.fr",
    "vendeur@exemple.fr\n",
    "vendeur@exemple.fr\r\nBcc: x@y.fr",
    "Vendeur <vendeur@exemple.fr>",
    "a@x.fr, b@x.fr",
    "a@b@exemple.fr",
])
def test_invalid(address: str) -> None:
    assert not is_valid_address(address)


def test_one_definition_used_everywhere() -> None:
    assert MAX_CC == 5
    assert sellers.MAX_CC is MAX_CC and email.MAX_CC is MAX_CC
    assert sellers.is_valid_address is is_valid_address and email.is_valid_address is is_valid_address
