"""Real servers on 127.0.0.1 for tests and benchmarks, and real image bytes to serve.

`https_server()` starts a threaded HTTPS server whose certificate comes from a throwaway
`trustme` CA; `write_ca_bundle()` saves that CA as a PEM file for CATALOG_CA_BUNDLE. Routes
serve fixed bytes or generated bodies, with a status, delays, redirects, chunked transfer and
ETag / Last-Modified answers, and every request is recorded so tests can count them.

    with https_server() as server:
        url = server.add("/a.jpg", jpeg_bytes(300, 300), content_type="image/jpeg")
        env = loopback_env(server, tmp_path)   # CATALOG_ALLOW_PRIVATE_NETWORKS, CATALOG_CA_BUNDLE
"""

from __future__ import annotations

import io
import random
import socket
import ssl
import struct
import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import trustme
from PIL import Image

from catalog.settings import Settings, load_settings

HOST = "127.0.0.1"


@dataclass
class Route:
    """What one path answers. `body` may be a callable returning chunks, for generated bodies."""

    body: bytes | Callable[[], Iterable[bytes]] = b""
    status: int = 200
    content_type: str = "application/octet-stream"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    location: str | None = None
    chunked: bool = False
    chunk_size: int = 64 * 1024
    chunk_delay: float = 0.0
    length: int | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `server.requests` instead."""

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def _answer(self, *, send_body: bool) -> None:
        owner = self.server.owner
        path = urlsplit(self.path).path
        owner._record(RecordedRequest(self.command, path, dict(self.headers.items())))
        route = owner.routes.get(path)
        if route is None:
            route = Route(body=b"not found", status=404, content_type="text/plain")
        if route.delay and owner.stopping.wait(route.delay):
            return
        conditional = (route.etag and self.headers.get("If-None-Match") == route.etag) or (
            route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified)
        status = 304 if conditional else route.status
        self.send_response(status)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if route.etag:
            self.send_header("ETag", route.etag)
        if route.last_modified:
            self.send_header("Last-Modified", route.last_modified)
        if route.location is not None:
            location = route.location
            self.send_header("Location", owner.url(location) if location.startswith("/") else location)
        if status == 304:
            self.end_headers()
            return
        self.send_header("Content-Type", route.content_type)
        chunks = _chunks(route)
        declared = route.length if route.length is not None else (
            len(route.body) if isinstance(route.body, bytes) else None)
        if route.chunked or declared is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(declared))
        self.end_headers()
        if not send_body:
            return
        try:
            for chunk in chunks:
                if route.chunked or declared is None:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                else:
                    self.wfile.write(chunk)
                self.wfile.flush()
                owner._count_sent(path, len(chunk))
                if route.chunk_delay and owner.stopping.wait(route.chunk_delay):
                    return
            if route.chunked or declared is None:
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, TimeoutError):
            owner._count_aborted(path)
            self.close_connection = True


def _chunks(route: Route) -> Iterator[bytes]:
    if callable(route.body):
        yield from route.body()
    elif route.length is not None:
        block = (route.body or b"x") * (route.chunk_size // max(1, len(route.body or b"x")) + 1)
        left = route.length
        while left > 0:
            piece = block[: min(route.chunk_size, left)]
            left -= len(piece)
            yield piece
    else:
        for start in range(0, len(route.body), route.chunk_size):
            yield route.body[start:start + route.chunk_size]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    owner: LoopbackServer

    def finish_request(self, request: Any, client_address: Any) -> None:
        """TLS handshake here, in the worker thread, so slow handshakes never hold up `accept`."""
        if isinstance(request, ssl.SSLSocket):
            request.settimeout(10)
            request.do_handshake()
        super().finish_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.owner._count_aborted("")


class LoopbackServer:
    """A threaded HTTP(S) server on 127.0.0.1 with configurable routes; see the module docstring."""

    def __init__(self, *, tls: bool = True, ca: trustme.CA | None = None,
                 cert_names: tuple[str, ...] = ("localhost", HOST, "::1")) -> None:
        self.tls = tls
        self.ca = ca or trustme.CA()
        self.routes: dict[str, Route] = {}
        self.requests: list[RecordedRequest] = []
        self.sent: Counter[str] = Counter()
        self.aborted: Counter[str] = Counter()
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd = _Server((HOST, 0), _Handler, bind_and_activate=True)
        self._httpd.owner = self
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            self.ca.issue_cert(*cert_names).configure_cert(context)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True,
                                                     do_handshake_on_connect=False)
        self.port: int = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{HOST}:{self.port}"

    def url(self, path: str, *, host: str = HOST) -> str:
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}{path}"

    def add(self, path: str, body: bytes | Callable[[], Iterable[bytes]] = b"", **route: Any) -> str:
        """Serve `body` at `path` (see Route for the options); returns the full URL."""
        self.routes[path] = Route(body=body, **route)
        return self.url(path)

    def redirect(self, path: str, to: str, *, status: int = 302) -> str:
        """`path` redirects to `to`: another path on this server or any absolute URL."""
        return self.add(path, b"", status=status, location=to, content_type="text/plain")

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for request in self.requests if request.path == path)

    def write_ca_bundle(self, path: str | Path) -> Path:
        """The CA as a PEM file, for CATALOG_CA_BUNDLE."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.ca.cert_pem.write_to_path(str(target))
        return target

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _count_sent(self, path: str, size: int) -> None:
        with self._lock:
            self.sent[path] += size

    def _count_aborted(self, path: str) -> None:
        with self._lock:
            self.aborted[path] += 1

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def https_server(ca: trustme.CA | None = None, **options: Any) -> Iterator[LoopbackServer]:
    with LoopbackServer(tls=True, ca=ca, **options) as server:
        yield server


