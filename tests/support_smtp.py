"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 that keeps every message it receives.

    from support_smtp import smtp_server

    with smtp_server(tmp_path, tls=True, login=("robot", "secret")) as server:
        server.configure(monkeypatch)          # CATALOG_SMTP_* and CATALOG_CA_BUNDLE
        ...                                    # code under test sends mail
        [received] = server.messages
        received.rcpt_tos, received.message["Subject"], received.tls, received.login

With `tls=True` the server offers STARTTLS with a certificate from a throwaway trustme CA and
refuses mail before it; the CA's PEM is written to `tmp_path` for `CATALOG_CA_BUNDLE`. With `login`
it also requires AUTH (over TLS only). `fail_first=n` answers the first n DATA commands with a 451,
to exercise retries. `unused_port()` and `silent_server()` stand for an SMTP server that is down
or hung.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class Received:
    """One message as the server got it: envelope, parsed message, raw bytes and how the exchange went."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes
    tls: bool
    login: str | None


class Collector:
    """aiosmtpd handler that keeps what it receives (thread-safe: the server runs in its own thread)."""

    def __init__(self, fail_first: int = 0) -> None:
        self.messages: list[Received] = []
        self.refusals = 0
        self._fail_first = fail_first
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, conn: Any, envelope: Any) -> str:
        with self._lock:
            if self.refusals < self._fail_first:
                self.refusals += 1
                return "451 4.3.0 Try again later"
        raw: bytes = envelope.original_content or envelope.content
        auth = conn.auth_data
        received = Received(
            mail_from=envelope.mail_from,
            rcpt_tos=list(envelope.rcpt_tos),
            message=BytesParser(policy=policy.default).parsebytes(raw),  # type: ignore[arg-type]
            raw=raw,
            tls=conn.ssl is not None,
            login=auth.login.decode() if isinstance(auth, LoginPassword) else None,
        )
        with self._lock:
            self.messages.append(received)
        return "250 2.0.0 OK"


@dataclass(slots=True)
class SmtpServer:
    host: str
    port: int
    collector: Collector
    ca_pem: Path | None = None
    login: tuple[str, str] | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def messages(self) -> list[Received]:
        return list(self.collector.messages)

    def configure(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Point the `CATALOG_*` settings at this server."""
        for key, value in self.env.items():
            monkeypatch.setenv(key, value)


def unused_port() -> int:
    """A localhost port nothing listens on (free at the time of the call)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word: an SMTP server that hangs."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        sock.listen(8)
        yield sock.getsockname()[1]


@contextmanager
def smtp_server(
    tmp_path: Path | None = None,
    *,
    tls: bool = False,
    login: tuple[str, str] | None = None,
    fail_first: int = 0,
) -> Iterator[SmtpServer]:
    """Run an SMTP server on a free 127.0.0.1 port for the duration of the block."""
    collector = Collector(fail_first=fail_first)
    kwargs: dict[str, Any] = {}
    ca_pem: Path | None = None
    if tls:
        if tmp_path is None:
            raise ValueError("tls=True needs tmp_path for the CA certificate")
        ca = trustme.CA()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(HOST, "localhost").configure_cert(context)
        ca_pem = tmp_path / "smtp-test-ca.pem"
        ca.cert_pem.write_to_path(str(ca_pem))
        kwargs.update(tls_context=context, require_starttls=True)
    if login:
        user, password = login

        def authenticate(server: Any, conn: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            ok = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == password
            return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

        kwargs.update(authenticator=authenticate, auth_required=True, auth_require_tls=True)
    port = unused_port()
    controller = Controller(collector, hostname=HOST, port=port, server_hostname="smtp.test", **kwargs)
    controller.start()
    env = {"CATALOG_SMTP_HOST": HOST, "CATALOG_SMTP_PORT": str(port), "CATALOG_SMTP_STARTTLS": str(tls).lower()}
    if ca_pem:
        env["CATALOG_CA_BUNDLE"] = str(ca_pem)
    if login:
        env["CATALOG_SMTP_USER"], env["CATALOG_SMTP_PASSWORD"] = login
    try:
        yield SmtpServer(host=HOST, port=port, collector=collector, ca_pem=ca_pem, login=login, env=env)
    finally:
        controller.stop()


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    """A plain SMTP server (no TLS, no login)."""
    with smtp_server(tmp_path) as server:
        yield server


@pytest.fixture
def smtp_tls(tmp_path: Path) -> Iterator[SmtpServer]:
    """An SMTP server that requires STARTTLS (trustme CA) and AUTH as robot / s3cret."""
    with smtp_server(tmp_path, tls=True, login=("robot", "s3cret")) as server:
        yield server
