"""What the store hands back: import runs and moderation items, and its errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from catalog.domain.errors import CatalogError


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


@dataclass(frozen=True, slots=True)
class ModerationItem:
    id: int
    seller: str
    handle: str
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
            "action": self.action,
            "status": self.status,
            "source": self.source,
            "submitted_at": self.submitted_at.isoformat(timespec="seconds"),
        }
