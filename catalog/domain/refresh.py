"""What one refresh of one feed did: the record the seller's summary email and the ops artifact are made of."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from catalog.domain.issues import Issue

# unchanged: nothing to do (304, same content); changed: read and staged; held: read and staged, removals held;
# failed: not read, last good state kept; busy: another refresh of the feed was running.
OUTCOMES = ("unchanged", "changed", "held", "failed", "busy")


@dataclass(frozen=True, slots=True)
class RefusedItem:
    title: str
    handle: str
    items: tuple[str, ...]
    codes: tuple[str, ...]
    reason_fr: str = ""  # the product's first error, as the seller reads it
    reason_en: str = ""


@dataclass(slots=True)
class FeedOutcome:
    feed_id: int
    seller_id: str
    feed_name: str
    url: str
    outcome: str
    not_modified: bool = False  # answered 304: one request, nothing read
    run_id: int | None = None
    products: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    unpublished: int = 0
    held_removals: int = 0
    issue: Issue | None = None  # why it failed, or the mass removal held
    refused_items: list[RefusedItem] = field(default_factory=list)
    attachments: dict[str, str] = field(default_factory=dict)  # kind -> path of the run's report files
    email_status: str | None = None

    @property
    def staged(self) -> int:
        return self.added + self.updated + self.unpublished

    @property
    def tells_seller(self) -> bool:
        """Whether the seller's summary email has something to say about this feed."""
        if self.outcome in ("failed", "held"):
            return True
        return self.outcome == "changed" and bool(self.staged or self.refused)

    def to_dict(self) -> dict[str, Any]:
        return {
            "feed": self.feed_id, "seller": self.seller_id, "name": self.feed_name, "url": self.url,
            "outcome": self.outcome, "not_modified": self.not_modified, "run": self.run_id,
            "products": self.products, "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
            "refused": self.refused, "unpublished": self.unpublished, "held_removals": self.held_removals,
            "issue": None if self.issue is None else self.issue.code, "email": self.email_status,
        }
