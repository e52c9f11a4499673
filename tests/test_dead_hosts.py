"""A dead image host fails fast and once: a few attempts per run, then its other URLs fail at once.

The dead hosts are real sockets on 127.0.0.1: one that accepts connections and never answers
(each attempt counted), and a port where nothing listens. The assertions bound the number of
connection attempts, never the time.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from support_servers import HOST, LoopbackServer, SilentHost, jpeg_bytes

from catalog.domain.location import Location
from catalog.engine import Options, validate_file
from catalog.net.hosts import DOWN_AFTER, HostGate, host_of
from catalog.net.images import ImageRef, check_image_urls, issues_for
from catalog.settings import Settings, load_settings
from tests.support_csv import good_product, write_csv

# At most DOWN_AFTER URLs tried, and urllib3 may retry a failed connection once.
MAX_ATTEMPTS = 2 * DOWN_AFTER


@pytest.fixture
def silent() -> Iterator[SilentHost]:
    host = SilentHost()
    try:
        yield host
    finally:
        host.close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@pytest.fixture
def quick(allowed: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("CATALOG_HTTP_TIMEOUT", "0.3")
    return load_settings(None)


def _refs(urls: list[str]) -> list[ImageRef]:
    return [ImageRef(url, at=Location(n, "Image Src"), product=f"p{n}") for n, url in enumerate(urls, start=2)]


def test_a_silent_host_gets_a_few_attempts_not_one_per_url(silent: SilentHost, server: LoopbackServer,
                                                           quick: Settings) -> None:
    dead = [silent.url(f"/p/{n}.jpg") for n in range(80)]
    live = [server.add(f"/ok-{n}.jpg", jpeg_bytes(), content_type="image/jpeg") for n in range(5)]
    outcomes = check_image_urls(_refs(dead + live), quick)
    assert silent.accepted <= MAX_ATTEMPTS, f"{silent.accepted} connections for 80 URLs"
    assert all(outcomes[url].ok for url in live) and len(server.requests) == 5
    failures = {outcomes[url].failure.message.en for url in dead}
    assert failures == {"no answer within 0.3 s"}, "the URLs not tried fail with the same reason"
    assert {outcomes[url].host_down for url in dead} == {f"{HOST}:{silent.port}"}
    assert sum(outcomes[url].origin == "skipped" for url in dead) >= 80 - DOWN_AFTER


def test_a_refused_host_fails_once_with_its_reason(closed_port: int, quick: Settings) -> None:
    dead = [f"https://{HOST}:{closed_port}/p/{n}.jpg" for n in range(60)]
    outcomes = check_image_urls(_refs(dead), quick)
    assert sum(outcomes[url].origin != "skipped" for url in dead) <= DOWN_AFTER
    codes = {tuple(i.code for i in issues_for(outcomes[ref.url], ref)) for ref in _refs(dead)}
    assert codes == {("image.download_failed",)}
    assert {outcomes[url].failure.message.fr for url in dead} == {"le serveur a refusé la connexion"}


def test_a_host_that_answers_404_is_not_given_up(server: LoopbackServer, quick: Settings) -> None:
    missing = [server.url(f"/missing-{n}.jpg") for n in range(12)]
    outcomes = check_image_urls(_refs(missing), quick)
    assert len(server.requests) == 12
    assert all(o.host_down is None and o.origin == "download" for o in outcomes.values())


def test_one_log_line_per_dead_host_and_none_per_url(silent: SilentHost, closed_port: int, quick: Settings,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    urls = [silent.url(f"/a/{n}.jpg") for n in range(30)]
    urls += [f"https://{HOST}:{closed_port}/b/{n}.jpg" for n in range(30)]
    with caplog.at_level(logging.DEBUG):
        check_image_urls(_refs(urls), quick)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 2, warnings
    assert any(f"{HOST}:{silent.port} unreachable" in line and "30 image URLs failed" in line for line in warnings)
    assert any(f"{HOST}:{closed_port} unreachable (the server refused the connection)" in line
               for line in warnings)


def test_each_product_keeps_its_issue_and_the_summary_names_the_host_once(silent: SilentHost, tmp_path: Path,
                                                                          quick: Settings) -> None:
    rows = [good_product(f"perceuse-{n}", Title=f"Perceuse visseuse modèle {n} sans fil 18V et deux batteries",
                         **{"Image Src": silent.url(f"/perceuse-{n}.jpg"), "Variant SKU": f"PV-{n}",
                            "Variant Barcode": ""})
            for n in range(40)]
    report = validate_file(write_csv(tmp_path / "catalogue.csv", rows), quick, Options(offline=False))
    failed = [i for i in report.issues if i.code == "image.download_failed"]
    assert sorted(i.product for i in failed) == sorted(f"perceuse-{n}" for n in range(40))
    assert all(p.status == "refused" for p in report.products)
    (summary,) = [i for i in report.issues if i.code == "image.host_unreachable"]
    assert summary.is_file_level and not summary.is_error
    assert f"{HOST}:{silent.port}" in summary.message.fr and "40 liens d'images de 40 produits" in summary.message.fr
    assert "0,3 s" in summary.message.fr or "0.3 s" in summary.message.fr
    assert silent.accepted <= MAX_ATTEMPTS


def test_the_gate_lets_a_few_through_until_the_host_answers() -> None:
    gate = HostGate(threshold=2)
    url = "https://cdn.example.fr/a.jpg"
    assert gate.enter(url) is None and gate.enter(url) is None
    entered = threading.Event()
    third = threading.Thread(target=lambda: (gate.enter(url), entered.set()))
    third.start()
    assert not entered.wait(0.2), "a third download waits while the host has not answered"
    gate.leave(url, None)
    third.join(timeout=5)
    assert entered.is_set()
    assert host_of("https://CDN.example.fr./a.jpg") == "cdn.example.fr"
    assert host_of("https://127.0.0.1:8443/a.jpg") == "127.0.0.1:8443"
