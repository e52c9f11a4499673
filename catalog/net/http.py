"""Fetching untrusted seller URLs (images, XML feeds) without exposing the marketplace's own network.

Every connection goes through `_GuardedConnection`, which resolves the host itself, drops every
address that is not public and connects to the checked address: the check covers the address
actually connected, so a DNS answer that changes between check and use (DNS rebinding) gains
nothing. TLS still uses the URL's hostname for SNI and certificate verification. Redirects are
followed by hand so that each hop goes through the same check; bodies are read in chunks and
abandoned as soon as they pass the caller's byte limit or the fetch's total deadline.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import socket
import ssl
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import certifi
import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
)
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.util.connection import allowed_gai_family
from urllib3.util.retry import Retry

from catalog import __version__
from catalog.domain.fetch import FetchFailure, Reason
from catalog.domain.issues import Text
from catalog.settings import Settings

USER_AGENT = f"catalog-ingestion/{__version__} (marketplace catalog checker)"
MAX_REDIRECTS = 5
CHUNK_SIZE = 64 * 1024
IP = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class _NoRetryWarnings(logging.Filter):
    """urllib3 logs a warning per retried connection: for seller URLs that is one line per URL of a dead
    host. Each failure is reported with its URL anyway, and summarised per host (`catalog.net.hosts`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Retrying (")


logging.getLogger("urllib3.connectionpool").addFilter(_NoRetryWarnings())
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})


class FetchError(Exception):
    """A fetch that did not produce a usable body; `failure` says why, in both languages."""

    def __init__(self, failure: FetchFailure) -> None:
        super().__init__(f"{failure.reason}: {failure.url}: {failure.detail or failure.message.en}")
        self.failure = failure


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str
    status: int | None = None
    final_url: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    failure: FetchFailure | None = None
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failure is None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("ETag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("Last-Modified")

    @property
    def content_type(self) -> str | None:
        return self.headers.get("Content-Type")


# ---- Address policy -------------------------------------------------------------------------------


def is_public_address(ip: IP) -> bool:
    """True for globally routable unicast addresses; embedded IPv4 (mapped, 6to4, NAT64) is judged too."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(embedded)
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback
                                 or ip.is_link_local or ip.is_private)


def address_allowed(ip: IP | str, *, allow_private: bool = False) -> bool:
    """The fetch policy for one address: public only, unless private networks are allowed."""
    if isinstance(ip, str):
        ip = ipaddress.ip_address(ip.split("%", 1)[0])
    return allow_private or is_public_address(ip)


class BlockedAddressError(Exception):
    """The host has no address the policy allows. Not an OSError, so urllib3 lets it through unwrapped."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} resolves to non-public address {address}")
        self.host = host
        self.address = address


def _connect_checked(
    host: str,
    port: int,
    timeout: float | None,
    source_address: tuple[str, int] | None,
    socket_options: Any,
    allow_private: bool,
) -> socket.socket:
    host = host.strip("[]")
    infos = socket.getaddrinfo(host, port, allowed_gai_family(), socket.SOCK_STREAM)
    allowed = [info for info in infos if address_allowed(str(info[4][0]), allow_private=allow_private)]
    if not allowed:
        raise BlockedAddressError(host, str(infos[0][4][0]) if infos else "?")
    error: OSError | None = None
    for family, socktype, proto, _, sockaddr in allowed:
        sock = socket.socket(family, socktype, proto)
        try:
            for option in socket_options or ():
                sock.setsockopt(*option)
            if isinstance(timeout, int | float):
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    assert error is not None
    raise error


class _GuardedMixin:
    """Replaces urllib3's socket creation with `_connect_checked`; same error mapping as urllib3's own."""

    allow_private = False

    def _new_conn(self) -> socket.socket:
        conn: Any = self
        try:
            sock = _connect_checked(conn._dns_host, conn.port, conn.timeout, conn.source_address,
                                    conn.socket_options, self.allow_private)
        except socket.gaierror as exc:
            raise NameResolutionError(conn.host, conn, exc) from exc
        except TimeoutError as exc:
            raise ConnectTimeoutError(conn, f"Connection to {conn.host} timed out") from exc
        except OSError as exc:
            raise NewConnectionError(conn, f"Failed to establish a new connection: {exc}") from exc
        sys.audit("http.client.connect", self, conn.host, conn.port)
        return sock


