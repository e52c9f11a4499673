"""A real Prefect server, work pool and process workers, as ops run them, for tests and benchmarks.

`prefect server start` runs in its own process on a PostgreSQL database (or on
SQLite in its home when none is given); the CLI, the workers and the flow runs
they start reach it through `PREFECT_API_URL`, as on production machines. The
test process talks to it over its REST API only, so that its own Prefect
settings stay out of the way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
PREFECT = Path(sys.executable).with_name("prefect")
FINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of this process without any PREFECT_* or CATALOG_* setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CATALOG_"))}
    env.update({"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"})
    env.update(extra)
    return env


def _stop(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """SIGTERM the process group, then SIGKILL what is left after `grace` seconds."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def _log_tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.is_file() else ""


@dataclass
class PrefectServer:
    api_url: str
    home: Path
    log: Path
    process: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def client_env(self, home: Path, **extra: str) -> dict[str, str]:
        """What a machine that uses this server sets: the API URL and a Prefect home of its own."""
        return clean_env(PREFECT_API_URL=self.api_url, PREFECT_HOME=str(home), **extra)

    def cli(self, *args: str, cwd: Path, env: dict[str, str], timeout: float = 180) -> str:
        """Run `prefect ARGS...`; its output, or AssertionError with it when it fails."""
        done = subprocess.run([str(PREFECT), "--no-prompt", *args], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=timeout, check=False)
        assert done.returncode == 0, f"prefect {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        response = requests.request(method, f"{self.api_url}{path}", timeout=30, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def start_worker(self, pool: str, name: str, *, cwd: Path, env: dict[str, str], limit: int = 1,
                     cpus: set[int] | None = None) -> subprocess.Popen[bytes]:
        """A process worker on the pool, in its own process group (its flow runs are its children); its
        output goes to `worker-NAME.log` in the server's home. With `cpus`, it and its flow runs run on
        those CPUs only, as on a machine of that many cores."""
        with (self.home / f"worker-{name}.log").open("wb") as out:
            worker = subprocess.Popen([str(PREFECT), "worker", "start", "--pool", pool, "--name", name,
                                       "--limit", str(limit)], cwd=cwd, env=env, stdout=out,
                                      stderr=subprocess.STDOUT, start_new_session=True,
                                      preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None)
        self.workers.append(worker)
        return worker

    def stop_worker(self, worker: subprocess.Popen[bytes]) -> None:
        _stop(worker, grace=3)
        self.workers.remove(worker)

    def deployment_id(self, flow_name: str, deployment_name: str) -> str:
        return str(self.api("GET", f"/deployments/name/{flow_name}/{deployment_name}")["id"])

    def submit(self, deployment_id: str, parameters: dict[str, Any]) -> str:
        run = self.api("POST", f"/deployments/{deployment_id}/create_flow_run", json={"parameters": parameters})
        return str(run["id"])

    def flow_run(self, run_id: str) -> dict[str, Any]:
        return self.api("GET", f"/flow_runs/{run_id}")

    def wait(self, run_ids: list[str], *, until: set[str] = FINAL_STATES, timeout: float = 240) -> list[dict]:
        """Poll until every run's state type is in `until`; the runs as the API gives them."""
        deadline = time.monotonic() + timeout
        while True:
            runs = [self.flow_run(run_id) for run_id in run_ids]
            if all(run["state_type"] in until for run in runs):
                return runs
            if time.monotonic() > deadline:
                states = {run["id"]: run["state_type"] for run in runs}
                logs = "\n".join(_log_tail(log) for log in sorted(self.home.glob("worker-*.log")))
                raise AssertionError(f"runs not in {sorted(until)} after {timeout} s: {states}\n{logs}")
            time.sleep(0.5)

    def stop(self) -> None:
        for worker in self.workers:
            _stop(worker, grace=3)
        _stop(self.process)


@contextlib.contextmanager
def prefect_server(home: Path, database_url: str | None = None, *, startup_timeout: float = 180
                   ) -> Iterator[PrefectServer]:
    """`prefect server start` on 127.0.0.1 (on `database_url`, an asyncpg URL, when given), until the block ends."""
    home.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = clean_env(PREFECT_HOME=str(home), PREFECT_SERVER_LOGGING_LEVEL="WARNING")
    if database_url:
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = database_url
    log = home / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen([str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port),
                                    "--no-ui", "--analytics-off"], cwd=home, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = PrefectServer(f"http://127.0.0.1:{port}/api", home, log, process)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(f"prefect server exited with {process.returncode}:\n{_log_tail(log)}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{server.api_url}/health", timeout=2).ok:
                    break
            if time.monotonic() > deadline:
                raise AssertionError(f"prefect server not up after {startup_timeout} s:\n{_log_tail(log)}")
            time.sleep(0.5)
        yield server
    finally:
        server.stop()


def deployments() -> list[dict[str, Any]]:
    """The deployments `prefect.yaml` declares."""
    return yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]


def checkout_copy(target: Path) -> Path:
    """The project's files as a fresh clone of this working tree would have them (tracked and new, not ignored)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())
    return target
