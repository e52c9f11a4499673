"""File-level checks: each defect a seller's spreadsheet produces, and a clean read of a good file."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from catalog.domain.columns import BULK_COLUMNS, FULL_COLUMNS
from catalog.domain.errors import CatalogError
from catalog.readers.csv_table import parse_table, read_table

HEADER = ",".join(FULL_COLUMNS)


def csv_bytes(rows: list[list[str]], header: list[str] | tuple[str, ...] = FULL_COLUMNS, sep: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def row(handle: str = "perceuse-18v", **cells: str) -> list[str]:
    values = dict.fromkeys(FULL_COLUMNS, "")
    values["Handle"] = handle
    values.update({k.replace("_", " "): v for k, v in cells.items()})
    return [values[c] for c in FULL_COLUMNS]


def codes(data: bytes, name: str = "catalogue.csv") -> list[str]:
    return [i.code for i in parse_table(data, name=name).issues]


def test_good_file_reads_with_spreadsheet_row_numbers():
    body = "Une perceuse.\nDeux lignes dans la cellule,\navec une virgule et des \"guillemets\"."
    first = row(Title="Perceuse")
    first[FULL_COLUMNS.index("Body (HTML)")] = body
    data = csv_bytes([first, row(), row("autre")])
    result = parse_table(data, name="catalogue.csv")
    assert result.issues == []
    assert result.table.rows[0][1][FULL_COLUMNS.index("Body (HTML)")] == body
    assert result.kind == "full"
    assert [n for n, _ in result.table.rows] == [2, 3, 4]
    assert result.table.rows[0][1][FULL_COLUMNS.index("Title")] == "Perceuse"


def test_multiline_cells_do_not_shift_row_numbers():
    body = "ligne 1\nligne 2\nligne 3"
    values = row(Title="A")
    values[2] = body
    data = csv_bytes([values, row("deux"), row("trois")])
    assert [n for n, _ in parse_table(data, name="c.csv").table.rows] == [2, 3, 4]


def test_utf8_bom_is_accepted_and_dropped():
    result = parse_table(b"\xef\xbb\xbf" + csv_bytes([row()]), name="c.csv")
    assert result.issues == [] and result.table.had_bom
    assert result.table.header[0] == "Handle"


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", HEADER.encode() + b"\r\n"])
def test_empty_file_or_header_only(data):
    assert codes(data) == ["file.empty"]


def test_blank_rows_are_not_products_but_keep_numbering():
    data = csv_bytes([row(), [""] * len(FULL_COLUMNS), row("autre")])
    assert [n for n, _ in parse_table(data, name="c.csv").table.rows] == [2, 4]


def test_too_large_is_refused_before_reading(tmp_path: Path):
    path = tmp_path / "gros.csv"
    path.write_bytes(csv_bytes([row()] * 50))
    result = read_table(path, max_bytes=1000)
    assert [i.code for i in result.issues] == ["file.too_large"]


def test_missing_file_cannot_run(tmp_path: Path):
    with pytest.raises(CatalogError, match="no such file"):
        read_table(tmp_path / "absent.csv", max_bytes=10_000)


def test_excel_workbook_is_named():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    result = parse_table(buffer.getvalue(), name="catalogue.csv")
    assert [i.code for i in result.issues] == ["file.not_csv"]
    assert "Excel" in result.issues[0].message.fr and "CSV UTF-8" in result.issues[0].fix.fr


@pytest.mark.parametrize("magic", [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, b"%PDF-1.7\n", b"ab\0cd" * 10])
def test_other_binaries_are_not_csv(magic):
    assert codes(magic) == ["file.not_csv"]


def test_wrong_extension_is_not_csv():
    found = parse_table(csv_bytes([row()]), name="catalogue.xlsx").issues
    assert [i.code for i in found] == ["file.not_csv"] and ".xlsx" in found[0].message.fr


def test_windows_1252_is_named_with_the_first_bad_row():
    rows = [row(Title="Perceuse"), row("b", Title="Chaise"), row("c", Title="Fauteuil en cuir vieilli, très élégant")]
    data = csv_bytes(rows).decode("utf-8").encode("cp1252")
    [found] = parse_table(data, name="c.csv").issues
    assert found.code == "encoding.not_utf8"
    assert "ligne 4" in found.message.fr
    assert "1252" in found.message.fr or "8859" in found.message.fr


def test_utf16_excel_unicode_text_is_an_encoding_error():
    data = csv_bytes([row()]).decode("utf-8").encode("utf-16")
    [found] = parse_table(data, name="c.csv").issues
    assert found.code == "encoding.not_utf8" and "UTF-16" in found.message.fr


@pytest.mark.parametrize(("sep", "word"), [(";", "points-virgules"), ("\t", "tabulations")])
def test_semicolon_and_tab_separators(sep, word):
    [found] = parse_table(csv_bytes([row()], sep=sep), name="c.csv").issues
    assert found.code == "structure.delimiter" and word in found.message.fr


def test_commas_inside_quoted_header_do_not_fool_the_separator_check():
    assert codes(csv_bytes([row()])) == []


def test_reordered_columns_say_the_first_position_that_differs():
    header = list(FULL_COLUMNS)
    header[3], header[4] = header[4], header[3]
    [found] = parse_table(csv_bytes([row()], header=header), name="c.csv").issues
    assert found.code == "structure.columns"
    assert "position 4" in found.message.fr and "« Type »" in found.message.fr and "« Tags »" in found.message.fr
    assert any("ordre" in s for s in found.suggestions)


def test_missing_and_renamed_columns_are_listed():
    header = [c for c in FULL_COLUMNS if c != "Video URL"]
    header[1] = "Titre"
    [found] = parse_table(csv_bytes([row()[:-1]], header=header), name="c.csv").issues
    assert found.code == "structure.columns"
    assert any("Video URL" in s and "Title" in s for s in found.suggestions)
    assert any("Titre" in s for s in found.suggestions)


def test_trailing_empty_columns_are_blank_headers():
    header = [*FULL_COLUMNS, "", ""]
    found = parse_table(csv_bytes([[*row(), "", ""]], header=header), name="c.csv").issues
    assert [i.code for i in found] == ["structure.blank_header", "structure.blank_header"]
    assert "32" in found[0].message.fr


def test_duplicate_header():
    header = list(FULL_COLUMNS)
    header[5] = "Tags"
    found = parse_table(csv_bytes([row()], header=header), name="c.csv").issues
    assert [i.code for i in found] == ["structure.duplicate_header"]
    assert "5, 6" in found[0].message.fr


def test_unclosed_quote_names_the_row():
    good = csv_bytes([row(), row("b")]).decode()
    data = (good + 'c,"Titre jamais fermé,' + "," * 29 + "\r\n").encode()
    [found] = parse_table(data, name="c.csv").issues
    assert found.code == "structure.malformed" and "ligne 4" in found.message.fr


def test_too_many_rows_suggests_a_cut_between_products():
    rows = [row(f"p{i // 3}") for i in range(501)]
    [found] = parse_table(csv_bytes(rows), name="c.csv").issues
    assert found.code == "structure.too_many_rows"
    # rows 2..502; products of 3 rows: row 500 starts product p166 (rows 500-502): cut before it
    assert "ligne 499" in found.fix.fr and "ligne 500" in found.fix.fr


def test_500_rows_is_the_limit_not_an_error():
    assert codes(csv_bytes([row(f"p{i}") for i in range(500)])) == []


def test_bulk_header_is_detected():
    data = csv_bytes([["1", "2", "Titre", "SKU", "3", "9.90"]], header=BULK_COLUMNS)
    result = parse_table(data, name="seller_products_quantity_and_price.csv")
    assert result.kind == "bulk" and result.issues == []


def test_forced_kind_reports_the_header_difference():
    data = csv_bytes([["1", "2", "Titre", "SKU", "3", "9.90"]], header=BULK_COLUMNS)
    assert codes(data) == []
    assert [i.code for i in parse_table(data, name="c.csv", kind="full").issues] == ["structure.columns"]


def test_the_annotated_files_formula_guard_is_dropped_on_the_way_back():
    data = csv_bytes([row(Title="'=HYPERLINK(x)", Tags="'- tiret", Collection="'quote'", Body_="'@")])
    cells = parse_table(data, name="c.csv").table.rows[0][1]
    assert cells[FULL_COLUMNS.index("Title")] == "=HYPERLINK(x)"
    assert cells[FULL_COLUMNS.index("Tags")] == "- tiret"
    assert cells[FULL_COLUMNS.index("Collection")] == "'quote'"


def test_a_very_long_cell_is_read_not_mistaken_for_a_quoting_error():
    long_body = "Une très longue description. " * 7000  # about 200 KB, over the csv module's default limit
    values = row(Title="Perceuse")
    values[FULL_COLUMNS.index("Body (HTML)")] = long_body
    result = parse_table(csv_bytes([values]), name="c.csv")
    assert result.issues == []
    assert result.table.rows[0][1][FULL_COLUMNS.index("Body (HTML)")] == long_body


def test_a_stray_quote_is_explained():
    data = csv_bytes([row()]).decode() + 'b,"Titre" en trop' + "," * 29 + "\r\n"
    [found] = parse_table(data.encode(), name="c.csv").issues
    assert found.code == "structure.malformed" and "guillemet fermant" in found.message.fr


def test_invisible_differences_in_the_header_are_shown():
    header = list(FULL_COLUMNS)
    header[4] = "\ufeffTags"
    header[5] = "Collection "
    [found] = parse_table(csv_bytes([row()], header=header), name="c.csv").issues
    assert "<U+FEFF>Tags" in found.message.fr


# ---- French spreadsheet defaults, in one pass ------------------------------------------------------


def excel_fr(rows: list[list[str]], header: list[str] | tuple[str, ...] = FULL_COLUMNS) -> bytes:
    """What French Excel's « CSV (séparateur : point-virgule) » writes: `;` and Windows-1252."""
    return csv_bytes(rows, header=header, sep=";").decode("utf-8").encode("cp1252")


