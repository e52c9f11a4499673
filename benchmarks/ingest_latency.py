#!/usr/bin/env python3
"""Whole-process latency of `catalog ingest` on a running Prefect server, on the embedded default, and the
in-process check of the same file.

    python benchmarks/ingest_latency.py [--runs N] [--file CSV] [--postgres ADMIN_URL]
    python benchmarks/ingest_latency.py --refresh '{"...": "..."}' --workers 1 2

Starts `prefect server start` on loopback (on a fresh PostgreSQL database with
`--postgres`, else on SQLite in a temporary home), loads the sample sellers
into a temporary catalog store, then times, N times each (default 5), taking
turns:

- `catalog ingest FILE --seller atelier-dupont --offline` with `PREFECT_API_URL`
  set to that server (what ops run once a server is up);
- the same with no `PREFECT_API_URL`: Prefect's embedded temporary server,
  started and stopped by each command (its first start, which creates its
  database, is timed apart);
- `validate_file` on the same file inside this process, taxonomy loaded once
  (the work itself, without Python's start-up, imports or Prefect).

`--refresh PARAMS` also times the nightly `refresh-feeds` deployment (when
`prefect.yaml` has it): deployed on the same server, run with those
parameters with each worker count of `--workers`, from its start until it
and every flow run it started are finished. The feeds it refreshes must be
registered in the store first (`--db-url` points the workers at that store), or
made by the benchmark: `--feeds N --sellers M` registers N feeds of 20 items
over M sellers, served by a loopback HTTPS server, and publishes a new version
of every feed (other prices, a new ETag) before each worker count, so that
each timed night reads, checks and stages the same amount of work.

Each worker runs `--worker-limit` flow runs at a time (a machine's capacity).
Workers of one machine share its CPUs; to model several machines on one,
`--cpu-per-worker` pins each worker and its flow runs to a CPU of its own
(worker n on CPU n), and `--feed-delay S` makes every feed answer after S
seconds, as a shop's server across the internet does rather than loopback.
`--refresh-only` skips the ingest measures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from support_prefect import (  # noqa: E402
    FINAL_STATES,
    PrefectServer,
    checkout_copy,
    clean_env,
    deployments,
    prefect_server,
)

CATALOG = ROOT / ".venv" / "bin" / "catalog"
DEFAULT_FILE = ROOT / "samples" / "catalogue-exemple.csv"
TAXONOMY = ROOT.parent / "shared" / "taxonomy" / "taxonomy-with-ids.fr-FR.txt"


def timed(command: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return elapsed


def in_process(path: Path, runs: int, env: dict[str, str]) -> list[float]:
    os.environ.update({k: v for k, v in env.items() if k.startswith("CATALOG_")})
    from catalog.engine import Options, validate_file
    from catalog.net.taxonomy_file import default_taxonomy
    from catalog.settings import load_settings

    settings = load_settings()
    taxonomy = default_taxonomy(settings)
    validate_file(path, settings, Options(offline=True), taxonomy=taxonomy)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        validate_file(path, settings, Options(offline=True), taxonomy=taxonomy)
        times.append(time.perf_counter() - start)
    return times


class Shops:
    """The sellers' feeds on a loopback HTTPS server: `register` them once, `publish` a new night's version."""

    def __init__(self, server: Any, feeds: int, sellers: int, delay: float = 0.0) -> None:
        self.server, self.feeds, self.sellers, self.delay, self.version = server, feeds, sellers, delay, 0

    def sellers_yaml(self) -> str:
        return "sellers:\n" + "".join(
            f"  - id: boutique-{n}\n    name: Boutique {n} SARL\n    email: catalogue@boutique-{n}.example\n"
            f"    vat_number: FR40303265045\n    default_shipping: Colissimo\n    currency: EUR\n"
            for n in range(self.sellers))

    def publish(self) -> list[tuple[str, str]]:
        """(seller, url) of every feed, each at a new version."""
        from refresh_feeds import feed_bytes

        self.version += 1
        changed = frozenset(range(0, 20, 2)) if self.version % 2 else frozenset()
        return [(f"boutique-{n % self.sellers}", self.server.add(
            f"/flux/{n}.xml", feed_bytes(20, prefix=f"F{n}-", changed=changed), content_type="application/xml",
            etag=f'"{n}-{self.version}"', delay=self.delay)) for n in range(self.feeds)]

    def register(self, db_url: str) -> None:
        from catalog.store import Store

        with Store.open(db_url) as store:
            for n, (seller, url) in enumerate(self.publish()):
                store.add_feed(seller, f"flux-{n}", url)


def time_refresh(server: PrefectServer, work: Path, catalog_env: dict[str, str], parameters: dict,
                 worker_counts: list[int], shops: Shops | None = None, *, limit: int = 4,
                 cpu_per_worker: bool = False) -> list[tuple[int, float, int]]:
    """(workers, seconds, flow runs) for one `refresh-feeds` run with each worker count: from its submission
    until it and every flow run started after it (its fan-out) are finished."""
    declared = [d for d in deployments() if d["name"] == "refresh-feeds"]
    if not declared:
        raise SystemExit("prefect.yaml has no refresh-feeds deployment in this checkout: nothing to time")
    pool = declared[0]["work_pool"]["name"]
    [deployed] = server.api("POST", "/deployments/filter", json={"deployments": {"name": {"any_": ["refresh-feeds"]}}})
    deployment_id = deployed["id"]
    results = []
    for count in worker_counts:
        workers = []
        for n in range(count):
            name = f"bench-{count}-{n}"
            (work / name).mkdir()
            cpus = {n % (os.cpu_count() or 1)} if cpu_per_worker else None
            workers.append(server.start_worker(pool, name, cwd=work / name, limit=limit, cpus=cpus,
                                               env=server.client_env(work / name / "prefect",
                                                                     PREFECT_WORKER_QUERY_SECONDS="1", **catalog_env)))
        if shops is not None:
            shops.publish()
        start = time.perf_counter()
        first = server.submit(deployment_id, parameters)
        # The run and the runs it started (its fan-out); not the schedule's future nights.
        children = {"flow_runs": {"parent_flow_run_id": {"any_": [first]}}}
        while True:
            runs = [server.flow_run(first), *server.api("POST", "/flow_runs/filter", json=children)]
            if all(run["state_type"] in FINAL_STATES for run in runs):
                break
            time.sleep(1)
        results.append((count, time.perf_counter() - start, len(runs)))
        took = [run for run in runs[1:] if run.get("start_time") and run.get("end_time")]
        per_worker = dict(Counter((run.get("labels") or {}).get("prefect.worker.name", "?") for run in took))
        durations = [run["total_run_time"] for run in took]
        if durations:
            print(f"{count} worker(s): seller runs per worker {per_worker}, each {min(durations):.1f}-"
                  f"{max(durations):.1f} s (median {statistics.median(durations):.1f} s)", file=sys.stderr)
        for worker in workers:
            server.stop_worker(worker)
    return results


def time_ingests(path: Path, runs: int, work: Path, server_env: dict[str, str], embedded_env: dict[str, str],
                 catalog_env: dict[str, str]) -> list[tuple[str, list[float]]]:
    """(measure, seconds of each run) of `catalog ingest` on the server and embedded, `catalog validate`, and
    the in-process check, taking turns."""
    command = [str(CATALOG), "ingest", str(path), "--seller", "atelier-dupont", "--offline"]
    first_embedded = timed(command, embedded_env, work)
    timed(command, server_env, work)  # warm-up: the server's first flow and task rows
    on_server, embedded = [], []
    for _ in range(runs):
        on_server.append(timed(command, server_env, work))
        embedded.append(timed(command, embedded_env, work))
    validate = [timed([str(CATALOG), "validate", "--offline", str(path), "--format", "json"],
                      clean_env(**catalog_env), work) for _ in range(runs)]
    return [("`catalog ingest`, `PREFECT_API_URL` set (running server)", on_server),
            ("`catalog ingest`, embedded temporary server", embedded),
            ("`catalog ingest`, embedded, first start (creates its database)", [first_embedded]),
            ("`catalog validate --offline --format json`", validate),
            ("`validate_file` in process, taxonomy loaded", in_process(path, runs * 4, embedded_env))]


def row(label: str, times: list[float]) -> str:
    return f"| {label} | {len(times)} | {min(times):.2f} | {statistics.median(times):.2f} | {max(times):.2f} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="run the Prefect server on a fresh database there")
    parser.add_argument("--refresh", metavar="JSON", help="also time the refresh-feeds deployment with these "
                        "parameters")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--db-url", help="the catalog store the refresh reads (default: a temporary SQLite file)")
    parser.add_argument("--feeds", type=int, default=0, help="with --refresh: register this many loopback feeds")
    parser.add_argument("--sellers", type=int, default=10, help="with --feeds: spread them over this many sellers")
    parser.add_argument("--worker-limit", type=int, default=4, help="flow runs each worker runs at once")
    parser.add_argument("--cpu-per-worker", action="store_true", help="pin worker n (and its runs) to CPU n")
    parser.add_argument("--feed-delay", type=float, default=0.0, help="seconds before each feed answers")
    parser.add_argument("--refresh-only", action="store_true", help="time the refresh alone, not the ingests")
    args = parser.parse_args()
    # The first run writes the project's bytecode, as on any machine (pip compiled the libraries' at install):
    # PYTHONDONTWRITEBYTECODE would make every timed process compile the project's modules again.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if not CATALOG.is_file():
        raise SystemExit(f"{CATALOG} is missing: make .venv/.installed first")

    with tempfile.TemporaryDirectory(prefix="ingest-latency-") as tmp, contextlib.ExitStack() as stack:
        work = Path(tmp)
        catalog_env = {"CATALOG_DATA_DIR": str(work / "var"), "CATALOG_TAXONOMY": str(TAXONOMY)}
        shops = None
        if args.refresh and args.feeds:
            from support_servers import https_server, loopback_env

            shops = Shops(stack.enter_context(https_server()), args.feeds, args.sellers, args.feed_delay)
            catalog_env.update(loopback_env(shops.server, work))
        if args.db_url:
            catalog_env["CATALOG_DB_URL"] = args.db_url
        database_url = None
        if args.postgres:
            import psycopg

            name = f"prefect_bench_{os.getpid()}"
            with psycopg.connect(args.postgres, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            info = psycopg.conninfo.conninfo_to_dict(args.postgres)
            database_url = (f"postgresql+asyncpg://{info.get('user', 'postgres')}@{info.get('host', '127.0.0.1')}:"
                            f"{info.get('port', '5432')}/{name}")
        try:
            with prefect_server(work / "server", database_url) as server:
                server_env = server.client_env(work / "client-prefect", **catalog_env)
                embedded_env = clean_env(**catalog_env)
                subprocess.run([str(CATALOG), "sellers", "load", str(ROOT / "samples" / "sellers.yaml")],
                               env=server_env, cwd=work, check=True, capture_output=True)
                if shops is not None:
                    (work / "boutiques.yaml").write_text(shops.sellers_yaml(), encoding="utf-8")
                    subprocess.run([str(CATALOG), "sellers", "load", str(work / "boutiques.yaml")],
                                   env=server_env, cwd=work, check=True, capture_output=True)
                    shops.register(args.db_url or f"sqlite:///{work / 'var' / 'catalog.db'}")
                measures = [] if args.refresh_only else time_ingests(args.file, args.runs, work, server_env,
                                                                      embedded_env, catalog_env)
                refresh = []
                if args.refresh:
                    checkout = checkout_copy(work / "checkout")
                    pool = deployments()[0]["work_pool"]["name"]
                    server.cli("work-pool", "create", pool, "--type", "process", cwd=checkout, env=server_env)
                    server.cli("deploy", "--all", cwd=checkout, env=server_env)
                    refresh = time_refresh(server, work, catalog_env, json.loads(args.refresh), args.workers, shops,
                                           limit=args.worker_limit, cpu_per_worker=args.cpu_per_worker)
        finally:
            if database_url:
                import psycopg

                with psycopg.connect(args.postgres, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    store = "PostgreSQL" if database_url else "SQLite"
    print(f"{os.cpu_count()} CPUs, Prefect server on {store}")
    if measures:
        print(f"\n{args.file.name}, whole process unless said, seconds:\n")
        print("| measure | runs | min | median | max |\n| --- | ---: | ---: | ---: | ---: |")
        for label, times in measures:
            print(row(label, times))
    if refresh:
        print(f"\nrefresh-feeds, {args.feeds or 'registered'} feeds, {args.worker_limit} flow runs per worker at once"
              f"{', one CPU per worker' if args.cpu_per_worker else ''}"
              f"{f', feeds answering after {args.feed_delay:g} s' if args.feed_delay else ''}:")
    for count, seconds, flow_runs in refresh:
        print(f"- {count} worker(s): {seconds:.1f} s, {flow_runs} flow runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
