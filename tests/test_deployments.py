"""prefect.yaml declares deployments whose entrypoints exist and whose parameters the flows accept.

Whatever deployments the file lists are checked; tests/test_server_mode.py deploys them all on a real server.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from pipelines.refresh_feeds import SELLER_DEPLOYMENT

ROOT = Path(__file__).resolve().parent.parent
DEPLOYMENTS = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]


def _flow(deployment: dict):
    module_path, attr = deployment["entrypoint"].split(":")
    module = importlib.import_module(module_path.removesuffix(".py").replace("/", "."))
    return getattr(module, attr)


def test_the_full_csv_import_is_deployed():
    assert "ingest-full-csv" in {d["name"] for d in DEPLOYMENTS}


def test_every_deployment_is_on_the_one_catalog_pool():
    assert {d["work_pool"]["name"] for d in DEPLOYMENTS} == {"catalog"}


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=[d["name"] for d in DEPLOYMENTS])
def test_deployment_points_at_a_real_flow_with_valid_parameters(deployment: dict):
    flow = _flow(deployment)
    # Each job's deployment is named after its flow; the nightly refresh's per-seller runs are a second
    # deployment of the refresh flow.
    assert flow.name == ("refresh-feeds" if deployment["name"] == SELLER_DEPLOYMENT else deployment["name"])
    accepted = inspect.signature(flow.fn).parameters
    assert set(deployment.get("parameters") or {}) <= set(accepted)
    assert deployment["work_pool"].get("work_queue_name")


@pytest.mark.parametrize("deployment", [d for d in DEPLOYMENTS if d.get("schedules")],
                         ids=[d["name"] for d in DEPLOYMENTS if d.get("schedules")])
def test_a_scheduled_deployment_has_every_required_parameter_and_a_real_time_zone(deployment: dict):
    """A scheduled run has no one to pass it parameters: those without a default must be in prefect.yaml."""
    required = {name for name, p in inspect.signature(_flow(deployment).fn).parameters.items()
                if p.default is inspect.Parameter.empty}
    assert required <= set(deployment.get("parameters") or {})
    for schedule in deployment["schedules"]:
        assert schedule.get("cron") or schedule.get("interval") or schedule.get("rrule")
        ZoneInfo(schedule["timezone"])


def test_the_feed_refresh_runs_nightly_at_two_in_paris():
    from prefect.client.schemas.schedules import CronSchedule

    [refresh] = [d for d in DEPLOYMENTS if d["name"] == "refresh-feeds"]
    [schedule] = refresh["schedules"]
    assert (schedule["cron"], schedule["timezone"]) == ("0 2 * * *", "Europe/Paris")
    CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])  # a cron Prefect accepts


def test_the_night_fans_out_to_a_bounded_seller_deployment_and_holds_no_slot_of_it():
    """The nightly run starts one run of the seller deployment per seller; that deployment's concurrency limit
    bounds them, and the nightly run, another deployment, holds none of its slots while it starts them."""
    by_name = {d["name"]: d for d in DEPLOYMENTS}
    nightly, seller = by_name["refresh-feeds"], by_name[SELLER_DEPLOYMENT]
    assert seller["entrypoint"] == nightly["entrypoint"]
    assert seller["parameters"]["fan_out"] is False and not seller.get("schedules")
    assert 1 <= seller["concurrency_limit"] <= 16
    assert "concurrency_limit" not in nightly
    assert seller["work_pool"] == nightly["work_pool"]
