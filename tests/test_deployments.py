"""prefect.yaml declares deployments whose entrypoints exist and whose parameters the flows accept."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_deployments_point_at_real_flows_with_valid_parameters():
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    deployments = config["deployments"]
    assert {d["name"] for d in deployments} >= {"ingest-full-csv"}
    for deployment in deployments:
        module_path, attr = deployment["entrypoint"].split(":")
        module = importlib.import_module(module_path.removesuffix(".py").replace("/", "."))
        flow = getattr(module, attr)
        assert flow.name == deployment["name"]
        accepted = inspect.signature(flow.fn).parameters
        assert set(deployment.get("parameters", {})) <= set(accepted)
        assert deployment["work_pool"]["name"]


def test_the_feed_refresh_runs_nightly_at_two_in_paris():
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    [refresh] = [d for d in config["deployments"] if d["name"] == "refresh-feeds"]
    [schedule] = refresh["schedules"]
    assert (schedule["cron"], schedule["timezone"]) == ("0 2 * * *", "Europe/Paris")
    from prefect.client.schemas.schedules import CronSchedule

    CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])  # a cron Prefect accepts
