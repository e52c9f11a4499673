"""The validation engine: a seller's input in, a `Report` out, whatever the input.

`validate_file` reads the input with the reader of its kind (the I/O edge),
`check_reading` runs every rule over the products the reader yields —
`check_product` on each alone, then the rules that look across products — and
`check_images` downloads images when the run is online. The checks themselves
live in `validators/` and `taxonomy/`; they name model fields, never an
input's columns: each product knows where its fields came from.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalog.domain.issue_log import IssueLog
from catalog.domain.issues import Issue
from catalog.domain.model import Product
from catalog.domain.report import ProductResult, Report
from catalog.domain.rules import issue
from catalog.domain.sellers import not_ready_issue, readiness
from catalog.domain.serialize import content_hash
from catalog.readers import Reading, read_file
from catalog.settings import Settings
from validators import duplicates, products
from validators.bulk import BulkChecker
from validators.cells import CellRecord, full_cell_issues
from validators.currency import currency_issues

if TYPE_CHECKING:
    from catalog.domain.bulk import BulkCatalog
    from catalog.domain.sellers import Seller
    from catalog.net.image_cache import ImageCache
    from taxonomy.tree import Taxonomy

CLOTHING_ROOT = "Vêtements et accessoires"


@dataclass(slots=True)
class CatalogContext:
    """What the seller's existing catalog says, for checks that look beyond the file."""

    skus: dict[str, str] = field(default_factory=dict)  # sku -> handle (bulk: -> variant id)
    listings: list[duplicates.Listing] = field(default_factory=list)
    bulk: BulkCatalog | None = None  # a bulk file's variants as the catalog has them


def bulk_context(catalog: BulkCatalog) -> CatalogContext:
    """What a bulk file is checked against: its variants, and the seller's SKUs by variant."""
    return CatalogContext(skus=dict(catalog.skus), bulk=catalog)


@dataclass(slots=True)
class Options:
    kind: str | None = None
    offline: bool = False
    seller: Seller | None = None
    catalog: CatalogContext = field(default_factory=CatalogContext)
    progress: bool = False
    # Keep each product's texts after its checks (staging needs them); a report-only run lets them go.
    keep_texts: bool = True
    # Runs the cell contract; the CLI passes one whose pandera is already loaded in another process.
    cell_checker: Callable[[list[CellRecord]], list[Issue]] = full_cell_issues
    # Image checks remembered between runs (the store's, from `catalog.ingest.image_cache`); None: none kept.
    image_cache: ImageCache | None = None
    # Handle -> content hashes of the seller's live and pending versions. Given, every product gets its
    # content hash, and one equal to a known version is not checked again (`product.unchanged`).
    known_versions: Mapping[str, Collection[str]] | None = None


def seller_context(seller: Seller | None) -> str:
    """What of the seller's settings shapes a staged version beyond the product's own content."""
    if seller is None:
        return ""
    rule = seller.price_rule.to_dict() if seller.price_rule else None
    rates = {code: str(rate) for code, rate in sorted(seller.fx_rates.items())}
    return repr((seller.currency, rates, rule, seller.in_stock_default_qty))


def is_url(target: str | Path) -> bool:
    return isinstance(target, str) and target.lower().startswith(("https://", "http://"))


def validate_file(path: Path | str, settings: Settings, options: Options | None = None,
                  taxonomy: Taxonomy | None = None, *, source: str | None = None) -> Report:
    """Check one file, or the feed at a URL, end to end (reading, every rule, images unless offline).

    `source` names the input in the report when the file is a copy (a feed downloaded by a refresh).
    """
    options = options or Options()
    source = source or (str(path) if is_url(path) else Path(path).name)
    not_ready = _not_ready(options.seller, options.kind or "full", source)
    if not_ready is not None:
        return not_ready

    def load_taxonomy() -> Taxonomy:
        nonlocal taxonomy
        if taxonomy is None:
            from catalog.net.taxonomy_file import default_taxonomy

            taxonomy = default_taxonomy(settings)
        return taxonomy

    default_qty = options.seller.in_stock_default_qty if options.seller else None
    if is_url(path):
        from catalog.net.feeds import open_feed_url
        from catalog.readers.feed import read_feed

        url = str(path)
        reading = read_feed(url, lambda: open_feed_url(url, settings), max_bytes=settings.max_feed_bytes,
                            taxonomy=load_taxonomy(), default_qty=default_qty)
    else:
        reading = read_file(Path(path), max_bytes=settings.max_file_bytes, kind=options.kind,
                            max_feed_bytes=settings.max_feed_bytes, taxonomy=load_taxonomy,
                            in_stock_default_qty=default_qty)
    reading.source = source
    if reading.rejected:
        return _rejected(reading)
    if reading.kind == "bulk":
        return check_reading(reading, taxonomy=None, options=options)
    report = check_reading(reading, taxonomy=load_taxonomy(), options=options)
    if reading.rejected:  # a feed's problem with the whole file can show only once it has been read
        return _rejected(reading)
    if not options.offline:
        check_images(report, settings, load_taxonomy(), progress=options.progress, cache=options.image_cache)
    return report


