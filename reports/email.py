"""The seller's emails: the status report of a file, and the notice of a moderation rejection.

Composition is pure: a Report (or a rejection) in, an `EmailMessage` out; `catalog.mailer` sends it.
Every email is French first, then English, as text and HTML alternatives rendered from Jinja2
templates (`reports.templating`); the HTML is autoescaped because every seller value (name, file
name, cell excerpts quoted in messages, an ops reason) is untrusted.

Recipients: To is the seller, Cc their colleagues (at most `MAX_CC`, deduplicated, addresses that
`catalog.domain.addresses.is_valid_address` refuses dropped) and the ops copy goes in Bcc, so the seller
never sees the internal address. The Bcc header stays on the composed message:
`smtplib.SMTP.send_message` drops it from the transmitted copy while keeping the address in the
envelope, and an outbox `.eml` keeps it as the record of who was sent the email.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from catalog.domain.addresses import MAX_CC, is_valid_address
from catalog.domain.issues import Issue, Severity
from catalog.domain.report import SEVERITY_ORDER, Report
from reports.bulk_changes import bulk_summary
from reports.files import ANNOTATED_SUFFIX, CONVERTED_SUFFIX, HTML_SUFFIX
from reports.outcome import account_not_ready, nothing_accepted
from reports.templating import environment
from reports.wording import Nouns, agree, count_en, count_fr, nouns, read_units

TOP_ISSUES = 10
CHANGES_SHOWN = 20  # a bulk file's changes listed in the email; the report JSON and HTML list them all
DIAGNOSTICS_SUFFIX = ".diagnostics.csv"
SUBJECT_PREFIX = "[Catalogue]"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file joined to the report email: the HTML report, the annotated CSV or the converted copy."""

    filename: str
    content: bytes
    mimetype: str = "text/csv"


@dataclass(frozen=True, slots=True)
class IssueLine:
    """One issue as the email lists it, in both languages."""

    severity: str
    code: str
    where_fr: str
    where_en: str
    message_fr: str
    message_en: str
    fix_fr: str
    fix_en: str


def clean_cc(to: str, cc: Iterable[str], limit: int = MAX_CC) -> list[str]:
    """The Cc list as sent: stripped, valid, without the seller's own address or repeats, at most `limit`."""
    seen = {to.strip().lower()}
    out: list[str] = []
    for raw in cc:
        address = (raw or "").strip()
        if not is_valid_address(address) or address.lower() in seen:
            continue
        seen.add(address.lower())
        out.append(address)
        if len(out) == limit:
            break
    return out


