"""Reading a seller's CSV safely: size, file type, encoding, separator, quoting, header.

Every problem becomes a file-level issue (the whole file is rejected, nothing
is staged); only conditions a command cannot run past (no such file) raise
`CatalogError`. Row numbers are the spreadsheet's: the header is row 1 and a
cell holding line breaks does not shift the rows after it.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from catalog.domain.columns import BULK_COLUMNS, BULK_MAX_ROWS, FULL_COLUMNS, FULL_MAX_ROWS, REPORT_COLUMNS
from catalog.domain.errors import CatalogError
from catalog.domain.issues import Issue
from catalog.domain.report import Table
from catalog.domain.rules import issue

UTF8_BOM = b"\xef\xbb\xbf"
_CSV_DEFAULT_FIELD_LIMIT = 131_072

# (magic prefix, French description, English description)
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"PK\x03\x04", "un classeur Excel (.xlsx), OpenDocument ou une archive zip",
     "an Excel workbook (.xlsx), OpenDocument file or zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "un classeur Excel 97-2003 (.xls)", "an Excel 97-2003 workbook (.xls)"),
    (b"%PDF", "un document PDF", "a PDF document"),
    (b"\x89PNG", "une image PNG", "a PNG image"),
    (b"\xff\xd8\xff", "une image JPEG", "a JPEG image"),
    (b"GIF8", "une image GIF", "a GIF image"),
    (b"\x1f\x8b", "une archive gzip", "a gzip archive"),
    (b"{\\rtf", "un document RTF", "an RTF document"),
)

_KIND_COLUMNS = {"full": FULL_COLUMNS, "bulk": BULK_COLUMNS}
_KIND_MAX_ROWS = {"full": FULL_MAX_ROWS, "bulk": BULK_MAX_ROWS}


@dataclass(slots=True)
class ReadResult:
    table: Table | None
    issues: list[Issue] = field(default_factory=list)
    kind: str = "full"


def _human_size(size: int) -> tuple[str, str]:
    """A byte count as a French and an English reader write it: `2,5 Mo` / `2.5 MB`."""
    if size >= 1024 * 1024:
        number, fr_unit, en_unit = f"{size / (1024 * 1024):.1f}", "Mo", "MB"
    else:
        number, fr_unit, en_unit = f"{size / 1024:.0f}", "Ko", "KB"
    return f"{number.replace('.', ',')} {fr_unit}", f"{number} {en_unit}"


def sniff_binary(data: bytes) -> tuple[str, str] | None:
    """What a non-text file is, in French and English, or None for text."""
    for magic, fr, en in _SIGNATURES:
        if data.startswith(magic):
            return fr, en
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 text: an encoding problem, reported as such
    if b"\x00" in data[:8192]:
        return "un fichier binaire", "a binary file"
    return None


def detect_kind(header: Sequence[str]) -> str:
    """Which file kind a header is closest to (the full CSV when in doubt)."""
    names = {h.strip().lower() for h in header}
    bulk = len(names & {c.lower() for c in BULK_COLUMNS})
    full = len(names & {c.lower() for c in FULL_COLUMNS})
    return "bulk" if bulk > full else "full"


# Bytes 0x80-0x9F are control codes in ISO-8859-1 (Latin-1) and printable in Windows-1252 (`€` 0x80,
# `’` 0x92, `œ` 0x9C, `…` 0x85): a file holding any of them was written as Windows-1252, the code page of
# French Excel. Mac Roman (old Mac Excel) puts its accented letters there too (`é` 0x8E).
_C1_BYTES = re.compile(rb"[\x80-\x9f]")
_FRENCH = frozenset("àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ€’‘“”«»…–—°²³µ")
_UTF16 = ("utf-16", "UTF-16 (« Texte Unicode » d'Excel)")


@dataclass(frozen=True, slots=True)
class LegacyText:
    """A file that is not UTF-8, decoded with the encoding it was written in (None when it cannot be told)."""

    codec: str | None
    name: str
    text: str | None


def _french_score(text: str) -> int:
    return sum(1 for ch in text if ch in _FRENCH) - 5 * sum(1 for ch in text if unicodedata.category(ch) == "Cc"
                                                           and ch not in "\r\n\t")


def decode_legacy(data: bytes) -> LegacyText:
    """Which encoding a file that is not UTF-8 was written in, and its text decoded with it.

    Windows-1252 when the file decodes as such (with a byte in 0x80-0x9F it cannot be Latin-1; without one
    the two read alike and Windows-1252 is what French Excel writes); Mac Roman when that reads as more
    French; UTF-16 from its byte-order mark; otherwise chardet's guess, decoded when Python knows it.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return LegacyText(_UTF16[0], _UTF16[1], data.decode("utf-16"))
        except UnicodeDecodeError:
            return LegacyText(None, _UTF16[1], None)
    candidates: list[tuple[int, str, str, str]] = []
    for codec, name in (("cp1252", "Windows-1252"), ("mac_roman", "Mac Roman (ancien Excel pour Mac)")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        candidates.append((_french_score(text), codec, name, text))
    if candidates:
        _, codec, name, text = max(candidates, key=lambda c: (c[0], c[1] == "cp1252"))
        if codec == "cp1252" and not _C1_BYTES.search(data):
            name = "Windows-1252 (ou ISO-8859-1, identique pour ces caractères)"
        return LegacyText(codec, name, text)
    import chardet

    guess = chardet.detect(data[:200_000]).get("encoding")
    if not guess:
        return LegacyText(None, "inconnu", None)
    try:
        return LegacyText(guess, guess, data.decode(guess))
    except (LookupError, UnicodeDecodeError):
        return LegacyText(None, guess, None)


def _encoding_issue(data: bytes, name: str) -> Issue:
    text = data.decode("utf-8", errors="surrogateescape")
    bad_row = 1
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if any(any("\udc80" <= ch <= "\udcff" for ch in cell) for cell in record):
                bad_row = number
                break
    except csv.Error:
        bad_row = len(_LINE_BREAK.split(text[: _first_bad_offset(data)]))
    return issue("encoding.not_utf8", encoding=name, bad_row=bad_row)


def _first_bad_offset(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        return err.start
    return 0


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SEPARATORS = {";": ("des points-virgules (;)", "semicolons (;)"), "\t": ("des tabulations", "tabs")}


def sniff_delimiter(header_line: str) -> str:
    """The separator of a header line: `;` or a tab when either outnumbers commas outside quotes, else `,`."""
    counts = {sep: 0 for sep in (",", ";", "\t")}
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    for sep in (";", "\t"):
        if counts[sep] > counts[","]:
            return sep
    return ","


def _delimiter_issue(delimiter: str) -> Issue | None:
    if delimiter not in _SEPARATORS:
        return None
    fr, en = _SEPARATORS[delimiter]
    return issue("structure.delimiter", found=fr, found_en=en)


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def unguard(cell: str) -> str:
    """Drop the quote our annotated and corrected files put before formula-like cells (`'=x` → `=x`).

    Sellers fix the annotated file in place and send it back: what they typed must come back as typed.
    """
    return cell[1:] if cell.startswith("'") and cell[1:2] in FORMULA_TRIGGERS and len(cell) > 1 else cell


def _visible(name: str) -> str:
    """A column name with what a seller cannot see shown: invisible characters and edge spaces."""
    shown = "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) in ("Cf", "Cc") else c for c in name)
    return shown.replace(" ", "␣") if shown != shown.strip() else shown


def _header_key(name: str) -> str:
    """A column name as a slip leaves it recognisable: edge and inner spaces, invisible characters, case."""
    shown = "".join(c for c in name if unicodedata.category(c) not in ("Cf", "Cc"))
    return " ".join(shown.split()).casefold()


def template_header(header: Sequence[str], expected: Sequence[str]) -> list[str]:
    """The header with each slipped name (case, spaces, invisible characters) replaced by the template's."""
    canonical = {_header_key(name): name for name in expected}
    return [canonical.get(_header_key(name), name) if name not in expected else name for name in header]


def _slip_issue(header: Sequence[str], fixed: Sequence[str]) -> Issue | None:
    slips = [(found, name) for found, name in zip(header, fixed, strict=True) if found != name]
    if not slips:
        return None
    shown = ", ".join(f"« {_visible(found)} » → « {name} »" for found, name in slips[:6])
    if len(slips) > 6:
        shown += f" (+{len(slips) - 6})"
    one = len(slips) == 1
    names_fr = "1 nom de colonne diffère" if one else f"{len(slips)} noms de colonnes diffèrent"
    names_en = "1 column name differs" if one else f"{len(slips)} column names differ"
    return issue("structure.header_slip", names_fr=names_fr, names_en=names_en, slips=shown,
                 value=",".join(header)[:300])


def header_issues(header: list[str], expected: Sequence[str]) -> list[Issue]:
    """Blank, duplicated, slipped (case, spaces), then missing/extra/renamed/moved columns, as file-level issues.

    A name that differs from the template's only by case or spaces is a slip, said as such: it is not
    counted again as a missing and an extra column.
    """
    found: list[Issue] = []
    blanks = [i + 1 for i, name in enumerate(header) if not name.strip()]
    for position in blanks:
        found.append(issue("structure.blank_header", position=position))
    seen: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        if name.strip():
            seen.setdefault(name, []).append(i + 1)
    for name, positions in seen.items():
        if len(positions) > 1:
            found.append(issue("structure.duplicate_header", name=name, positions=", ".join(map(str, positions))))
    if found or list(header) == list(expected):
        return found
    fixed = template_header(header, expected)
    if len(set(fixed)) == len(fixed):
        slip = _slip_issue(header, fixed)
        if slip is not None:
            found.append(slip)
            if fixed == list(expected):
                return found
            header = fixed
    position = next(
        (i for i, (a, b) in enumerate(zip(header, expected, strict=False)) if a != b),
        min(len(header), len(expected)),
    )
    exp = expected[position] if position < len(expected) else "(aucune / none)"
    got = _visible(header[position]) if position < len(header) else "(aucune / none)"
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    hints = []
    if missing:
        hints.append("Colonnes manquantes / missing columns : " + ", ".join(missing))
    if extra:
        hints.append("Colonnes en trop / extra columns : " + ", ".join(extra))
    if not missing and not extra:
        hints.append("Les colonnes sont toutes là mais dans un autre ordre / all columns are there, in another order")
    found.append(issue("structure.columns", position=position + 1, expected=exp, found=got, count=len(expected),
                       value=",".join(header)[:300], suggestions=hints))
    return found


def _split_hint(rows: list[tuple[int, list[str]]], limit: int) -> tuple[str, str]:
    """Where to cut so that the first part keeps whole products."""
    if len(rows) <= limit:
        return "", ""
    cut = limit
    handle_at_cut = rows[cut][1][0] if rows[cut][1] else ""
    while cut > 0 and rows[cut - 1][1] and rows[cut - 1][1][0] == handle_at_cut:
        cut -= 1
    row_number = rows[cut][0]
    return (f"par exemple, un premier fichier jusqu'à la ligne {row_number - 1}, un second à partir de la "
            f"ligne {row_number} (en recopiant la ligne d'en-tête)",
            f"for instance a first file up to row {row_number - 1}, a second from row {row_number} on "
            f"(copying the header row)")


def read_table(path: Path, *, max_bytes: int, kind: str | None = None) -> ReadResult:
    """Read and check a seller's CSV file; `kind` None means: detect it from the header."""
    if not path.exists():
        raise CatalogError(f"no such file: {path}")
    if not path.is_file():
        raise CatalogError(f"not a file: {path}")
    size = path.stat().st_size
    if size > max_bytes:
        (size_fr, size_en), (limit_fr, limit_en) = _human_size(size), _human_size(max_bytes)
        return ReadResult(None, [issue("file.too_large", size=size_fr, limit=limit_fr, size_en=size_en,
                                       limit_en=limit_en)],
                          kind or "full")
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    return parse_table(data, name=path.name, kind=kind)


def parse_table(data: bytes, *, name: str, kind: str | None = None) -> ReadResult:
    """Check the bytes of a CSV file named `name`; see `read_table`."""
    if not data.strip(UTF8_BOM + b" \r\n\t"):
        return ReadResult(None, [issue("file.empty")], kind or "full")
    binary = sniff_binary(data)
    if binary:
        return ReadResult(None, [issue("file.not_csv", what=binary[0], what_en=binary[1])], kind or "full")
    if not name.lower().endswith(".csv"):
        suffix = Path(name).suffix or "(aucune)"
        return ReadResult(None, [issue("file.not_csv", what=f"son nom finit par {suffix} et non .csv",
                                       what_en=f"its name ends in {suffix}, not .csv")], kind or "full")
    had_bom = data.startswith(UTF8_BOM)
    if had_bom:
        data = data[len(UTF8_BOM):]
    problems: list[Issue] = []
    encoding = "utf-8"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        legacy = decode_legacy(data)
        problems.append(_encoding_issue(data, legacy.name))
        if legacy.text is None or legacy.codec is None:
            return ReadResult(None, problems, kind or "full")
        text, encoding = legacy.text.lstrip("\ufeff"), legacy.codec

    # Every problem a spreadsheet's defaults make (encoding, separator, header slips) is said in one report.
    delimiter = sniff_delimiter(_LINE_BREAK.split(text, maxsplit=1)[0])
    wrong_separator = _delimiter_issue(delimiter)
    if wrong_separator:
        problems.append(wrong_separator)

    # A cell may be as large as the file: the size limit is the file's, checked above.
    csv.field_size_limit(max(len(text), _CSV_DEFAULT_FIELD_LIMIT))
    # Line ends may be CRLF, LF or an old Mac's lone CR: the csv module reads all three.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            records.append((number, record))
    except csv.Error as err:
        reason = str(err)
        if "unexpected end of data" in reason or "EOF" in reason:
            fr = "un guillemet ouvert n'est jamais refermé"
        elif "expected" in reason and "after" in reason:
            fr = "un guillemet fermant est suivi d'autres caractères dans la même cellule"
        else:
            fr = f"erreur de lecture CSV ({reason})"
        problems.append(issue("structure.malformed", bad_row=number + 1, reason=fr, reason_en=reason))
        return ReadResult(None, problems, kind or "full")

    header = records[0][1] if records else []
    body = records[1:]
    header, body, returned = _without_report_columns(header, body)
    kind = kind or detect_kind(header)
    expected = _KIND_COLUMNS[kind]
    problems += header_issues(header, expected)
    rows = [(n, [unguard(c) for c in cells]) for n, cells in body if any(c.strip() for c in cells)]
    fixed = template_header(header, expected)
    table = Table(header=header, rows=rows, delimiter=delimiter, had_bom=had_bom, encoding=encoding,
                  template_header=fixed if fixed != header else None)
    problems += returned
    if any(p.is_error for p in problems):
        return ReadResult(table, problems, kind)
    if not rows:
        return ReadResult(table, [*problems, issue("file.empty")], kind)
    limit = _KIND_MAX_ROWS[kind]
    if len(rows) > limit:
        fr, en = _split_hint(rows, limit)
        return ReadResult(table, [*problems, issue("structure.too_many_rows", rows=len(rows), limit=limit,
                                                   split_hint_fr=fr, split_hint_en=en)], kind)
    return ReadResult(table, problems, kind)


def _without_report_columns(header: list[str], body: list[tuple[int, list[str]]]
                            ) -> tuple[list[str], list[tuple[int, list[str]]], list[Issue]]:
    """The table without the `Statut` / `Erreurs` columns our annotated file adds, when it comes back with them.

    A seller fixes that file in place and sends it as it is: the two columns are ours, ignored (an info).
    """
    ours = {_header_key(name) for name in REPORT_COLUMNS}
    drop = [i for i, name in enumerate(header) if _header_key(name) in ours]
    if not drop:
        return header, body, []
    names = ", ".join(header[i].strip() for i in drop)

    def keep(cells: list[str]) -> list[str]:
        return [cell for i, cell in enumerate(cells) if i not in drop]

    return keep(header), [(n, keep(cells)) for n, cells in body], [issue("structure.report_columns", columns=names)]