@contextmanager
def http_server() -> Iterator[LoopbackServer]:
    with LoopbackServer(tls=False) as server:
        yield server


def loopback_env(server: LoopbackServer, directory: str | Path) -> dict[str, str]:
    """Environment for fetching from `server`: private networks allowed and its CA trusted."""
    bundle = server.write_ca_bundle(Path(directory) / "loopback-ca.pem")
    return {"CATALOG_ALLOW_PRIVATE_NETWORKS": "true", "CATALOG_CA_BUNDLE": str(bundle)}


class SilentHost:
    """Accepts TCP connections on 127.0.0.1 and never says a word; counts the connections."""

    def __init__(self) -> None:
        self.sock = socket.create_server((HOST, 0), backlog=512)
        self.sock.settimeout(0.1)
        self.port: int = self.sock.getsockname()[1]
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.accepted += 1
            self._held.append(conn)

    def url(self, path: str) -> str:
        return f"https://{HOST}:{self.port}{path}"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self._held:
            conn.close()
        self.sock.close()


# ---- Image bytes -----------------------------------------------------------------------------------------


def image_bytes(fmt: str, width: int = 300, height: int = 300, *, mode: str = "RGB",
                color: tuple[int, ...] = (200, 40, 40), noise: bool = False) -> bytes:
    """A real image encoded by Pillow ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF"...)."""
    if noise:
        image = Image.frombytes("RGB", (width, height), random.Random(width * height).randbytes(width * height * 3))
    else:
        image = Image.new("RGB", (width, height), color)
    image = image.convert(mode)
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def jpeg_bytes(width: int = 300, height: int = 300, **kwargs: Any) -> bytes:
    return image_bytes("JPEG", width, height, **kwargs)


def png_bytes(width: int = 300, height: int = 300, **kwargs: Any) -> bytes:
    return image_bytes("PNG", width, height, **kwargs)


def truncated_jpeg(width: int = 400, height: int = 400) -> bytes:
    """A noisy JPEG cut in half: the header reads fine, decoding fails."""
    data = jpeg_bytes(width, height, noise=True)
    return data[: len(data) // 2]


@cache
def bomb_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid 1-bit PNG of width×height pixels that weighs a few kilobytes: a decompression bomb.

    Written chunk by chunk with zlib because Pillow would have to allocate the whole image to save it.
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")



@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    """A loopback HTTPS server for one test."""
    with https_server() as running:
        yield running


@pytest.fixture
def allowed(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Settings:
    """Settings that reach the loopback server: private networks allowed, its CA trusted."""
    for name, value in loopback_env(server, tmp_path).items():
        monkeypatch.setenv(name, value)
    return load_settings(None)
