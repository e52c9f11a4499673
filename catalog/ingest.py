"""The steps of ingesting a seller's file, as plain functions the Prefect flow calls.

Each step is usable and tested without Prefect: open a run, validate against
the seller's catalog, stage the accepted products (one transaction), write
the report files, compose and send the email. The composed email is kept
beside the reports so that a failed send can be retried later, identically.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.domain.errors import CatalogError
from catalog.domain.report import Report
from catalog.engine import CatalogContext, Options, validate_file
from catalog.settings import Settings
from validators.duplicates import Listing

if TYPE_CHECKING:
    from collections.abc import Callable

    from catalog.domain.issues import Issue
    from catalog.domain.sellers import Seller
    from catalog.mailer import SendResult
    from catalog.net.image_cache import ImageCache
    from catalog.store import Store
    from taxonomy.tree import Taxonomy
    from validators.cells import CellRecord

EMAIL_FILE = "email.eml"
# The report files the seller's email carries, by kind of `reports.files.write_reports`, in this order.
ATTACHED = (("html", "text/html"), ("annotated", "text/csv"), ("converted", "text/csv"), ("diagnostics", "text/csv"))
_lent_cell_checkers: list[Callable[[list[CellRecord]], list[Issue]]] = []


class IngestOutcome:
    """What one import did.

    A plain class, not a dataclass: Prefect walks a dataclass a flow returns field by field, looking for
    futures, and through the report that is every product and issue of the file (half a second for 500 rows).
    """

    __slots__ = ("email_error", "email_path", "email_status", "files", "report", "run_id", "staged")

    def __init__(self, run_id: int, report: Report, staged: list[int] | None = None,
                 files: dict[str, Path] | None = None, email_status: str = "pending",
                 email_error: str | None = None, email_path: Path | None = None) -> None:
        self.run_id = run_id
        self.report = report
        self.staged = staged if staged is not None else []
        self.files = files if files is not None else {}
        self.email_status = email_status
        self.email_error = email_error
        self.email_path = email_path

    def summary_lines(self) -> list[str]:
        s = self.report.summary()
        lines = [
            f"Run {self.run_id} · {self.report.source} · {self.report.status}",
            f"products {s['products']} · accepted {s['accepted']} · refused {s['refused']} · "
            f"errors {s['errors']} · warnings {s['warnings']} · infos {s['infos']}",
            f"staged for moderation: {len(self.staged)}",
        ]
        lines += [f"{kind}: {path}" for kind, path in self.files.items()]
        if self.email_status == "failed":
            lines.append(f"EMAIL FAILED: {self.email_error} — resend with: catalog runs resend-email {self.run_id}")
        else:
            lines.append(f"email: {self.email_status}" + (f" ({self.email_path})" if self.email_path else ""))
        return lines


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def catalog_context(store: Store, seller_id: str) -> CatalogContext:
    """The seller's SKUs and listings already known to the marketplace (live or pending)."""
    from validators.html import html_to_text

    listings = [Listing(handle, title, html_to_text(body), in_file=False)
                for handle, title, body in store.seller_texts(seller_id)]
    return CatalogContext(skus=store.seller_skus(seller_id), listings=listings)


def require_seller(store: Store, seller_id: str) -> Seller:
    seller = store.get_seller(seller_id)
    if seller is None:
        raise CatalogError(f"unknown seller: {seller_id} (load it with: catalog sellers load FILE.yaml)")
    return seller


def require_ready_seller(store: Store, seller_id: str) -> Seller:
    """The seller, when their account has what imports need; else a CatalogError saying what it lacks and where.

    The command line asks this before it starts any flow: an account problem is told at once, as one.
    """
    from catalog.domain.sellers import readiness, readiness_text, readiness_where

    seller = require_seller(store, seller_id)
    missing = readiness(seller)
    if missing:
        lacks, where = readiness_text(missing)[1], readiness_where(missing)[1]
        raise CatalogError(f"seller {seller_id} cannot import yet: the account lacks {lacks}; the seller sets it "
                           f"in their account: {where}. Nothing was run; send the file again once it is set")
    return seller


def open_run(store: Store, path: Path, seller_id: str, kind: str = "full") -> int:
    """A new run for the file, or, when the seller's last run of this very file crashed, that run resumed.

    Resuming keeps one run per sending: staging is idempotent within a run, so whatever the crashed run
    committed is reused, not staged twice.
    """
    if not path.is_file():
        raise CatalogError(f"no such file: {path}")
    require_seller(store, seller_id)
    checksum = file_checksum(path)
    store.close_dead_runs()
    earlier = [run for run in store.find_runs(seller_id, checksum) if run.kind == kind]
    if earlier and earlier[-1].status == "crashed" and store.resume_run(earlier[-1].id):
        return earlier[-1].id
    return store.start_run(seller_id, kind, path.name, checksum)


def crash_open_runs(store: Store, path: Path, seller_id: str, reason: str, kind: str = "full") -> list[int]:
    """Mark crashed this process's running runs of the file (a flow stopped by a signal, say)."""
    from catalog.store.owners import current_owner

    if not path.is_file():
        return []
    me = current_owner()
    runs = store.find_runs(seller_id, file_checksum(path))
    return [run.id for run in runs if run.kind == kind and run.status == "running" and run.owner == me
            and store.crash_run(run.id, reason)]


