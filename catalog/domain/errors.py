"""Errors that stop a command before any file is judged (exit status 2)."""


class CatalogError(Exception):
    """A condition the command cannot run past: bad arguments, missing file, unreachable database."""
