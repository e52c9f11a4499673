"""Email addresses: the one check used for a seller's address, their Cc list and the ops copy.

An address is accepted when it is plain ASCII `local@domain.tld`, with nothing around it: a dot in
the domain, labels of letters, digits and inner hyphens, and a top-level domain of at least two
letters. Internationalised addresses (`vendeur@exémple.fr`) are refused: not every mail server on
the way accepts them, and a report that never arrives is worse than a clear error on the sellers file.
"""

from __future__ import annotations

import re

MAX_CC = 5

_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def is_valid_address(address: str) -> bool:
    """Whether `address` is a plain ASCII `local@domain.tld` address, with nothing around it."""
    return bool(_ADDRESS.fullmatch(address))
