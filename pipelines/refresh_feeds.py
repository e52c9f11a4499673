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
from prefect.runtime import task_run
from prefect.task_runners import ThreadPoolTaskRunner

from catalog import refresh
from catalog.domain.refresh import FeedOutcome
from catalog.net.feeds import FeedUnavailable
from catalog.settings import load_settings
from catalog.store import Store

FETCH_RETRIES = 2


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
def list_feeds(seller_id: str | None, feed: str | None) -> list[int]:
    settings = load_settings()
    with Store.open(settings.db_url) as store:
        return [f.id for f in refresh.select_feeds(store, seller_id=seller_id, feed=feed)]


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
                  offline: bool = False) -> list[FeedOutcome]:
    """Re-read registered feeds (all, one seller's, or one), stage what changed, email each seller once."""
    logger = get_run_logger()
    delay = load_settings().feed_retry_delay
    feed_ids = list_feeds(seller_id, feed)
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