def test_french_excel_gets_encoding_and_separator_in_one_report_and_a_table():
    rows = [row(Title="Perceuse 18V – 129 €"), row("b", Title="Chaise l’œuvre", Variant_Price="49,90")]
    result = parse_table(excel_fr(rows), name="c.csv")
    assert [i.code for i in result.issues] == ["encoding.not_utf8", "structure.delimiter"]
    encoding, separator = result.issues
    assert "Windows-1252" in encoding.message.fr and "ISO-8859-1" not in encoding.message.fr
    assert "ligne 2" in encoding.message.fr
    assert "points-virgules" in separator.message.fr
    assert result.table is not None and result.table.delimiter == ";" and result.table.encoding == "cp1252"
    assert [cells[1] for _, cells in result.table.rows] == ["Perceuse 18V – 129 €", "Chaise l’œuvre"]
    assert result.table.rows[1][1][FULL_COLUMNS.index("Variant Price")] == "49,90"


def test_latin1_and_windows_1252_read_alike_without_the_bytes_only_windows_1252_has():
    data = csv_bytes([row(Title="Fauteuil très élégant")]).decode("utf-8").encode("latin-1")
    [found] = parse_table(data, name="c.csv").issues
    assert "Windows-1252 (ou ISO-8859-1" in found.message.fr