def _not_ready(seller: Seller | None, kind: str, source: str) -> Report | None:
    """The report of a seller whose account cannot import yet (`seller.not_ready`), or None."""
    if seller is None:
        return None
    missing = readiness(seller)
    return Report(kind=kind, source=source, issues=[not_ready_issue(missing)]) if missing else None


def check_bulk(reading: Reading, *, seller: Seller | None, catalog: BulkCatalog | None) -> Report:
    """A bulk file read, judged against `catalog` (the seller's variants as the store has them, or None)."""
    options = Options(kind="bulk", offline=True, seller=seller,
                      catalog=bulk_context(catalog) if catalog is not None else CatalogContext())
    not_ready = _not_ready(seller, "bulk", reading.source)
    if not_ready is not None:
        return not_ready
    if reading.rejected:
        return _rejected(reading)
    return check_reading(reading, taxonomy=None, options=options)


def _rejected(reading: Reading) -> Report:
    """The report of an input refused as a whole: its file-level issues only, nothing to stage."""
    file_issues = [i for i in reading.issues if i.is_file_level]
    return Report(kind=reading.kind, source=reading.source, issues=file_issues or reading.issues,
                  row_count=reading.row_count, table=reading.table)


@dataclass(frozen=True, slots=True)
class ProductContext:
    """What a product's own rules need beyond the product: the taxonomy and the seller's settings."""

    taxonomy: Taxonomy | None  # None for an input without Types (the bulk file)
    seller: Seller | None = None


def _text_issues(product: Product) -> list[Issue]:
    from validators.contact import contact_issues
    from validators.html import description_html_issues, unsafe_html_issues
    from validators.text import language_issue, text_issues

    found: list[Issue] = []
    handle = product.handle
    for at, text in product.text_fields():
        found += text_issues(text, at=at, product=handle)
        found += contact_issues(text, at=at, product=handle)
    if product.body_html.strip():
        found += description_html_issues(product.body_html, at=product.at("body_html"), product=handle)
    if product.policy.strip():
        found += unsafe_html_issues(product.policy, at=product.at("policy"), product=handle)
    if product.body_html.strip():
        found += language_issue(product.body_html, at=product.at("body_html"), product=handle)
    return found


def _seo_issues(product: Product, body_text: str) -> list[Issue]:
    from validators.seo import description_issues, generate_seo, meta_issues, seo_generated_issues, title_issues

    found: list[Issue] = []
    handle = product.handle
    seo_at = {"title_at": product.at("seo_title"), "description_at": product.at("seo_description")}
    if product.title:
        found += title_issues(product.title, at=product.at("title"), product=handle)
    if product.body_html.strip():
        found += description_issues(product.body_html, at=product.at("body_html"), product=handle)
    found += meta_issues(product.seo_title, product.seo_description, product=handle, **seo_at)
    if product.title:
        generated = generate_seo(product.title, body_text)
        if product.has_field("seo_title"):  # else there was nothing the seller could have filled
            found += seo_generated_issues(product.seo_title, product.seo_description, generated, product=handle,
                                          **seo_at)
        product.seo_title = product.seo_title or generated[0]
        product.seo_description = product.seo_description or generated[1]
    return found


def _media_issues(product: Product) -> list[Issue]:
    from validators.images import image_url_issues
    from validators.media import alt_issues, video_issues

    found: list[Issue] = []
    handle = product.handle
    for image in product.images:
        found += image_url_issues(image.src, at=product.at("src", image), product=handle)
        if image.alt:
            found += alt_issues(image.alt, title=product.title, at=product.at("alt", image), product=handle)
    for variant in product.variants:
        if variant.image:
            found += image_url_issues(variant.image, at=product.at("image", variant), product=handle)
    if product.video_url:
        found += video_issues(product.video_url, at=product.at("video_url"), product=handle)
    return found


