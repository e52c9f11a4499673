"""The `ingest-bulk-csv` flow: submit, report, email, alert ops; each step a task, the work in `catalog.ingest_bulk`."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from catalog import ingest, ingest_bulk
from catalog.domain.report import Report
from catalog.settings import load_settings
from catalog.store import Store
from catalog.store.bulk import BulkApplied
from pipelines.report_steps import email_seller, write_reports


@task(name="submit", cache_policy=NO_CACHE)
def submit(path: Path, seller_id: str, run_id: int, db_url: str) -> tuple[Report, BulkApplied]:
    """Reads the file, then checks and applies it in one transaction (no retry: it is all or nothing)."""
    with Store.open(db_url) as store:
        return ingest_bulk.submit_bulk(path, load_settings(), store, seller_id, run_id)


@task(name="alert-ops", cache_policy=NO_CACHE)
def alert_ops(report: Report, seller_id: str, run_id: int, db_url: str) -> str | None:
    with Store.open(db_url) as store:
        seller = ingest.require_seller(store, seller_id)
    return ingest_bulk.alert_ops(report, seller, load_settings(), run_id)


def _summary_markdown(outcome: ingest_bulk.BulkOutcome, seller_id: str) -> str:
    s = outcome.report.summary()
    applied = outcome.applied
    return "\n".join([
        f"# Bulk update {outcome.report.source} ({seller_id})",
        "",
        f"**Status:** {outcome.report.status} · **email:** {outcome.email_status}",
        "",
        "| variants | accepted | refused | applied now | titles to moderation | prices held |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| {s['products']} | {s['accepted']} | {s['refused']} | {len(applied.applied)} | {len(applied.titles)} | "
        f"{len(applied.held)} |",
        *(["", f"Ownership violations: {outcome.ops_alert}"] if outcome.ops_alert else []),
    ])


@flow(name="ingest-bulk-csv", log_prints=True)
def ingest_bulk_csv(path: str, seller_id: str) -> ingest_bulk.BulkOutcome:
    """Check a seller's bulk price / quantity / title file, apply it, and email the report."""
    settings = load_settings()
    logger = get_run_logger()
    with Store.open(settings.db_url) as store:
        run_id = ingest.open_run(store, Path(path), seller_id, kind="bulk")
    try:
        report, applied = submit(Path(path), seller_id, run_id, settings.db_url)
        files = write_reports(quote(report), seller_id, run_id, settings.db_url)  # quoted: not walked
    except Exception as err:
        with Store.open(settings.db_url) as store:
            store.fail_run(run_id, f"{type(err).__name__}: {err}")
        raise
    outcome = ingest_bulk.BulkOutcome(report=report, run_id=run_id, applied=applied, files=files)
    if ingest.has_composed(settings, run_id):
        state = email_seller(run_id, settings.db_url, return_state=True)
        if state.is_completed():
            outcome.email_path = state.result()
    outcome.ops_alert = alert_ops(quote(report), seller_id, run_id, settings.db_url)
    with Store.open(settings.db_url) as store:
        run = store.get_run(run_id)
    assert run is not None
    outcome.email_status, outcome.email_error = run.email_status, run.email_error
    if outcome.email_status == "failed":
        logger.error("email to the seller failed (%s); the update stands: run %s", run.email_error, run_id)
    if outcome.ops_alert:
        logger.warning("ownership violation: %s", outcome.ops_alert)
    create_markdown_artifact(markdown=_summary_markdown(outcome, seller_id), key=f"bulk-{seller_id}",
                             description=f"Bulk update summary, run {run_id}")
    return outcome
