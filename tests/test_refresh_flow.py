"""`catalog feeds ...` and the `refresh-feeds` flow on Prefect's test server, a loopback HTTPS feed server
(ETag, Last-Modified, 304) and a real SMTP server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from support_servers import LoopbackServer, https_server, loopback_env
from support_smtp import SmtpServer, smtp_server

from catalog.cli import main
from catalog.settings import load_settings
from catalog.store import Store
from tests.test_refresh import SELLERS, TOOLS, Shop


@pytest.fixture(scope="module", autouse=True)
def prefect_server() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(autouse=True)
def _prefect_console_on_this_tests_stderr() -> None:
    """Prefect's console handler keeps the stream of the test that first logged; pytest closes it after that
    test, and a later test's error logs would then fail to print. Point it at this test's stream."""
    import logging
    import sys

    from prefect.logging.handlers import PrefectConsoleHandler

    loggers = [logging.getLogger(), *(v for v in logging.root.manager.loggerDict.values()
                                      if isinstance(v, logging.Logger))]
    for logger in loggers:
        for handler in logger.handlers:
            if isinstance(handler, PrefectConsoleHandler):
                handler.console.file = sys.stderr


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[LoopbackServer, SmtpServer]]:
    with https_server() as server, smtp_server(tmp_path) as smtp:
        for key, value in loopback_env(server, tmp_path).items():
            monkeypatch.setenv(key, value)
        smtp.configure(monkeypatch)
        monkeypatch.setenv("CATALOG_FEED_RETRY_DELAY", "0.2")
        sellers = tmp_path / "sellers.yaml"
        sellers.write_text(SELLERS, encoding="utf-8")
        assert main(["sellers", "load", str(sellers)]) == 0
        yield server, smtp


def test_register_refresh_twice_and_list(world, capfd) -> None:
    server, smtp = world
    shop = Shop(server)
    url = shop.publish(TOOLS)
    assert main(["feeds", "add", "--seller", "atelier-dupont", "--name", "catalogue", "--url", url]) == 0
    capfd.readouterr()

    assert main(["feeds", "refresh", "--all", "--offline"]) == 0
    first = capfd.readouterr().out
    assert "changed" in first and "added 4" in first
    assert len(smtp.messages) == 1
    requests = len(server.requests)

    assert main(["feeds", "refresh", "--seller", "atelier-dupont", "--offline"]) == 0
    second = capfd.readouterr().out
    assert "unchanged (304 not modified)" in second
    assert len(server.requests) == requests + 1 and len(smtp.messages) == 1

    assert main(["feeds", "list", "--format", "json"]) == 0
    [listed] = json.loads(capfd.readouterr().out)
    assert (listed["name"], listed["last_outcome"], listed["consecutive_failures"]) == ("catalogue", "unchanged", 0)
    with Store.open(load_settings().db_url) as store:
        assert len(store.list_moderation(status="pending")) == 4
    assert "| 1 catalogue | atelier-dupont | unchanged |" in latest_artifact("feed-refresh")


def latest_artifact(key: str) -> str:
    """The newest artifact of `key` on the test server: what ops read in the Prefect UI."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
                                      sort=ArtifactSort.CREATED_DESC, limit=1)
    return str(found[0].data)


def test_a_dead_feed_is_retried_then_fails_alone(world, capfd) -> None:
    server, smtp = world
    good = Shop(server).publish(TOOLS[:2])
    dead = server.add("/flux/mort.xml", b"indisponible", status=503, content_type="text/plain")
    assert main(["feeds", "add", "--seller", "atelier-dupont", "--name", "outils", "--url", good]) == 0
    assert main(["feeds", "add", "--seller", "lumiere-bureau", "--name", "lampes", "--url", dead]) == 0
    capfd.readouterr()
    code = main(["feeds", "refresh", "--all", "--offline"])
    out, err = capfd.readouterr()
    assert code == 1, err
    assert "outils: changed" in out and "lampes: failed" in out and "feed.fetch_failed" in out
    assert server.hits("/flux/mort.xml") == 3 * 2, "three attempts, each retried once by the HTTP layer on 503"
    recipients = sorted(m.rcpt_tos[0] for m in smtp.messages)
    assert recipients == ["catalogue@lumiere-bureau.example", "vendeur@atelier-dupont.example"]


def test_adding_a_feed_checks_its_url(world, capfd, monkeypatch: pytest.MonkeyPatch) -> None:
    server, _ = world
    assert main(["feeds", "add", "--seller", "atelier-dupont", "--name", "x", "--url", "http://example.org/f"]) == 2
    assert "https://" in capfd.readouterr().err
    monkeypatch.setenv("CATALOG_ALLOW_PRIVATE_NETWORKS", "false")
    assert main(["feeds", "add", "--seller", "atelier-dupont", "--name", "x", "--url", server.url("/f.xml")]) == 2
    assert "feed.blocked_address" in capfd.readouterr().err
    assert main(["feeds", "add", "--seller", "inconnu", "--name", "x", "--url", "https://127.0.0.1/f"]) == 2
    assert main(["feeds", "refresh", "--all", "--allow-removals"]) == 2
    assert "--feed" in capfd.readouterr().err


def test_remove_forgets_the_feed_and_keeps_its_products(world, capfd) -> None:
    server, _ = world
    url = Shop(server).publish(TOOLS[:1])
    assert main(["feeds", "add", "--seller", "atelier-dupont", "--name", "catalogue", "--url", url]) == 0
    assert main(["feeds", "refresh", "--feed", "catalogue", "--offline"]) == 0
    assert main(["feeds", "remove", "catalogue"]) == 0
    capfd.readouterr()
    assert main(["feeds", "list"]) == 0
    assert "no feed registered" in capfd.readouterr().out
    with Store.open(load_settings().db_url) as store:
        assert [i.handle for i in store.list_moderation(status="pending")] == ["p-1"]


def test_a_night_whose_seller_deployment_is_missing_refreshes_every_seller_itself(world, monkeypatch) -> None:
    """Run as the nightly deployment (Prefect's runtime says so) on a server where `refresh-seller-feeds` was
    never deployed: no run can be handed out, so this run refreshes both sellers' feeds itself."""
    import uuid

    from pipelines.refresh_feeds import refresh_feeds

    server, smtp = world
    with Store.open(load_settings().db_url) as store:
        for seller in ("atelier-dupont", "lumiere-bureau"):
            store.add_feed(seller, "catalogue", Shop(server, path=f"/flux/{seller}.xml").publish(TOOLS[:2]))
    monkeypatch.setenv("PREFECT__RUNTIME__DEPLOYMENT__ID", str(uuid.uuid4()))
    monkeypatch.setenv("PREFECT__RUNTIME__DEPLOYMENT__NAME", "refresh-feeds")
    outcomes = refresh_feeds(offline=True)
    assert sorted((o.seller_id, o.outcome) for o in outcomes) == [("atelier-dupont", "changed"),
                                                                  ("lumiere-bureau", "changed")]
    assert len(smtp.messages) == 2
