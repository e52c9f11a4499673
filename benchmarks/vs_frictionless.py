#!/usr/bin/env python3
"""Whole-process time of our validator against frictionless on the same CSV.

    python benchmarks/vs_frictionless.py [--runs N] [--file CSV]

Runs, after one warm-up each:
- `catalog validate --offline CSV --format json` (the project's console script in .venv), and
- `frictionless validate --schema benchmarks/full_schema.json CSV`,
N times each (default 5), and prints a Markdown table: min and median wall-clock
time per tool and the ratio of the medians.

frictionless lives in its own virtualenv, `.venv-bench`, created on first use
(`python -m venv .venv-bench && .venv-bench/bin/pip install frictionless`): it
must stay out of .venv, because its dependency `validators` would shadow the
project's own `validators` package.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / ".venv" / "bin" / "catalog"
BENCH_VENV = ROOT / ".venv-bench"
FRICTIONLESS = BENCH_VENV / "bin" / "frictionless"
SCHEMA = ROOT / "benchmarks" / "full_schema.json"
DEFAULT_FILE = ROOT / "samples" / "catalogue-valide.csv"


class BenchError(Exception):
    """Something the benchmark needs is missing; the message says what to do."""


@dataclass
class Timing:
    tool: str
    command: list[str]
    times: list[float]
    returncode: int

    @property
    def minimum(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def ensure_frictionless() -> Path:
    if FRICTIONLESS.is_file():
        return FRICTIONLESS
    print(f"creating {BENCH_VENV.name} with frictionless (once)...", file=sys.stderr)
    try:
        if not (BENCH_VENV / "bin" / "pip").is_file():
            subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "--quiet", "frictionless"], check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise BenchError(f"could not install frictionless into {BENCH_VENV}: {exc}") from exc
    if not FRICTIONLESS.is_file():
        raise BenchError(f"frictionless was installed but {FRICTIONLESS} is missing")
    return FRICTIONLESS


def ensure_catalog() -> Path:
    if not CATALOG.is_file():
        raise BenchError(f"{CATALOG.relative_to(ROOT)} is missing: install the project first "
                         "(make test, or .venv/bin/pip install -e '.[dev]')")
    return CATALOG


def run_once(command: list[str], env: dict[str, str], ok: tuple[int, ...]) -> tuple[float, int]:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode not in ok:
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise BenchError(f"{' '.join(command)} exited {result.returncode}:\n  " + "\n  ".join(tail))
    return elapsed, result.returncode


def measure(commands: dict[str, list[str]], runs: int, env: dict[str, str],
            ok: tuple[int, ...]) -> list[Timing]:
    """Time each tool `runs` times, taking turns (A B A B …) so that drifts in the machine's speed fall on
    both tools alike; one untimed warm-up each first (file cache, bytecode)."""
    times: dict[str, list[float]] = {tool: [] for tool in commands}
    codes: dict[str, int] = {}
    for tool, command in commands.items():
        _, codes[tool] = run_once(command, env, ok)
    for _ in range(runs):
        for tool, command in commands.items():
            elapsed, codes[tool] = run_once(command, env, ok)
            times[tool].append(elapsed)
    return [Timing(tool, command, times[tool], codes[tool]) for tool, command in commands.items()]


def shown(command: list[str]) -> str:
    parts = [str(Path(p).relative_to(ROOT)) if p.startswith(str(ROOT)) else p for p in command]
    return " ".join(parts)


def table(timings: list[Timing], runs: int, rows: int) -> str:
    lines = [
        f"Whole-process time on a {rows}-row full CSV, {runs} runs after one warm-up "
        f"({platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs).",
        "",
        "| tool | command | min (s) | median (s) | exit |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for t in timings:
        lines.append(f"| {t.tool} | `{shown(t.command)}` | {t.minimum:.3f} | {t.median:.3f} | {t.returncode} |")
    if len(timings) == 2:
        ratio = timings[0].median / timings[1].median
        lines += ["", f"Ratio of medians ({timings[0].tool} / {timings[1].tool}): **{ratio:.2f}×**"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per tool (default 5)")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="the CSV to validate")
    parser.add_argument("--only-frictionless", action="store_true", help="time frictionless alone")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    csv_path = args.file.resolve()
    if not csv_path.is_file():
        print(f"error: {args.file} not found (run python samples/make_samples.py)", file=sys.stderr)
        return 2
    with csv_path.open(encoding="utf-8", newline="") as fh:
        rows = sum(1 for _ in csv.reader(fh)) - 1
    # frictionless refuses absolute paths (unsafe by default): give both tools paths relative to the root.
    target = os.path.relpath(csv_path, ROOT)
    schema = os.path.relpath(SCHEMA, ROOT)
    try:
        frictionless = ensure_frictionless()
        catalog = None if args.only_frictionless else ensure_catalog()
        with tempfile.TemporaryDirectory(prefix="bench-") as data_dir:
            # The warm-up writes the project's bytecode, as any first run does (pip compiled frictionless's
            # at install): PYTHONDONTWRITEBYTECODE would make every run of ours compile its modules again.
            env = {**os.environ, "CATALOG_DATA_DIR": data_dir}
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            commands = {}
            if catalog is not None:
                commands["catalog"] = [str(catalog), "validate", "--offline", target, "--format", "json"]
            commands["frictionless"] = [str(frictionless), "validate", "--schema", schema, target]
            # Exit 1 means "validated, the file has errors": still a complete run.
            timings = measure(commands, args.runs, env, (0, 1))
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(table(timings, args.runs, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
