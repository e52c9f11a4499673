"""The validation engine: a seller's file in, a `Report` out.

`validate_file` reads the file (the I/O edge), `check_full_table` runs every
rule over the products, and `check_images` downloads images when the run is
online. The checks themselves live in `validators/` and `taxonomy/`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.domain.iso import currency_codes
from catalog.domain.issues import Issue, Severity
from catalog.domain.model import Product
from catalog.domain.report import ProductResult, Report, Table
from catalog.domain.rules import issue
from catalog.readers.full_csv.table import read_table
from catalog.settings import Settings
from validators import duplicates, products
from validators.cells import FULL_CELL_RULES, CellRecord, full_cell_issues
from validators.products import Row, RowGroup

if TYPE_CHECKING:
    from catalog.domain.sellers import Seller
    from taxonomy.tree import Taxonomy

CLOTHING_ROOT = "Vêtements et accessoires"


@dataclass(slots=True)
class CatalogContext:
    """What the seller's existing catalog says, for checks that look beyond the file."""

    skus: dict[str, str] = field(default_factory=dict)  # sku -> handle
    listings: list[duplicates.Listing] = field(default_factory=list)


@dataclass(slots=True)
class Options:
    kind: str | None = None
    offline: bool = False
    seller: Seller | None = None
    catalog: CatalogContext = field(default_factory=CatalogContext)
    progress: bool = False
    # Runs the cell contract; the CLI passes one whose pandera is already loaded in another process.
    cell_checker: Callable[[list[CellRecord]], list[Issue]] = full_cell_issues


def validate_file(path: Path, settings: Settings, options: Options | None = None,
                  taxonomy: Taxonomy | None = None) -> Report:
    """Check one file end to end (reading, every rule, images unless offline)."""
    options = options or Options()
    source = path.name
    if options.seller is not None:
        from catalog.domain.sellers import readiness, readiness_text

        missing = readiness(options.seller)
        if missing:
            fr, en = readiness_text(missing)
            return Report(kind=options.kind or "full", source=source,
                          issues=[issue("seller.not_ready", missing_fr=fr, missing_en=en)])
    read = read_table(path, max_bytes=settings.max_file_bytes, kind=options.kind)
    row_count = len(read.table.rows) if read.table else 0
    if read.issues:
        return Report(kind=read.kind, source=source, issues=read.issues, row_count=row_count, table=read.table)
    if read.kind != "full":
        from catalog.domain.errors import CatalogError

        raise CatalogError(f"{source}: {read.kind} files are not supported by this version; send a full product CSV")
    if taxonomy is None:
        from catalog.net.taxonomy_file import default_taxonomy

        taxonomy = default_taxonomy(settings)
    assert read.table is not None
    report = check_full_table(read.table, source=source, taxonomy=taxonomy, options=options)
    if not options.offline:
        check_images(report, settings, taxonomy, progress=options.progress)
    return report


def _rows(table: Table) -> tuple[list[Row], list[Issue]]:
    """Rows as column → cell maps; a row of the wrong length is an error and its cells are not trusted."""
    width = len(table.header)
    rows: list[Row] = []
    found: list[Issue] = []
    for number, cells in table.rows:
        if len(cells) != width:
            handle = cells[0].strip() if cells else ""
            found.append(issue("structure.row_length", row=number, product=handle or None,
                               found=len(cells), expected=width))
            cells = (cells + [""] * width)[:width]
        rows.append(Row(number, dict(zip(table.header, cells, strict=True))))
    return rows, found


def _cell_records(rows: list[Row], skip: set[int]) -> list[CellRecord]:
    return [(r.number, r.get("Handle").strip() or None, {c: r.get(c) for c in FULL_CELL_RULES})
            for r in rows if r.number not in skip]


