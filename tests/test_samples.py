"""The sample files: generated deterministically, and the valid one really valid."""

from __future__ import annotations

import csv
import importlib.util
import io
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image
from rapidfuzz import fuzz
from stdnum import ean

from catalog.domain.columns import FULL_COLUMNS, FULL_TEXT_COLUMNS
from catalog.domain.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GENERATED = ("template.csv", "catalogue-valide.csv", "catalogue-exemple.csv", "catalogue-exemple.expected.json",
             "sellers.yaml")
IMAGE_BASE = "https://images.atelier-dupont.example/produits/"
HANDLE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
PRICE = re.compile(r"\d+\.\d{2}")


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = [dict(zip(header, cells, strict=True)) for cells in reader]
    return header, rows


def products(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        grouped.setdefault(row["Handle"], []).append(row)
    return grouped


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def assignable_collections(path: Path) -> set[str]:
    """Level-3 nodes, and level-1/2 nodes without children."""
    paths: list[tuple[str, ...]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\d+ - (.+)$", line)
        if match:
            paths.append(tuple(part.strip() for part in match.group(1).split(" > ")))
    parents = {p[:i] for p in paths for i in range(1, len(p))}
    return {p[-1] for p in paths if len(p) == 3 or (len(p) < 3 and p not in parents)}


@pytest.fixture(scope="module")
def valid() -> list[dict[str, str]]:
    header, rows = read_csv(SAMPLES / "catalogue-valide.csv")
    assert tuple(header) == FULL_COLUMNS
    return rows


@pytest.fixture(scope="module")
def first_rows(valid: list[dict[str, str]]) -> list[dict[str, str]]:
    return [rows[0] for rows in products(valid).values()]


def load_images_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sample_images", SAMPLES / "images.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---- generator -------------------------------------------------------------


def test_generator_rewrites_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(SAMPLES / "make_samples.py"), "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    for name in GENERATED:
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), (
            f"samples/{name} is out of date: run python samples/make_samples.py")


def test_generator_writes_demo_images_for_every_image_url(tmp_path: Path) -> None:
    images = tmp_path / "img"
    result = subprocess.run([sys.executable, str(SAMPLES / "make_samples.py"), "--out", str(tmp_path / "out"),
                             "--images", str(images)], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    _, rows = read_csv(tmp_path / "out" / "catalogue-valide.csv")
    urls = {row[c] for row in rows for c in ("Image Src", "Variant Image") if row[c]}
    assert urls
    for url in urls:
        path = images / "produits" / url.removeprefix(IMAGE_BASE)
        with Image.open(path) as picture:
            assert picture.format == ("PNG" if url.endswith(".png") else "JPEG")
            assert picture.size == (400, 400)


def test_template_is_the_header_alone() -> None:
    data = (SAMPLES / "template.csv").read_bytes()
    assert data == (",".join(FULL_COLUMNS) + "\r\n").encode("utf-8")


# ---- the valid file ----------------------------------------------------------


def test_valid_file_has_500_rows_and_the_31_columns(valid: list[dict[str, str]]) -> None:
    assert len(valid) == 500
    raw = (SAMPLES / "catalogue-valide.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert all(len(cells) == 31 for cells in rows)
    assert any("\n" in cell for cells in rows for cell in cells), "multi-line cells are expected"


def test_valid_file_mixes_product_shapes(valid: list[dict[str, str]]) -> None:
    grouped = products(valid)
    assert 150 <= len(grouped) <= 200
    singles = [rows for rows in grouped.values() if rows[0]["Option1 Name"] == "Title"]
    with_options = [rows for rows in grouped.values() if rows[0]["Option1 Name"] not in ("", "Title")]
    assert len(singles) > 50 and len(with_options) > 20
    assert any(rows[0]["Option3 Name"] for rows in with_options)
    assert any(row["Variant Image"] for row in valid)
    assert any(row["Video URL"] for row in valid)
    image_only = [row for row in valid if row["Image Src"] and not row["Title"] and not row["Variant Price"]]
    assert len(image_only) > 20
    for row in image_only:
        assert all(not row[c] for c in FULL_COLUMNS if c not in ("Handle", "Image Src", "Image Alt Text"))


def test_valid_handles_are_adjacent_and_well_formed(valid: list[dict[str, str]]) -> None:
    seen: list[str] = []
    for row in valid:
        if not seen or seen[-1] != row["Handle"]:
            assert row["Handle"] not in seen, f"{row['Handle']} split"
            seen.append(row["Handle"])
    assert all(HANDLE.fullmatch(handle) for handle in seen)


def test_valid_types_are_assignable_collections(first_rows: list[dict[str, str]], taxonomy_path: Path) -> None:
    assignable = assignable_collections(taxonomy_path)
    assert len(assignable) > 1000
    assert "Téléphonie" in assignable and "Housses pour téléphones mobiles" not in assignable
    assert "Outils" not in assignable
    used = {row["Type"] for row in first_rows}
    assert len(used) >= 12
    assert used <= assignable, used - assignable


def test_valid_tags_contain_the_type(first_rows: list[dict[str, str]]) -> None:
    for row in first_rows:
        tags = row["Tags"].split(",")
        assert row["Type"] in tags, row["Handle"]
        assert all(tag and tag == tag.strip() and len(tag) <= 40 for tag in tags), row["Handle"]
        assert row["Collection"] == ""


def test_valid_barcodes_and_skus(valid: list[dict[str, str]]) -> None:
    variants = [row for row in valid if row["Variant Price"]]
    barcodes = [row["Variant Barcode"] for row in variants if row["Variant Barcode"]]
    assert len(barcodes) > 100
    assert all(len(code) == 13 and ean.is_valid(code) for code in barcodes)
    assert len(set(barcodes)) == len(barcodes)
    skus = [row["Variant SKU"] for row in variants]
    assert all(skus) and len(set(skus)) == len(skus)


def test_valid_variant_cells(valid: list[dict[str, str]]) -> None:
    for handle, rows in products(valid).items():
        variants = [row for row in rows if row["Variant Price"]]
        assert 1 <= len(variants) <= 100
        combos = [(r["Option1 Value"], r["Option2 Value"], r["Option3 Value"]) for r in variants]
        assert len(set(combos)) == len(combos), handle
        names = [rows[0][f"Option{i} Name"] for i in (1, 2, 3)]
        for combo in combos:
            assert [bool(v) for v in combo] == [bool(n) for n in names], handle
        for row in variants:
            assert PRICE.fullmatch(row["Variant Price"]) and float(row["Variant Price"]) > 0
            if row["Variant Compare At Price"]:
                assert float(row["Variant Compare At Price"]) > float(row["Variant Price"])
            assert row["Variant Inventory Qty"].isdigit()
            assert row["Variant Minimum Quantity"].isdigit() and int(row["Variant Minimum Quantity"]) >= 1
            assert row["Variant Grams"].isdigit()
            assert row["Variant Inventory Policy"] in ("", "deny", "continue")
            assert row["Variant Requires Shipping"] in ("", "TRUE", "FALSE")
            assert row["Variant Taxable"] in ("", "TRUE", "FALSE")
        first = rows[0]
        assert first["Currency"] in ("", "EUR")
        assert first["Country of Origin"] == "" or re.fullmatch(r"[A-Z]{2}", first["Country of Origin"])
        assert first["Video URL"] == "" or first["Video URL"].startswith("https://www.youtube.com/watch?v=")


def test_valid_images(valid: list[dict[str, str]]) -> None:
    for handle, rows in products(valid).items():
        assert rows[0]["Image Src"], handle
        urls = [row[c] for row in rows for c in ("Image Src", "Variant Image") if row[c]]
        for url in urls:
            assert url.startswith(IMAGE_BASE + handle + "-") and url.endswith((".jpg", ".png")), url
        for row in rows:
            if row["Image Alt Text"]:
                assert row["Image Alt Text"] != rows[0]["Title"]
                assert not re.search(r"\d+[.,]\d{2}|€|\$", row["Image Alt Text"])


def test_valid_texts_follow_the_seo_rules(first_rows: list[dict[str, str]]) -> None:
    for row in first_rows:
        title = row["Title"]
        assert 0 < len(title) <= 150, title
        assert not re.search(r"[!%€$*]", title) and title != title.upper(), title
        text = text_of(row["Body (HTML)"])
        assert 500 <= len(text) <= 1500, (row["Handle"], len(text))
        assert text.endswith("."), row["Handle"]
        assert not re.search(r"<(img|script|iframe|object|embed|form)\b|\son\w+=", row["Body (HTML)"], re.I)
        assert len(row["SEO Title"]) <= 60 and len(row["SEO Description"]) <= 150
    assert any(not row["SEO Title"] for row in first_rows) and any(row["SEO Title"] for row in first_rows)


def test_valid_texts_hold_no_contact_details(valid: list[dict[str, str]]) -> None:
    phone = re.compile(r"(?:\+|00)\d{2}[\s.]?\d|\b0\d(?:[\s.-]?\d{2}){4}\b")
    domain = re.compile(r"\b[a-z0-9-]+\.(?:fr|com|net|org|eu|io|be|de)\b", re.I)
    for row in valid:
        for column in FULL_TEXT_COLUMNS:
            value = row[column]
            for needle in ("@", "http", "www.", "(at)", "[at]"):
                assert needle not in value.lower(), (row["Handle"], column, needle)
            assert not phone.search(value), (row["Handle"], column)
            assert not domain.search(value), (row["Handle"], column)
            assert not re.search("[\u200b-\u200f\u2060\ufeff\u00ad]|Ã.|â€", value), (row["Handle"], column)


def test_valid_products_are_not_near_duplicates(first_rows: list[dict[str, str]]) -> None:
    texts = [(row["Handle"], row["Title"] + " " + text_of(row["Body (HTML)"])) for row in first_rows]
    worst = max(((fuzz.ratio(a, b), h1, h2) for (h1, a), (h2, b) in itertools.combinations(texts, 2)))
    assert worst[0] < 90, worst


# ---- the example file and its expectations ----------------------------------

BRIEFED_CODES = {
    "structure.collection_not_empty", "field.required", "handle.format", "title.too_long", "seo.title_caps",
    "seo.title_symbols", "seo.description_short", "seo.description_punctuation", "seo.meta_title_long",
    "seo.meta_description_long", "description.image", "description.unsafe_html", "contact.email", "contact.phone",
    "contact.url", "text.invisible_chars", "text.mojibake", "language.not_french", "taxonomy.type_unknown",
    "taxonomy.type_not_leaf", "taxonomy.type_too_deep", "taxonomy.tag_mismatch", "tags.format", "price.format",
    "price.not_positive", "price.compare_at", "price.currency", "quantity.invalid", "quantity.minimum",
    "weight.invalid", "boolean.invalid", "inventory_policy.invalid", "barcode.invalid", "country.invalid",
    "sku.missing", "sku.duplicate", "variants.duplicate", "variants.options_inconsistent", "image.missing",
    "image.url", "image.not_https", "image.host_not_allowed", "image.extension", "video.url", "duplicate.exact",
    "duplicate.near", "structure.variants_split",
}


def test_example_file_and_its_expectations_agree() -> None:
    header, rows = read_csv(SAMPLES / "catalogue-exemple.csv")
    assert tuple(header) == FULL_COLUMNS and len(rows) == 500
    expected = json.loads((SAMPLES / "catalogue-exemple.expected.json").read_text(encoding="utf-8"))
    assert expected["rows"] == 500
    handles = {row["Handle"] for row in rows}
    planted: dict[str, list[str]] = {**expected["planted"], **expected["planted_online"]}
    assert set(planted) <= handles
    assert set(expected["clean"]) <= handles and set(expected["duplicate_originals"]) <= handles
    assert not set(expected["clean"]) & set(planted)
    codes = [code for found in planted.values() for code in found]
    assert set(codes) <= set(RULES), set(codes) - set(RULES)
    assert set(codes) >= BRIEFED_CODES, BRIEFED_CODES - set(codes)
    assert len(expected["clean"]) > len(planted), "good products should be the majority"
    assert codes.count("title.too_long") == 2 and codes.count("taxonomy.type_unknown") == 2


def test_example_planted_values_are_there() -> None:
    _, rows = read_csv(SAMPLES / "catalogue-exemple.csv")
    by_handle = products(rows)
    expected = json.loads((SAMPLES / "catalogue-exemple.expected.json").read_text(encoding="utf-8"))

    def first(code: str) -> dict[str, str]:
        handle = next(h for h, codes in expected["planted"].items() if code in codes)
        return by_handle[handle][0]

    assert first("price.format")["Variant Price"] == "49,90"
    assert first("taxonomy.type_too_deep")["Type"] == "Housses pour téléphones mobiles"
    assert "drive.google.com" in first("image.host_not_allowed")["Image Src"] or "dropbox" in first(
        "image.host_not_allowed")["Image Src"]
    assert len(first("title.too_long")["Title"]) > 150
    assert first("structure.collection_not_empty")["Collection"]
    assert not HANDLE.fullmatch(first("handle.format")["Handle"])
    assert "\u200b" in first("text.invisible_chars")["Title"]
    assert "Ã" in first("text.mojibake")["Body (HTML)"]


# ---- demo images ---------------------------------------------------------------


def test_demo_images_are_real_deterministic_pictures(tmp_path: Path) -> None:
    images = load_images_module()
    names = [("a", "a-1.jpg"), ("a", "a-2.png"), ("b", "b-1.jpg"), ("c", "c-1.jpg"), ("a", "a-1.jpg")]
    written = images.make_demo_images(tmp_path / "one", names, {"b-1.jpg": "tiny", "c-1.jpg": "gif"})
    again = images.make_demo_images(tmp_path / "two", names, {"b-1.jpg": "tiny", "c-1.jpg": "gif"})
    assert [p.name for p in written] == ["a-1.jpg", "a-2.png", "b-1.jpg", "c-1.jpg"]
    assert [p.read_bytes() for p in written] == [p.read_bytes() for p in again]
    found = {}
    for path in written:
        with Image.open(path) as picture:
            found[path.name] = (picture.format, picture.size)
    assert found == {"a-1.jpg": ("JPEG", (400, 400)), "a-2.png": ("PNG", (400, 400)),
                     "b-1.jpg": ("JPEG", (80, 80)), "c-1.jpg": ("GIF", (400, 400))}
    with pytest.raises(ValueError):
        images.make_demo_images(tmp_path, [("x", "../x.jpg")])
