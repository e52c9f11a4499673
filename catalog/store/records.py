"""What the store hands back: import runs and moderation items, and its errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from catalog.domain.changes import Change, version_changes
from catalog.domain.errors import CatalogError
from catalog.domain.model import Product
from catalog.domain.serialize import product_to_dict


class ModerationError(CatalogError):
    """An ops decision that cannot be made: unknown item, item not pending, rejection without a reason."""


class UnknownSellerError(CatalogError):
    """The seller id is not in the registry."""


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    seller_id: str
    kind: str
    source: str
    checksum: str
    status: str
    report_status: str | None
    report: dict[str, Any] | None
    report_dir: str | None
    email_status: str
    email_error: str | None
    error: str | None
    started_at: datetime
    finished_at: datetime | None
    crashes: int = 0
    owner: str | None = None

    def to_dict(self, staged: int) -> dict[str, Any]:
        """The `catalog runs list --format json` entry: dates, the report's counts and what was staged."""
        summary = (self.report or {}).get("summary", {})
        return {
            "id": self.id,
            "seller": self.seller_id,
            "kind": self.kind,
            "source": self.source,
            "status": self.status,
            "report_status": self.report_status,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "products": summary.get("products"),
            "accepted": summary.get("accepted"),
            "refused": summary.get("refused"),
            "staged": staged,
            "email_status": self.email_status,
            "email_error": self.email_error,
            "error": self.error,
            "crashes": self.crashes,
            "report_dir": self.report_dir,
        }


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class ModerationItem:
    id: int
    seller: str
    handle: str
    title: str
    action: str
    status: str
    source: str
    submitted_at: datetime
    product_id: int
    version_id: int | None
    import_run_id: int | None
    reason: str | None
    decided_by: str | None
    decided_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """The "Moderation list JSON" entry of interfaces.md."""
        return {
            "id": self.id,
            "seller": self.seller,
            "handle": self.handle,
            "title": self.title,
            "action": self.action,
            "status": self.status,
            "source": self.source,
            "submitted_at": _iso(self.submitted_at),
        }


@dataclass(frozen=True, slots=True)
class ModerationDetail:
    """One item as ops review it: the version it proposes (none for an unpublish) beside the live one."""

    item: ModerationItem
    seller_name: str
    proposed: Product | None
    live: Product | None

    @property
    def changes(self) -> list[Change]:
        return version_changes(self.live, self.proposed)

    def to_dict(self) -> dict[str, Any]:
        """The `catalog moderation show --format json` object: the list entry, the decision, both versions
        (as stored: prices as exact strings) and the field-by-field changes."""
        item = self.item
        return {
            **item.to_dict(),
            "seller_name": self.seller_name,
            "import_run": item.import_run_id,
            "reason": item.reason,
            "decided_by": item.decided_by,
            "decided_at": _iso(item.decided_at),
            "proposed": _version(self.proposed),
            "live": _version(self.live),
            "changes": [change.to_dict() for change in self.changes],
        }


def _version(product: Product | None) -> dict[str, Any] | None:
    if product is None:
        return None
    data = product_to_dict(product)
    for name in ("rows", "raw", "source_kind"):
        data.pop(name, None)
    for variant in data["variants"]:
        variant.pop("raw", None)
        variant.pop("row", None)
    for image in data["images"]:
        image.pop("row", None)
    return data


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of one ops decision: the item as decided, or why it was skipped."""

    item_id: int
    item: ModerationItem | None = None
    skipped: str | None = None
