"""The seller's summary of a nightly refresh: every feed of theirs that changed something or failed, one email.

Pure like `reports.email`: outcomes in, an `EmailMessage` out, French first then English, text and HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from catalog.domain.refresh import FeedOutcome
from reports.email import SUBJECT_PREFIX, Attachment, _fill, _message, _one_line, _safe_attachment


@dataclass(frozen=True, slots=True)
class FeedLines:
    """One feed as the email tells it."""

    name: str
    url: str
    outcome: str
    counts_fr: str
    counts_en: str
    issue_fr: str
    issue_en: str
    fix_fr: str
    fix_en: str
    refused: list[tuple[str, str, str, str]]  # title, where (item ids), reason fr, reason en
    more_refused: int


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _counts(o: FeedOutcome) -> tuple[str, str]:
    fr: list[str] = []
    en: list[str] = []
    if o.added:
        fr.append(_plural(o.added, "nouveau produit envoyé en modération", "nouveaux produits envoyés en modération"))
        en.append(_plural(o.added, "new product sent to moderation", "new products sent to moderation"))
    if o.updated:
        fr.append(_plural(o.updated, "mise à jour envoyée en modération", "mises à jour envoyées en modération"))
        en.append(_plural(o.updated, "update sent to moderation", "updates sent to moderation"))
    if o.unpublished:
        fr.append(_plural(o.unpublished, "produit disparu du flux, à retirer de la vente",
                          "produits disparus du flux, à retirer de la vente"))
        en.append(_plural(o.unpublished, "product gone from the feed, to be taken off sale",
                          "products gone from the feed, to be taken off sale"))
    if o.refused:
        fr.append(_plural(o.refused, "produit refusé", "produits refusés"))
        en.append(_plural(o.refused, "product refused", "products refused"))
    if o.unchanged:
        fr.append(_plural(o.unchanged, "produit inchangé", "produits inchangés"))
        en.append(_plural(o.unchanged, "product unchanged", "products unchanged"))
    return " ; ".join(fr) or "aucun changement", "; ".join(en) or "no change"


def feed_lines(o: FeedOutcome) -> FeedLines:
    counts_fr, counts_en = _counts(o)
    if o.outcome == "failed":
        counts_fr = "non lu : rien n'a changé dans votre catalogue"
        counts_en = "not read: nothing changed in your catalog"
    issue = o.issue
    refused = [(_one_line(r.title) or r.handle, ", ".join(r.items) or r.handle, r.reason_fr, r.reason_en)
               for r in o.refused_items]
    return FeedLines(
        name=_one_line(o.feed_name), url=_one_line(o.url), outcome=o.outcome, counts_fr=counts_fr,
        counts_en=counts_en, issue_fr=issue.message.fr if issue else "", issue_en=issue.message.en if issue else "",
        fix_fr=issue.fix.fr if issue else "", fix_en=issue.fix.en if issue else "", refused=refused,
        more_refused=max(0, o.refused - len(refused)),
    )


def refresh_subject(outcomes: Sequence[FeedOutcome]) -> str:
    failed = sum(1 for o in outcomes if o.outcome == "failed")
    staged = sum(o.added + o.updated for o in outcomes)
    refused = sum(o.refused for o in outcomes)
    held = any(o.outcome == "held" for o in outcomes)
    fr = [f"{staged} en modération"] if staged else []
    en = [f"{staged} sent to moderation"] if staged else []
    if refused:
        fr.append(_plural(refused, "refusé", "refusés"))
        en.append(f"{refused} refused")
    if held:
        fr.append("retraits en attente")
        en.append("removals held")
    if failed:
        fr.append(_plural(failed, "flux non lu", "flux non lus"))
        en.append(_plural(failed, "feed not read", "feeds not read"))
    return (f"{SUBJECT_PREFIX} Mise à jour de vos flux : {', '.join(fr) or 'rien de nouveau'} / "
            f"Feed refresh: {', '.join(en) or 'nothing new'}")


def compose_refresh_email(outcomes: Sequence[FeedOutcome], *, to: str, cc: list[str], ops: str | None, sender: str,
                          seller_name: str | None, attachments: list[Attachment],
                          now: datetime | None = None) -> EmailMessage:
    """The summary of one refresh for one seller: the feeds with news first, then the ones that did not change."""
    told = [feed_lines(o) for o in outcomes if o.tells_seller]
    quiet = [feed_lines(o) for o in outcomes if not o.tells_seller]
    files = [_safe_attachment(a) for a in attachments]
    context: dict[str, Any] = {
        "seller_name": _one_line(seller_name),
        "feeds": told,
        "quiet": quiet,
        "attachments": [a.filename for a in files],
    }
    msg = _message(subject=refresh_subject(outcomes), to=to, cc=cc, ops=ops, sender=sender,
                   seller_name=seller_name, now=now)
    msg["X-Catalog-Kind"] = "feed-refresh"
    _fill(msg, "refresh", context, files)
    return msg
