"""From rows to products: grouping, the product model, and the product-level structure rules.

A full CSV product is one first row (product cells and its first variant),
further variant rows, and image-only rows, all with the same Handle and next
to each other. Everything here is pure: rows in, products and issues out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from catalog.domain.columns import (
    OPTION_NAME_COLUMNS,
    OPTION_VALUE_COLUMNS,
    PRODUCT_COLUMNS,
    REQUIRED_PRODUCT_COLUMNS,
    REQUIRED_VARIANT_COLUMNS,
    VARIANT_COLUMNS,
)
from catalog.domain.issues import Issue
from catalog.domain.model import Image, Product, Variant
from catalog.domain.rules import issue
from validators.cells import INT_RE, parse_price

MAX_VARIANTS = 100
MAX_OPTIONS = 3


@dataclass(slots=True)
class Row:
    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")

    def filled(self, columns: tuple[str, ...]) -> list[str]:
        return [c for c in columns if self.get(c).strip()]


@dataclass(slots=True)
class RowGroup:
    """The rows of one Handle, in file order."""

    handle: str
    rows: list[Row] = field(default_factory=list)


def group_rows(rows: list[Row]) -> tuple[list[RowGroup], list[Issue]]:
    """Group rows by Handle; rows of one Handle that are not adjacent are an error on that product."""
    groups: dict[str, RowGroup] = {}
    last: str | None = None
    split: set[str] = set()
    for row in rows:
        handle = row.get("Handle").strip()
        if not handle:
            key = f"\0{row.number}"  # a row without Handle stands alone
            groups[key] = RowGroup("", [row])
            last = key
            continue
        if handle in groups and last != handle:
            split.add(handle)
        groups.setdefault(handle, RowGroup(handle)).rows.append(row)
        last = handle
    found: list[Issue] = []
    for group in groups.values():
        if not group.handle:
            found.append(issue("field.required", row=group.rows[0].number, column="Handle", product=None))
        elif group.handle in split:
            numbers = [r.number for r in group.rows]
            found.append(issue("structure.variants_split", row=numbers[0], column="Handle", product=group.handle,
                               handle=group.handle, rows=", ".join(map(str, numbers)), value=group.handle))
    return list(groups.values()), found


def _int(value: str) -> int | None:
    value = value.strip()
    return int(value) if INT_RE.fullmatch(value) else None


def _bool(value: str) -> bool:
    return value.strip().lower() != "false"


def _price(value: str) -> Decimal | None:
    return parse_price(value) if value.strip() else None


def is_image_only(row: Row) -> bool:
    return bool(row.get("Image Src").strip()) and not row.filled(VARIANT_COLUMNS) and not row.filled(PRODUCT_COLUMNS)


def _variant(row: Row, option_count: int) -> Variant:
    options = tuple(row.get(c).strip() for c in OPTION_VALUE_COLUMNS[:option_count])
    return Variant(
        row=row.number,
        options=options,
        sku=row.get("Variant SKU").strip(),
        barcode=row.get("Variant Barcode").strip(),
        grams=_int(row.get("Variant Grams")),
        inventory_qty=_int(row.get("Variant Inventory Qty")),
        inventory_policy=row.get("Variant Inventory Policy").strip().lower() or "deny",
        minimum_qty=_int(row.get("Variant Minimum Quantity")),
        price=_price(row.get("Variant Price")),
        compare_at_price=_price(row.get("Variant Compare At Price")),
        requires_shipping=_bool(row.get("Variant Requires Shipping")),
        taxable=_bool(row.get("Variant Taxable")),
        image=row.get("Variant Image").strip(),
        raw=dict(row.cells),
    )


def build_product(group: RowGroup) -> Product:
    """The product model of one Handle's rows (typed fields are None where a cell did not parse)."""
    first = group.rows[0]
    names = [first.get(c).strip() for c in OPTION_NAME_COLUMNS]
    while names and not names[-1]:
        names.pop()
    product = Product(
        handle=group.handle,
        rows=[r.number for r in group.rows],
        title=first.get("Title").strip(),
        body_html=first.get("Body (HTML)"),
        type=first.get("Type").strip(),
        tags=first.get("Tags"),
        collection=first.get("Collection").strip(),
        option_names=tuple(names),
        currency=first.get("Currency").strip().upper(),
        video_url=first.get("Video URL").strip(),
        policy=first.get("Product Policy"),
        country=first.get("Country of Origin").strip(),
        seo_title=first.get("SEO Title").strip(),
        seo_description=first.get("SEO Description").strip(),
        raw=dict(first.cells),
    )
    for row in group.rows:
        src = row.get("Image Src").strip()
        if src:
            product.images.append(Image(src=src, alt=row.get("Image Alt Text").strip(), row=row.number))
        if row is first or not is_image_only(row):
            product.variants.append(_variant(row, MAX_OPTIONS))
    return product


