"""SafeFetcher against real HTTPS servers on 127.0.0.1, and the address policy on literal addresses."""

from __future__ import annotations

import gzip
import ipaddress
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support_servers import LoopbackServer, http_server, https_server, loopback_env

from catalog.net.http import USER_AGENT, FetchError, Reason, SafeFetcher, address_allowed, is_public_address
from catalog.settings import Settings, load_settings

MB = 1_000_000




@pytest.fixture
def fetcher(allowed: Settings) -> Iterator[SafeFetcher]:
    with SafeFetcher(allowed) as active:
        yield active


# ---- Address policy --------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", [
    "10.1.2.3", "172.16.0.1", "192.168.1.10", "127.0.0.1", "127.8.8.8", "0.0.0.0", "169.254.169.254",
    "100.64.0.1", "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1", "192.0.2.1", "198.18.0.1",
    "::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
    "2002:7f00:1::1", "64:ff9b::a00:1", "2001:db8::1",
])
def test_non_public_addresses_are_refused(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert not is_public_address(ip)
    assert not address_allowed(ip)
    assert address_allowed(ip, allow_private=True)


@pytest.mark.parametrize("address", [
    "8.8.8.8", "1.1.1.1", "93.184.216.34", "2001:4860:4860::8888", "2a00:1450:4007:80a::200e",
    "::ffff:8.8.8.8", "64:ff9b::808:808",
])
def test_public_addresses_are_allowed(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))
    assert address_allowed(address)


def test_link_local_ipv6_with_zone_index_is_refused() -> None:
    assert not address_allowed("fe80::1%eth0")


# ---- Blocked, TLS, errors -----------------------------------------------------------------------------------


def test_default_settings_refuse_loopback_without_any_request(server: LoopbackServer, monkeypatch, tmp_path):
    server.add("/a.jpg", b"data")
    monkeypatch.setenv("CATALOG_CA_BUNDLE", str(server.write_ca_bundle(tmp_path / "ca.pem")))
    with SafeFetcher(load_settings(None)) as fetcher:
        by_ip = fetcher.fetch(server.url("/a.jpg"), max_bytes=MB)
        by_name = fetcher.fetch(server.url("/a.jpg", host="localhost"), max_bytes=MB)
    assert by_ip.failure is not None and by_ip.failure.reason is Reason.BLOCKED_ADDRESS
    assert by_ip.failure.host == "127.0.0.1"
    assert by_name.failure is not None and by_name.failure.reason is Reason.BLOCKED_ADDRESS
    assert "localhost" in by_name.failure.message.fr and "127.0.0.1" in by_name.failure.message.en
    assert server.requests == []


def test_allowed_private_network_with_ca_bundle_fetches(server: LoopbackServer, fetcher: SafeFetcher):
    url = server.add("/a.bin", b"hello", content_type="application/x-test")
    result = fetcher.fetch(url, max_bytes=MB)
    assert result.ok and result.status == 200 and result.body == b"hello"
    assert result.content_type == "application/x-test" and result.final_url == url
    assert server.requests[0].headers["User-Agent"] == USER_AGENT


def test_hostname_is_verified_and_sent_as_sni(server: LoopbackServer, fetcher: SafeFetcher):
    server.add("/a.bin", b"named")
    result = fetcher.fetch(server.url("/a.bin", host="localhost"), max_bytes=MB)
    assert result.ok and result.body == b"named"
    assert server.requests[0].headers["Host"] == f"localhost:{server.port}"


def test_certificate_for_another_name_is_a_tls_failure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    with https_server(cert_names=("shop.example",)) as other:
        for name, value in loopback_env(other, tmp_path).items():
            monkeypatch.setenv(name, value)
        url = other.add("/a.bin", b"hello")
        with SafeFetcher(load_settings(None)) as fetcher:
            result = fetcher.fetch(url, max_bytes=MB)
    assert result.failure is not None and result.failure.reason is Reason.TLS
    assert "127.0.0.1" in result.failure.detail


