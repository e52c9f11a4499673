"""Where the taxonomy comes from: the setting, the shared folder, the cache, else Google's published file."""

from __future__ import annotations

import gc
import os
import threading
from pathlib import Path

from catalog.domain.errors import CatalogError
from catalog.settings import Settings, load_settings
from taxonomy import Taxonomy, load_taxonomy
from taxonomy.loader import ENGLISH_FILE, TAXONOMY_FILE, is_google_taxonomy
from taxonomy.tree import TaxonomyError

TAXONOMY_URL = f"https://www.google.com/basepages/producttype/{TAXONOMY_FILE}"
MAX_DOWNLOAD_BYTES = 5 * 1024 * 1024
_REPO_ROOT = Path(__file__).resolve().parents[2]
_HOW_TO = "set CATALOG_TAXONOMY to the path of taxonomy-with-ids.fr-FR.txt"


def _download(url: str, dest: Path, settings: Settings, *, max_bytes: int) -> Path:
    """Fetch Google's file into `dest` with the project's safe fetcher; refuse what is not a taxonomy."""
    from catalog.net.http import Reason, SafeFetcher  # requests is for this download only: not imported otherwise

    failure = f"no taxonomy file found and downloading {url} failed"
    with SafeFetcher(settings) as fetcher:
        result = fetcher.fetch(url, max_bytes=max_bytes, accept="text/plain")
    if result.failure is not None:
        why = (f"larger than {max_bytes} bytes" if result.failure.reason is Reason.TOO_LARGE
               else result.failure.message.en)
        raise CatalogError(f"{failure} ({why}); {_HOW_TO}")
    body = result.body
    text = bytes(body).decode("utf-8-sig", errors="replace")
    if not is_google_taxonomy(text):
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
            try:
                found = load_taxonomy(path)
                english = path.with_name(ENGLISH_FILE)
                if english != path and english.is_file():
                    found = found.with_english(english)
            except TaxonomyError as err:
                raise CatalogError(str(err)) from None
            _loaded[path] = found
            # It lives as long as the process: take its thousands of objects out of the collector's rounds,
            # which would otherwise walk them again and again while a large feed is checked.
            gc.freeze()
        return found
