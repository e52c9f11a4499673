"""The columns of each file kind, exactly in the order the spec fixes."""

from __future__ import annotations

FULL_COLUMNS: tuple[str, ...] = (
    "Handle", "Title", "Body (HTML)", "Type", "Tags", "Collection",
    "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "Option3 Name", "Option3 Value",
    "Variant SKU", "Variant Barcode", "Variant Grams", "Variant Inventory Qty", "Variant Inventory Policy",
    "Variant Minimum Quantity", "Variant Price", "Variant Compare At Price", "Currency",
    "Variant Requires Shipping", "Variant Taxable", "Image Src", "Image Alt Text", "Variant Image",
    "Video URL", "Product Policy", "Country of Origin", "SEO Title", "SEO Description",
)

BULK_COLUMNS: tuple[str, ...] = (
    "Product ID", "Variant ID", "Product Title", "Variant SKU", "Variant Qty", "Variant Price",
)

FULL_MAX_ROWS = 500
BULK_MAX_ROWS = 2000

OPTION_NAME_COLUMNS = ("Option1 Name", "Option2 Name", "Option3 Name")
OPTION_VALUE_COLUMNS = ("Option1 Value", "Option2 Value", "Option3 Value")

PRODUCT_COLUMNS: tuple[str, ...] = (
    "Title", "Body (HTML)", "Type", "Tags", "Collection", *OPTION_NAME_COLUMNS, "Currency",
    "Video URL", "Product Policy", "Country of Origin", "SEO Title", "SEO Description",
)
VARIANT_COLUMNS: tuple[str, ...] = (
    *OPTION_VALUE_COLUMNS, "Variant SKU", "Variant Barcode", "Variant Grams", "Variant Inventory Qty",
    "Variant Inventory Policy", "Variant Minimum Quantity", "Variant Price", "Variant Compare At Price",
    "Variant Requires Shipping", "Variant Taxable", "Variant Image",
)

REQUIRED_PRODUCT_COLUMNS = ("Title", "Body (HTML)", "Type", "Tags")
REQUIRED_VARIANT_COLUMNS = ("Variant Inventory Qty", "Variant Minimum Quantity", "Variant Price")

# Text fields: where contact details, invisible characters and mojibake are looked for.
FULL_TEXT_COLUMNS: tuple[str, ...] = (
    "Title", "Body (HTML)", "Tags", *OPTION_NAME_COLUMNS, *OPTION_VALUE_COLUMNS,
    "Image Alt Text", "Product Policy", "SEO Title", "SEO Description",
)
