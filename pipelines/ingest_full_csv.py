"""The `ingest-full-csv` flow: validate, stage, report, email — each step a task, the work in `catalog.ingest`.

What Prefect gets is small: the flow's parameters (a path, a seller id), the
tasks' states and a Markdown summary. The report goes from task to task
quoted, so that Prefect does not walk its thousands of objects looking for
futures (a second per task on a 500-row file), and no result is persisted:
the reports live in the data dir and the run in the store, where every
worker finds them.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import FlowRun, State
from prefect.utilities.annotations import quote

from catalog import ingest
from catalog.domain.report import Report
from catalog.settings import load_settings
from catalog.store import Store
from pipelines.report_steps import email_seller, write_reports


@task(name="validate", cache_policy=NO_CACHE, persist_result=False, retries=1, retry_delay_seconds=5)
def validate(path: Path, seller_id: str, db_url: str, offline: bool, progress: bool = False) -> Report:
    """Reads the file and checks it (image downloads included, hence the retry)."""
    settings = load_settings()
    with Store.open(db_url) as store:
        return ingest.validate_for_seller(path, settings, store, seller_id, offline=offline, progress=progress)


@task(name="stage", cache_policy=NO_CACHE, persist_result=False)
def stage(report: Report, seller_id: str, run_id: int, db_url: str) -> list[int]:
    with Store.open(db_url) as store:
        return ingest.stage_accepted(store, report, seller_id, run_id)


def _summary_markdown(outcome: ingest.IngestOutcome, seller_id: str) -> str:
    s = outcome.report.summary()
    lines = [
        f"# Import {outcome.report.source} ({seller_id})",
        "",
        f"**Status:** {outcome.report.status} · **email:** {outcome.email_status}",
        "",
        "| products | accepted | refused | errors | warnings | staged |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| {s['products']} | {s['accepted']} | {s['refused']} | {s['errors']} | {s['warnings']} | "
        f"{len(outcome.staged)} |",
        "",
    ]
    codes: dict[str, int] = {}
    for item in outcome.report.issues:
        codes[item.code] = codes.get(item.code, 0) + 1
    if codes:
        lines += ["| code | count |", "| --- | --- |"]
        lines += [f"| `{code}` | {count} |" for code, count in sorted(codes.items(), key=lambda kv: -kv[1])]
    if outcome.email_error:
        lines += ["", f"Email failed: {outcome.email_error}. Resend: `catalog runs resend-email {outcome.run_id}`"]
    return "\n".join(lines)


def _close_crashed_run(flow: object, flow_run: FlowRun, state: State) -> None:
    """`on_crashed`: the flow was stopped (a signal, the infrastructure): its run is crashed, not left running.

    A process killed outright runs no hook; the next command that opens the store closes its run then.
    """
    path, seller_id = flow_run.parameters.get("path"), flow_run.parameters.get("seller_id")
    if not path or not seller_id:
        return
    with Store.open(load_settings().db_url) as store:
        ingest.crash_open_runs(store, Path(path), seller_id, f"the flow run {flow_run.name} crashed: {state.message}")


@flow(name="ingest-full-csv", log_prints=True, persist_result=False, on_crashed=[_close_crashed_run])
def ingest_full_csv(path: str, seller_id: str, offline: bool = False, progress: bool = False) -> ingest.IngestOutcome:
    """Validate a seller's full product CSV, stage what passes for moderation, and email the report.

    `progress`: show the image downloads' progress on stderr (the CLI sets it when stderr is a terminal)."""
    settings = load_settings()
    logger = get_run_logger()
    with Store.open(settings.db_url) as store:
        run_id = ingest.open_run(store, Path(path), seller_id)
    with Store.open(settings.db_url) as beats, ingest.heartbeat(beats, run_id):
        try:
            report = validate(Path(path), seller_id, settings.db_url, offline, progress)
            staged = stage(quote(report), seller_id, run_id, settings.db_url)
            files = write_reports(quote(report), seller_id, run_id, settings.db_url)
        except Exception as err:
            with Store.open(settings.db_url) as store:
                store.fail_run(run_id, f"{type(err).__name__}: {err}")
            raise
        outcome = ingest.IngestOutcome(run_id=run_id, report=report, staged=staged, files=files)
        if ingest.has_composed(settings, run_id):
            state = email_seller(run_id, settings.db_url, return_state=True)
            if state.is_completed():
                outcome.email_path = state.result()
    with Store.open(settings.db_url) as store:
        run = store.get_run(run_id)
    assert run is not None
    outcome.email_status, outcome.email_error = run.email_status, run.email_error
    if outcome.email_status == "failed":
        logger.error("email to the seller failed (%s); staging and reports are kept: run %s", run.email_error,
                     run_id)
    create_markdown_artifact(markdown=_summary_markdown(outcome, seller_id), key=f"ingest-{seller_id}",
                             description=f"Import summary, run {run_id}")
    return outcome