def compose_report_email(
    report: Report,
    *,
    to: str,
    cc: list[str],
    ops: str | None,
    sender: str,
    seller_name: str | None,
    attachments: list[Attachment],
    run_id: int | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    """The seller's status report for one file.

    Raises ValueError when `to` is not a usable address: there is no one to send the report to.
    """
    source = _one_line(report.source) or "?"
    summary = report.summary()
    counted = nouns(report.kind)
    none_fr, none_en = counted.none_accepted()
    files = [_safe_attachment(a) for a in attachments]
    def named(suffix: str) -> str | None:
        return next((a.filename for a in files if a.filename.lower().endswith(suffix)), None)

    annotated, converted = named(ANNOTATED_SUFFIX), named(CONVERTED_SUFFIX)
    diagnostics, html_report = named(DIAGNOSTICS_SUFFIX), named(HTML_SUFFIX)
    top, more = top_issues(report.issues)
    context: dict[str, Any] = {
        "seller_name": _one_line(seller_name),
        "source": source,
        "status": report.status,
        "summary": summary,
        "nothing_accepted": nothing_accepted(report),
        "none_accepted": (none_fr, none_en),
        "all_refused": (f"{counted.fr(summary['refused'])} {agree('refusé', summary['refused'], counted.feminine)}",
                        f"{counted.en(summary['refused'])} refused"),
        "counts_fr": _counts_fr(summary, counted, report.kind),
        "counts_en": _counts_en(summary, counted, report.kind),
        "headline": _headline(summary, counted, en_noun=True),
        "errors": [line for line in top if line.severity == Severity.ERROR],
        "warnings": [line for line in top if line.severity == Severity.WARNING],
        "more": more,
        "info_count": summary["infos"],
        "account": account_not_ready(report),
        "annotated": annotated,
        "converted": converted,
        "diagnostics": diagnostics,
        "html_report": html_report,
        "input_fr": "flux" if report.kind == "feed" else "fichier",
        "input_en": "feed" if report.kind == "feed" else "file",
        "others": [a.filename for a in files if a.filename not in (annotated, converted, diagnostics, html_report)],
        "run_id": run_id,
        "bulk": bulk_summary(report) if report.kind == "bulk" else None,
        "changes_shown": CHANGES_SHOWN,
    }
    msg = _message(
        subject=report_subject(report),
        to=to,
        cc=cc,
        ops=ops,
        sender=sender,
        seller_name=seller_name,
        now=now,
    )
    msg["X-Catalog-Status"] = report.status
    if run_id is not None:
        msg["X-Catalog-Run"] = str(run_id)
    _fill(msg, "email", context, files)
    return msg


def compose_rejection_email(
    *,
    seller_email: str,
    cc: list[str],
    sender: str,
    handle: str,
    reason: str,
    source: str | None,
    seller_name: str | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    """Tell the seller that moderation refused one of their products, quoting the ops reason."""
    handle = _one_line(handle) or "?"
    reason_lines = [line.rstrip() for line in _multiline(reason).split("\n")]
    context = {
        "seller_name": _one_line(seller_name),
        "handle": handle,
        "source": _one_line(source),
        "reason_lines": reason_lines,
    }
    msg = _message(
        subject=f"{SUBJECT_PREFIX} {handle} : produit refusé par la modération / product rejected by moderation",
        to=seller_email,
        cc=cc,
        ops=None,
        sender=sender,
        seller_name=seller_name,
        now=now,
    )
    _fill(msg, "rejection", context, [])
    return msg


def compose_price_rejection_email(
    *,
    seller_email: str,
    cc: list[str],
    sender: str,
    handle: str,
    variant_id: int,
    old_price: str,
    new_price: str,
    reason: str,
    source: str | None,
    seller_name: str | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    """Tell the seller that a held price change was refused: the old price stays, and why."""
    context = {
        "seller_name": _one_line(seller_name),
        "handle": _one_line(handle) or "?",
        "variant_id": variant_id,
        "old_price": _one_line(old_price) or "?",
        "new_price": _one_line(new_price),
        "source": _one_line(source),
        "reason_lines": [line.rstrip() for line in _multiline(reason).split("\n")],
    }
    msg = _message(
        subject=f"{SUBJECT_PREFIX} {context['handle']} : nouveau prix refusé par la modération / new price rejected",
        to=seller_email, cc=cc, ops=None, sender=sender, seller_name=seller_name, now=now,
    )
    _fill(msg, "price_rejection", context, [])
    return msg


def report_subject(report: Report) -> str:
    """`[Catalogue] file.csv : 4 produits acceptés, 1 refusé / 4 accepted, 1 refused`.

    When every product is refused: `aucun produit accepté, 3 refusés / no product accepted, 3 refused`.
    """
    source = _one_line(report.source) or "?"
    if report.status == "rejected":
        return f"{SUBJECT_PREFIX} {source} : fichier refusé / file rejected"
    fr, en = _headline(report.summary(), nouns(report.kind), en_noun=False)
    if nothing_accepted(report):
        fr, en = fr[0].lower() + fr[1:], en[0].lower() + en[1:]
    return f"{SUBJECT_PREFIX} {source} : {fr} / {en}"


def _headline(summary: dict[str, int], counted: Nouns, *, en_noun: bool) -> tuple[str, str]:
    """`4 produits acceptés, 1 refusé` and `4 (products) accepted, 1 refused`; no refusal part when there is none.

    With refusals and no product accepted: `Aucun produit accepté, 3 refusés` / `No product accepted, 3 refused`.
    """
    accepted, refused = summary["accepted"], summary["refused"]
    if accepted == 0 and refused:
        fr, en = counted.none_accepted()
    else:
        fr = f"{counted.fr(accepted)} {agree('accepté', accepted, counted.feminine)}"
        en = f"{counted.en(accepted)} accepted" if en_noun else f"{accepted} accepted"
    if refused:
        fr += f", {refused} {agree('refusé', refused, counted.feminine)}"
        en += f", {refused} refused"
    return fr, en


def top_issues(issues: Sequence[Issue], limit: int = TOP_ISSUES) -> tuple[list[IssueLine], int]:
    """The errors and warnings the email lists (errors first, by row within each) and how many of them are left.

    Infos ask nothing of the seller: the email only counts them (they are in the attached report).
    """
    ordered = sorted((i for i in issues if i.severity is not Severity.INFO),
                     key=lambda i: (SEVERITY_ORDER[i.severity], i.row is not None, i.row or 0))
    return [_line(i) for i in ordered[:limit]], max(0, len(ordered) - limit)


def _message(
    *,
    subject: str,
    to: str,
    cc: list[str],
    ops: str | None,
    sender: str,
    seller_name: str | None,
    now: datetime | None,
) -> EmailMessage:
    to = (to or "").strip()
    if not is_valid_address(to):
        raise ValueError(f"seller email {to!r} is not a valid address")
    copies = clean_cc(to, cc)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = _one_line(sender)
    msg["To"] = Address(display_name=_one_line(seller_name) or "", addr_spec=to)
    if copies:
        msg["Cc"] = ", ".join(copies)
    ops = (ops or "").strip()
    if is_valid_address(ops) and ops.lower() not in {a.lower() for a in [to, *copies]}:
        msg["Bcc"] = ops
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    domain = parseaddr(msg["From"])[1].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    return msg


def _fill(msg: EmailMessage, template: str, context: dict[str, Any], files: list[Attachment]) -> None:
    """Text and HTML alternatives inside multipart/mixed (always mixed, so every email has one shape)."""
    env = environment()
    text = env.get_template(f"{template}.txt.j2").render(context)
    html = env.get_template(f"{template}.html.j2").render(context)
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    msg.make_mixed()
    msg["Content-Language"] = "fr, en"
    for file in files:
        maintype, _, subtype = file.mimetype.partition("/")
        params = {"charset": "utf-8"} if maintype == "text" and _is_utf8(file.content) else None
        msg.add_attachment(file.content, maintype=maintype, subtype=subtype, filename=file.filename, params=params)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _safe_attachment(attachment: Attachment) -> Attachment:
    name = _one_line(attachment.filename.replace("\\", "/").rpartition("/")[2]) or "fichier.csv"
    mimetype = attachment.mimetype.strip().lower()
    if not re.fullmatch(r"[a-z0-9.+-]+/[a-z0-9.+-]+", mimetype) or mimetype.startswith("multipart/"):
        mimetype = "application/octet-stream"
    return Attachment(filename=name, content=attachment.content, mimetype=mimetype)


def _line(issue: Issue) -> IssueLine:
    if issue.row is not None:
        fr, en = [f"Ligne {issue.row}"], [f"Row {issue.row}"]
    elif issue.item is not None:
        fr, en = [f"Article {_one_line(issue.item)}"], [f"Item {_one_line(issue.item)}"]
    elif issue.product is not None:
        fr, en = [f"Produit {_one_line(issue.product)}"], [f"Product {_one_line(issue.product)}"]
    else:
        fr, en = ["Fichier"], ["File"]
    if issue.column:
        fr.append(_one_line(issue.column))
        en.append(_one_line(issue.column))
    return IssueLine(
        severity=str(issue.severity),
        code=issue.code,
        where_fr=" · ".join(fr),
        where_en=" · ".join(en),
        message_fr=_one_line(issue.message.fr),
        message_en=_one_line(issue.message.en),
        fix_fr=_one_line(issue.fix.fr),
        fix_en=_one_line(issue.fix.en),
    )


def _counts_fr(summary: dict[str, int], counted: Nouns, kind: str) -> dict[str, str]:
    one, many, _, _ = read_units(kind)
    read = "lu" if kind == "feed" else "lue"
    return {
        "rows": count_fr(summary["rows"], f"{one} {read}", f"{many} {read}s"),
        "products": counted.fr(summary["products"]),
        "accepted": f"{summary['accepted']} {agree('accepté', summary['accepted'], counted.feminine)}",
        "refused": f"{summary['refused']} {agree('refusé', summary['refused'], counted.feminine)}",
        "errors": count_fr(summary["errors"], "erreur"),
        "warnings": count_fr(summary["warnings"], "avertissement"),
        "infos": count_fr(summary["infos"], "information"),
    }


def _counts_en(summary: dict[str, int], counted: Nouns, kind: str) -> dict[str, str]:
    _, _, one, many = read_units(kind)
    return {
        "rows": count_en(summary["rows"], f"{one} read", f"{many} read"),
        "products": counted.en(summary["products"]),
        "accepted": f"{summary['accepted']} accepted",
        "refused": f"{summary['refused']} refused",
        "errors": count_en(summary["errors"], "error"),
        "warnings": count_en(summary["warnings"], "warning"),
        "infos": count_en(summary["infos"], "info"),
    }


def _one_line(value: str | None) -> str:
    """No control characters (CR/LF would forge headers), whitespace runs collapsed."""
    if not value:
        return ""
    cleaned = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in value)
    return " ".join(cleaned.split())


def _multiline(value: str | None) -> str:
    """Like `_one_line` but keeps line breaks (for a quoted reason), at most one blank line in a row."""
    lines = [_one_line(line) for line in (value or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    text = "\n".join(lines).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", text)


def compose_ownership_alert(
    report: Report,
    violations: Sequence[Issue],
    *,
    ops: str,
    sender: str,
    seller_id: str,
    seller_name: str | None,
    run_id: int | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    """Tell ops that a seller's bulk file names variants of other sellers (refused, nothing of theirs touched)."""
    source = _one_line(report.source) or "?"
    context = {
        "seller_id": _one_line(seller_id),
        "seller_name": _one_line(seller_name),
        "source": source,
        "run_id": run_id,
        "rows": [{"row": i.row, "variant": _one_line(i.value or "")} for i in violations],
    }
    msg = _message(subject=f"{SUBJECT_PREFIX} ownership: {_one_line(seller_id)} named {len(violations)} "
                           f"variant(s) of other sellers in {source}",
                   to=ops, cc=[], ops=None, sender=sender, seller_name=None, now=now)
    msg["X-Catalog-Alert"] = "bulk.not_owner"
    if run_id is not None:
        msg["X-Catalog-Run"] = str(run_id)
    _fill(msg, "ownership", context, [])
    return msg
