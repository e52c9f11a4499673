"""The issues of one run, in the order they were found, in bounded memory.

A 500-row CSV has a few hundred issues; a 100,000-item feed can have
hundreds of thousands. The first `in_memory` issues stay in a list; later
ones are pickled in blocks to an anonymous temporary file and read back,
block by block, each time the log is iterated. Renderers only iterate.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

from catalog.domain.issues import Issue

BLOCK = 2_000


class IssueLog:
    def __init__(self, issues: Iterable[Issue] = (), *, in_memory: int = 5_000) -> None:
        self.in_memory = in_memory
        self._head: list[Issue] = []
        self._block: list[Issue] = []
        self._file: IO[bytes] | None = None
        self._offsets: list[int] = []
        self._count = 0
        self.extend(issues)

    def append(self, issue: Issue) -> None:
        self._count += 1
        if len(self._head) < self.in_memory:
            self._head.append(issue)
            return
        self._block.append(issue)
        if len(self._block) >= BLOCK:
            self._flush()

    def extend(self, issues: Iterable[Issue]) -> None:
        for issue in issues:
            self.append(issue)

    def __iadd__(self, issues: Iterable[Issue]) -> IssueLog:
        self.extend(issues)
        return self

    def _flush(self) -> None:
        if not self._block:
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="catalog-issues-")  # noqa: SIM115 - lives as long as the log
        self._file.seek(0, 2)
        self._offsets.append(self._file.tell())
        pickle.dump(self._block, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._block = []

    def __iter__(self) -> Iterator[Issue]:
        yield from self._head
        if self._file is not None:
            for offset in list(self._offsets):
                self._file.seek(offset)
                yield from pickle.load(self._file)  # our own temporary file, written above
        yield from list(self._block)

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    @property
    def spilled(self) -> bool:
        return self._file is not None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            self._offsets = []

    def __getstate__(self) -> dict[str, object]:
        """Pickled (a Prefect result, a preloaded process) as the plain list it stands for."""
        return {"issues": list(self), "in_memory": self.in_memory}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(state["issues"], in_memory=state["in_memory"])  # type: ignore[arg-type, misc]
