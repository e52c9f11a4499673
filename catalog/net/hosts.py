"""A host that does not answer costs a few attempts per run, not one per URL.

`HostGate` sits in front of every download of a run. Until a host has answered once, at most
`threshold` downloads from it are tried; after `threshold` network failures in a row
(no answer, refused, DNS, TLS, a cut connection) with no answer in between, the host is down
for the rest of the run and its other URLs fail at once with the same reason, without a
connection. Any answer from the server, even a 404, proves the host is up and resets the count.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from catalog.domain.fetch import FetchFailure, Reason

DOWN_AFTER = 3
NETWORK_REASONS = frozenset({Reason.DNS, Reason.REFUSED, Reason.TIMEOUT, Reason.TLS, Reason.CONNECTION,
                             Reason.BLOCKED_ADDRESS})


def host_of(url: str) -> str:
    """The host a URL is fetched from, with its port when the URL gives one (`cdn.example.fr`, `127.0.0.1:8443`)."""
    try:
        parts = urlsplit(url.strip())
        host, port = (parts.hostname or "").rstrip("."), parts.port
    except ValueError:
        return ""
    return f"{host}:{port}" if port else host


@dataclass(slots=True)
class _Host:
    in_flight: int = 0
    failures: int = 0
    answered: bool = False
    down: FetchFailure | None = None
    skipped: int = 0


@dataclass(frozen=True, slots=True)
class DownHost:
    """A host given up on during the run: the failure that did it and how many URLs were not tried."""

    host: str
    failure: FetchFailure
    skipped: int


class HostGate:
    """Per-host admission for concurrent downloads; thread-safe. One per run."""

    def __init__(self, threshold: int = DOWN_AFTER) -> None:
        self.threshold = max(1, threshold)
        self._hosts: dict[str, _Host] = {}
        self._changed = threading.Condition()

    def enter(self, url: str) -> FetchFailure | None:
        """Wait for a slot on the URL's host; None to go ahead (then call `leave`), or the host's failure."""
        key = host_of(url)
        with self._changed:
            state = self._hosts.setdefault(key, _Host())
            while state.down is None and not state.answered and state.in_flight + state.failures >= self.threshold:
                self._changed.wait()
            if state.down is not None:
                state.skipped += 1
                return replace(state.down, url=url,
                               detail=f"not tried: {key} failed {self.threshold} times in a row in this run")
            state.in_flight += 1
            return None

    def leave(self, url: str, failure: FetchFailure | None) -> None:
        """Record how a download that `enter` let through ended."""
        key = host_of(url)
        with self._changed:
            state = self._hosts[key]
            state.in_flight -= 1
            if failure is None or failure.reason not in NETWORK_REASONS:
                state.answered = True
                state.failures = 0
            else:
                state.failures += 1
                if state.failures >= self.threshold and state.down is None:
                    state.down = failure
            self._changed.notify_all()

    def is_down(self, url: str) -> bool:
        with self._changed:
            state = self._hosts.get(host_of(url))
            return state is not None and state.down is not None

    def down_hosts(self) -> list[DownHost]:
        with self._changed:
            return [DownHost(key, state.down, state.skipped) for key, state in self._hosts.items()
                    if state.down is not None]