def test_old_mac_roman_is_named_as_such():
    data = csv_bytes([row(Title="Fauteuil très élégant, façon cuir")]).decode("utf-8").encode("mac_roman")
    result = parse_table(data, name="c.csv")
    [found] = result.issues
    assert "Mac Roman" in found.message.fr
    assert result.table is not None and result.table.rows[0][1][1] == "Fauteuil très élégant, façon cuir"


def test_the_encoding_fix_is_true_for_french_excel():
    [encoding] = parse_table(csv_bytes([row(Title="é")]).decode().encode("cp1252"), name="c.csv").issues
    [separator] = parse_table(csv_bytes([row()], sep=";"), name="c.csv").issues
    assert "CSV UTF-8 (délimité par des virgules)" in encoding.fix.fr
    # French Excel's « CSV UTF-8 (délimité par des virgules) » still writes semicolons: the fix says so.
    assert "même avec « CSV UTF-8 (délimité par des virgules) »" in separator.fix.fr
    assert "Google Sheets" in separator.fix.fr and "copie convertie" in separator.fix.fr
    assert "even with \"CSV UTF-8 (comma delimited)\"" in separator.fix.en


def test_utf8_with_bom_and_semicolons_is_the_separator_only():
    data = b"\xef\xbb\xbf" + csv_bytes([row(Title="Perceuse été")], sep=";")
    result = parse_table(data, name="c.csv")
    assert [i.code for i in result.issues] == ["structure.delimiter"]
    assert result.table is not None and result.table.rows[0][1][1] == "Perceuse été"


