"""Feeds fetched from a URL, over a real loopback HTTPS server: every way a fetch goes wrong is a clear code."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from catalog.engine import Options, validate_file
from catalog.settings import Settings, load_settings
from taxonomy import Taxonomy
from tests.support_servers import LoopbackServer, loopback_env
from tests.test_feed_reader import item, rss

FEED = rss(item("P-1"), item("P-2", title="Visseuse à chocs sans fil 18 V compacte et légère")).encode()


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    from catalog.net.taxonomy_file import default_taxonomy
    from tests.conftest import SHARED_TAXONOMY

    return default_taxonomy(replace(load_settings(None), taxonomy=SHARED_TAXONOMY))


def check(url: str, settings: Settings, taxonomy: Taxonomy):
    return validate_file(url, settings, Options(offline=True), taxonomy=taxonomy)


def codes(report) -> list[str]:
    return [i.code for i in report.issues]


def test_a_feed_url_is_read_like_a_file(server: LoopbackServer, allowed: Settings, taxonomy: Taxonomy) -> None:
    url = server.add("/flux.xml", FEED, content_type="application/xml")
    report = check(url, allowed, taxonomy)
    assert report.kind == "feed" and report.source == url and report.status == "accepted", codes(report)
    assert [p.handle for p in report.products] == ["p-1", "p-2"]


def test_http_gzip_and_gz_bodies(server: LoopbackServer, allowed: Settings, taxonomy: Taxonomy) -> None:
    encoded = server.add("/flux-encoded.xml", gzip.compress(FEED), content_type="application/xml",
                         headers={"Content-Encoding": "gzip"})
    file_gz = server.add("/flux.xml.gz", gzip.compress(FEED), content_type="application/gzip")
    for url in (encoded, file_gz):
        assert check(url, allowed, taxonomy).status == "accepted"


def _bomb(size: int) -> bytes:
    """A gzip body of `size` bytes of spaces inside a valid start of feed, compressed chunk by chunk."""
    out = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [out.compress(b'<?xml version="1.0"?><rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">'
                          b"<channel><item><g:description>")]
    block = b" " * (1024 * 1024)
    parts += [out.compress(block) for _ in range(size // len(block))]
    parts.append(out.flush())
    return b"".join(parts)


@pytest.mark.parametrize("encoding", ["gzip", None])
def test_a_gzip_bomb_stops_at_the_limit(server: LoopbackServer, allowed: Settings, taxonomy: Taxonomy,
                                        encoding: str | None) -> None:
    headers = {"Content-Encoding": "gzip"} if encoding else {}
    url = server.add("/bomb.xml" + ("" if encoding else ".gz"), _bomb(200 * 1024 * 1024), headers=headers)
    small = replace(allowed, max_feed_bytes=5 * 1024 * 1024)
    report = check(url, small, taxonomy)
    assert report.status == "rejected" and codes(report) == ["feed.too_large"]


def test_too_large_plain_body(server: LoopbackServer, allowed: Settings, taxonomy: Taxonomy) -> None:
    url = server.add("/big.xml", b"<", length=3 * 1024 * 1024)
    report = check(url, replace(allowed, max_feed_bytes=1024 * 1024), taxonomy)
    assert codes(report) == ["feed.too_large"]


def test_a_server_that_drips_hits_the_time_limit(server: LoopbackServer, allowed: Settings,
                                                 taxonomy: Taxonomy) -> None:
    def drip() -> Iterator[bytes]:
        yield from (FEED[i:i + 1] for i in range(len(FEED)))

    url = server.add("/drip.xml", drip, chunked=True, chunk_delay=1.0)
    report = check(url, replace(allowed, feed_timeout=2.0), taxonomy)
    assert report.status == "rejected" and codes(report) == ["feed.fetch_failed"]


def test_redirect_to_a_loopback_address_is_blocked(server: LoopbackServer, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch, taxonomy: Taxonomy) -> None:
    monkeypatch.setenv("CATALOG_CA_BUNDLE", str(server.write_ca_bundle(tmp_path / "ca.pem")))
    url = server.redirect("/moved.xml", "/flux.xml")
    server.add("/flux.xml", FEED)
    report = check(url, load_settings(None), taxonomy)  # private networks not allowed
    assert report.status == "rejected" and codes(report) == ["feed.blocked_address"]
    assert server.hits("/flux.xml") == 0


def test_empty_answer_html_page_not_found_and_http(server: LoopbackServer, allowed: Settings,
                                                   taxonomy: Taxonomy) -> None:
    empty = server.add("/empty.xml", b"")
    html = server.add("/page.xml", b"<!doctype html><html><body>Bienvenue</body></html>", content_type="text/html")
    missing = server.url("/nowhere.xml")
    cut = server.add("/cut.xml", FEED[: len(FEED) // 2])
    assert codes(check(empty, allowed, taxonomy)) == ["feed.fetch_failed"]
    assert codes(check(html, allowed, taxonomy)) == ["feed.format_unknown"]
    assert codes(check(missing, allowed, taxonomy)) == ["feed.fetch_failed"]
    assert codes(check(cut, allowed, taxonomy)) == ["feed.not_xml"]
    assert codes(check(server.url("/flux.xml").replace("https://", "http://"), allowed, taxonomy)) == [
        "feed.fetch_failed"]


XXE = [
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel>'
    b"<item><g:id>&x;</g:id></item></channel></rss>",
    b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "https://127.0.0.1:9/rss.dtd"><rss></rss>',
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    b"<rss><channel><item><g:id>&lol2;</g:id></item></channel></rss>",
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % p SYSTEM "https://127.0.0.1:9/p.dtd"> %p;]><rss></rss>',
]


@pytest.mark.parametrize("body", XXE, ids=["external-entity", "external-dtd", "billion-laughs", "parameter-entity"])
def test_dtds_and_entities_are_refused(server: LoopbackServer, allowed: Settings, taxonomy: Taxonomy,
                                       body: bytes) -> None:
    report = check(server.add("/evil.xml", body), allowed, taxonomy)
    assert report.status == "rejected" and codes(report) == ["feed.forbidden_xml"]
    assert "root:" not in json.dumps(report.to_dict())


def test_cli_validates_a_url_with_one_clear_report(server: LoopbackServer, tmp_path: Path) -> None:
    url = server.add("/flux.xml", FEED, content_type="application/xml")
    env = {**loopback_env(server, tmp_path), "CATALOG_DATA_DIR": str(tmp_path / "var"),
           "CATALOG_TAXONOMY": str(Path(__file__).resolve().parents[2] / "shared" / "taxonomy"
                                   / "taxonomy-with-ids.fr-FR.txt"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "catalog.cli", "validate", url, "--offline", "--format", "json"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["kind"] == "feed" and data["source"] == url and data["summary"]["products"] == 2
    refused = subprocess.run([sys.executable, "-m", "catalog.cli", "validate", server.url("/nowhere.xml"),
                              "--offline", "--format", "json"], env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert json.loads(refused.stdout)["issues"][0]["code"] == "feed.fetch_failed"
