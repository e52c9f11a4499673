"""Which process owns an import run, and whether that process is still there.

An owner is written `machine:pid:start`: the machine is the host name and, on
Linux, the PID namespace (two containers may share a host name, never a
namespace); `start` is the process's start time in clock ticks since boot,
so that a PID the system has since handed to another process does not pass
for the run's. On the machine that wrote it, an owner can be checked at once;
elsewhere only the run's heartbeat can tell (see `Store.close_dead_runs`).
"""

from __future__ import annotations

import os
import platform
from functools import cache
from pathlib import Path


def _namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid").removeprefix("pid:").strip("[]")
    except OSError:
        return ""


@cache
def this_machine() -> str:
    namespace = _namespace()
    return f"{platform.node()}/{namespace}" if namespace else platform.node()


def _stat(pid: int) -> tuple[str, str] | None:
    """(state, start time) of a process from /proc, or None where there is no /proc entry for it."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rfind(")") + 2:].split()  # the command name, in brackets, may hold spaces
    return (fields[0], fields[19]) if len(fields) > 19 else None


def current_owner() -> str:
    pid = os.getpid()
    stat = _stat(pid)
    return f"{this_machine()}:{pid}:{stat[1] if stat else ''}"


def is_gone(owner: str | None) -> bool | None:
    """True when the owner's process has ended, False when it runs, None when this machine cannot tell."""
    head, _, start = (owner or "").rpartition(":")
    machine, _, pid_text = head.rpartition(":")
    if machine != this_machine() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # another user's process: it exists
    stat = _stat(pid)
    if stat is None:  # no /proc here: the signal said the process exists
        return False
    state, started = stat
    return state in ("Z", "X") or (bool(start) and started != start)  # a zombie, or the PID reused