def required_issues(group: RowGroup, product: Product) -> list[Issue]:
    """Empty required cells on the first row and on every variant row."""
    first = group.rows[0]
    found = [issue("field.required", row=first.number, column=c, product=product.handle)
             for c in REQUIRED_PRODUCT_COLUMNS if not first.get(c).strip()]
    if not first.get("Image Src").strip():
        found.append(issue("image.missing", row=first.number, column="Image Src", product=product.handle))
    for row in group.rows:
        if row is not first and is_image_only(row):
            continue
        for column in REQUIRED_VARIANT_COLUMNS:
            if not row.get(column).strip():
                code = "quantity.minimum" if column == "Variant Minimum Quantity" else "field.required"
                found.append(issue(code, row=row.number, column=column, product=product.handle, value=""))
    return found


def variant_row_issues(group: RowGroup) -> list[Issue]:
    """Product cells on variant rows that disagree with the first row: ignored, so the seller is told."""
    first = group.rows[0]
    found = []
    for row in group.rows[1:]:
        if is_image_only(row):
            continue
        for column in PRODUCT_COLUMNS:
            if column in OPTION_NAME_COLUMNS:
                continue
            value = row.get(column).strip()
            if value and value != first.get(column).strip():
                found.append(issue("structure.product_cells_ignored", row=row.number, column=column,
                                   product=group.handle, value=value[:120], first_row=first.number))
    return found


def option_issues(group: RowGroup, product: Product) -> list[Issue]:
    """Options declared once, a value for each declared option, every combination once, ≤ 100 variants."""
    handle = product.handle
    names = product.option_names
    first = group.rows[0]
    found: list[Issue] = []

    def inconsistent(row: int, column: str, fr: str, en: str) -> None:
        found.append(issue("variants.options_inconsistent", row=row, column=column, product=handle,
                           value=group.rows[0].get(column) if column in first.cells else "",
                           problem_fr=fr, problem_en=en))

    for i, name in enumerate(names):
        if not name:
            inconsistent(first.number, OPTION_NAME_COLUMNS[i], f"Option{i + 1} Name est vide alors que "
                         f"Option{i + 2} Name est renseigné", f"Option{i + 1} Name is empty while a later "
                         "option is named")
    if len({n.lower() for n in names if n}) < len([n for n in names if n]):
        inconsistent(first.number, OPTION_NAME_COLUMNS[0], "deux options portent le même nom",
                     "two options have the same name")
    for row in group.rows[1:]:
        if is_image_only(row):
            continue
        for i, column in enumerate(OPTION_NAME_COLUMNS):
            value = row.get(column).strip()
            declared = names[i] if i < len(names) else ""
            if value and value != declared:
                inconsistent(row.number, column, f"« {value} » au lieu de « {declared} » déclaré ligne "
                             f"{first.number}", f"\"{value}\" instead of \"{declared}\" declared on row "
                             f"{first.number}")
    for variant in product.variants:
        for i, column in enumerate(OPTION_VALUE_COLUMNS):
            value = variant.options[i] if i < len(variant.options) else ""
            declared = names[i] if i < len(names) else ""
            if declared and not value:
                inconsistent(variant.row or first.number, column, f"l'option « {declared} » n'a pas de valeur",
                             f"option \"{declared}\" has no value")
            elif value and not declared:
                inconsistent(variant.row or first.number, column,
                             f"une valeur « {value} » sans nom d'option (Option{i + 1} Name)",
                             f"a value \"{value}\" without an option name (Option{i + 1} Name)")
    if len(names) > MAX_OPTIONS:
        found.append(issue("variants.too_many_options", row=first.number, product=handle, count=len(names)))
    if len(product.variants) > MAX_VARIANTS:
        found.append(issue("variants.too_many", row=first.number, product=handle, count=len(product.variants)))
    seen: dict[tuple[str, ...], int] = {}
    for variant in product.variants:
        key = tuple(v.lower() for v in variant.options[: max(len(names), 1)])
        if not any(key) and len(product.variants) == 1:
            continue
        if key in seen:
            shown = " / ".join(v for v in variant.options if v) or "(aucune / none)"
            found.append(issue("variants.duplicate", row=variant.row, column=OPTION_VALUE_COLUMNS[0], product=handle,
                               other_row=seen[key], options=shown, value=shown))
        else:
            seen[key] = variant.row or 0
    return found


