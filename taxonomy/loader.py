"""Read a taxonomy file (finding or downloading it is the caller's business).

Two shapes are read:

* Google's published format: an optional `# Google_Product_Taxonomy_Version: ...` line,
  then one category a line, `id - Level 1 > Level 2 > ...` (or the path alone, as in
  Google's files without ids).
* An operator CSV (`.csv`, comma or semicolon separated, UTF-8): a header row with a
  `path` column (also spelt `chemin`, `category`, `categorie` or `taxonomy`) and an
  optional `id` column; levels in the path are separated by ` > ` or `///`. Without
  such a header, rows are `id,path` when the first cell is a number, else `path`.
  Missing intermediate levels are created, so listing only the deepest paths is enough.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from taxonomy.tree import Taxonomy, TaxonomyError, fold, split_path

TAXONOMY_FILE = "taxonomy-with-ids.fr-FR.txt"
ENGLISH_FILE = "taxonomy-with-ids.en-US.txt"
_VERSION_LINE = re.compile(r"#\s*Google_Product_Taxonomy_Version\s*:?\s*(.*)", re.IGNORECASE)
_PATH_HEADERS = {"path", "chemin", "category", "categorie", "taxonomy", "taxonomie", "full path", "chemin complet"}
_ID_HEADERS = {"id", "identifiant", "category id", "id categorie"}

Entries = list[tuple[str | None, tuple[str, ...]]]


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TaxonomyError(f"cannot read taxonomy {path}: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TaxonomyError(f"taxonomy {path} is not UTF-8 text") from None


def _google_entries(text: str, path: Path) -> tuple[Entries, str | None]:
    entries: Entries = []
    version = None
    seen: dict[str, tuple[str, ...]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line[0] == "#":
            found = _VERSION_LINE.match(line)
            if found and version is None:
                version = found.group(1).strip() or None
            continue
        head, dash, body = line.partition(" - ")
        node_id: str | None = head.rstrip()
        if not dash or not node_id.isdigit():
            node_id, body = None, line
        # Google lists parents first: reuse the parent's names instead of splitting the whole path.
        parent, sep, name = body.rpartition(" > ")
        known = seen.get(parent) if sep else None
        names = (*known, name.strip()) if known is not None and "///" not in name else split_path(body)
        if not names or not names[-1]:
            raise TaxonomyError(f"taxonomy {path}, line {number}: no category name")
        seen[body] = names
        entries.append((node_id, names))
    return entries, version


def _csv_entries(text: str, path: Path) -> Entries:
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(cell.strip() for cell in row)]
    if not rows:
        return []
    header = [fold(cell) for cell in rows[0]]
    path_col = next((i for i, name in enumerate(header) if name in _PATH_HEADERS), None)
    id_col = next((i for i, name in enumerate(header) if name in _ID_HEADERS), None)
    if path_col is not None:
        body, first_line = rows[1:], 2
    else:
        body, first_line = rows, 1
        with_id = len(rows[0]) > 1 and rows[0][0].strip().isdigit()
        id_col, path_col = (0, 1) if with_id else (None, 0)
    entries: Entries = []
    for number, row in enumerate(body, first_line):
        cell = row[path_col].strip() if path_col < len(row) else ""
        names = split_path(cell)
        if not names:
            raise TaxonomyError(f"taxonomy {path}, row {number}: empty category path")
        node_id = row[id_col].strip() if id_col is not None and id_col < len(row) else ""
        entries.append((node_id or None, names))
    return entries


def read_entries(path: Path) -> tuple[Entries, str | None]:
    """The (id, level names) of every category in the file, and the Google version line if any."""
    text = _read_text(path)
    if path.suffix.lower() == ".csv":
        return _csv_entries(text, path), None
    return _google_entries(text, path)


def load_taxonomy(path: Path | str) -> Taxonomy:
    """Read a Google taxonomy file or an operator CSV (see the module docstring)."""
    path = Path(path)
    entries, version = read_entries(path)
    if not entries:
        raise TaxonomyError(f"taxonomy {path} holds no category")
    return Taxonomy(entries, source=path, version=version)


def is_google_taxonomy(text: str) -> bool:
    """Whether `text` starts as Google's published taxonomy files do (their version line)."""
    return _VERSION_LINE.match(text.lstrip()[:200]) is not None
