"""Server mode end to end: a Prefect server on PostgreSQL, the catalog store on PostgreSQL, the work pool,
`prefect deploy --all` from a fresh copy of the checkout, two process workers sharing a data dir.

Everything runs for real, over loopback; the module skips with one line where no PostgreSQL answers.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from support_db import fresh_database
from support_prefect import PrefectServer, checkout_copy, deployments, prefect_server
from support_servers import LoopbackServer, https_server, loopback_env

from catalog.store import Store
from pipelines.refresh_feeds import SELLER_DEPLOYMENT
from tests.conftest import SHARED_TAXONOMY

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
CATALOG = Path(sys.executable).with_name("catalog")
SAMPLE = ROOT / "samples" / "catalogue-valide.csv"
SELLERS = [f"vendeur-{n}" for n in range(1, 6)]


def sellers_yaml(ids: list[str]) -> str:
    entries = [f"""  - id: {seller_id}
    name: Vendeur {seller_id[-1]} SARL
    email: catalogue@{seller_id}.example
    vat_number: FR40303265045
    default_shipping: Colissimo
    currency: EUR
""" for seller_id in ids]
    return "sellers:\n" + "".join(entries)


@dataclass
class Ops:
    server: PrefectServer
    catalog_url: str
    data_dir: Path
    uploads: Path
    deployment_id: str
    env: dict[str, str]
    feeds: LoopbackServer  # the sellers' shops, publishing their feeds

    def upload(self, seller_id: str) -> Path:
        target = self.uploads / seller_id / SAMPLE.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLE, target)
        return target

    def submit_import(self, seller_id: str) -> str:
        return self.server.submit(self.deployment_id, {"path": str(self.upload(seller_id)), "seller_id": seller_id,
                                                       "offline": True})


@pytest.fixture(scope="module")
def ops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ops]:
    root = tmp_path_factory.mktemp("server-mode")
    with fresh_database("prefect_test") as (prefect_db, address, user), \
            fresh_database("catalog_test") as (catalog_db, _, _), \
            prefect_server(root / "server", f"postgresql+asyncpg://{user}@{address}/{prefect_db}") as server, \
            https_server() as shops:
        catalog_url = f"postgresql+psycopg://{user}@{address}/{catalog_db}"
        shared = root / "shared"  # what every worker machine mounts: reports, outbox, uploads
        catalog_env = {"CATALOG_DB_URL": catalog_url, "CATALOG_DATA_DIR": str(shared / "var"),
                       "CATALOG_TAXONOMY": str(SHARED_TAXONOMY), **loopback_env(shops, root)}
        checkout = checkout_copy(root / "checkout")
        ops_env = server.client_env(root / "ops-prefect", **catalog_env)
        pool = deployments()[0]["work_pool"]["name"]
        server.cli("work-pool", "create", pool, "--type", "process", cwd=checkout, env=ops_env)
        server.cli("deploy", "--all", cwd=checkout, env=ops_env)
        server.cli("automation", "create", "--from-file", "deploy/prefect/crash-unresponsive-runs.yaml",
                   cwd=checkout, env=ops_env)

        sellers = root / "sellers.yaml"
        sellers.write_text(sellers_yaml(SELLERS), encoding="utf-8")
        subprocess.run([str(CATALOG), "sellers", "load", str(sellers)], cwd=root, env=ops_env, check=True,
                       capture_output=True)
        for name in ("w1", "w2"):  # two machines: a Prefect home and a working directory each
            (root / name).mkdir()
            server.start_worker(pool, name, cwd=root / name, limit=1, env=server.client_env(
                root / name / "prefect", PREFECT_WORKER_QUERY_SECONDS="1", **catalog_env))
        yield Ops(server, catalog_url, shared / "var", shared / "uploads",
                  server.deployment_id("ingest-full-csv", "ingest-full-csv"), ops_env, shops)


def test_every_deployment_of_prefect_yaml_is_on_the_server_with_its_parameters_and_pool(ops: Ops):
    on_server = {d["name"]: d for d in ops.server.api("POST", "/deployments/filter", json={})}
    for declared in deployments():
        deployed = on_server[declared["name"]]
        assert deployed["entrypoint"] == declared["entrypoint"]
        assert deployed["work_pool_name"] == declared["work_pool"]["name"]
        assert deployed["work_queue_name"] == declared["work_pool"].get("work_queue_name", "default")
        assert deployed["parameters"] == declared.get("parameters", {})
        if "schedules" in declared:
            assert len(deployed["schedules"]) == len(declared["schedules"])


def test_imports_spread_over_both_workers_and_every_run_completes(ops: Ops):
    sellers = SELLERS[:4]
    run_ids = [ops.submit_import(seller_id) for seller_id in sellers]
    runs = ops.server.wait(run_ids)
    assert [run["state_type"] for run in runs] == ["COMPLETED"] * len(runs)
    assert {run["labels"]["prefect.worker.name"] for run in runs} == {"w1", "w2"}
    with Store.open(ops.catalog_url) as store:
        for seller_id in sellers:
            [run] = store.list_runs(seller=seller_id)
            assert run.status == "done" and run.report_status == "accepted"
            assert run.email_status == "outbox"
            assert Path(run.report_dir).is_relative_to(ops.data_dir)
            assert (Path(run.report_dir) / "catalogue-valide.rapport.html").is_file()
            pending = store.list_moderation(status="pending", seller=seller_id)
            assert len(pending) == run.report["summary"]["accepted"] > 0


def _opened_run(catalog_url: str, seller_id: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with Store.open(catalog_url) as store:
            if store.list_runs(seller=seller_id):
                return
        time.sleep(0.1)
    raise AssertionError(f"no import run opened for {seller_id} after {timeout} s")


def _retry(ops: Ops, run_id: str, attempts: int = 5) -> dict:
    """`prefect flow-run retry`, as ops run it. The worker reports the crash too once it has reaped the
    process, and a retry that lands just before that report is undone by it: then retry again."""
    for _ in range(attempts):
        ops.server.cli("flow-run", "retry", run_id, cwd=ops.server.home, env=ops.env)
        [run] = ops.server.wait([run_id])
        if run["state_type"] != "CRASHED":
            break
    return run


def test_the_unresponsive_run_automation_is_on_the_server(ops: Ops):
    [automation] = ops.server.api("POST", "/automations/filter", json={})
    assert automation["name"] == "Crash unresponsive catalog runs" and automation["enabled"]
    assert automation["actions"][0]["type"] == "change-flow-run-state"


def test_a_flow_run_killed_mid_import_is_crashed_nothing_is_half_staged_and_a_retry_finishes(ops: Ops):
    seller_id = SELLERS[4]
    killed = ops.submit_import(seller_id)
    [running] = ops.server.wait([killed], until={"RUNNING"})
    _opened_run(ops.catalog_url, seller_id)
    os.kill(int(running["infrastructure_pid"].rsplit(":", 1)[-1]), signal.SIGKILL)

    [crashed] = ops.server.wait([killed])
    assert crashed["state_type"] == "CRASHED"
    with Store.open(ops.catalog_url) as store:
        [first] = store.list_runs(seller=seller_id)
        assert first.status != "done"
        assert [i for i in store.list_moderation(seller=seller_id) if i.import_run_id == first.id] == []

    rerun = _retry(ops, killed)
    assert rerun["state_type"] == "COMPLETED"
    with Store.open(ops.catalog_url) as store:
        runs = store.list_runs(seller=seller_id)
        items = store.list_moderation(seller=seller_id)
        pending = store.list_moderation(status="pending", seller=seller_id)
    # A retry the worker's late crash report undid may have started too: every run that did not finish staged
    # nothing, and the queue holds what the finished run accepted.
    done = [run for run in runs if run.status == "done"]
    assert done
    assert not [i for i in items if i.import_run_id in {run.id for run in runs if run.status != "done"}]
    assert len(pending) == done[-1].report["summary"]["accepted"] > 0


def test_catalog_ingest_with_the_api_url_set_runs_its_flow_on_that_server(ops: Ops, tmp_path: Path):
    seller_id = SELLERS[0]
    upload = ops.upload(seller_id)
    done = subprocess.run([str(CATALOG), "ingest", str(upload), "--seller", seller_id, "--offline"], cwd=tmp_path,
                          env=ops.env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    runs = ops.server.api("POST", "/flow_runs/filter", json={
        "flow_runs": {"deployment_id": {"is_null_": True}}})
    [run] = [r for r in runs if r["parameters"].get("seller_id") == seller_id]
    assert run["state_type"] == "COMPLETED" and run["parameters"]["path"] == str(upload)
    assert not (ops.data_dir / "prefect").exists()  # no embedded server was started


def test_the_nightly_refresh_hands_each_seller_to_a_flow_run_the_workers_share(ops: Ops):
    from tests.test_refresh import TOOLS, Shop

    sellers = SELLERS[:4]
    urls = {seller_id: Shop(ops.feeds, path=f"/flux/{seller_id}.xml").publish(TOOLS[:2]) for seller_id in sellers}
    with Store.open(ops.catalog_url) as store:
        for seller_id, url in urls.items():
            store.add_feed(seller_id, "catalogue", url)
    refresh_id = ops.server.deployment_id("refresh-feeds", "refresh-feeds")
    [parent] = ops.server.wait([ops.server.submit(refresh_id, {"offline": True})])
    assert parent["state_type"] == "COMPLETED"
    children = ops.server.api("POST", "/flow_runs/filter", json={
        "flow_runs": {"parent_flow_run_id": {"any_": [parent["id"]]}}})
    assert sorted(run["parameters"]["seller_id"] for run in children) == sellers
    seller_deployment = ops.server.deployment_id("refresh-feeds", SELLER_DEPLOYMENT)
    assert {run["deployment_id"] for run in children} == {seller_deployment}
    runs = ops.server.wait([run["id"] for run in children])
    assert [run["state_type"] for run in runs] == ["COMPLETED"] * len(sellers)
    assert {run["labels"]["prefect.worker.name"] for run in runs} == {"w1", "w2"}
    with Store.open(ops.catalog_url) as store:
        for seller_id in sellers:
            [feed] = store.list_feeds(seller_id)
            assert feed.last_outcome == "changed"
            pending = store.list_moderation(status="pending", seller=seller_id)
            assert len([item for item in pending if item.source == urls[seller_id]]) == 2
