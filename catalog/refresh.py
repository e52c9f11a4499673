"""The steps of refreshing registered feeds, as plain functions the `refresh-feeds` flow calls.

One feed at a time (`refresh_feed`): claim it, fetch it conditionally, and
when it changed read it through the engine, stage what is new or changed,
unpublish what disappeared (or hold the removals), record the feed's state
and the run's reports. Then one summary email per seller (`email_sellers`),
only for sellers a refresh has something to tell.

An unchanged feed costs one request: a 304, or a body whose digest is the
last good read's, is neither parsed, checked, staged nor emailed.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from pathlib import Path
from typing import TYPE_CHECKING

from catalog import ingest
from catalog.domain.errors import CatalogError
from catalog.domain.issues import Issue
from catalog.domain.refresh import FeedOutcome, RefusedItem
from catalog.domain.report import Report
from catalog.domain.rules import issue
from catalog.engine import Options, validate_file
from catalog.net.feeds import FeedUnavailable, download_feed
from catalog.settings import Settings
from catalog.store import Feed, FeedRead

if TYPE_CHECKING:
    from email.message import EmailMessage

    from catalog.domain.sellers import Seller
    from catalog.store import Store
    from taxonomy.tree import Taxonomy

REFUSED_LISTED = 20  # refused products named in the email; the diagnostics file lists them all
EMAIL_FILE = "{seller}.eml"


class FeedBusy(CatalogError):
    """Another refresh of this feed is running."""


def lease_seconds(settings: Settings) -> float:
    """How long a refresh may hold a feed: a fetch at its time limit, the checks, and room to spare."""
    return 2 * settings.feed_timeout + 3600


def select_feeds(store: Store, *, seller_id: str | None = None, feed: str | None = None) -> list[Feed]:
    """The feeds a refresh covers: one feed, one seller's feeds, or every registered feed."""
    if feed is not None:
        return [store.get_feed(feed)]
    if seller_id is not None:
        ingest.require_seller(store, seller_id)
    return store.list_feeds(seller_id)


def refresh_feed(store: Store, settings: Settings, feed_id: int, *, allow_removals: bool = False,
                 offline: bool = False, raise_transient: bool = False, taxonomy: Taxonomy | None = None,
                 owner: str | None = None) -> FeedOutcome:
    """Refresh one feed. A failure of the feed is its outcome, never an exception; with `raise_transient`, a
    failure worth retrying (network, 5xx) raises `FeedUnavailable` instead, the feed left as it was."""
    owner = owner or uuid.uuid4().hex
    feed = store.get_feed(feed_id)
    if not store.claim_feed(feed.id, owner, lease_seconds(settings)):
        return _outcome(feed, "busy")
    try:
        return _refresh_claimed(store, settings, feed, owner, allow_removals=allow_removals, offline=offline,
                                raise_transient=raise_transient, taxonomy=taxonomy)
    finally:
        store.release_feed(feed.id, owner)


def _outcome(feed: Feed, outcome: str, **values: object) -> FeedOutcome:
    return FeedOutcome(feed_id=feed.id, seller_id=feed.seller_id, feed_name=feed.name, url=feed.url,
                       outcome=outcome, **values)  # type: ignore[arg-type]


def _refresh_claimed(store: Store, settings: Settings, feed: Feed, owner: str, *, allow_removals: bool,
                     offline: bool, raise_transient: bool, taxonomy: Taxonomy | None) -> FeedOutcome:
    seller = ingest.require_seller(store, feed.seller_id)
    body = settings.data_dir / "feeds" / f"feed-{feed.id}-{owner[:12]}.xml"
    try:
        # Confirming removals reads the feed again whatever its validators say: the held read kept none.
        conditional = not allow_removals
        try:
            download = download_feed(feed.url, settings, body, etag=feed.etag if conditional else None,
                                     last_modified=feed.last_modified if conditional else None)
        except FeedUnavailable as err:
            if err.transient and raise_transient:
                raise
            return _failed(store, settings, feed, owner, seller, err.issue)
        if download.not_modified or (conditional and download.sha256 == feed.content_hash):
            store.record_feed_unchanged(feed.id, owner, etag=download.etag, last_modified=download.last_modified)
            return _outcome(feed, "unchanged", not_modified=download.not_modified)
        run_id = store.start_run(feed.seller_id, "feed", feed.url, download.sha256 or "")
        with ingest.heartbeat(store, run_id):  # a long feed keeps its run alive to other machines
            try:
                options = Options(kind="feed", offline=offline, seller=seller,
                                  catalog=ingest.catalog_context(store, feed.seller_id),
                                  known_versions=store.seller_versions(feed.seller_id),
                                  image_cache=ingest.image_cache(store))
                report = validate_file(body, settings, options, taxonomy, source=feed.url)
                if report.file_rejected:
                    return _failed(store, settings, feed, owner, seller, _first_error(report), run_id=run_id,
                                   report=report)
                outcome = _commit(store, feed, owner, report, run_id, download.etag, download.last_modified,
                                  download.sha256, share=settings.feed_removal_share, allow_removals=allow_removals)
                files = ingest.save_reports(report, settings, run_id, seller)
                ingest.finish_run(store, run_id, report, settings)
            except BaseException as err:
                store.fail_run(run_id, f"{type(err).__name__}: {err}")
                raise
        outcome.attachments = {kind: str(path) for kind, path in files.items()}
        return outcome
    finally:
        body.unlink(missing_ok=True)


