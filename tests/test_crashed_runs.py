"""Runs whose process died are closed, and re-ingesting the file resumes them (SQLite and PostgreSQL).

The deaths are real: a child process opens a run, stages, tells the test it is
there, and is killed with SIGKILL (no handler, no hook runs).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from catalog import ingest
from catalog.cli import main
from catalog.store import Store
from catalog.store.owners import current_owner, is_gone
from catalog.store.schema import import_runs
from tests.test_store import SELLER, make_product

ROOT = Path(__file__).resolve().parent.parent
HANDLES = ("perceuse", "scie", "ponceuse")


def _child(db_url: str, csv: Path, ready: Path, *, stage: bool) -> subprocess.Popen[str]:
    """A process that opens a run of `csv`, stages its products if asked, says so in `ready`, then waits."""
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from catalog import ingest
        from catalog.store import Store
        from tests.test_crashed_runs import HANDLES
        from tests.test_store import SELLER, make_product

        with Store.open({db_url!r}) as store:
            run_id = ingest.open_run(store, Path({str(csv)!r}), SELLER.id)
            if {stage!r}:
                store.stage_products(SELLER.id, run_id, [make_product(h) for h in HANDLES], "catalogue.csv")
        Path({str(ready)!r}).write_text(str(run_id))
        time.sleep(600)
    """)
    return subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, text=True, stderr=subprocess.PIPE)


def _kill_when_ready(child: subprocess.Popen[str], ready: Path) -> int:
    deadline = time.monotonic() + 120
    while not ready.exists():
        if child.poll() is not None:
            pytest.fail(f"the child stopped early: {child.stderr.read() if child.stderr else ''}")
        if time.monotonic() > deadline:
            child.kill()
            pytest.fail("the child never opened its run")
        time.sleep(0.05)
    run_id = int(ready.read_text())
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL
    return run_id


@pytest.fixture
def csv(tmp_path: Path) -> Path:
    path = tmp_path / "catalogue.csv"
    path.write_text("Handle\nperceuse\n", encoding="utf-8")
    return path


@pytest.fixture
def seller(db_url: str) -> str:
    with Store.open(db_url) as store:
        store.upsert_seller(SELLER)
    return SELLER.id