class _GuardedHTTPConnection(_GuardedMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedMixin, HTTPSConnection):
    pass


class _GuardedAdapter(HTTPAdapter):
    """An adapter whose pools use guarded connections and one shared SSL context."""

    def __init__(self, *, allow_private: bool, ssl_context: ssl.SSLContext, pool_size: int, retries: Retry) -> None:
        self._allow_private = allow_private
        self._ssl_context = ssl_context
        super().__init__(pool_connections=pool_size, pool_maxsize=pool_size, max_retries=retries)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, ssl_context=self._ssl_context, **pool_kwargs)
        policy = {"allow_private": self._allow_private}
        http_conn = type("GuardedHTTPConnection", (_GuardedHTTPConnection,), policy)
        https_conn = type("GuardedHTTPSConnection", (_GuardedHTTPSConnection,), policy)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        raise requests.exceptions.InvalidURL("proxies are not used for seller URLs")

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        """Verification comes from the shared SSL context; requests would reload certifi on every connection."""
        conn.cert_reqs = "CERT_REQUIRED"
        conn.ca_certs = None
        conn.ca_cert_dir = None


@functools.lru_cache(maxsize=8)
def ssl_context(ca_bundle: str | None = None) -> ssl.SSLContext:
    """certifi's trust store (as requests uses by default) plus the PEM file `ca_bundle` when given.

    Built once per process and bundle: loading the trust store costs tens of milliseconds, which a refresh
    of hundreds of feeds would otherwise pay per feed. A context is safe to share between threads.
    """
    context = ssl.create_default_context(cafile=certifi.where())
    if ca_bundle:
        context.load_verify_locations(cafile=ca_bundle)
    return context


# ---- Failure texts -----------------------------------------------------------------------------------

_STATUS_TEXT = {
    401: ("authentification requise", "authentication required"),
    403: ("accès refusé", "access forbidden"),
    404: ("introuvable", "not found"),
    410: ("supprimé", "gone"),
    429: ("trop de requêtes", "too many requests"),
}


def _size(n: int) -> str:
    return f"{n / 1_000_000:g} Mo", f"{n / 1_000_000:g} MB"


def _failure(reason: Reason, url: str, *, host: str | None = None, status: int | None = None,
             limit: int | None = None, timeout: float | None = None, detail: str = "") -> FetchFailure:
    match reason:
        case Reason.BLOCKED_ADDRESS:
            fr, en = f"adresse non publique ({host})", f"non-public address ({host})"
        case Reason.INVALID_URL:
            fr, en = "adresse web invalide", "invalid web address"
        case Reason.NOT_HTTPS:
            fr, en = "redirection vers une adresse non https", "redirected to a non-https address"
        case Reason.DNS:
            fr, en = f"le nom de domaine « {host} » est introuvable", f'domain name "{host}" not found'
        case Reason.REFUSED:
            fr, en = "le serveur a refusé la connexion", "the server refused the connection"
        case Reason.TIMEOUT:
            fr, en = f"pas de réponse dans le délai de {timeout:g} s", f"no answer within {timeout:g} s"
        case Reason.TLS:
            fr, en = "certificat https du serveur invalide", "the server's https certificate is not valid"
        case Reason.CONNECTION:
            fr, en = "connexion interrompue", "connection interrupted"
        case Reason.HTTP_STATUS:
            code = status or 0
            label = _STATUS_TEXT.get(code) or (
                ("erreur du serveur", "server error") if code >= 500 else ("réponse inattendue", "unexpected answer"))
            fr, en = f"le serveur a répondu {status} ({label[0]})", f"the server answered {status} ({label[1]})"
        case Reason.TOO_MANY_REDIRECTS:
            fr, en = f"plus de {MAX_REDIRECTS} redirections", f"more than {MAX_REDIRECTS} redirects"
        case Reason.TOO_LARGE:
            size_fr, size_en = _size(limit or 0)
            fr, en = f"le fichier dépasse {size_fr}", f"the file is over {size_en}"
    return FetchFailure(reason=reason, message=Text(fr, en), url=url, host=host, status=status, detail=detail)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (requests → urllib3 MaxRetryError.reason → socket error)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        todo.extend(item for item in linked if isinstance(item, BaseException))


