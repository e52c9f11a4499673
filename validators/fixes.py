"""The safe fixes of rules.md, one value at a time: only where the meaning cannot change.

`49,90` → `49.90`, `true` → `TRUE`, a Type replaced in the tags. (Invisible
characters and mojibake are `validators.text.fix_text`, tags `normalise_tags`.)
Contact details, out-of-range prices and unknown types are never fixed.
"""

from __future__ import annotations

import re

_COMMA_PRICE = re.compile(r"(\d+),(\d{1,2})")


def fix_price(value: str) -> str:
    match = _COMMA_PRICE.fullmatch(value.strip())
    return f"{match[1]}.{match[2]}" if match else value


def fix_boolean(value: str) -> str:
    return value.strip().upper() if value.strip().lower() in {"true", "false"} else value


def fix_type_in_tags(tags: str, old: str, new: str) -> str:
    parts = [t.strip() for t in tags.split(",") if t.strip()]
    if old in parts:
        parts = [new if t == old else t for t in parts]
    elif new not in parts:
        parts.append(new)
    return ",".join(dict.fromkeys(parts))