def test_unknown_ca_is_a_tls_failure(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CATALOG_ALLOW_PRIVATE_NETWORKS", "true")
    url = server.add("/a.bin", b"hello")
    with SafeFetcher(load_settings(None)) as fetcher:
        result = fetcher.fetch(url, max_bytes=MB)
    assert result.failure is not None and result.failure.reason is Reason.TLS
    assert "certificat" in result.failure.message.fr


def test_404_is_an_http_status_failure(server: LoopbackServer, fetcher: SafeFetcher):
    result = fetcher.fetch(server.url("/missing.jpg"), max_bytes=MB)
    assert result.failure is not None and result.failure.reason is Reason.HTTP_STATUS
    assert result.failure.status == 404
    assert "404" in result.failure.message.fr and "not found" in result.failure.message.en


def test_a_503_is_retried_once(server: LoopbackServer, fetcher: SafeFetcher):
    url = server.add("/busy", b"busy", status=503)
    result = fetcher.fetch(url, max_bytes=MB)
    assert result.failure is not None and result.failure.status == 503
    assert server.hits("/busy") == 2


def test_refused_connection(fetcher: SafeFetcher):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = fetcher.fetch(f"https://127.0.0.1:{port}/a.jpg", max_bytes=MB)
    assert result.failure is not None and result.failure.reason is Reason.REFUSED


def test_unknown_host_is_a_dns_failure(fetcher: SafeFetcher):
    result = fetcher.fetch("https://no-such-host.invalid/a.jpg", max_bytes=MB)
    assert result.failure is not None and result.failure.reason is Reason.DNS
    assert "no-such-host.invalid" in result.failure.message.fr


@pytest.mark.parametrize("url", ["ftp://example.com/a.jpg", "file:///etc/passwd", "https:///nohost", "not a url"])
def test_only_http_urls_with_a_host(fetcher: SafeFetcher, url: str):
    result = fetcher.fetch(url, max_bytes=MB)
    assert result.failure is not None and result.failure.reason is Reason.INVALID_URL


# ---- Timeouts -------------------------------------------------------------------------------------------------


def test_slow_server_times_out(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch, allowed: Settings):
    monkeypatch.setenv("CATALOG_HTTP_TIMEOUT", "0.3")
    url = server.add("/slow", b"late", delay=3)
    started = time.monotonic()
    with SafeFetcher(load_settings(None)) as fetcher:
        result = fetcher.fetch(url, max_bytes=MB)
    assert result.failure is not None and result.failure.reason is Reason.TIMEOUT
    assert time.monotonic() - started < 2.5  # cut by the timeout, long before the server's 3 s answer


def test_total_deadline_stops_a_trickling_body(server: LoopbackServer, allowed: Settings):
    url = server.add("/drip", b"x", length=100, chunk_size=1, chunk_delay=0.05)
    started = time.monotonic()
    with SafeFetcher(allowed, total_timeout=0.5) as fetcher:
        result = fetcher.fetch(url, max_bytes=MB)
    assert result.failure is not None and result.failure.reason is Reason.TIMEOUT
    assert time.monotonic() - started < 3  # cut by the deadline, long before the body's 5 s


# ---- Size cap -----------------------------------------------------------------------------------------------


def test_declared_oversized_body_is_refused_before_reading(server: LoopbackServer, fetcher: SafeFetcher):
    url = server.add("/big.jpg", b"x", length=50 * MB)
    result = fetcher.fetch(url, max_bytes=2 * MB)
    assert result.failure is not None and result.failure.reason is Reason.TOO_LARGE
    assert result.body == b"" and "2 Mo" in result.failure.message.fr


def test_undeclared_oversized_body_stops_reading_past_the_limit(server: LoopbackServer, fetcher: SafeFetcher):
    url = server.add("/big-chunked.jpg", b"x", length=50 * MB, chunked=True)
    started = time.monotonic()
    result = fetcher.fetch(url, max_bytes=2 * MB)
    assert result.failure is not None and result.failure.reason is Reason.TOO_LARGE
    assert time.monotonic() - started < 2
    deadline = time.monotonic() + 2
    while not server.aborted["/big-chunked.jpg"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.aborted["/big-chunked.jpg"] == 1
    assert server.sent["/big-chunked.jpg"] < 20 * MB


@pytest.mark.parametrize("chunked", [False, True])
def test_limit_is_inclusive(server: LoopbackServer, fetcher: SafeFetcher, chunked: bool):
    exact = server.add("/exact", b"y" * 1000, chunked=chunked)
    over = server.add("/over", b"y" * 1001, chunked=chunked)
    assert fetcher.fetch(exact, max_bytes=1000).ok
    result = fetcher.fetch(over, max_bytes=1000)
    assert result.failure is not None and result.failure.reason is Reason.TOO_LARGE


def test_gzip_encoded_body_is_capped_on_its_decoded_size(server: LoopbackServer, fetcher: SafeFetcher):
    packed = gzip.compress(b"\0" * (5 * MB))
    url = server.add("/feed.xml", packed, headers={"Content-Encoding": "gzip"})
    assert len(packed) < MB
    result = fetcher.fetch(url, max_bytes=MB)
    assert result.failure is not None and result.failure.reason is Reason.TOO_LARGE
    small = server.add("/small.xml", gzip.compress(b"<rss/>"), headers={"Content-Encoding": "gzip"})
    assert fetcher.fetch(small, max_bytes=MB).body == b"<rss/>"


# ---- Redirects ----------------------------------------------------------------------------------------------


def test_redirects_are_followed_and_each_hop_requested(server: LoopbackServer, fetcher: SafeFetcher):
    server.add("/final.jpg", b"image")
    server.redirect("/r1", "/r2", status=301)
    server.redirect("/r2", "r3", status=307)
    server.redirect("/r3", "/final.jpg")
    result = fetcher.fetch(server.url("/r1"), max_bytes=MB)
    assert result.ok and result.body == b"image" and result.final_url == server.url("/final.jpg")
    assert [request.path for request in server.requests] == ["/r1", "/r2", "/r3", "/final.jpg"]


def test_five_redirects_pass_six_fail(server: LoopbackServer, fetcher: SafeFetcher):
    server.add("/end", b"ok")
    for hop in range(6):
        server.redirect(f"/hop{hop}", f"/hop{hop + 1}" if hop < 5 else "/end")
    assert fetcher.fetch(server.url("/hop1"), max_bytes=MB).body == b"ok"
    result = fetcher.fetch(server.url("/hop0"), max_bytes=MB)
    assert result.failure is not None and result.failure.reason is Reason.TOO_MANY_REDIRECTS


def test_redirect_loop(server: LoopbackServer, fetcher: SafeFetcher):
    server.redirect("/loop", "/loop")
    result = fetcher.fetch(server.url("/loop"), max_bytes=MB)
    assert result.failure is not None and result.failure.reason is Reason.TOO_MANY_REDIRECTS
    assert server.hits("/loop") == 6


def test_redirect_to_another_server_and_https_requirement(server: LoopbackServer, fetcher: SafeFetcher):
    with http_server() as plain:
        target = plain.add("/feed.xml", b"<rss/>")
        server.redirect("/moved", target)
        assert fetcher.fetch(server.url("/moved"), max_bytes=MB).body == b"<rss/>"
        refused = fetcher.fetch(server.url("/moved"), max_bytes=MB, require_https=True)
        assert refused.failure is not None and refused.failure.reason is Reason.NOT_HTTPS
        assert plain.hits("/feed.xml") == 1


def test_redirect_to_another_scheme_is_refused(server: LoopbackServer, fetcher: SafeFetcher):
    server.redirect("/sneaky", "file:///etc/passwd")
    result = fetcher.fetch(server.url("/sneaky"), max_bytes=MB)
    assert result.failure is not None and result.failure.reason is Reason.INVALID_URL


# ---- Conditional GET and streaming ----------------------------------------------------------------------------


def test_conditional_get(server: LoopbackServer, fetcher: SafeFetcher):
    url = server.add("/feed.xml", b"<rss/>", etag='"v1"', last_modified="Wed, 01 Jan 2025 00:00:00 GMT")
    first = fetcher.fetch(url, max_bytes=MB)
    assert first.etag == '"v1"' and first.last_modified == "Wed, 01 Jan 2025 00:00:00 GMT"
    by_etag = fetcher.fetch(url, max_bytes=MB, etag=first.etag)
    by_date = fetcher.fetch(url, max_bytes=MB, last_modified=first.last_modified)
    assert by_etag.ok and by_etag.not_modified and by_etag.body == b""
    assert by_date.ok and by_date.not_modified
    assert server.requests[1].headers["If-None-Match"] == '"v1"'
    changed = fetcher.fetch(url, max_bytes=MB, etag='"v0"')
    assert changed.status == 200 and changed.body == b"<rss/>"


def test_stream_yields_chunks_and_stops_at_the_limit(server: LoopbackServer, fetcher: SafeFetcher):
    url = server.add("/feed.xml", b"<item/>" * 10_000, chunked=True, chunk_size=7000)
    with fetcher.open_stream(url, max_bytes=MB) as stream:
        assert stream.status == 200
        assert b"".join(stream.chunks()) == b"<item/>" * 10_000
    with fetcher.open_stream(url, max_bytes=MB) as stream:
        assert stream.read(7) == b"<item/>" and len(stream.read()) == 69_993
    big = server.add("/big.xml", b"z", length=5 * MB, chunked=True)
    with fetcher.open_stream(big, max_bytes=MB) as stream, pytest.raises(FetchError) as caught:
        for _ in stream.chunks():
            pass
    assert caught.value.failure.reason is Reason.TOO_LARGE
    assert stream.bytes_read <= MB + 64 * 1024


def test_open_stream_raises_on_failure(server: LoopbackServer, fetcher: SafeFetcher):
    with pytest.raises(FetchError) as caught, fetcher.open_stream(server.url("/nope"), max_bytes=MB):
        pass
    assert caught.value.failure.reason is Reason.HTTP_STATUS and caught.value.failure.status == 404