def _classify(exc: BaseException, url: str, timeout: float) -> FetchFailure:
    host = urlsplit(url).hostname
    causes = list(_causes(exc))
    detail = f"{type(exc).__name__}: {exc}"
    for cause in causes:
        if isinstance(cause, BlockedAddressError):
            shown = cause.host if cause.host == cause.address else f"{cause.host} → {cause.address}"
            return _failure(Reason.BLOCKED_ADDRESS, url, host=shown, detail=detail)
    # NewConnectionError subclasses ConnectTimeoutError in urllib3 2: refusals are matched first.
    kinds: tuple[tuple[tuple[type[BaseException], ...], Reason], ...] = (
        ((NameResolutionError, socket.gaierror), Reason.DNS),
        ((ssl.SSLError, ssl.CertificateError, requests.exceptions.SSLError), Reason.TLS),
        ((ConnectionRefusedError,), Reason.REFUSED),
        ((requests.exceptions.Timeout, ReadTimeoutError, TimeoutError), Reason.TIMEOUT),
        ((requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
          requests.exceptions.InvalidSchema, UnicodeError), Reason.INVALID_URL),
    )
    for types, reason in kinds:
        if any(isinstance(cause, types) for cause in causes):
            return _failure(reason, url, host=host, timeout=timeout, detail=detail)
    if any(isinstance(c, ConnectTimeoutError) and not isinstance(c, NewConnectionError) for c in causes):
        return _failure(Reason.TIMEOUT, url, host=host, timeout=timeout, detail=detail)
    return _failure(Reason.CONNECTION, url, host=host, detail=detail)


# ---- Fetcher ---------------------------------------------------------------------------------------------


class FetchStream:
    """An open 200 (or 304) response whose body is read in capped chunks; use inside `open_stream`."""

    def __init__(self, response: requests.Response, url: str, max_bytes: int, deadline: float,
                 total_timeout: float, read_timeout: float) -> None:
        self.url = url
        self.final_url: str = response.url
        self.status: int = response.status_code
        self.headers: Mapping[str, str] = response.headers
        self.max_bytes = max_bytes
        self.bytes_read = 0
        self._response = response
        self._deadline = deadline
        self._total_timeout = total_timeout
        self._read_timeout = read_timeout
        self._buffer = bytearray()
        self._pending: Iterator[bytes] | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def _too_large(self) -> FetchError:
        return FetchError(_failure(Reason.TOO_LARGE, self.url, limit=self.max_bytes,
                                   detail=f"more than {self.max_bytes} bytes"))

    def chunks(self, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        """The (decoded) body in chunks; FetchError once it passes max_bytes or the deadline."""
        if self.not_modified:
            return
        declared = self.headers.get("Content-Length", "")
        encoded = self.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
        if declared.isdigit() and not encoded and int(declared) > self.max_bytes:
            raise self._too_large()
        raw = self._response.raw
        while True:
            if time.monotonic() > self._deadline:
                raise FetchError(_failure(Reason.TIMEOUT, self.url, timeout=self._total_timeout,
                                          detail="total deadline passed while reading"))
            try:
                chunk = raw.read1(chunk_size, decode_content=True)
            except (Urllib3Error, OSError) as exc:
                raise FetchError(_classify(exc, self.url, self._read_timeout)) from exc
            if not chunk:
                return
            self.bytes_read += len(chunk)
            if self.bytes_read > self.max_bytes:
                raise self._too_large()
            yield chunk

    def read(self, size: int = -1) -> bytes:
        """File-like read over `chunks()`, for parsers that want one (lxml, gzip)."""
        if self._pending is None:
            self._pending = self.chunks()
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._pending, None)
            if chunk is None:
                break
            self._buffer += chunk
        cut = len(self._buffer) if size < 0 else size
        out = bytes(self._buffer[:cut])
        del self._buffer[:cut]
        return out