def _currency_issues(product: Product, seller: Seller | None) -> list[Issue]:
    currency = product.currency
    if not currency or currency == "EUR":
        return []
    where = {"row": product.first_row, "column": "Currency", "product": product.handle, "value": currency}
    if currency not in currency_codes():
        return [issue("price.currency", reason_fr="n'est pas un code ISO 4217 (EUR, USD, GBP…)",
                      reason_en="is not an ISO 4217 code (EUR, USD, GBP…)", **where)]
    if seller is None:
        return [issue("price.currency", severity=Severity.WARNING,
                      reason_fr="ne peut être vérifiée qu'avec votre compte vendeur (le taux de conversion vient de "
                                "votre configuration)",
                      reason_en="can only be checked with your seller account (the conversion rate comes from your "
                                "settings)", **where)]
    if currency not in (seller.fx_rates or {}):
        return [issue("price.currency", reason_fr="n'a pas de taux de conversion configuré pour votre compte",
                      reason_en="has no conversion rate configured for your account", **where)]
    from catalog.domain.sellers import convert_price

    found: list[Issue] = []
    for variant in product.variants:
        for attr in ("price", "compare_at_price"):
            old = getattr(variant, attr)
            if old is None:
                continue
            new = convert_price(old, currency, seller)
            if new is None:
                return [issue("price.currency", reason_fr="donne un prix nul après conversion et règle de prix",
                              reason_en="gives no positive price after conversion and price rule", **where)]
            setattr(variant, attr, new)
            if attr == "price":
                found.append(issue("price.converted", row=variant.row, column="Variant Price",
                                   product=product.handle, value=f"{old} {currency}",
                                   currency=currency, old=f"{old} {currency}", new=f"{new} EUR"))
    product.currency = "EUR"
    return found


def _text_issues(product: Product) -> list[Issue]:
    from validators.contact import contact_issues
    from validators.html import description_html_issues, unsafe_html_issues
    from validators.text import language_issue, text_issues

    found: list[Issue] = []
    where = {"product": product.handle}
    for column, row, text in product.text_fields():
        found += text_issues(text, row=row, column=column, **where)
        found += contact_issues(text, row=row, column=column, **where)
    if product.body_html.strip():
        found += description_html_issues(product.body_html, row=product.first_row, column="Body (HTML)", **where)
    if product.policy.strip():
        found += unsafe_html_issues(product.policy, row=product.first_row, column="Product Policy", **where)
    if product.body_html.strip():
        found += language_issue(product.body_html, row=product.first_row, column="Body (HTML)", **where)
    return found


def _seo_issues(product: Product, body_text: str) -> list[Issue]:
    from validators.seo import description_issues, generate_seo, meta_issues, seo_generated_issues, title_issues

    found: list[Issue] = []
    row = product.first_row
    if product.title:
        found += title_issues(product.title, row=row, product=product.handle)
    if product.body_html.strip():
        found += description_issues(product.body_html, row=row, product=product.handle)
    found += meta_issues(product.seo_title, product.seo_description, row=row, product=product.handle)
    if product.title:
        generated = generate_seo(product.title, body_text)
        found += seo_generated_issues(product.seo_title, product.seo_description, generated, row=row,
                                      product=product.handle)
        product.seo_title = product.seo_title or generated[0]
        product.seo_description = product.seo_description or generated[1]
    return found


def _media_issues(product: Product) -> list[Issue]:
    from validators.images import image_url_issues
    from validators.media import alt_issues, video_issues

    found: list[Issue] = []
    for image in product.images:
        found += image_url_issues(image.src, row=image.row, column="Image Src", product=product.handle)
        if image.alt:
            found += alt_issues(image.alt, title=product.title, row=image.row, product=product.handle)
    for variant in product.variants:
        if variant.image:
            found += image_url_issues(variant.image, row=variant.row, column="Variant Image", product=product.handle)
    if product.video_url:
        found += video_issues(product.video_url, row=product.first_row, product=product.handle)
    return found


def check_product(group: RowGroup, product: Product, taxonomy: Taxonomy, seller: Seller | None,
                  body_text: str) -> tuple[list[Issue], str | None]:
    """Every rule that looks at one product alone; and the collection a Type slip safely becomes, if any."""
    from taxonomy import check_type
    from validators.product_type import type_issue

    found = products.required_issues(group, product)
    found += products.variant_row_issues(group)
    found += products.option_issues(group, product)
    found += products.price_issues(product)
    found += products.collection_issues(product)
    found += products.tag_issues(product)
    type_fix = None
    if product.type:
        verdict = check_type(taxonomy, product.type, title=product.title, description=body_text)
        found += [i for i in [type_issue(verdict, value=product.type, row=product.first_row, column="Type",
                                         product=product.handle)] if i is not None]
        type_fix = verdict.safe_fix if verdict.code else None
    found += _currency_issues(product, seller)
    found += _text_issues(product)
    found += _seo_issues(product, body_text)
    found += _media_issues(product)
    return found, type_fix


