"""The rows of a full CSV as products: grouping by Handle, the product model, and the rules about rows.

A full CSV product is one first row (product cells and its first variant),
further variant rows, and image-only rows, all with the same Handle and next
to each other. The rules here are the ones only rows have: row length, rows of
a Handle split apart, required cells of the first row and of variant rows,
product cells repeated on variant rows, option names that change between rows.
Everything else is checked on the product model, whatever the input.
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
from catalog.domain.report import Table
from catalog.domain.rules import issue
from validators.cells import FULL_CELL_RULES, INT_RE, CellRecord, parse_price
from validators.products import MAX_OPTIONS


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


def option_row_issues(group: RowGroup, product: Product) -> list[Issue]:
    """Option names written again on a variant row must be the ones the first row declares."""
    first = group.rows[0]
    names = product.option_names
    found: list[Issue] = []
    for row in group.rows[1:]:
        if is_image_only(row):
            continue
        for i, column in enumerate(OPTION_NAME_COLUMNS):
            value = row.get(column).strip()
            declared = names[i] if i < len(names) else ""
            if value and value != declared:
                found.append(issue(
                    "variants.options_inconsistent", row=row.number, column=column, product=product.handle,
                    value=first.get(column), problem_fr=f"« {value} » au lieu de « {declared} » déclaré ligne "
                    f"{first.number}", problem_en=f"\"{value}\" instead of \"{declared}\" declared on row "
                    f"{first.number}"))
    return found


def table_rows(table: Table) -> tuple[list[Row], list[Issue]]:
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


def cell_records(rows: list[Row], skip: set[int]) -> list[CellRecord]:
    """The cells the tabular contract checks, for every row whose length is right."""
    return [(r.number, r.get("Handle").strip() or None, {c: r.get(c) for c in FULL_CELL_RULES})
            for r in rows if r.number not in skip]
