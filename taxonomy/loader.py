"""Find, download and read a taxonomy file.

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
import os
import re
import threading
from pathlib import Path

from catalog.domain.errors import CatalogError
from catalog.settings import Settings, load_settings
from taxonomy.tree import Taxonomy, fold, split_path

TAXONOMY_FILE = "taxonomy-with-ids.fr-FR.txt"
ENGLISH_FILE = "taxonomy-with-ids.en-US.txt"
TAXONOMY_URL = f"https://www.google.com/basepages/producttype/{TAXONOMY_FILE}"
MAX_DOWNLOAD_BYTES = 5 * 1024 * 1024
_REPO_ROOT = Path(__file__).resolve().parent.parent
_VERSION_LINE = re.compile(r"#\s*Google_Product_Taxonomy_Version\s*:?\s*(.*)", re.IGNORECASE)
_PATH_HEADERS = {"path", "chemin", "category", "categorie", "taxonomy", "taxonomie", "full path", "chemin complet"}
_ID_HEADERS = {"id", "identifiant", "category id", "id categorie"}
_HOW_TO = "set CATALOG_TAXONOMY to the path of taxonomy-with-ids.fr-FR.txt"

Entries = list[tuple[str | None, tuple[str, ...]]]


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogError(f"cannot read taxonomy {path}: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogError(f"taxonomy {path} is not UTF-8 text") from None


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
            raise CatalogError(f"taxonomy {path}, line {number}: no category name")
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
            raise CatalogError(f"taxonomy {path}, row {number}: empty category path")
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
        raise CatalogError(f"taxonomy {path} holds no category")
    return Taxonomy(entries, source=path, version=version)


def _download(url: str, dest: Path, settings: Settings, *, max_bytes: int) -> Path:
    """Fetch Google's file into `dest` with the project's safe fetcher; refuse what is not a taxonomy."""
    from catalog.net.http import Reason, SafeFetcher

    failure = f"no taxonomy file found and downloading {url} failed"
    with SafeFetcher(settings) as fetcher:
        result = fetcher.fetch(url, max_bytes=max_bytes, accept="text/plain")
    if result.failure is not None:
        why = (f"larger than {max_bytes} bytes" if result.failure.reason is Reason.TOO_LARGE
               else result.failure.message.en)
        raise CatalogError(f"{failure} ({why}); {_HOW_TO}")
    body = result.body
    text = bytes(body).decode("utf-8-sig", errors="replace")
    if not _VERSION_LINE.match(text.lstrip()[:200]):
        raise CatalogError(f"{failure} (not a Google taxonomy file); {_HOW_TO}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    partial.write_bytes(bytes(body))
    partial.replace(dest)
    return dest


def resolve_taxonomy_path(settings: Settings | None = None, *, url: str = TAXONOMY_URL) -> Path:
    """Where the taxonomy is: the setting, the shared folder, the cache, else a fresh download."""
    settings = settings or load_settings()
    if settings.taxonomy is not None:
        if not settings.taxonomy.is_file():
            raise CatalogError(f"CATALOG_TAXONOMY={settings.taxonomy}: no such file")
        return settings.taxonomy
    relative = Path("..") / "shared" / "taxonomy" / TAXONOMY_FILE
    for candidate in (Path.cwd() / relative, _REPO_ROOT / relative):
        if candidate.is_file():
            return candidate.resolve()
    cached = settings.cache_dir / TAXONOMY_FILE
    if cached.is_file():
        return cached
    return _download(url, cached, settings, max_bytes=MAX_DOWNLOAD_BYTES)


_loaded: dict[Path, Taxonomy] = {}
_lock = threading.Lock()


def default_taxonomy(settings: Settings | None = None) -> Taxonomy:
    """The marketplace taxonomy, read once per process (with English names when the en-US file sits beside it)."""
    path = resolve_taxonomy_path(settings).resolve()
    with _lock:
        found = _loaded.get(path)
        if found is None:
            found = load_taxonomy(path)
            english = path.with_name(ENGLISH_FILE)
            if english != path and english.is_file():
                found = found.with_english(english)
            _loaded[path] = found
        return found
