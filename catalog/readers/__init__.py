"""Readers: one package per input kind, each turning bytes into file-level issues and products of the one model.

`read_file` picks the reader by kind (given, or what the file says it is);
the engine does not care where the products came from.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from catalog.readers.base import Reading, ReadProduct
from catalog.readers.csv_table import detect_kind, read_table
from catalog.readers.full_csv import read_full_table

if TYPE_CHECKING:
    from taxonomy import Taxonomy

__all__ = ["ReadProduct", "Reading", "read_file"]

_HEADER_PEEK = 4096  # the bulk header is 70 characters; a first line longer than this is no bulk header


def is_bulk(path: Path) -> bool:
    """Whether `path` is a CSV whose header is the bulk file's (rather than the full product CSV's)."""
    import csv

    try:
        with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
            line = handle.readline(_HEADER_PEEK)
    except OSError:
        return False
    # A header re-saved with semicolons or tabs is still a bulk header: the reader then says what is wrong.
    try:
        header = next(csv.reader([line.replace(";", ",").replace("\t", ",")]), [])
    except csv.Error:  # not a header a seller wrote; the reader will say what the file is
        return False
    return detect_kind(header) == "bulk"


def is_feed(path: Path, kind: str | None = None) -> bool:
    """Whether `path` is read as an XML feed: `--kind feed`, or what its name and first bytes say."""
    from catalog.readers.feed import looks_like_feed

    if kind is not None:
        return kind == "feed"
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError:
        return False
    return looks_like_feed(path, head)


def read_file(path: Path, *, max_bytes: int, kind: str | None = None, max_feed_bytes: int | None = None,
              taxonomy: Callable[[], Taxonomy] | None = None, in_stock_default_qty: int | None = None) -> Reading:
    """Read one seller file; a `Reading` whose `issues` hold an error when the file as a whole is refused.

    A feed needs the taxonomy while it is read (its categories become Types): `taxonomy` loads it.
    """
    source = path.name
    if taxonomy is not None and is_feed(path, kind):
        from catalog.readers.feed import read_feed_file

        return read_feed_file(path, max_bytes=max_feed_bytes or max_bytes, taxonomy=taxonomy(),
                              default_qty=in_stock_default_qty)
    read = read_table(path, max_bytes=max_bytes, kind=kind)
    if any(i.is_error for i in read.issues) or read.table is None:
        return Reading(kind=read.kind, source=source, issues=read.issues,
                       row_count=len(read.table.rows) if read.table else 0, table=read.table)
    if read.kind == "bulk":
        from catalog.readers.bulk import read_bulk_table

        reading = read_bulk_table(read.table, source=source)
    else:
        reading = read_full_table(read.table, source=source)
    reading.issues[:0] = read.issues  # what the file said of itself without refusing it (our columns ignored)
    return reading