def price_issues(product: Product) -> list[Issue]:
    found = []
    for variant in product.variants:
        if variant.price is not None and variant.compare_at_price is not None \
                and variant.compare_at_price <= variant.price:
            found.append(issue("price.compare_at", row=variant.row, column="Variant Compare At Price",
                               product=product.handle, value=str(variant.compare_at_price),
                               compare_at=variant.compare_at_price, price=variant.price))
    return found


def collection_issues(product: Product) -> list[Issue]:
    if not product.collection:
        return []
    return [issue("structure.collection_not_empty", row=product.first_row, column="Collection",
                  product=product.handle, value=product.collection)]


MAX_TAG_LENGTH = 40


def normalise_tags(tags: str) -> str:
    """Tags as the marketplace wants them: trimmed, no empty ones, no space after commas."""
    return ",".join(t.strip() for t in tags.split(",") if t.strip())


def tag_issues(product: Product) -> list[Issue]:
    """`tags.format` (fixable) and `taxonomy.tag_mismatch` (Type missing from the tags)."""
    found: list[Issue] = []
    raw = product.tags
    if not raw.strip():
        return found
    parts = raw.split(",")
    fr: list[str] = []
    en: list[str] = []
    if any(p != p.strip() for p in parts):
        fr.append("espaces autour des virgules")
        en.append("spaces around commas")
    if any(not p.strip() for p in parts):
        fr.append("tags vides")
        en.append("empty tags")
    long = [p.strip() for p in parts if len(p.strip()) > MAX_TAG_LENGTH]
    if long:
        fr.append(f"tag de plus de {MAX_TAG_LENGTH} caractères ({long[0][:50]})")
        en.append(f"tag over {MAX_TAG_LENGTH} characters ({long[0][:50]})")
    if fr:
        found.append(issue("tags.format", row=product.first_row, column="Tags", product=product.handle,
                           value=raw[:200], problems_fr=", ".join(fr), problems_en=", ".join(en),
                           fixed=normalise_tags(raw)[:200]))
    if product.type and product.type not in product.tag_list:
        found.append(issue("taxonomy.tag_mismatch", row=product.first_row, column="Tags", product=product.handle,
                           value=raw[:200], type=product.type, suggestions=[normalise_tags(raw + "," + product.type)]))
    return found


def sku_issues(products: list[Product], catalog_skus: dict[str, str]) -> list[Issue]:
    """Missing SKUs (warning) and SKUs used twice in the file or by another product of the seller's catalog.

    A product of the file replaces its catalog version, so a SKU the catalog gives to a product that
    the file also sends is free: two products may swap SKUs in one file.
    """
    in_file = {p.handle for p in products}
    found: list[Issue] = []
    first_use: dict[str, tuple[str, int | None]] = {}
    for product in products:
        for variant in product.variants:
            sku = variant.sku
            if not sku:
                found.append(issue("sku.missing", row=variant.row, column="Variant SKU", product=product.handle))
                continue
            if sku in first_use:
                other_handle, other_row = first_use[sku]
                found.append(issue("sku.duplicate", row=variant.row, column="Variant SKU", product=product.handle,
                                   value=sku, where_fr=f"dans ce fichier (ligne {other_row}, « {other_handle} »)",
                                   where_en=f"in this file (row {other_row}, \"{other_handle}\")"))
                continue
            first_use[sku] = (product.handle, variant.row)
            owner = catalog_skus.get(sku)
            if owner is not None and owner != product.handle and owner not in in_file:
                found.append(issue("sku.duplicate", row=variant.row, column="Variant SKU", product=product.handle,
                                   value=sku, where_fr=f"dans votre catalogue par le produit « {owner} »",
                                   where_en=f"in your catalog by product \"{owner}\""))
    return found
