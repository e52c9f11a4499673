"""Readers: one package per input kind, each turning bytes into file-level issues and products of the one model.

`read_file` picks the reader by kind (given, or what the file says it is);
the engine does not care where the products came from.
"""

from __future__ import annotations

from pathlib import Path

from catalog.readers.base import Reading, ReadProduct
from catalog.readers.csv_table import read_table
from catalog.readers.full_csv import read_full_table

__all__ = ["ReadProduct", "Reading", "read_file"]


def read_file(path: Path, *, max_bytes: int, kind: str | None = None) -> Reading:
    """Read one seller file; a `Reading` whose `issues` hold an error when the file as a whole is refused."""
    source = path.name
    read = read_table(path, max_bytes=max_bytes, kind=kind)
    if read.issues or read.table is None:
        return Reading(kind=read.kind, source=source, issues=read.issues,
                       row_count=len(read.table.rows) if read.table else 0, table=read.table)
    if read.kind != "full":
        from catalog.domain.errors import CatalogError

        raise CatalogError(f"{source}: {read.kind} files are not supported by this version; send a full product CSV")
    return read_full_table(read.table, source=source)
