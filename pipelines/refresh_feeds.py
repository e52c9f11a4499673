"""The `refresh-feeds` flow: every registered feed re-read, one task per feed, then one email per seller.

The nightly deployment (`prefect.yaml`, 02:00 Europe/Paris) and `catalog feeds
refresh` run this same flow. Feeds are refreshed `CATALOG_REFRESH_CONCURRENCY`
at a time (read when the module loads); a network failure is retried twice
(after `CATALOG_FEED_RETRY_DELAY` seconds, then three times that), and a feed
that still fails is that feed's outcome: the others go on. The work lives
in `catalog.refresh`.
"""

from __future__ import annotations

import os

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.deployments import run_deployment
from prefect.exceptions import ObjectNotFound
from prefect.runtime import deployment, flow_run, task_run
from prefect.task_runners import ThreadPoolTaskRunner

from catalog import refresh
from catalog.domain.refresh import FeedOutcome
from catalog.net.feeds import FeedUnavailable
from catalog.settings import load_settings
from catalog.store import Store

FETCH_RETRIES = 2
# The deployment of this flow (prefect.yaml) that runs one seller's feeds: the runs the nightly run starts,
# bounded by its concurrency limit. The nightly run itself is another deployment, so it holds none of them.
SELLER_DEPLOYMENT = "refresh-seller-feeds"


def _concurrency() -> int:
    raw = os.environ.get("CATALOG_REFRESH_CONCURRENCY", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else 8


def _retry_network(task: object, run: object, state: object) -> bool:
    """Retry what the network failed; anything else is reported on the first failure."""
    try:
        state.result()  # type: ignore[attr-defined]
    except FeedUnavailable:
        return True
    except Exception:
        return False
    return False


@task(name="list-feeds", cache_policy=NO_CACHE)
def list_feeds(seller_id: str | None, feed: str | None) -> list[tuple[int, str]]:
    """(feed id, seller id) of the feeds to refresh."""
    settings = load_settings()
    with Store.open(settings.db_url) as store:
        return [(f.id, f.seller_id) for f in refresh.select_feeds(store, seller_id=seller_id, feed=feed)]


def _fan_out_target() -> str | None:
    """`flow/refresh-seller-feeds` when this flow run was started from another deployment of this flow (on a
    Prefect server), else None: a command-line run, or a seller's run, refreshes its feeds itself."""
    name = deployment.name
    if not deployment.id or not name or name == SELLER_DEPLOYMENT:
        return None
    return f"{flow_run.flow_name}/{SELLER_DEPLOYMENT}"


def _fan_out(sellers: list[str], allow_removals: bool, offline: bool, target: str) -> list[str]:
    """One flow run of the seller deployment per seller, for any worker of the pool to take; their ids.

    They are not awaited: each refreshes its seller's feeds and emails that seller, and that deployment's
    concurrency limit (prefect.yaml) bounds how many run at once. None is started when the deployment is
    missing (ObjectNotFound).
    """
    runs = [run_deployment(name=target, parameters={"seller_id": seller, "allow_removals": allow_removals,
                                                    "offline": offline, "fan_out": False},
                           timeout=0, as_subflow=True, tags=["feed-refresh"])
            for seller in sellers]
    return [str(run.id) for run in runs]


@task(name="refresh-feed", cache_policy=NO_CACHE, retries=FETCH_RETRIES, retry_condition_fn=_retry_network,
      task_run_name="refresh-feed-{feed_id}")
def refresh_one(feed_id: int, allow_removals: bool, offline: bool) -> FeedOutcome:
    """One feed; a transient fetch failure raises (and is retried) until the last attempt, which records it."""
    settings = load_settings()
    last_attempt = (task_run.run_count or 1) > FETCH_RETRIES
    with Store.open(settings.db_url) as store:
        return refresh.refresh_feed(store, settings, feed_id, allow_removals=allow_removals, offline=offline,
                                    raise_transient=not last_attempt)


@task(name="email-sellers", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=5)
def email_sellers(outcomes: list[FeedOutcome]) -> list[refresh.SellerEmail]:
    settings = load_settings()
    with Store.open(settings.db_url) as store:
        return refresh.email_sellers(store, settings, outcomes)


@flow(name="refresh-feeds", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=_concurrency()))
def refresh_feeds(seller_id: str | None = None, feed: str | None = None, allow_removals: bool = False,
                  offline: bool = False, fan_out: bool | None = None) -> list[FeedOutcome]:
    """Re-read registered feeds (all, one seller's, or one), stage what changed, email each seller once.

    Started from its deployment for several sellers (the nightly run), it fans out: one flow run of the
    seller deployment per seller, which the pool's workers share (`fan_out=None`: when it can; `False`: never,
    here in threads).
    """
    logger = get_run_logger()
    delay = load_settings().feed_retry_delay
    listed = list_feeds(seller_id, feed)
    sellers = sorted({seller for _, seller in listed})
    target = _fan_out_target()
    if fan_out is not False and target is not None and len(sellers) > 1:
        try:
            runs = _fan_out(sellers, allow_removals, offline, target)
        except ObjectNotFound:
            logger.warning("no %s deployment on this server (prefect deploy --all): every seller's feeds are "
                           "refreshed in this run", target)
        else:
            create_markdown_artifact(markdown=refresh.fan_out_markdown(sellers, runs), key="feed-refresh",
                                     description=f"Feed refresh: {len(sellers)} sellers, one flow run each")
            return []
    feed_ids = [feed_id for feed_id, _ in listed]
    refresh_task = refresh_one.with_options(retry_delay_seconds=[delay, 3 * delay])
    futures = [refresh_task.submit(feed_id, allow_removals, offline) for feed_id in feed_ids]
    outcomes: list[FeedOutcome] = []
    for feed_id, future in zip(feed_ids, futures, strict=True):
        future.wait()
        state = future.state
        if state.is_completed():
            outcomes.append(future.result())
        else:
            logger.error("feed %s: the refresh stopped on an error (%s); the other feeds go on", feed_id,
                         state.message)
    emails = email_sellers(outcomes) if outcomes else []
    for outcome in outcomes:
        if outcome.outcome == "failed" and outcome.issue is not None:
            logger.warning("feed %s (%s): %s", outcome.feed_id, outcome.seller_id, outcome.issue.message.en)
    create_markdown_artifact(markdown=refresh.summary_markdown(outcomes, emails), key="feed-refresh",
                             description=f"Feed refresh: {len(outcomes)} feeds")
    return outcomes