def check_product(product: Product, context: ProductContext, body_text: str | None = None
                  ) -> tuple[list[Issue], str | None]:
    """Every rule that looks at one product alone, whatever its input; and the collection a Type slip safely
    becomes, if any. `body_text` is the description without HTML, when the caller already has it."""
    from taxonomy import check_type
    from validators.html import html_to_text
    from validators.product_type import type_issue

    if body_text is None:
        body_text = html_to_text(product.body_html) if product.body_html.strip() else ""
    found = products.option_issues(product)
    found += products.price_issues(product)
    found += products.collection_issues(product)
    found += products.tag_issues(product)
    type_fix = None
    if product.type and context.taxonomy is not None:
        verdict = check_type(context.taxonomy, product.type, title=product.title, description=body_text)
        found += [i for i in [type_issue(verdict, value=product.type, at=product.at("type"),
                                         product=product.handle)] if i is not None]
        type_fix = verdict.safe_fix if verdict.code else None
    found += currency_issues(product, context.seller)
    found += _text_issues(product)
    found += _seo_issues(product, body_text)
    found += _media_issues(product)
    return found, type_fix


def check_reading(reading: Reading, *, taxonomy: Taxonomy | None, options: Options | None = None) -> Report:
    """Every rule over the products of an input whose file-level checks passed.

    A CSV is judged as a whole: its cell contract is one table, checked once every row is read. A feed
    streams: each product is judged as soon as its own rules and the rules across products have seen it,
    its verdict is recorded, and only a light copy of it is kept (see `Options.keep_texts`).
    """
    from validators.html import html_to_text

    options = options or Options()
    context = ProductContext(taxonomy, options.seller)
    streaming = reading.streamed
    report = Report(kind=reading.kind, source=reading.source, row_count=reading.row_count, table=reading.table,
                    issues=IssueLog() if streaming else [])
    source = reading.products if streaming else list(reading.products)
    known = None if streaming else {p.handle for p, _ in source if p.handle}  # type: ignore[union-attr]
    skus = products.SkuRegistry(options.catalog.skus, known)
    # A bulk row is a variant of a live product, not a listing: the bulk rules replace the duplicate search.
    bulk = BulkChecker(options.catalog.bulk, [p for p, _ in source]) if reading.kind == "bulk" else None
    repeats = duplicates.DuplicateFinder(options.catalog.listings, known) if bulk is None else None
    found: list[Issue] = list(reading.issues)
    built: list[Product] = []
    unchanged: list[ProductResult] = []
    type_fixes: dict[str, str] = {}
    hashes: dict[str, str] = {}
    versions, pricing = options.known_versions, seller_context(options.seller)
    send = getattr(options.cell_checker, "send", None)  # a checker in another process can start now
    if send is not None and reading.cell_records and versions is None:
        send(reading.cell_records)  # no product will be skipped as unchanged: these are the rows it checks
    for product, read_issues in source:
        mine = list(read_issues)
        digest = content_hash(product, pricing) if versions is not None and product.handle else None
        if digest is not None and digest in versions.get(product.handle, ()) and not any(  # type: ignore[union-attr]
                i.is_error for i in read_issues):
            result = _unchanged(product, digest)
            if streaming:
                report.issues.append(issue("product.unchanged", at=product.at(None), product=product.handle))
                report.products.append(result)
            else:
                unchanged.append(result)
                found.append(issue("product.unchanged", at=product.at(None), product=product.handle))
            continue
        if product.handle:
            body_text = html_to_text(product.body_html) if product.body_html.strip() else ""
            product_issues, type_fix = check_product(product, context, body_text)
            mine += product_issues
            if type_fix:
                type_fixes[product.handle] = type_fix
            if bulk is not None:
                mine = bulk.check(product, mine)  # the bulk rules, its SKUs among them
            else:
                mine += skus.check(product)
            if repeats is not None:
                mine += repeats.check(duplicates.Listing(product.handle, product.title, body_text,
                                                         product.at("title")))
        if streaming:
            _record(report, product, mine, keep_texts=options.keep_texts, offline=options.offline)
            report.products[-1].content_hash = digest
        else:
            if digest is not None:
                hashes[product.handle] = digest
            built.append(product)
            found += mine
    report.row_count = reading.row_count
    if streaming:
        report.issues += reading.issues  # what the reader found about the input as a whole, once it is read
        return report
    if reading.cell_records:
        skipped = {result.handle for result in unchanged}
        records = [r for r in reading.cell_records if r[1] not in skipped] if skipped else reading.cell_records
        found += options.cell_checker(records)  # last: its checker may still be loading
    report.products = _verdicts(built, found)
    for result in report.products:
        result.content_hash = hashes.get(result.handle)
    if unchanged:
        report.products = sorted(report.products + unchanged, key=lambda r: r.rows[0] if r.rows else 0)
    if bulk is not None:
        for result in report.products:
            result.variant_id = result.handle
            result.changes = bulk.changes.get(result.handle) if result.status == "accepted" else None
    refused = {p.handle for p in report.products if p.status == "refused"}
    # What the pipeline did for the seller only matters for products it stages.
    report.issues = [i for i in found if not (i.code == "seo.generated" and i.product in refused)]
    report.corrections = reading.corrections([p for p in built if p.handle], type_fixes)
    return report


