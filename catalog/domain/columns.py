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

# The two columns our annotated file adds (status, then every issue of the row); ignored when it comes back.
STATUS_COLUMN = "Statut"
ERRORS_COLUMN = "Erreurs"
REPORT_COLUMNS = (STATUS_COLUMN, ERRORS_COLUMN)
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

# The name each field of the product model has in a full CSV; rules name model fields, readers name them.
FULL_FIELD_NAMES: dict[str, str] = {
    "handle": "Handle", "title": "Title", "body_html": "Body (HTML)", "type": "Type", "tags": "Tags",
    "collection": "Collection", "currency": "Currency", "video_url": "Video URL", "policy": "Product Policy",
    "country": "Country of Origin", "seo_title": "SEO Title", "seo_description": "SEO Description",
    **{f"option{i}_name": f"Option{i} Name" for i in (1, 2, 3)},
    **{f"option{i}_value": f"Option{i} Value" for i in (1, 2, 3)},
    "sku": "Variant SKU", "barcode": "Variant Barcode", "grams": "Variant Grams",
    "inventory_qty": "Variant Inventory Qty", "inventory_policy": "Variant Inventory Policy",
    "minimum_qty": "Variant Minimum Quantity", "price": "Variant Price", "compare_at_price": "Variant Compare At Price",
    "requires_shipping": "Variant Requires Shipping", "taxable": "Variant Taxable", "image": "Variant Image",
    "src": "Image Src", "alt": "Image Alt Text",
}

# The feed field each model field comes from (xml-feed.md's mapping table).
FEED_FIELD_NAMES: dict[str, str] = {
    "handle": "g:item_group_id", "title": "title", "body_html": "description", "type": "g:product_type",
    "tags": "g:product_type", "currency": "g:price", "sku": "g:id", "barcode": "g:gtin", "grams": "g:shipping_weight",
    "inventory_qty": "g:quantity", "inventory_policy": "g:availability", "price": "g:price",
    "compare_at_price": "g:price", "src": "g:image_link", "alt": "g:image_link",
    "option1_name": "g:color", "option2_name": "g:size", "option3_name": "g:material",
}

# The bulk file's columns; its rows are variants, so a bulk product's handle is the row's Variant ID.
BULK_FIELD_NAMES: dict[str, str] = {
    "handle": "Variant ID", "product_id": "Product ID", "title": "Product Title", "sku": "Variant SKU",
    "inventory_qty": "Variant Qty", "price": "Variant Price",
}

# Per input kind, so a product knows the names of its own fields.
FIELD_NAMES: dict[str, dict[str, str]] = {"full": FULL_FIELD_NAMES, "feed": FEED_FIELD_NAMES, "bulk": BULK_FIELD_NAMES}
