"""Loading pandera in a second process while the command does everything else.

Importing pandas and pandera costs about as long as checking a whole 500-row
file does, and only the cell contract needs them. On a machine with more
than one CPU, `catalog validate` forks a child first thing, before it parses
its command line; the child imports them, builds the schema and runs it once,
then checks the cells the parent sends it as soon as the file is read, while
the parent loads the taxonomy and runs the product checks. Before the fork
only numpy is imported, which both sides need, so the child starts at once.
Where fork is unavailable, or the child fails, the check runs in-process with
the same result.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import signal
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from catalog.domain.issues import Issue
    from validators.cells import CellRecord


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _detach_standard_streams() -> None:
    """The child writes nothing: let the parent's output close when the parent is done (`| jq` waits for it)."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


def _serve(rows_fd: int, result_fd: int) -> None:
    import gc
    import sys

    gc.disable()  # a short-lived process that imports, checks once and exits: cycle collection only slows the imports

    # Cells stay Python strings here: pyarrow, which pandas would load for its string dtype, is not needed in
    # this process, nor hypothesis, which pandera loads for data synthesis where it is installed (the test
    # extras); skipping them saves a fifth of the start-up.
    sys.modules.setdefault("pyarrow", None)  # type: ignore[arg-type]
    sys.modules.setdefault("hypothesis", None)  # type: ignore[arg-type]
    from validators.cells import full_cell_issues, warm_up

    warm_up()  # the imports, the schema and pandera's first run are the slow part: done before the rows arrive
    records = pickle.loads(_read_all(rows_fd))
    _write_all(result_fd, pickle.dumps(full_cell_issues(records)))


class PreloadedCellChecker:
    """A forked child with pandera loaded that checks one table's cells.

    `send` hands it the rows as soon as they are known, so that it checks them while this process judges
    the products; calling it with the same rows collects the issues (it sends them first when `send` was not
    called).
    """

    def __init__(self) -> None:
        rows_read, rows_write = os.pipe()
        self._result_read, result_write = os.pipe()
        self._rows_write: int | None = rows_write
        self._used = self._closed = False
        self._sent: list[CellRecord] | None = None
        self._sender: threading.Thread | None = None
        import numpy  # noqa: F401  # both sides need it (the duplicate search here, pandas there): loaded once

        self._pid = os.fork()
        if self._pid == 0:  # the child: serve once, then leave without running the parent's cleanup
            status = 0
            try:
                os.close(rows_write)
                os.close(self._result_read)
                _detach_standard_streams()
                _serve(rows_read, result_write)
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        os.close(rows_read)
        os.close(result_write)
        atexit.register(self.close)

    def send(self, records: list[CellRecord]) -> None:
        """Hand the rows to the child now. A thread writes them: a pipe holds less than a file's cells, and
        the child reads them only once its imports are done."""
        if self._sent is not None or self._closed:
            return
        self._sent = records
        self._sender = threading.Thread(target=self._write_rows, args=(pickle.dumps(records),), daemon=True)
        self._sender.start()

    def _write_rows(self, data: bytes) -> None:
        fd, self._rows_write = self._rows_write, None
        if fd is None:
            return
        try:
            _write_all(fd, data)
        except OSError:
            pass  # the child is gone: the caller checks the rows in-process
        finally:
            os.close(fd)

    def __call__(self, records: list[CellRecord]) -> list[Issue]:
        from validators.cells import full_cell_issues

        self.send(records)
        result: Any = None
        if self._sent is records:
            self._used = True
            try:
                data = _read_all(self._result_read)
                result = pickle.loads(data) if data else None
            except (OSError, pickle.UnpicklingError, EOFError):
                result = None
        self.close()
        return result if isinstance(result, list) else full_cell_issues(records)

    def close(self) -> None:
        """Reap the child; one whose issues were not collected (the command stopped early) is stopped at once."""
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self.close)
        if not self._used:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
        if self._sender is not None:
            self._sender.join()  # it owns the rows' end of the pipe until it is done with it
        for fd in (self._rows_write, self._result_read):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._rows_write = None
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._pid, 0)


def start_cell_checker() -> PreloadedCellChecker | None:
    """A preloaded checker where it pays (fork available, more than one CPU), else None: check in-process."""
    if hasattr(os, "fork") and (os.cpu_count() or 1) > 1:
        return PreloadedCellChecker()
    return None