class SafeFetcher:
    """Fetches seller URLs under the address policy, with timeouts, a size cap and bounded pools.

    Thread-safe for concurrent `fetch` calls; one instance per run, closed at the end (or use `with`).
    """

    def __init__(self, settings: Settings, *, total_timeout: float | None = None,
                 max_redirects: int = MAX_REDIRECTS) -> None:
        self.timeout = settings.http_timeout
        self.total_timeout = total_timeout or 3 * settings.http_timeout
        self.max_redirects = max_redirects
        retries = Retry(total=2, connect=1, read=0, status=1, redirect=0, other=0,
                        status_forcelist=(502, 503, 504), backoff_factor=0.2,
                        allowed_methods=frozenset({"GET"}), raise_on_redirect=False,
                        raise_on_status=False, respect_retry_after_header=False)
        adapter = _GuardedAdapter(
            allow_private=settings.allow_private_networks,
            ssl_context=ssl_context(str(settings.ca_bundle) if settings.ca_bundle else None),
            pool_size=max(1, settings.http_concurrency),
            retries=retries,
        )
        session = requests.Session()
        session.trust_env = False
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        session.headers["User-Agent"] = USER_AGENT
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        self._session = session

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> SafeFetcher:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def _check_url(self, url: str, require_https: bool) -> None:
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError as exc:
            raise FetchError(_failure(Reason.INVALID_URL, url, detail=str(exc))) from exc
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise FetchError(_failure(Reason.INVALID_URL, url, detail="only http(s) URLs with a host"))
        if require_https and parts.scheme.lower() != "https":
            raise FetchError(_failure(Reason.NOT_HTTPS, url, host=parts.hostname))

    def _open(self, url: str, headers: dict[str, str], deadline: float, require_https: bool) -> requests.Response:
        """GET with redirects followed by hand, each hop checked; the 200/304 response, unread."""
        current = url
        for _ in range(self.max_redirects + 1):
            self._check_url(current, require_https)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchError(_failure(Reason.TIMEOUT, url, timeout=self.total_timeout))
            wait = min(self.timeout, remaining)
            try:
                response = self._session.get(current, headers=headers, stream=True, allow_redirects=False,
                                             timeout=(wait, wait))
            except (requests.RequestException, BlockedAddressError, ValueError) as exc:
                raise FetchError(_classify(exc, current, wait)) from exc
            if response.status_code in _REDIRECT_CODES and "Location" in response.headers:
                target = self._session.get_redirect_target(response) or ""
                response.close()
                current = urljoin(response.url, target)
                continue
            if response.status_code == 200 or (response.status_code == 304 and
                                               ("If-None-Match" in headers or "If-Modified-Since" in headers)):
                return response
            response.close()
            raise FetchError(_failure(Reason.HTTP_STATUS, url, host=urlsplit(current).hostname,
                                      status=response.status_code))
        raise FetchError(_failure(Reason.TOO_MANY_REDIRECTS, url, detail=f"last hop {current}"))

    @contextmanager
    def open_stream(self, url: str, *, max_bytes: int, accept: str = "*/*", etag: str | None = None,
                    last_modified: str | None = None, require_https: bool = False) -> Iterator[FetchStream]:
        """Open `url` for streaming; raises FetchError when there is no 200 body (or 304 when conditional).

        `etag` / `last_modified` are the values of an earlier response: they are sent as
        If-None-Match / If-Modified-Since, and an unchanged resource then gives `not_modified`.
        """
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        deadline = time.monotonic() + self.total_timeout
        response = self._open(url, headers, deadline, require_https)
        try:
            yield FetchStream(response, url, max_bytes, deadline, self.total_timeout, self.timeout)
        finally:
            response.close()

    def fetch(self, url: str, *, max_bytes: int, accept: str = "*/*", etag: str | None = None,
              last_modified: str | None = None, require_https: bool = False) -> FetchResult:
        """The whole body of `url` (at most `max_bytes`), or a FetchResult whose `failure` says why not."""
        started = time.monotonic()
        status: int | None = None
        final_url: str | None = None
        headers: Mapping[str, str] = {}
        try:
            with self.open_stream(url, max_bytes=max_bytes, accept=accept, etag=etag,
                                  last_modified=last_modified, require_https=require_https) as stream:
                status, final_url, headers = stream.status, stream.final_url, CaseInsensitiveDict(stream.headers)
                body = b"".join(stream.chunks())
        except FetchError as exc:
            return FetchResult(url=url, status=status or exc.failure.status, final_url=final_url, headers=headers,
                               failure=exc.failure, elapsed=time.monotonic() - started)
        return FetchResult(url=url, status=status, final_url=final_url, headers=headers, body=body,
                           elapsed=time.monotonic() - started)