@contextmanager
def heartbeat(store: Store, run_id: int, every: float | None = None) -> Iterator[None]:
    """Renew the run's lease from a background thread while the block runs (see `Store.close_dead_runs`).

    The thread shares the store's engine (SQLAlchemy engines are thread-safe; each beat is its own
    transaction). A missed beat (database busy or away) only uses up some of the lease.
    """
    from catalog.store import HEARTBEAT

    interval = HEARTBEAT.total_seconds() if every is None else every
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(interval):
            try:
                store.beat(run_id)
            except CatalogError:
                continue

    thread = threading.Thread(target=beat, name=f"run-{run_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)


def image_cache(store: Store) -> ImageCache:
    """The image checks remembered in the store, for `Options.image_cache`: every input that downloads
    images (a full CSV, a feed, `catalog validate --seller`) passes this, so a re-run or a nightly refresh
    does not download again what was checked recently (`CATALOG_IMAGE_RECHECK_DAYS`)."""
    from catalog.store.image_checks import StoredImageChecks

    return StoredImageChecks(store)


def validate_for_seller(path: Path, settings: Settings, store: Store, seller_id: str, *, offline: bool = False,
                        progress: bool = False, taxonomy: Taxonomy | None = None) -> Report:
    seller = require_seller(store, seller_id)
    options = Options(offline=offline, seller=seller, catalog=catalog_context(store, seller_id), progress=progress,
                      image_cache=image_cache(store), known_versions=store.seller_versions(seller_id))
    if _lent_cell_checkers:
        options.cell_checker = _lent_cell_checkers.pop()
    return validate_file(path, settings, options, taxonomy=taxonomy)


def lend_cell_checker(checker: Callable[[list[CellRecord]], list[Issue]]) -> None:
    """Give the next `validate_for_seller` of this process a cell checker that is already loading pandera.

    `catalog ingest` runs one import in its own process: it forks the checker (`catalog.preload`) before
    importing Prefect, so that the two imports overlap. A checker serves one file, so it is taken once;
    a retried validation, or any other, checks the cells in-process."""
    _lent_cell_checkers[:] = [checker]


def stage_accepted(store: Store, report: Report, seller_id: str, run_id: int) -> list[int]:
    """Stage every accepted product of the report, all or nothing; unchanged products have nothing to stage."""
    if report.file_rejected:
        return []
    accepted = [result for result in report.accepted if result.product is not None and not result.unchanged]
    if not accepted:
        return []
    hashes = {result.handle: result.content_hash for result in accepted if result.content_hash}
    return store.stage_products(seller_id, run_id, [r.product for r in accepted if r.product is not None],
                                report.source, content_hashes=hashes)


def run_dir(settings: Settings, run_id: int) -> Path:
    return settings.reports_dir / f"run-{run_id}"


def save_reports(report: Report, settings: Settings, run_id: int, seller: Seller | None = None) -> dict[str, Path]:
    from reports.files import write_reports

    return write_reports(report, run_dir(settings, run_id), seller_name=seller.name if seller else None)


def finish_run(store: Store, run_id: int, report: Report, settings: Settings) -> None:
    store.finish_run(run_id, report_status=report.status, report_json=report.to_dict(),
                     report_dir=str(run_dir(settings, run_id)))


def compose_report(report: Report, seller: Seller, files: dict[str, Path], settings: Settings,
                   run_id: int) -> EmailMessage | None:
    """The report email, kept beside the reports, with the HTML report and the one file to work from attached.

That file is the annotated CSV (safe fixes applied, `Statut` / `Erreurs`), or the converted copy of a file
refused only for its encoding, separator or header slips; a feed gets its item diagnostics.

    A seller without a usable address (one reason a seller is not ready) cannot be told: the email then
    goes to ops alone when an ops address is set; with neither, None.
    """
    from catalog.domain.addresses import is_valid_address
    from reports.email import Attachment, compose_report_email

    to, cc, ops = seller.email, list(seller.cc), settings.ops_email
    if not is_valid_address(to or ""):
        if not ops:
            return None
        to, cc, ops = ops, [], None
    attachments = [Attachment(files[kind].name, files[kind].read_bytes(), mimetype)
                   for kind, mimetype in ATTACHED if kind in files]
    msg = compose_report_email(report, to=to, cc=cc, ops=ops, sender=settings.mail_from, seller_name=seller.name,
                               attachments=attachments, run_id=run_id)
    target = run_dir(settings, run_id) / EMAIL_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(msg.as_bytes(policy=policy.SMTP))
    return msg


def has_composed(settings: Settings, run_id: int) -> bool:
    return (run_dir(settings, run_id) / EMAIL_FILE).is_file()


def load_composed(settings: Settings, run_id: int) -> EmailMessage:
    path = run_dir(settings, run_id) / EMAIL_FILE
    if not path.is_file():
        raise CatalogError(f"run {run_id} has no composed email ({path} is missing)")
    with path.open("rb") as handle:
        message = BytesParser(policy=policy.default).parse(handle)
    assert isinstance(message, EmailMessage)
    return message


def send_composed(store: Store, settings: Settings, run_id: int, msg: EmailMessage | None = None, *,
                  attempts: int = 2) -> SendResult:
    """Send (or file in the outbox) the run's email and record the outcome; raises MailError on failure."""
    from catalog.mailer import MailError, send_email

    message = msg if msg is not None else load_composed(settings, run_id)
    try:
        result = send_email(message, settings, attempts=attempts)
    except MailError as err:
        store.set_email_status(run_id, "failed", str(err))
        raise
    store.set_email_status(run_id, "sent" if result.mode == "smtp" else "outbox")
    return result
