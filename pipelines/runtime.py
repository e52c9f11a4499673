"""Prefect's embedded defaults, set before Prefect is imported.

With no `PREFECT_API_URL`, flows run on Prefect's temporary local server; its
state then lives under the data dir, its first start (database migrations)
may take a while on a cold machine, and it must not try to reach the
internet for telemetry.

The command prints its own summary: Prefect's console lines
below WARNING (flow and task states, the temporary server's address) are
hidden unless asked for. Only the console handler is quietened, so the run's
INFO logs still reach the Prefect server and its UI.
"""

from __future__ import annotations

import os

from catalog.settings import Settings

CONSOLE_LEVEL = "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"


def configure_prefect(settings: Settings, *, verbose: bool = False) -> None:
    """Call before importing Prefect. A level or server the environment sets is kept."""
    if not verbose:
        os.environ.setdefault(CONSOLE_LEVEL, "WARNING")
    # The project's own log lines (one per unreachable image host) go to the flow run's log too.
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "catalog")
    if os.environ.get("PREFECT_API_URL"):
        return
    os.environ.setdefault("PREFECT_HOME", str((settings.data_dir / "prefect").resolve()))
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