@pytest.mark.parametrize(("slip", "shown"), [("handle", "« handle » → « Handle »"),
                                             ("Title ", "« Title␣ » → « Title »"),
                                             ("VARIANT  PRICE", "« VARIANT  PRICE » → « Variant Price »")])
def test_header_slips_are_named_as_such(slip: str, shown: str):
    header = list(FULL_COLUMNS)
    target = {"handle": 0, "Title ": 1, "VARIANT  PRICE": FULL_COLUMNS.index("Variant Price")}[slip]
    header[target] = slip
    result = parse_table(csv_bytes([row()], header=header), name="c.csv")
    [found] = result.issues
    assert found.code == "structure.header_slip" and shown in found.message.fr
    assert "1 nom de colonne diffère" in found.message.fr
    assert result.table is not None and result.table.template_header == list(FULL_COLUMNS)


def test_a_whole_header_in_lowercase_is_one_slip_issue_not_31_missing_and_31_extra():
    header = [c.lower() + " " for c in FULL_COLUMNS]
    [found] = parse_table(csv_bytes([row()], header=header), name="c.csv").issues
    assert found.code == "structure.header_slip"
    assert "31 noms de colonnes diffèrent" in found.message.fr and "(+25)" in found.message.fr
    assert "manquantes" not in " ".join(found.suggestions)


def test_a_slip_beside_a_missing_column_says_both_once():
    header = [c for c in FULL_COLUMNS if c != "Video URL"]
    header[0] = "HANDLE"
    found = parse_table(csv_bytes([row()[:-1]], header=header), name="c.csv").issues
    assert [i.code for i in found] == ["structure.header_slip", "structure.columns"]
    assert any("Video URL" in s for s in found[1].suggestions)
    assert not any("HANDLE" in s or "Handle," in s for s in found[1].suggestions)


def test_old_mac_line_endings_are_read_with_the_right_rows():
    text = csv_bytes([row(Title="A"), row("b", Title="B", Body_="x"), row("c", Title='"C"')]).decode()
    data = text.replace("\r\n", "\r").encode()
    result = parse_table(data, name="c.csv")
    assert result.issues == []
    assert result.table is not None and [n for n, _ in result.table.rows] == [2, 3, 4]
    assert result.table.rows[2][1][1] == '"C"'


def test_old_mac_line_endings_with_a_bad_byte_name_its_row():
    text = csv_bytes([row(Title="A"), row("b", Title="B"), row("c", Title="Clé")]).decode()
    data = text.replace("\r\n", "\r").encode("cp1252")
    [found] = parse_table(data, name="c.csv").issues
    assert found.code == "encoding.not_utf8" and "ligne 4" in found.message.fr


def test_our_report_columns_are_ignored_when_the_annotated_file_comes_back():
    header = [*FULL_COLUMNS, "Statut", "Erreurs"]
    data = csv_bytes([[*row(Title="Perceuse"), "Refusé", "[contact.phone] Body (HTML): …"]], header=header)
    result = parse_table(data, name="c.annote.csv")
    assert [(i.code, str(i.severity)) for i in result.issues] == [("structure.report_columns", "info")]
    assert result.table is not None and result.table.header == list(FULL_COLUMNS)
    assert result.table.rows[0][1] == row(Title="Perceuse")