def check_full_table(table: Table, *, source: str, taxonomy: Taxonomy, options: Options | None = None) -> Report:
    """Every rule over a full CSV whose file-level checks passed."""
    from validators.html import html_to_text

    options = options or Options()
    rows, found = _rows(table)
    broken_rows = {i.row for i in found if i.row is not None}
    groups, grouping = products.group_rows(rows)
    found += grouping
    built: list[tuple[RowGroup, Product]] = []
    listings: list[duplicates.Listing] = []
    type_fixes: dict[str, str] = {}
    for group in groups:
        if not group.handle:
            continue
        product = products.build_product(group)
        body_text = html_to_text(product.body_html) if product.body_html.strip() else ""
        product_issues, type_fix = check_product(group, product, taxonomy, options.seller, body_text)
        found += product_issues
        if type_fix:
            type_fixes[product.handle] = type_fix
        built.append((group, product))
        listings.append(duplicates.Listing(product.handle, product.title, body_text, product.first_row))
    found += products.sku_issues([p for _, p in built], options.catalog.skus)
    found += duplicates.duplicate_issues(listings, options.catalog.listings)
    found += options.cell_checker(_cell_records(rows, broken_rows))  # last: its checker may still be loading

    report = Report(kind="full", source=source, issues=found, row_count=len(rows), table=table)
    report.products = _verdicts(groups, built, found)
    refused = {p.handle for p in report.products if p.status == "refused"}
    # What the pipeline did for the seller only matters for products it stages.
    report.issues = [i for i in found if not (i.code == "seo.generated" and i.product in refused)]
    from validators.fixes import apply_corrections, safe_corrections

    report.corrections = safe_corrections(rows, [p for _, p in built], type_fixes)
    for _, product in built:
        apply_corrections(product, report.corrections)
    return report


def _verdicts(groups: Sequence[RowGroup], built: Sequence[tuple[RowGroup, Product]],
              found: Sequence[Issue]) -> list[ProductResult]:
    codes: dict[str | None, list[str]] = {}
    refused: set[str | None] = set()
    row_owner = {row.number: group.handle for group in groups for row in group.rows}
    for item in found:
        owner = item.product if item.product is not None else row_owner.get(item.row or -1)
        codes.setdefault(owner, [])
        if item.code not in codes[owner]:
            codes[owner].append(item.code)
        if item.is_error:
            refused.add(owner)
    models = {p.handle: p for _, p in built}
    results = []
    for group in groups:
        handle = group.handle
        results.append(ProductResult(
            handle=handle,
            rows=[r.number for r in group.rows],
            status="refused" if handle in refused or not handle else "accepted",
            codes=codes.get(handle, []) if handle else ["field.required"],
            product=models.get(handle),
        ))
    return results


def refresh_verdicts(report: Report) -> None:
    """Recompute product statuses after issues were added (the image checks)."""
    refused = {i.product for i in report.issues if i.is_error}
    for result in report.products:
        result.codes = list(dict.fromkeys(
            result.codes + [i.code for i in report.issues if i.product == result.handle and result.handle]))
        if result.handle in refused:
            result.status = "refused"


def check_images(report: Report, settings: Settings, taxonomy: Taxonomy,
                 progress: bool | Callable[[int, int], None] = False) -> None:
    """Download every image of the products (once per URL) and add what is wrong to the report."""
    from catalog.net.images import ImageRef, check_image_urls, issues_for
    from validators.images import CLOTHING_MIN_SIZE
    from validators.images import MIN_SIZE as MIN_IMAGE_SIZE

    refs: list[tuple[Any, int]] = []
    for result in report.products:
        product = result.product
        if product is None:
            continue
        node = taxonomy.collection_by_name.get(product.type)
        min_size = CLOTHING_MIN_SIZE if node is not None and node.path[0] == CLOTHING_ROOT else MIN_IMAGE_SIZE
        candidates = [(img.src, img.row, "Image Src") for img in product.images]
        candidates += [(v.image, v.row, "Variant Image") for v in product.variants if v.image]
        refs += [(ImageRef(url=url, row=row, column=column, product=product.handle), min_size)
                 for url, row, column in candidates]
    if not refs:
        return
    outcomes = check_image_urls([ref for ref, _ in refs], settings, progress=progress)
    for ref, min_size in refs:
        report.issues += issues_for(outcomes.get(ref.url), ref, min_size)
    refresh_verdicts(report)

