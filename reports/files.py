"""Writing a report's files to disk: the only renderer that touches the file system."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from catalog.domain.report import Report
from reports.annotated import render_annotated_csv
from reports.converted import is_convertible, render_converted_csv
from reports.diagnostics import write_item_diagnostics
from reports.html import render_html
from reports.json_report import write_json

_UNSAFE = re.compile(r"[^\w.-]+")

ANNOTATED_SUFFIX = ".annote.csv"
CONVERTED_SUFFIX = ".utf8.csv"
HTML_SUFFIX = ".rapport.html"


def report_stem(source: str) -> str:
    """The file-name stem for a report of `source` (a path or a feed URL), safe to use in any directory."""
    name = PurePosixPath(source.split("?", 1)[0].split("#", 1)[0].replace("\\", "/").rstrip("/")).name
    stem = _UNSAFE.sub("_", PurePosixPath(name).stem).strip("._")
    return stem or "rapport"


def write_reports(report: Report, out_dir: Path, *, seller_name: str | None = None) -> dict[str, Path]:
    """Write `<stem>.rapport.json`, `<stem>.rapport.html` and the one CSV the seller works from into `out_dir`.

    That CSV is `<stem>.annote.csv` (their file, safe fixes applied, with `Statut` and `Erreurs`) or, for a
    file refused only for its encoding, separator or header slips, `<stem>.utf8.csv` (the file converted,
    ready to send back). Neither is written when the file could not be read as a table; a feed gets
    `<stem>.diagnostics.csv` (one row per item) instead.
    Returns the written paths by kind: "json", "annotated", "converted", "diagnostics", "html".
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = report_stem(report.source)
    paths: dict[str, Path] = {"json": out_dir / f"{stem}.rapport.json"}
    with paths["json"].open("w", encoding="utf-8") as out:  # written as it goes: a feed's report can be large
        write_json(report, out)
        out.write("\n")
    if report.kind == "feed" and report.products:
        paths["diagnostics"] = out_dir / f"{stem}.diagnostics.csv"
        with paths["diagnostics"].open("wb") as out:
            write_item_diagnostics(report, out)
    contents: dict[str, tuple[str, bytes]] = {}
    if is_convertible(report):
        contents["converted"] = (f"{stem}{CONVERTED_SUFFIX}", render_converted_csv(report))
    elif report.table is not None:
        contents["annotated"] = (f"{stem}{ANNOTATED_SUFFIX}", render_annotated_csv(report))
    converted = contents["converted"][0] if "converted" in contents else None
    html = render_html(report, seller_name=seller_name, converted=converted)
    contents["html"] = (f"{stem}{HTML_SUFFIX}", html.encode("utf-8"))
    for kind, (name, data) in contents.items():
        path = out_dir / name
        path.write_bytes(data)
        paths[kind] = path
    return paths
