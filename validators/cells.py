"""The tabular contract: what each non-empty cell of a column must look like.

Each `CellRule` pairs a predicate with the catalog code it raises; the pandera
schema is built from them, so a file kind's contract is one table of rules.
Whether a cell may be empty depends on the row (first row, variant row,
image-only row) and is decided by the product checks, not here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from catalog.domain.iso import country_codes
from catalog.domain.issues import Issue
from catalog.domain.location import Location
from catalog.domain.rules import issue

if TYPE_CHECKING:
    import pandas as pd

# Numbers are judged on their text, bounded, before any int() or Decimal(): a 5,000-digit "quantity" is no
# number a seller means, and past 4,300 digits int() raises. The bounds are what the store keeps: a price in
# its 40-character Money column (the feed's `g:price` has the same 12 digits), a whole number in an INTEGER.
PRICE_RE = re.compile(r"\d{1,12}(?:\.\d{1,2})?", re.ASCII)
HANDLE_RE = re.compile(r"[a-z0-9-]{1,255}")
INT_RE = re.compile(r"\d{1,10}", re.ASCII)
INT_MAX = 2**31 - 1  # PostgreSQL INTEGER


def is_whole(value: str, minimum: int = 0) -> bool:
    """A whole number the store can hold, written as digits only (spaces around aside), at least `minimum`."""
    value = value.strip()
    return INT_RE.fullmatch(value) is not None and minimum <= int(value) <= INT_MAX
BOOLEANS = {"true", "false"}
POLICIES = {"deny", "continue"}


def parse_price(value: str) -> Decimal | None:
    """A price as the spec writes it (`49.90`), or None."""
    value = value.strip()
    return Decimal(value) if PRICE_RE.fullmatch(value) else None


def price_suggestion(value: str) -> str | None:
    """The dot-decimal price a seller most likely meant (`49,90` → `49.90`), or None."""
    cleaned = value.strip().replace("\u00a0", "").replace(" ", "").replace("€", "").replace("EUR", "")
    if re.fullmatch(r"\d+,\d{1,2}", cleaned):
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"\d{1,12}(\.\d+)?", cleaned, re.ASCII):  # no NaN, exponents or absurd amounts
        return None
    amount = Decimal(cleaned)
    return f"{amount.quantize(Decimal('0.01'))}" if amount > 0 else None


def handle_suggestion(value: str) -> str:
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode().lower()
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9]+", "-", text)).strip("-")[:255] or "mon-produit"


def _barcode_reason(value: str) -> tuple[str, str] | None:
    from stdnum import ean

    digits = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?[eE]\+\d+", digits):
        return "écrit en notation scientifique par le tableur", "written in scientific notation by the spreadsheet"
    if not digits.isdigit():
        return "il ne doit contenir que des chiffres", "it must hold digits only"
    if len(digits) not in (8, 12, 13, 14):
        return (f"{len(digits)} chiffres au lieu de 8, 12, 13 ou 14",
                f"{len(digits)} digits instead of 8, 12, 13 or 14")
    if not ean.is_valid(digits):
        return "la clé de contrôle est fausse", "the check digit is wrong"
    return None


def _country_hint(value: str) -> tuple[str, str]:
    import pycountry

    try:
        match = pycountry.countries.lookup(value.strip())
    except LookupError:
        return "", ""
    return f" (« {match.alpha_2} » pour {value.strip()})", f" (\"{match.alpha_2}\" for {value.strip()})"


@dataclass(frozen=True, slots=True)
class CellRule:
    code: str
    ok: Callable[[str], bool]
    params: Callable[[str], dict[str, Any]] = lambda value: {}
    suggest: Callable[[str], list[str]] = lambda value: []

    def issue(self, value: str, *, row: int | None = None, column: str | None = None, product: str | None,
              at: Location | None = None) -> Issue:
        """The issue of a failing cell, at its row and column (or at `at`, for an input without cells)."""
        return issue(self.code, at=at, row=row, column=column, product=product, value=value,
                     suggestions=self.suggest(value), **self.params(value))


def _price_rules() -> list[CellRule]:
    def params(value: str) -> dict[str, Any]:
        return {"example": price_suggestion(value) or "49.90"}

    def suggest(value: str) -> list[str]:
        fixed = price_suggestion(value)
        return [fixed] if fixed else []

    return [CellRule("price.format", lambda v: PRICE_RE.fullmatch(v.strip()) is not None, params, suggest)]


_BOOL = CellRule("boolean.invalid", lambda v: v.strip().lower() in BOOLEANS,
                 suggest=lambda v: [v.strip().upper()] if v.strip().lower() in BOOLEANS else [])

FULL_CELL_RULES: dict[str, list[CellRule]] = {
    "Handle": [CellRule("handle.format", lambda v: HANDLE_RE.fullmatch(v) is not None,
                        lambda v: {"suggestion": handle_suggestion(v)}, lambda v: [handle_suggestion(v)])],
    "Variant Price": [
        *_price_rules(),
        CellRule("price.not_positive", lambda v: (p := parse_price(v)) is None or p > 0),
    ],
    "Variant Compare At Price": _price_rules(),
    "Variant Inventory Qty": [CellRule("quantity.invalid", is_whole)],
    "Variant Minimum Quantity": [
        CellRule("quantity.minimum", lambda v: is_whole(v, 1)),
    ],
    "Variant Grams": [CellRule("weight.invalid", is_whole)],
    "Variant Inventory Policy": [CellRule("inventory_policy.invalid", lambda v: v.strip().lower() in POLICIES)],
    "Variant Requires Shipping": [_BOOL],
    "Variant Taxable": [_BOOL],
    "Variant Barcode": [CellRule(
        "barcode.invalid", lambda v: _barcode_reason(v) is None,
        lambda v: dict(zip(("reason_fr", "reason_en"), _barcode_reason(v) or ("", ""), strict=True)))],
    "Country of Origin": [CellRule(
        "country.invalid", lambda v: v.strip() in country_codes(),
        lambda v: dict(zip(("hint_fr", "hint_en"), _country_hint(v), strict=True)))],
}

def first_cell_issue(rules: Sequence[CellRule], value: str, *, at: Location, product: str | None) -> Issue | None:
    """The issue of the first rule a non-empty cell fails, as the tabular contract reports it; None if it passes.

    For an input checked row by row without the pandera table (the bulk file's few columns).
    """
    failed = next((rule for rule in rules if not rule.ok(value)), None)
    return None if failed is None else failed.issue(value, at=at, product=product)


def _schema(rules: dict[str, list[CellRule]]) -> Any:
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {
            column: pa.Column(object, nullable=True, required=False, checks=[
                pa.Check(rule.ok, element_wise=True, ignore_na=True, name=rule.code) for rule in column_rules
            ])
            for column, column_rules in rules.items()
        },
        strict=False,
    )


@cache
def full_schema() -> Any:
    return _schema(FULL_CELL_RULES)


def cell_issues(
    frame: pd.DataFrame,
    rules: dict[str, list[CellRule]],
    schema: Any,
    *,
    row_numbers: list[int],
    products: list[str | None],
) -> list[Issue]:
    """Validate `frame` (empty cells as None) with pandera; one issue per failing cell.

    Only the first failing rule of a cell is reported: `price.not_positive` on
    a value that is not even a price would say nothing new.
    """
    import pandera.pandas as pa

    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return []
    by_code = {(column, rule.code): rule for column, column_rules in rules.items() for rule in column_rules}
    order = {key: i for i, key in enumerate(by_code)}
    seen: set[tuple[int, str]] = set()
    found: list[tuple[int, int, Issue]] = []
    records: Iterable[tuple[Any, ...]] = cases[["column", "check", "failure_case", "index"]].itertuples(index=False)
    for column, check, value, index in sorted(records, key=lambda r: (r[3], order.get((r[0], r[1]), 0))):
        rule = by_code.get((column, check))
        if rule is None or index is None or (index, column) in seen:
            continue
        seen.add((index, column))
        found.append((index, order[(column, check)],
                      rule.issue(str(value), row=row_numbers[index], column=column, product=products[index])))
    return [item for _, _, item in sorted(found, key=lambda f: (f[0], f[1]))]


def warm_up() -> None:
    """Build the full schema and run it once on one row: pandera loads its checking machinery on first use."""
    full_cell_issues([(1, None, {})])


CellRecord = tuple[int, "str | None", dict[str, str]]  # spreadsheet row, Handle, cells of the checked columns


def full_cell_issues(records: Sequence[CellRecord]) -> list[Issue]:
    """The full CSV's cell contract over plain rows (picklable in and out, for a preloaded process)."""
    import pandas as pd

    if not records:
        return []
    columns = list(FULL_CELL_RULES)
    frame = pd.DataFrame(
        [[cells.get(c) if cells.get(c, "").strip() else None for c in columns] for _, _, cells in records],
        columns=columns, dtype=object,
    )
    return cell_issues(frame, FULL_CELL_RULES, full_schema(), row_numbers=[n for n, _, _ in records],
                       products=[handle for _, handle, _ in records])
