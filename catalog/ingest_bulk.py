"""The steps of the bulk price / quantity / title file, as plain functions the CLI and the Prefect flow call.

Export the seller's live variants; validate a file (a dry run: nothing changes); submit it: the file is
read, then, with the seller held, the catalog is read, every check runs and the edits are applied in one
transaction (two submits for one seller run one after the other, each whole or not at all). Reports,
the email to the seller and the ops alert on ownership violations are the full CSV's steps.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.domain.bulk import BulkCatalog, bulk_edits
from catalog.domain.errors import CatalogError
from catalog.domain.issues import Issue
from catalog.domain.report import Report
from catalog.engine import check_bulk
from catalog.ingest import require_seller
from catalog.readers import Reading, read_file
from catalog.settings import Settings
from catalog.store.bulk import AppliedHook, BulkApplied
from validators.cells import INT_RE

if TYPE_CHECKING:
    from catalog.domain.sellers import Seller
    from catalog.mailer import SendResult
    from catalog.store import Store

NOT_OWNER = "bulk.not_owner"


@dataclass(slots=True)
class BulkOutcome:
    report: Report
    run_id: int | None = None
    applied: BulkApplied = field(default_factory=BulkApplied)
    files: dict[str, Path] = field(default_factory=dict)
    email_status: str = "pending"
    email_error: str | None = None
    email_path: Path | None = None
    ops_alert: str | None = None

    def summary_lines(self) -> list[str]:
        s = self.report.summary()
        head = f"Run {self.run_id} · " if self.run_id is not None else ""
        lines = [
            f"{head}{self.report.source} · {self.report.status}",
            f"variants {s['products']} · accepted {s['accepted']} · refused {s['refused']} · "
            f"errors {s['errors']} · warnings {s['warnings']}",
            f"applied now: {len(self.applied.applied)} variants · titles sent to moderation: "
            f"{len(self.applied.titles)} · prices held for review: {len(self.applied.held)}",
        ]
        lines += [f"{kind}: {path}" for kind, path in self.files.items()]
        if self.email_status == "failed":
            lines.append(f"EMAIL FAILED: {self.email_error} — resend with: catalog runs resend-email {self.run_id}")
        elif self.run_id is not None:
            lines.append(f"email: {self.email_status}" + (f" ({self.email_path})" if self.email_path else ""))
        return lines


def price_factor(settings: Settings) -> Decimal:
    return Decimal(str(settings.price_change_factor))


def read_bulk(path: Path, settings: Settings) -> Reading:
    """The file read as a bulk file: its file-level issues, or one product per row."""
    return read_file(path, max_bytes=settings.max_file_bytes, kind="bulk")


def named_variants(reading: Reading) -> set[int]:
    """The variant ids the file's rows name (those written as integers)."""
    return {int(product.handle) for product, _ in reading.products if INT_RE.fullmatch(product.handle)}


def validate_bulk(path: Path, settings: Settings, store: Store, seller_id: str) -> Report:
    """The dry run: every check against the catalog as it is now; nothing changes."""
    seller = require_seller(store, seller_id)
    reading = read_bulk(path, settings)
    catalog = None if reading.rejected else store.bulk_catalog(seller_id, named_variants(reading),
                                                               price_factor(settings))
    return check_bulk(reading, seller=seller, catalog=catalog)


def submit_bulk(path: Path, settings: Settings, store: Store, seller_id: str, run_id: int | None, *,
                on_applied: AppliedHook | None = None) -> tuple[Report, BulkApplied]:
    """Check the file against the catalog and apply its accepted rows, in one transaction with the seller held.

    A file-level error applies nothing; so does any exception before the commit (`on_applied` is called
    inside the transaction after each row: an exception from it rolls every row back).
    """
    seller = require_seller(store, seller_id)
    reading = read_bulk(path, settings)
    if reading.rejected:
        return check_bulk(reading, seller=seller, catalog=None), BulkApplied()
    with store.bulk_submit(seller_id) as submit:
        catalog: BulkCatalog = submit.catalog(named_variants(reading), price_factor(settings))
        report = check_bulk(reading, seller=seller, catalog=catalog)
        applied = submit.apply(run_id, bulk_edits(report), report.source, on_applied)
    return report, applied


def ownership_violations(report: Report) -> list[Issue]:
    return [i for i in report.issues if i.code == NOT_OWNER]


def compose_ops_alert(report: Report, seller: Seller, settings: Settings, run_id: int | None) -> EmailMessage | None:
    """The ops email about rows naming other sellers' variants; None when there are none or no ops address."""
    violations = ownership_violations(report)
    if not violations or not settings.ops_email:
        return None
    from reports.email import compose_ownership_alert

    return compose_ownership_alert(report, violations, ops=settings.ops_email, sender=settings.mail_from,
                                   seller_id=seller.id, seller_name=seller.name, run_id=run_id)


def alert_ops(report: Report, seller: Seller, settings: Settings, run_id: int | None) -> str | None:
    """Email the ownership violations to `CATALOG_OPS_EMAIL`; the line to log for ops (None: no violation)."""
    violations = ownership_violations(report)
    if not violations:
        return None
    said = (f"seller {seller.id} named {len(violations)} variant(s) of other sellers in {report.source} "
            f"(Variant ID {', '.join(i.value or '?' for i in violations)})")
    msg = compose_ops_alert(report, seller, settings, run_id)
    if msg is None:
        return f"{said}; no CATALOG_OPS_EMAIL set: not emailed"
    from catalog.mailer import MailError, send_email

    try:
        result: SendResult = send_email(msg, settings)
    except MailError as err:
        return f"{said}; the ops email FAILED: {err}"
    return f"{said}; ops alerted: {result.path or ', '.join(result.recipients)}"


def export_bulk(store: Store, seller_id: str, out_dir: Path, since: date | None = None) -> list[Path]:
    """Write the seller's `seller_products_quantity_and_price*.csv` files into `out_dir`."""
    from reports.bulk_export import write_export

    require_seller(store, seller_id)
    rows = store.bulk_export(seller_id, since)
    try:
        return write_export(rows, out_dir)
    except OSError as err:
        raise CatalogError(f"cannot write the export to {out_dir}: {err.strerror or err}") from None


def submit_and_report(path: Path, settings: Settings, store: Store, seller_id: str) -> BulkOutcome:
    """The whole submit without Prefect (`catalog bulk submit`): a run, the submit, its reports, the seller's
    email and the ops alert. A failed email is recorded on the run (`catalog runs resend-email`), not raised."""
    from catalog import ingest
    from catalog.mailer import MailError

    seller = require_seller(store, seller_id)
    run_id = ingest.open_run(store, path, seller_id, kind="bulk")
    try:
        report, applied = submit_bulk(path, settings, store, seller_id, run_id)
        files = ingest.save_reports(report, settings, run_id, seller)
        ingest.finish_run(store, run_id, report, settings)
    except BaseException as err:
        store.fail_run(run_id, f"{type(err).__name__}: {err}")
        raise
    outcome = BulkOutcome(report=report, run_id=run_id, applied=applied, files=files)
    msg = ingest.compose_report(report, seller, files, settings, run_id)
    if msg is None:
        store.set_email_status(run_id, "failed", "the seller has no valid email address and no ops address is set")
    else:
        with suppress(MailError):  # recorded on the run
            outcome.email_path = ingest.send_composed(store, settings, run_id, msg).path
    run = store.get_run(run_id)
    assert run is not None
    outcome.email_status, outcome.email_error = run.email_status, run.email_error
    outcome.ops_alert = alert_ops(report, seller, settings, run_id)
    return outcome
