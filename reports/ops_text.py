"""Ops-facing text of the `catalog` command: the moderation queue, one item under review, import runs.

English, as every ops line of the command (docs/decisions.md, "Command line"). Each renderer takes the
JSON entries the same command prints with `--format json`, so the two formats never say different things.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

TITLE_WIDTH = 60


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Columns padded to their widest cell, a header line first; the last column is never padded."""
    cells = [[str(h) for h in headers]] + [["-" if v is None or v == "" else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers) - 1)]
    lines = ["  ".join([c.ljust(w) for c, w in zip(row, widths, strict=False)] + [row[-1]]) for row in cells]
    return "\n".join(line.rstrip() for line in lines)


def short_time(iso: str | None) -> str:
    """`2026-03-14 09:30` (UTC) from the ISO timestamp of the JSON."""
    if not iso:
        return "-"
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")


def clip(text: str, width: int = TITLE_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def moderation_list(entries: Sequence[dict[str, Any]]) -> str:
    headers = ("ID", "STATUS", "ACTION", "SELLER", "SUBMITTED (UTC)", "SOURCE", "HANDLE", "TITLE")
    rows = [(e["id"], e["status"], e["action"], e["seller"], short_time(e["submitted_at"]), e["source"],
             e["handle"], clip(e["title"])) for e in entries]
    return table(headers, rows)


def runs_list(entries: Sequence[dict[str, Any]]) -> str:
    headers = ("ID", "SELLER", "KIND", "STARTED (UTC)", "FINISHED (UTC)", "STATUS", "REPORT", "PRODUCTS",
               "ACCEPTED", "REFUSED", "STAGED", "EMAIL", "SOURCE")
    rows = [(e["id"], e["seller"], e["kind"], short_time(e["started_at"]), short_time(e["finished_at"]),
             _run_status(e), e["report_status"], e["products"], e["accepted"], e["refused"], e["staged"],
             e["email_status"], e["source"]) for e in entries]
    return table(headers, rows)


def _run_status(entry: dict[str, Any]) -> str:
    """`crashed`, or the status of a run resumed after its process died: `done (resumed after 1 crash)`."""
    crashes = entry.get("crashes") or 0
    if not crashes or entry["status"] == "crashed":
        return entry["status"]
    return f"{entry['status']} (resumed after {crashes} crash{'es' if crashes > 1 else ''})"


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else "(none)"
    if isinstance(value, str):
        return repr(clip(value, 200))
    return str(value)


def _offer(variant: dict[str, Any], currency: str) -> str:
    values = " / ".join(v for v in variant["options"] if v)
    name = variant["sku"] or values or f"#{variant['variant_id']}"
    options = f" ({values})" if values and variant["sku"] else ""
    price = "no price" if variant["price"] is None else f"{variant['price']} {currency}".rstrip()
    qty = "-" if variant["inventory_qty"] is None else variant["inventory_qty"]
    return f"{name}{options}: {price}, quantity {qty}"


def moderation_item(detail: dict[str, Any]) -> str:
    """One item: who, what, the version it proposes (or what it takes down) and what changes."""
    version = detail["proposed"] or detail["live"]
    lines = [
        f"Item {detail['id']} · {detail['action']} · {detail['status']}",
        f"Seller:    {detail['seller']} ({detail['seller_name'] or 'no name'})",
        f"Product:   {detail['handle']} · {detail['title'] or '(no title)'}",
        f"Source:    {detail['source']} (run {detail['import_run'] or '-'}), submitted "
        f"{short_time(detail['submitted_at'])} UTC",
    ]
    if detail["decided_at"]:
        lines.append(f"Decided:   {detail['status']} by {detail['decided_by'] or '-'} "
                     f"on {short_time(detail['decided_at'])} UTC" + (f": {detail['reason']}" if detail['reason']
                                                                     else ""))
    if version is not None:
        lines.append("Variants:" if detail["proposed"] else "Variants (live):")
        lines += [f"  {_offer(v, version['currency'])}" for v in version["variants"]] or ["  (none)"]
        lines.append("Images:" if detail["proposed"] else "Images (live):")
        lines += [f"  {image['src']}" + (f"  (alt: {image['alt']})" if image["alt"] else "")
                  for image in version["images"]] or ["  (none)"]
    lines.append("")
    if detail["action"] == "unpublish":
        lines.append("Change: takes the product down (nothing will be live)." if detail["live"] else
                     "Change: takes the product down (nothing is live now).")
    elif detail["proposed"] is None:
        lines.append("Change: no proposed version is stored with this item.")
    elif detail["live"] is None:
        lines.append("Change: a new product (nothing is live yet).")
    elif not detail["changes"]:
        lines.append("Change: none against the live version (the same content sent again).")
    else:
        lines.append(f"Changes against the live version ({len(detail['changes'])}):")
        lines += [f"  {_change(change)}" for change in detail["changes"]]
    return "\n".join(lines)


def _change(change: dict[str, Any]) -> str:
    where = f" [{change['of']}]" if change["of"] else ""
    live, proposed = change["live"], change["proposed"]
    if change["field"] == "variant":
        return f"variant{where}: {'added' if live is None else 'removed'}"
    if change["field"] == "images":
        added = [src for src in proposed if src not in live]
        removed = [src for src in live if src not in proposed]
        said = [f"added {src}" for src in added] + [f"removed {src}" for src in removed]
        return "images: " + ("; ".join(said) if said else "new order: " + ", ".join(proposed))
    return f"{change['field']}{where}: {_value(live)} -> {_value(proposed)}"