def test_a_run_killed_mid_way_is_crashed_and_the_same_file_resumes_it(
        db_url: str, seller: str, csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    run_id = _kill_when_ready(_child(db_url, csv, tmp_path / "ready", stage=True), tmp_path / "ready")
    with Store.open(db_url) as store:  # opening the store is what notices the dead process
        run = store.get_run(run_id)
        assert run is not None
        assert (run.status, run.email_status, run.crashes) == ("crashed", "failed", 1)
        assert run.error and "stopped" in run.error and run.finished_at is not None
        staged = {i.handle: i.id for i in store.list_moderation(status="pending")}
        assert sorted(staged) == sorted(HANDLES)

        resumed = ingest.open_run(store, csv, seller)
        assert resumed == run_id
        again = store.get_run(run_id)
        assert again is not None and (again.status, again.email_status) == ("running", "pending")
        assert again.owner == current_owner()
        ids = store.stage_products(seller, run_id, [make_product(h) for h in HANDLES], "catalogue.csv")
        assert sorted(ids) == sorted(staged.values())  # what the crashed run committed is reused
        store.finish_run(run_id, report_status="accepted", report_json={}, report_dir=None)
        assert len(store.list_runs()) == 1
        assert store.list_moderation(status="superseded") == []

    monkeypatch.setenv("CATALOG_DB_URL", db_url)
    assert main(["runs", "list"]) == 0
    assert " done (resumed after 1 crash) " in capsys.readouterr().out
    assert main(["runs", "list", "--format", "json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert (entry["id"], entry["status"], entry["crashes"], entry["error"]) == (run_id, "done", 1, None)


def test_a_crashed_run_is_listed_as_crashed(db_url: str, seller: str, csv: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    run_id = _kill_when_ready(_child(db_url, csv, tmp_path / "ready", stage=False), tmp_path / "ready")
    monkeypatch.setenv("CATALOG_DB_URL", db_url)
    assert main(["runs", "list", "--format", "json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert (entry["id"], entry["status"], entry["email_status"], entry["crashes"]) == (run_id, "crashed", "failed", 1)
    assert "stopped" in entry["error"]
    assert main(["runs", "list"]) == 0
    [_, row] = capsys.readouterr().out.splitlines()
    assert row.split()[0] == str(run_id) and " crashed " in row
    assert main(["runs", "list", "--failed-email", "--format", "json"]) == 0
    assert [e["id"] for e in json.loads(capsys.readouterr().out)] == [run_id]


def test_another_file_after_a_crash_opens_a_new_run(db_url: str, seller: str, csv: Path, tmp_path: Path) -> None:
    crashed = _kill_when_ready(_child(db_url, csv, tmp_path / "ready", stage=False), tmp_path / "ready")
    other = tmp_path / "autre.csv"
    other.write_text("Handle\nscie\n", encoding="utf-8")
    with Store.open(db_url) as store:
        assert ingest.open_run(store, other, seller) != crashed
        run = store.get_run(crashed)
        assert run is not None and run.status == "crashed"


def _set_owner(store: Store, run_id: int, owner: str, heartbeat: datetime, status: str = "running") -> None:
    with store.transaction() as conn:
        conn.execute(update(import_runs).where(import_runs.c.id == run_id)
                     .values(owner=owner, heartbeat_at=heartbeat, status=status))


def test_a_run_on_another_machine_is_dead_only_once_its_lease_is_over(db_url: str, seller: str) -> None:
    now = datetime.now(UTC)
    with Store.open(db_url) as store:
        quiet = store.start_run(seller, "full", "a.csv", "a" * 64)
        beating = store.start_run(seller, "full", "b.csv", "b" * 64)
        _set_owner(store, quiet, "autre-machine:4242:1234", now - timedelta(minutes=11))
        _set_owner(store, beating, "autre-machine:4243:1234", now - timedelta(minutes=2))
        assert store.close_dead_runs() == [quiet]
        assert store.close_dead_runs(lease=timedelta(minutes=1)) == [beating]
        assert store.close_dead_runs() == []


def test_a_live_run_of_this_process_is_left_alone(db_url: str, seller: str) -> None:
    with Store.open(db_url) as store:
        run_id = store.start_run(seller, "full", "a.csv", "a" * 64)
        _set_owner(store, run_id, current_owner(), datetime.now(UTC) - timedelta(days=1))
        assert store.close_dead_runs() == []
        run = store.get_run(run_id)
        assert run is not None and run.status == "running"


def test_a_finished_run_whose_process_died_before_the_email_can_be_resent(db_url: str, seller: str) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead_owner = current_owner().rsplit(":", 2)[0] + f":{child.pid}:"
    assert is_gone(dead_owner) is True
    with Store.open(db_url) as store:
        run_id = store.start_run(seller, "full", "a.csv", "a" * 64)
        store.finish_run(run_id, report_status="accepted", report_json={}, report_dir=None)
        _set_owner(store, run_id, dead_owner, datetime.now(UTC), status="done")
        assert store.close_dead_runs() == [run_id]
        run = store.get_run(run_id)
        assert run is not None and (run.status, run.email_status) == ("done", "failed")
        assert f"catalog runs resend-email {run_id}" in (run.email_error or "")
        assert [r.id for r in store.runs_with_failed_email()] == [run_id]


def test_the_heartbeat_renews_the_lease_while_the_run_works(db_url: str, seller: str) -> None:
    with Store.open(db_url) as store:
        run_id = store.start_run(seller, "full", "a.csv", "a" * 64)
        old = datetime.now(UTC) - timedelta(minutes=30)
        _set_owner(store, run_id, current_owner(), old)
        with ingest.heartbeat(store, run_id, every=0.05):
            deadline = time.monotonic() + 30
            while (beat := _heartbeat(store, run_id)) <= old and time.monotonic() < deadline:
                time.sleep(0.05)
        assert beat > old


def _heartbeat(store: Store, run_id: int) -> datetime:
    with store.transaction(write=False) as conn:
        return conn.execute(import_runs.select().where(import_runs.c.id == run_id)).one().heartbeat_at


def test_a_stopping_flow_marks_its_own_running_run_crashed(db_url: str, seller: str, csv: Path) -> None:
    with Store.open(db_url) as store:
        mine = ingest.open_run(store, csv, seller)
        theirs = store.start_run(seller, "full", csv.name, ingest.file_checksum(csv))
        _set_owner(store, theirs, "autre-machine:1:1", datetime.now(UTC))
        assert ingest.crash_open_runs(store, csv, seller, "SIGTERM") == [mine]
        run = store.get_run(mine)
        assert run is not None and run.status == "crashed" and "SIGTERM" in (run.error or "")
        assert ingest.open_run(store, csv, seller) == theirs + 1  # the last run of the file still runs elsewhere


def test_owner_of_a_reused_pid_is_gone() -> None:
    machine, pid, start = current_owner().rsplit(":", 2)
    assert is_gone(f"{machine}:{pid}:{start}") is False
    assert is_gone(f"{machine}:{pid}:{int(start or 0) + 1}") is (start != "")
    assert is_gone(f"autre-machine:{pid}:{start}") is None
    assert is_gone(None) is None and is_gone(f"{machine}:{os.getpid()}x:") is None
