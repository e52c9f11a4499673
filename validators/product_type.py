"""The Type rule: a taxonomy verdict turned into the catalog's issue."""

from __future__ import annotations

from catalog.domain.issues import Issue
from catalog.domain.location import Location
from catalog.domain.rules import issue
from taxonomy.suggest import NOT_LEAF, TOO_DEEP, TypeVerdict


def type_issue(verdict: TypeVerdict, *, value: str, at: Location, product: str | None = None) -> Issue | None:
    """The catalog issue for a verdict, or None when the Type is fine."""
    if verdict.code is None:
        return None
    first = verdict.suggestions[0] if verdict.suggestions else None
    hint_fr = f" : par exemple « {first} »" if first else ""
    hint_en = f': for example "{first}"' if first else ""
    params: dict[str, object] = {"hint_fr": hint_fr, "hint_en": hint_en}
    if verdict.code in (NOT_LEAF, TOO_DEEP):
        params["level"] = verdict.level
    if verdict.code == TOO_DEEP:
        params["ancestor"] = verdict.ancestor or first or ""
    return issue(verdict.code, at=at, product=product, value=value,
                 suggestions=verdict.suggestions, **params)
