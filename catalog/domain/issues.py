"""The finding every check returns: a code from the rule catalog, where it is, and what to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from catalog.domain.location import NOWHERE, Location


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Text:
    """A seller-facing sentence in French and English."""

    fr: str
    en: str

    def format(self, **params: Any) -> Text:
        return Text(fr=self.fr.format(**params), en=self.en.format(**params))

    def to_dict(self) -> dict[str, str]:
        return {"fr": self.fr, "en": self.en}


@dataclass(frozen=True, slots=True)
class Issue:
    """A finding, kept compact until it is rendered: its rule's templates and the values that fill them.

    A feed of 100,000 items can hold hundreds of thousands of issues; the sentences are written only when a
    report asks for `message` or `fix`.
    """

    code: str
    severity: Severity
    templates: tuple[Text, Text]  # the rule's message and fix, shared by every issue of the rule
    params: tuple[tuple[str, Any], ...] = ()
    location: Location = NOWHERE
    product: str | None = None
    value: str | None = None
    suggestions: tuple[str, ...] = field(default=())

    @property
    def message(self) -> Text:
        return self.templates[0].format(**dict(self.params))

    @property
    def fix(self) -> Text:
        return self.templates[1].format(**dict(self.params))

    @property
    def row(self) -> int | None:
        return self.location.row

    @property
    def column(self) -> str | None:
        return self.location.column

    @property
    def item(self) -> str | None:
        return self.location.item

    @property
    def is_file_level(self) -> bool:
        """About the input itself: no row, product or feed item. As an error, it rejects the whole input."""
        return self.row is None and self.product is None and self.item is None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "severity": str(self.severity),
            "row": self.row,
            "column": self.column,
            "product": self.product,
            "value": self.value,
            "message": self.message.to_dict(),
            "fix": self.fix.to_dict(),
            "suggestions": list(self.suggestions),
        }
        if self.item is not None:
            data["item"] = self.item
        return data


def excerpt(text: str, start: int = 0, end: int | None = None, width: int = 40) -> str:
    """The part of `text` around [start, end), with ellipses where it was cut."""
    end = len(text) if end is None else end
    lo, hi = max(0, start - width), min(len(text), end + width)
    out = " ".join(text[lo:hi].split())
    return ("… " if lo > 0 else "") + out + (" …" if hi < len(text) else "")