def _unchanged(product: Product, digest: str) -> ProductResult:
    """The verdict of a product equal to a version the marketplace already has: nothing to check or stage."""
    return ProductResult(handle=product.handle, rows=list(product.rows), status="accepted",
                         codes=["product.unchanged"], title=product.title,
                         items=tuple(v.item or "" for v in product.variants), content_hash=digest, unchanged=True)


def _record(report: Report, product: Product, issues: list[Issue], *, keep_texts: bool, offline: bool) -> None:
    """One streamed product's verdict, its issues into the report, and the product kept light if asked."""
    refused = not product.handle or any(i.is_error for i in issues)
    if refused:
        issues = [i for i in issues if i.code != "seo.generated"]
    report.issues += issues
    keep: Product | None = product if product.handle else None
    if keep is not None and not keep_texts:
        if offline:
            keep = None  # the report needs only its title and items
        else:  # the image checks still need its links
            product.body_html = product.policy = product.seo_title = product.seo_description = ""
            product.raw = {}
            for variant in product.variants:
                variant.raw = {}
    report.products.append(ProductResult(
        handle=product.handle, rows=list(product.rows), status="refused" if refused else "accepted",
        codes=list(dict.fromkeys(i.code for i in issues)) if product.handle else ["field.required"],
        product=keep, title=product.title, items=tuple(v.item or "" for v in product.variants),
    ))


def _verdicts(built: Sequence[Product], found: Sequence[Issue]) -> list[ProductResult]:
    codes: dict[str | None, list[str]] = {}
    refused: set[str | None] = set()
    row_owner = {row: product.handle for product in built for row in product.rows}
    for item in found:
        owner = item.product if item.product is not None else row_owner.get(item.row or -1)
        codes.setdefault(owner, [])
        if item.code not in codes[owner]:
            codes[owner].append(item.code)
        if item.is_error:
            refused.add(owner)
    return [
        ProductResult(
            handle=product.handle,
            rows=list(product.rows),
            status="refused" if product.handle in refused or not product.handle else "accepted",
            codes=codes.get(product.handle, []) if product.handle else ["field.required"],
            product=product if product.handle else None,
            title=product.title,
        )
        for product in built
    ]


def refresh_verdicts(report: Report, added: Sequence[Issue]) -> None:
    """Recompute product statuses after `added` issues joined the report (the image checks)."""
    refused = {i.product for i in added if i.is_error}
    codes: dict[str | None, list[str]] = {}
    for found in added:
        codes.setdefault(found.product, []).append(found.code)
    for result in report.products:
        if result.handle and result.handle in codes:
            result.codes = list(dict.fromkeys(result.codes + codes[result.handle]))
        if result.handle in refused:
            result.status = "refused"


def check_images(report: Report, settings: Settings, taxonomy: Taxonomy,
                 progress: bool | Callable[[int, int], None] = False, cache: ImageCache | None = None) -> None:
    """Download every image of the products (once per URL, not at all when `cache` knows it well) and add
    what is wrong to the report: each product its own issue, and one line per image host that was down."""
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
        candidates = [(img.src, product.at("src", img)) for img in product.images]
        candidates += [(v.image, product.at("image", v)) for v in product.variants if v.image]
        refs += [(ImageRef(url=url, at=at, product=product.handle), min_size) for url, at in candidates]
    if not refs:
        return
    outcomes = check_image_urls([ref for ref, _ in refs], settings, progress=progress, cache=cache)
    added = [found for ref, min_size in refs for found in issues_for(outcomes.get(ref.url), ref, min_size)]
    report.issues += added
    report.issues += _down_host_issues(refs, outcomes)
    refresh_verdicts(report, added)


def _down_host_issues(refs: Sequence[tuple[Any, int]], outcomes: dict[str, Any]) -> list[Issue]:
    """One file-level line per image host the run gave up on: how many links and products it cost."""
    links: dict[str, set[str]] = {}
    owners: dict[str, set[str | None]] = {}
    reasons: dict[str, Any] = {}
    for ref, _ in refs:
        outcome = outcomes.get(ref.url)
        if outcome is None or outcome.host_down is None:
            continue
        links.setdefault(outcome.host_down, set()).add(ref.url.strip())
        owners.setdefault(outcome.host_down, set()).add(ref.product)
        reasons.setdefault(outcome.host_down, outcome.failure)
    return [issue("image.host_unreachable", host=host, reason_fr=reasons[host].message.fr,
                  reason_en=reasons[host].message.en, count=len(urls), products=len(owners[host]))
            for host, urls in links.items()]

