"""Errors that stop a command before any file is judged (exit status 2), and an input refused as a whole."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from catalog.domain.issues import Issue


class CatalogError(Exception):
    """A condition the command cannot run past: bad arguments, missing file, unreachable database."""


class InputRefused(Exception):
    """The seller's input cannot be read at all (a feed that does not answer, is too large…): `issue` says why."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(f"{issue.code}: {issue.message.en}")
        self.issue = issue