def _first_error(report: Report) -> Issue:
    return next(i for i in report.issues if i.is_error and i.is_file_level)


def _failed(store: Store, settings: Settings, feed: Feed, owner: str, seller: Seller, found: Issue, *,
            run_id: int | None = None, report: Report | None = None) -> FeedOutcome:
    """A feed that could not be read: a run that says why, the failure counted on the feed, its last good
    state kept (nothing staged, nothing unpublished)."""
    if run_id is None:
        run_id = store.start_run(feed.seller_id, "feed", feed.url, hashlib.sha256(feed.url.encode()).hexdigest())
    report = report or Report(kind="feed", source=feed.url, issues=[found])
    ingest.save_reports(report, settings, run_id, seller)
    ingest.finish_run(store, run_id, report, settings)
    store.record_feed_failure(feed.id, owner, error=f"{found.code}: {found.message.en}", run_id=run_id)
    return _outcome(feed, "failed", run_id=run_id, issue=found)


@dataclass(frozen=True, slots=True)
class Removals:
    unpublish: list[str]
    keep: list[str]
    held: Issue | None


def plan_removals(previous: Iterable[tuple[str, bool, bool]], present: set[str], *, share: float,
                  allow_removals: bool) -> Removals:
    """What to do with the products the feed held that it no longer lists: (handle, live, in another feed).

    Products another of the seller's feeds still lists are not the feed's to take down. When more than
    `share` of the feed's live products are gone at once, or the feed lists nothing, the removals are held
    (`feed.mass_removal`) unless ops confirmed them.
    """
    held_before = list(previous)
    gone = [handle for handle, _, elsewhere in held_before if handle not in present and not elsewhere]
    live = sum(1 for _, is_live, _ in held_before if is_live)
    gone_live = sum(1 for handle, is_live, elsewhere in held_before
                    if is_live and handle not in present and not elsewhere)
    mass = bool(gone_live) and (not present or gone_live > share * live)
    if mass and not allow_removals:
        empty = not present
        found = issue("feed.mass_removal", gone=gone_live, live=live,
                      empty_fr=" (le flux ne contient plus aucun article)" if empty else "",
                      empty_en=" (the feed holds no item any more)" if empty else "")
        return Removals(unpublish=[], keep=gone, held=found)
    return Removals(unpublish=gone, keep=[], held=None)


def _commit(store: Store, feed: Feed, owner: str, report: Report, run_id: int, etag: str | None,
            last_modified: str | None, digest: str | None, *, share: float, allow_removals: bool) -> FeedOutcome:
    present = {result.handle for result in report.products if result.handle}
    previous = [(p.handle, p.live, p.in_other_feed) for p in store.feed_products(feed.id)]
    removals = plan_removals(previous, present, share=share, allow_removals=allow_removals)
    if removals.held is not None:
        report.issues.append(removals.held)
    to_stage = [r for r in report.accepted if r.product is not None and not r.unchanged]
    read = FeedRead(
        run_id=run_id, source=feed.url, stage=[r.product for r in to_stage if r.product is not None],
        content_hashes={r.handle: r.content_hash for r in to_stage if r.content_hash},
        present=present, unpublish=removals.unpublish, keep=removals.keep, held=removals.held is not None,
        etag=etag, last_modified=last_modified, content_hash=digest,
    )
    store.commit_feed_read(feed.id, owner, read)
    actions = store.run_actions(run_id)
    refused = [r for r in report.products if r.status == "refused"]
    listed = refused[:REFUSED_LISTED]
    reasons = _first_errors(report, {r.handle for r in listed})
    return _outcome(
        feed, "held" if removals.held is not None else "changed", run_id=run_id, products=len(report.products),
        added=actions.get("create", 0), updated=actions.get("update", 0), unpublished=actions.get("unpublish", 0),
        unchanged=sum(1 for r in report.products if r.unchanged), refused=len(refused),
        held_removals=len(removals.keep), issue=removals.held,
        refused_items=[RefusedItem(r.title, r.handle, r.items, tuple(r.codes), *reasons.get(r.handle, ("", "")))
                       for r in listed],
    )


def _first_errors(report: Report, handles: set[str]) -> dict[str, tuple[str, str]]:
    """The first error of each of `handles`, in French and English (one pass over the issues)."""
    found: dict[str, tuple[str, str]] = {}
    for item in report.issues:
        if item.is_error and item.product in handles and item.product not in found:
            found[item.product] = (item.message.fr, item.message.en)
            if len(found) == len(handles):
                break
    return found


