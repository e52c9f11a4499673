"""Sending a composed email: through the SMTP server when one is configured, else into the outbox.

With `CATALOG_SMTP_HOST` unset, each email is written as `<data dir>/outbox/<timestamp>-<slug>.eml`
(the message exactly as composed, Bcc included, as a record of who it was for).

Over SMTP, a transient failure (connection refused or reset, timeout, a 4xx reply) is retried once
after a short pause; the flow layer retries whole tasks too, so the mailer keeps its own retries
modest. A permanent failure (5xx, bad credentials, a certificate that does not verify) fails at once.
Either way the caller gets a `MailError` with one line saying why. Recipients the server refused
while accepting others are reported in `SendResult.refused` rather than raised: the message has
gone out, and a retry would send it twice to those who got it.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Literal

from catalog.domain.errors import CatalogError
from catalog.settings import Settings

ATTEMPTS = 2
BACKOFF_SECONDS = 1.0
SMTP_TIMEOUT = 30.0


class MailError(CatalogError):
    """An email could not be sent; the message is one line naming the server and the reason."""


@dataclass(frozen=True, slots=True)
class SendResult:
    mode: Literal["smtp", "outbox"]
    path: Path | None
    recipients: list[str]
    refused: dict[str, str] = field(default_factory=dict)


class _Transient(Exception):
    """A failure worth another attempt; wraps the reason."""


def envelope_recipients(msg: EmailMessage) -> list[str]:
    """Every address in To, Cc and Bcc, once each (case-insensitive), in that order."""
    seen: set[str] = set()
    out: list[str] = []
    for _, address in getaddresses([str(v) for name in ("To", "Cc", "Bcc") for v in msg.get_all(name, [])]):
        if address and address.lower() not in seen:
            seen.add(address.lower())
            out.append(address)
    return out


def send_email(
    msg: EmailMessage,
    settings: Settings,
    *,
    recipients: list[str] | None = None,
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF_SECONDS,
    timeout: float = SMTP_TIMEOUT,
) -> SendResult:
    """Send `msg` to `recipients` (default: its To, Cc and Bcc addresses), or file it in the outbox."""
    to = list(dict.fromkeys(recipients)) if recipients is not None else envelope_recipients(msg)
    if not to:
        raise MailError("email has no recipient")
    if not settings.smtp_host:
        return SendResult(mode="outbox", path=write_outbox(msg, settings.outbox), recipients=to)
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    attempts = max(1, attempts)
    for attempt in range(1, attempts + 1):
        try:
            refused = _send_smtp(msg, settings, to, timeout)
        except _Transient as exc:
            if attempt == attempts:
                raise MailError(f"could not send email via {where} after {attempts} attempts: {exc}") from exc
            time.sleep(backoff * attempt)
        except MailError as exc:
            raise MailError(f"could not send email via {where}: {exc}") from exc
        else:
            delivered = [a for a in to if a not in refused]
            return SendResult(mode="smtp", path=None, recipients=delivered, refused=refused)
    raise AssertionError("unreachable")


def write_outbox(msg: EmailMessage, outbox: Path) -> Path:
    """Write `msg` as `<outbox>/<UTC timestamp>-<subject slug>.eml`; the name never overwrites another."""
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    stem = f"{stamp}-{_slug(str(msg.get('Subject', '')))}"
    data = msg.as_bytes(policy=policy.SMTP)
    for n in range(1, 1000):
        path = outbox / (f"{stem}.eml" if n == 1 else f"{stem}-{n}.eml")
        try:
            with path.open("xb") as fh:
                fh.write(data)
        except FileExistsError:
            continue
        return path
    raise MailError(f"outbox {outbox}: no free file name for {stem}.eml")


def _send_smtp(msg: EmailMessage, settings: Settings, to: list[str], timeout: float) -> dict[str, str]:
    """One attempt. Raises `_Transient` for what may pass, `MailError` for what will not."""
    assert settings.smtp_host
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=_tls_context(settings))
            if settings.smtp_user and settings.smtp_password:
                smtp.login(settings.smtp_user, settings.smtp_password)
            refused = smtp.send_message(msg, to_addrs=to)
    except smtplib.SMTPRecipientsRefused as exc:
        reasons = {a: _reply(code, text) for a, (code, text) in exc.recipients.items()}
        detail = "; ".join(f"{a}: {r}" for a, r in reasons.items())
        if all(400 <= code < 500 for code, _ in exc.recipients.values()):
            raise _Transient(f"recipients refused: {detail}") from exc
        raise MailError(f"recipients refused: {detail}") from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"login as {settings.smtp_user} refused: {_reply(exc.smtp_code, exc.smtp_error)}") from exc
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"server does not support it: {_one_line(str(exc))}") from exc
    except smtplib.SMTPResponseException as exc:
        reason = _reply(exc.smtp_code, exc.smtp_error)
        if 400 <= exc.smtp_code < 500:
            raise _Transient(reason) from exc
        raise MailError(reason) from exc
    except ssl.SSLError as exc:
        raise MailError(f"TLS failed: {_one_line(str(exc))}") from exc
    except smtplib.SMTPServerDisconnected as exc:
        if isinstance(exc.__context__, TimeoutError):
            raise _Transient(f"timed out after {timeout:g} s") from exc
        raise _Transient(f"server disconnected: {_one_line(str(exc)) or 'no reason given'}") from exc
    except smtplib.SMTPException as exc:
        raise MailError(_one_line(str(exc)) or type(exc).__name__) from exc
    except TimeoutError as exc:
        raise _Transient(f"timed out after {timeout:g} s") from exc
    except OSError as exc:
        raise _Transient(_one_line(exc.strerror or str(exc)) or type(exc).__name__) from exc
    return {a: _reply(code, text) for a, (code, text) in refused.items()}


def _tls_context(settings: Settings) -> ssl.SSLContext:
    """The system's trusted CAs, plus the extra bundle from `CATALOG_CA_BUNDLE`."""
    context = ssl.create_default_context()
    if settings.ca_bundle:
        context.load_verify_locations(cafile=os.fspath(settings.ca_bundle))
    return context


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {_one_line(text)}".strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _slug(text: str, width: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:width].rstrip("-") or "email"
