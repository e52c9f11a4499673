"""The tasks every import flow ends with: write the reports and compose the email, then send it.

Shared by `ingest-full-csv` and `ingest-bulk-csv`; the work is in `catalog.ingest`.
"""

from __future__ import annotations

from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from catalog import ingest
from catalog.domain.report import Report
from catalog.mailer import MailError
from catalog.settings import load_settings
from catalog.store import Store

EMAIL_ATTEMPTS = 3


@task(name="write-reports", cache_policy=NO_CACHE, persist_result=False)
def write_reports(report: Report, seller_id: str, run_id: int, db_url: str) -> dict[str, Path]:
    settings = load_settings()
    with Store.open(db_url) as store:
        seller = ingest.require_seller(store, seller_id)
        files = ingest.save_reports(report, settings, run_id, seller)
        ingest.finish_run(store, run_id, report, settings)
        if ingest.compose_report(report, seller, files, settings, run_id) is None:
            store.set_email_status(run_id, "failed", "the seller has no valid email address and no ops address is set")
    return files


@task(name="email-seller", cache_policy=NO_CACHE, persist_result=False, retries=2, retry_delay_seconds=[1, 3])
def email_seller(run_id: int, db_url: str) -> Path | None:
    """Sends the composed report. The mailer retries an unreachable server with backoff; a final failure is
    recorded on the run, not raised: staging and reports stand, and `catalog runs resend-email` sends it later.
    The task's own retries are for the rest (the database)."""
    settings = load_settings()
    with Store.open(db_url) as store:
        try:
            return ingest.send_composed(store, settings, run_id, attempts=EMAIL_ATTEMPTS).path
        except MailError:
            return None