@dataclass(slots=True)
class SellerEmail:
    seller_id: str
    status: str  # sent | outbox | failed | none (no usable address)
    path: Path | None = None
    error: str | None = None


def email_sellers(store: Store, settings: Settings, outcomes: Sequence[FeedOutcome], *,
                  stamp: str | None = None) -> list[SellerEmail]:
    """One summary email per seller whose feeds changed something or failed; nothing for the others.

    Each run of the refresh records what became of its seller's email (`skipped` when there was nothing
    to tell).
    """
    from catalog.mailer import MailError, send_email

    stamp = stamp or datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    by_seller: dict[str, list[FeedOutcome]] = {}
    for outcome in outcomes:
        by_seller.setdefault(outcome.seller_id, []).append(outcome)
    sent: list[SellerEmail] = []
    for seller_id, mine in sorted(by_seller.items()):
        runs = [o.run_id for o in mine if o.run_id is not None]
        if not any(o.tells_seller for o in mine):
            for run_id in runs:
                store.set_email_status(run_id, "skipped")
            continue
        seller = ingest.require_seller(store, seller_id)
        message = compose_summary(seller, mine, settings)
        if message is None:
            for run_id in runs:
                store.set_email_status(run_id, "failed", "the seller has no valid email address and no ops "
                                                         "address is set")
            sent.append(SellerEmail(seller_id, "none", error="no valid address"))
            continue
        target = settings.reports_dir / f"refresh-{stamp}" / EMAIL_FILE.format(seller=seller_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(message.as_bytes(policy=policy.SMTP))
        try:
            result = send_email(message, settings)
        except MailError as err:
            for run_id in runs:
                store.set_email_status(run_id, "failed", str(err))
            sent.append(SellerEmail(seller_id, "failed", target, str(err)))
            continue
        status = "sent" if result.mode == "smtp" else "outbox"
        for run_id in runs:
            store.set_email_status(run_id, status)
        for outcome in mine:
            outcome.email_status = status
        sent.append(SellerEmail(seller_id, status, result.path or target))
    return sent


def compose_summary(seller: Seller, outcomes: Sequence[FeedOutcome], settings: Settings) -> EmailMessage | None:
    """The seller's refresh email with each changed feed's item diagnostics attached; None with no address."""
    from catalog.domain.addresses import is_valid_address
    from reports.email import Attachment
    from reports.refresh_email import compose_refresh_email

    to, cc, ops = seller.email, list(seller.cc), settings.ops_email
    if not is_valid_address(to or ""):
        if not ops:
            return None
        to, cc, ops = ops, [], None
    attachments = []
    for outcome in outcomes:
        path = outcome.attachments.get("diagnostics")
        if path and outcome.refused and Path(path).is_file():
            attachments.append(Attachment(f"{_safe_name(outcome.feed_name)}.diagnostics.csv",
                                          Path(path).read_bytes(), "text/csv"))
    return compose_refresh_email(outcomes, to=to, cc=cc, ops=ops, sender=settings.mail_from,
                                 seller_name=seller.name, attachments=attachments)


def _safe_name(name: str) -> str:
    kept = "".join(c if c.isalnum() or c in "-_." else "-" for c in name).strip("-.")
    return kept[:80] or "flux"


def fan_out_markdown(sellers: Sequence[str], runs: Sequence[str]) -> str:
    """The ops artifact of a refresh that handed each seller's feeds to a flow run of its own."""
    lines = ["# Feed refresh", "", f"**Sellers:** {len(sellers)}, one flow run each: each run's own "
             "`feed-refresh` artifact says what its feeds did.", "", "| seller | flow run |", "| --- | --- |"]
    lines += [f"| {seller} | {run} |" for seller, run in zip(sellers, runs, strict=True)]
    return "\n".join(lines)


def summary_markdown(outcomes: Sequence[FeedOutcome], emails: Sequence[SellerEmail] = ()) -> str:
    """The ops artifact of a refresh: what each feed did, and the totals."""
    count = {name: sum(1 for o in outcomes if o.outcome == name) for name in
             ("unchanged", "changed", "held", "failed", "busy")}
    staged = sum(o.staged for o in outcomes)
    lines = [
        "# Feed refresh",
        "",
        f"**Feeds read:** {len(outcomes)} · **unchanged:** {count['unchanged']} · **changed:** {count['changed']} · "
        f"**removals held:** {count['held']} · **failed:** {count['failed']} · **busy:** {count['busy']} · "
        f"**staged:** {staged} · **emails:** {len(emails)}",
        "",
        "| feed | seller | outcome | products | added | updated | unpublished | refused | unchanged | note |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for o in outcomes:
        note = "" if o.issue is None else f"`{o.issue.code}`: {o.issue.message.en}"
        if o.not_modified:
            note = "304 Not Modified"
        lines.append(f"| {o.feed_id} {o.feed_name} | {o.seller_id} | {o.outcome} | {o.products} | {o.added} | "
                     f"{o.updated} | {o.unpublished} | {o.refused} | {o.unchanged} | {note.replace('|', '/')} |")
    return "\n".join(lines)
