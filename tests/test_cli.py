"""The `catalog` command as sellers' tooling and ops run it: exit codes, stdout and stderr.

Exit status (interfaces.md): 0 done and no errors; 1 done, and the file (or some product) has
errors; 2 could not run, with one clear line on stderr and no traceback.

Every run happens once, up front, in the module fixture `runs`, so that they overlap:

- "process" cases start the installed console script, one process each: everything about exit
  status, stderr and tracebacks of could-not-run conditions is checked on real processes;
- "batch" cases (file-level problems, the hostile corpus, report files) go through one Python
  process that calls `catalog.cli.main` (the console script's entry point) once per case with
  its own environment, working directory, captured output and a 60 s alarm. That process loads
  pandera once instead of once per case, which keeps this file fast.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from catalog.domain.columns import FULL_COLUMNS
from tests.conftest import SHARED_TAXONOMY
from tests.support_csv import SANDER_BODY, SAW_BODY, csv_text, good_product, tshirt

CATALOG = Path(sys.executable).parent / "catalog"
TIMEOUT = 60
SUMMARY_RE = re.compile(r"^\S+ : (accepté|partiellement accepté|aucun produit accepté|refusé)"
                        r"( · \d+ produits? \(\d+ acceptés?, \d+ refusés?\))?"
                        r" · \d+ erreurs?, \d+ avertissements?, \d+ infos?$")
SELLERS_YAML = """\
sellers:
  - id: atelier-dupont
    name: Atelier Dupont SARL
    email: vendeur@atelier-dupont.example
    vat_number: FR40303265045
    default_shipping: Colissimo
    currency: EUR
"""
UNREACHABLE_DB = "postgresql+psycopg://postgres@127.0.0.1:1/x"

# Runs `catalog.cli.main` once per case read from stdin; prints {name: result} as JSON.
BATCH_DRIVER = r"""
import contextlib, io, json, os, signal, sys, time, traceback

class CaseTimeout(BaseException):
    pass

def on_alarm(signum, frame):
    raise CaseTimeout()

signal.signal(signal.SIGALRM, on_alarm)
from validators.cells import full_schema
full_schema()  # loaded once here: the checker forked by each run inherits it
from catalog.cli import main

cases = json.load(sys.stdin)
base = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
results = {}
for case in cases:
    os.environ.clear()
    os.environ.update(base)
    os.environ.update(case["env"])
    os.chdir(case["cwd"])
    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    signal.alarm(case["timeout"])
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(case["args"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except CaseTimeout:
        code = -1
        err.write(f"no answer within {case['timeout']} s")
    except BaseException:
        code = -2
        err.write(traceback.format_exc())
    finally:
        signal.alarm(0)
    results[case["name"]] = {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue(),
                             "seconds": time.monotonic() - start}
json.dump(results, sys.stdout)
"""


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass
class Case:
    name: str
    args: list[str]
    mode: str = "batch"  # or "process"
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None


def three_products() -> list[dict[str, str]]:
    return [
        good_product("perceuse-a"),
        good_product("scie-b", Title="Scie sauteuse pendulaire 650W avec coffret et trois lames", Type="Scies",
                     Tags="Scies,outillage", **{"Variant Barcode": "", "Body (HTML)": SAW_BODY,
                                                "SEO Title": "Scie sauteuse pendulaire 650W en coffret",
                                                "SEO Description": "Scie sauteuse 650 W, coupe bois et métal, "
                                                                   "livrée en coffret avec trois lames."}),
        good_product("ponceuse-c", Title="Ponceuse excentrique 300W avec aspiration et vingt abrasifs",
                     Type="Ponceuses", Tags="Ponceuses,outillage",
                     **{"Variant Barcode": "", "Body (HTML)": SANDER_BODY,
                        "SEO Title": "Ponceuse excentrique 300W avec aspiration",
                        "SEO Description": "Ponceuse excentrique 300 W, plateau 125 mm, aspiration intégrée et "
                                           "vingt abrasifs fournis."}),
    ]


def bad_products() -> list[dict[str, str]]:
    rows = three_products()
    rows[1]["Variant Price"] = "abc"
    return rows


def _xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        archive.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet/>')
    return out.getvalue()


GOOD_TEXT = csv_text(three_products())
REORDERED = [FULL_COLUMNS[1], FULL_COLUMNS[0], *FULL_COLUMNS[2:]]
# name -> (file name, bytes, extra env, expected code)
FILE_LEVEL: dict[str, tuple[str, bytes, dict[str, str], str]] = {
    "xlsx": ("catalogue.xlsx", _xlsx(), {}, "file.not_csv"),
    "xlsx-renamed-csv": ("catalogue.csv", _xlsx(), {}, "file.not_csv"),
    "windows-1252": ("catalogue.csv", GOOD_TEXT.encode("cp1252"), {}, "encoding.not_utf8"),
    "semicolons": ("catalogue.csv", GOOD_TEXT.replace(",", ";").encode(), {}, "structure.delimiter"),
    "empty": ("catalogue.csv", b"", {}, "file.empty"),
    "header-only": ("catalogue.csv", GOOD_TEXT.split("\r\n", 1)[0].encode(), {}, "file.empty"),
    "binary": ("catalogue.csv", bytes(range(256)) * 8, {}, "file.not_csv"),
    "too-large": ("catalogue.csv", GOOD_TEXT.encode(), {"CATALOG_MAX_FILE_BYTES": "1000"}, "file.too_large"),
    "reordered-columns": ("catalogue.csv", csv_text(three_products(), header=REORDERED).encode(), {},
                          "structure.columns"),
}


def _garbage() -> dict[str, bytes]:
    rng = random.Random(20240301)
    header = ",".join(FULL_COLUMNS)
    good = csv_text([good_product("perceuse-a")])
    body = good.split("\r\n", 1)[1]

    def one(**cells: str) -> bytes:
        return csv_text([good_product("perceuse-a", **cells)]).encode()

    return {
        "random-bytes.csv": rng.randbytes(20_000),
        "random-printable.csv": bytes(rng.randrange(32, 127) for _ in range(20_000)),
        "random-utf8.csv": "".join(chr(rng.randrange(32, 0xD7FF)) for _ in range(5_000)).encode(),
        "huge-single-line.csv": b"a," * 1_500_000,
        "lone-quote.csv": b'"',
        "lone-quote-after-rows.csv": (good + 'perceuse-b,"pas refermé\r\n').encode(),
        "quote-in-header.csv": (header + ',"\n').encode(),
        "nul-bytes.csv": good.encode().replace(b"Perceuse", b"Perc\x00euse"),
        "nul-only.csv": b"\x00" * 1000,
        "utf-16-le-bom.csv": good.encode("utf-16"),
        "utf-16-be-no-bom.csv": good.encode("utf-16-be"),
        "bom-only.csv": b"\xef\xbb\xbf",
        "bom-twice.csv": b"\xef\xbb\xbf\xef\xbb\xbf" + good.encode(),
        "only-commas.csv": b",,,,,,,,,,,,,,,\n,,,,,,,,,,\n,\n",
        "only-line-breaks.csv": b"\n\r\n\r" * 1000,
        "ten-thousand-columns.csv": (",".join(f"c{i}" for i in range(10_000)) + "\n"
                                     + ",".join("x" for _ in range(10_000)) + "\n").encode(),
        "deeply-nested-html.csv": one(**{"Body (HTML)": "<div>" * 5_000 + "texte" + "</div>" * 5_000}),
        "unclosed-nested-html.csv": one(**{"Body (HTML)": "<b><i><span>" * 10_000}),
        "one-megabyte-cell.csv": one(**{"Body (HTML)": "<p>" + "perceuse " * 120_000 + "</p>"}),
        "one-megabyte-title.csv": one(Title="T" * 1_000_000),
        "header-three-times.csv": ((header + "\r\n") * 3 + body).encode(),
        "mixed-line-endings.csv": (header + "\n" + body.replace("\r\n", "\r")
                                   + csv_text([good_product("perceuse-b")]).split("\r\n", 1)[1]).encode(),
        "cr-only.csv": good.replace("\r\n", "\r").encode(),
        "short-rows.csv": (header + "\n" + "perceuse-a\n" * 5_000).encode(),
        "long-rows.csv": (header + "\n" + body.rstrip() + ",en,trop" * 1000 + "\r\n").encode(),
        "spreadsheet-formulas.csv": one(Title='=HYPERLINK("https://exemple.fr")', **{"Variant Price": "=1+1"}),
        "control-characters.csv": one(Title="Perceuse\x0b\x0c\x1b[31m sans fil 18V avec deux batteries"),
        "html-entities-and-script.csv": one(**{"Body (HTML)": "&#xFFFFFFFF; &#0; &#55296; <script>alert(1)</script>"
                                                              "<!-- "}),
        "broken-urls.csv": one(**{"Image Src": "https://[::1", "Variant Image": "https://a:99999/x.jpg"}),
        "huge-handle.csv": csv_text([good_product("h" * 100_000)]).encode(),
        "emoji.csv": csv_text([good_product("😀" * 50, Title="😀" * 200)]).encode(),
        "infinite-numbers.csv": one(**{"Variant Price": "inf", "Variant Grams": "NaN",
                                       "Variant Inventory Qty": "1_000", "Variant Compare At Price": "-inf"}),
        "variants-of-nothing.csv": csv_text(tshirt()[1:]).encode(),
    }


GARBAGE = _garbage()
# Also run as their own console-script processes: the corpus's most hostile bytes.
GARBAGE_IN_PROCESSES = ("random-bytes.csv", "utf-16-le-bom.csv", "ten-thousand-columns.csv")
# argparse prints its usage before the error line: two or more lines on stderr instead of one.
USAGE_BEFORE_ERROR = ("unknown-option", "unknown-command", "kind-invalid", "format-invalid")


def _cases(root: Path) -> list[Case]:
    def write(name: str, data: bytes) -> str:
        path = root / "in" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return str(path)

    good = write("catalogue-mars.csv", GOOD_TEXT.encode())
    bad = write("catalogue-avril.csv", csv_text(bad_products()).encode())
    rejected = write("points-virgules.csv", GOOD_TEXT.replace(",", ";").encode())
    bad_yaml = write("vendeurs-casse.yaml", b"sellers:\n  - id: [atelier-dupont\n    name: Atelier\n")
    sellers = write("vendeurs.yaml", SELLERS_YAML.encode())
    prices = write("prix.csv", csv_text([good_product("perceuse-a", **{"Variant Price": "nan"}),
                                         good_product("perceuse-b", **{"Variant Price": "1e30"})]).encode())
    sparse = root / "in" / "enorme.csv"
    with sparse.open("wb") as handle:
        handle.truncate(21 * 1024 * 1024)  # sparse: nothing is written, the size is what counts
    existing = write("deja-la", b"x")

    cases = [
        Case("good", ["validate", "--offline", good], "process"),
        Case("bad", ["validate", "--offline", bad], "process"),
        Case("json", ["validate", "--offline", "--format", "json", bad], "process"),
        Case("help", ["--help"], "process"),
        Case("validate-help", ["validate", "--help"], "process"),
        Case("no-command", [], "process"),
        Case("taxonomy-search", ["taxonomy", "search", "perceuse", "sans", "fil"], "process"),
        Case("sellers-bad-yaml", ["sellers", "load", bad_yaml], "process"),
        # could not run
        Case("missing-file", ["validate", "--offline", str(root / "absent.csv")], "process"),
        Case("directory", ["validate", "--offline", str(root)], "process"),
        Case("unknown-option", ["validate", "--offline", "--colour", good], "process"),
        Case("unknown-command", ["valider", good], "process"),
        Case("kind-invalid", ["validate", "--offline", "--kind", "xml", good], "process"),
        Case("format-invalid", ["validate", "--offline", "--format", "csv", good], "process"),
        Case("taxonomy-missing", ["validate", "--offline", good], "process",
             {"CATALOG_TAXONOMY": str(root / "absente.txt")}),
        Case("http-timeout-abc", ["validate", "--offline", good], "process", {"CATALOG_HTTP_TIMEOUT": "abc"}),
        Case("max-file-bytes-negative", ["validate", "--offline", good], "process",
             {"CATALOG_MAX_FILE_BYTES": "-5"}),
        Case("ca-bundle-missing", ["validate", good], "process", {"CATALOG_CA_BUNDLE": str(root / "ca.pem")}),
        Case("unknown-seller", ["validate", "--offline", "--seller", "inconnu", good], "process"),
        Case("database-unreachable", ["validate", "--offline", "--seller", "x", good], "process",
             {"CATALOG_DB_URL": UNREACHABLE_DB}),
        Case("sellers-file-missing", ["sellers", "load", str(root / "vendeurs-absent.yaml")], "process"),
        # batch: report files, sellers, known crashes
        Case("json-rejected", ["validate", "--offline", "--format", "json", rejected]),
        Case("out", ["validate", "--offline", "--out", str(root / "rapports" / "avril"), bad]),
        Case("out-json", ["validate", "--offline", "--format", "json", "--out", str(root / "out-json"), bad]),
        Case("out-existing-file", ["validate", "--offline", "--out", existing, good]),
        Case("kind-feed", ["validate", "--offline", "--kind", "feed", good]),
        Case("prices-nan-1e30", ["validate", "--offline", prices]),
        Case("default-size-limit", ["validate", "--offline", "--format", "json", str(sparse)]),
        Case("seller-load", ["sellers", "load", sellers], cwd=root / "seller"),
        Case("seller-validate", ["validate", "--offline", "--seller", "atelier-dupont", "--format", "json", good],
             cwd=root / "seller"),
    ]
    for name, (file_name, data, env, _code) in FILE_LEVEL.items():
        cases.append(Case(f"file-level:{name}", ["validate", "--offline", write(f"{name}/{file_name}", data)],
                          env=env))
    for name, data in GARBAGE.items():
        path = write(f"garbage/{name}", data)
        cases.append(Case(f"garbage:{name}", ["validate", "--offline", path]))
        if name in GARBAGE_IN_PROCESSES:
            cases.append(Case(f"garbage-process:{name}", ["validate", "--offline", path], "process"))
    return cases


def _env(case: Case, cwd: Path) -> dict[str, str]:
    env = {"CATALOG_DATA_DIR": str(cwd / "var"), "CATALOG_TAXONOMY": str(SHARED_TAXONOMY)}
    env.update(case.env)
    return env


def _run_process(case: Case, cwd: Path) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
    env.update(_env(case, cwd))
    start = time.monotonic()
    try:
        done = subprocess.run([str(CATALOG), *case.args], capture_output=True, text=True, env=env, cwd=cwd,
                              timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return Run(-1, "", f"no answer within {TIMEOUT} s", TIMEOUT)
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - start)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def runs(root: Path) -> Iterator[dict[str, Run]]:
    cases = _cases(root)
    cwds = {}
    for case in cases:
        cwd = case.cwd or root / "cwd" / re.sub(r"[^a-z0-9.-]+", "_", case.name.lower())
        cwd.mkdir(parents=True, exist_ok=True)
        cwds[case.name] = cwd
    batch = [{"name": c.name, "args": c.args, "env": _env(c, cwds[c.name]), "cwd": str(cwds[c.name]),
              "timeout": TIMEOUT} for c in cases if c.mode == "batch"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
    driver = subprocess.Popen([sys.executable, "-c", BATCH_DRIVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env, cwd=root)
    with ThreadPoolExecutor(max_workers=3) as pool:
        processes = [c for c in cases if c.mode == "process"]
        futures = {c.name: pool.submit(_run_process, c, cwds[c.name]) for c in processes}
        out, err = driver.communicate(json.dumps(batch), timeout=10 * TIMEOUT)
        results = {name: future.result() for name, future in futures.items()}
    assert driver.returncode == 0, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    for name, data in json.loads(out).items():
        results[name] = Run(data["code"], data["stdout"], data["stderr"], data["seconds"])
    assert set(results) == {c.name for c in cases}
    yield results


def no_traceback(run: Run) -> None:
    assert "Traceback" not in run.output, run.output


def assert_cannot_run(run: Run, *, single_line: bool = True) -> str:
    """Exit 2, one `catalog: error:` line on stderr, no traceback; returns that line."""
    no_traceback(run)
    assert run.code == 2, run
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("catalog: error:")]
    assert len(errors) == 1, run.stderr
    if single_line:
        assert lines == errors, f"stderr must be one line, got:\n{run.stderr}"
    return errors[0]


# ---- Done: exit 0 and 1 ------------------------------------------------------------------------------


def test_good_file_exits_0_with_a_french_summary(runs: dict[str, Run]) -> None:
    run = runs["good"]
    no_traceback(run)
    assert run.code == 0, run
    assert run.stderr == ""
    first = run.stdout.splitlines()[0]
    assert SUMMARY_RE.match(first), first
    assert first == ("catalogue-mars.csv : accepté · 3 produits (3 acceptés, 0 refusé) · "
                     "0 erreur, 0 avertissement, 0 info")
    assert "Tous les produits sont acceptés" in run.stdout


def test_a_product_error_exits_1(runs: dict[str, Run]) -> None:
    run = runs["bad"]
    no_traceback(run)
    assert run.code == 1, run
    assert run.stderr == ""
    first = run.stdout.splitlines()[0]
    assert SUMMARY_RE.match(first), first
    assert "partiellement accepté" in first and "(2 acceptés, 1 refusé)" in first
    assert "price.format" in run.stdout
    assert re.search(r"^scie-b \(ligne 3\) : refusé$", run.stdout, re.MULTILINE), run.stdout


def test_json_format_prints_the_report_json(runs: dict[str, Run]) -> None:
    run = runs["json"]
    no_traceback(run)
    assert run.code == 1
    assert run.stderr == ""
    report = json.loads(run.stdout)  # the whole of stdout is one JSON document
    assert set(report) == {"kind", "source", "status", "summary", "issues", "products"}
    assert report["kind"] == "full"
    assert report["source"] == "catalogue-avril.csv"
    assert report["status"] == "partial"
    assert report["summary"] == {"rows": 3, "products": 3, "accepted": 2, "refused": 1,
                                 "errors": 1, "warnings": 0, "infos": 0}
    [issue] = report["issues"]
    assert {"code", "severity", "row", "column", "product", "value", "message", "fix", "suggestions"} <= set(issue)
    assert (issue["code"], issue["severity"], issue["row"], issue["column"], issue["product"], issue["value"]) == (
        "price.format", "error", 3, "Variant Price", "scie-b", "abc")
    assert set(issue["message"]) == {"fr", "en"} and all(issue["message"].values())
    assert set(issue["fix"]) == {"fr", "en"}
    assert isinstance(issue["suggestions"], list)
    assert report["products"] == [
        {"handle": "perceuse-a", "rows": [2], "status": "accepted", "codes": []},
        {"handle": "scie-b", "rows": [3], "status": "refused", "codes": ["price.format"]},
        {"handle": "ponceuse-c", "rows": [4], "status": "accepted", "codes": []},
    ]


def test_json_format_of_a_rejected_file(runs: dict[str, Run]) -> None:
    run = runs["json-rejected"]
    no_traceback(run)
    assert run.code == 1
    report = json.loads(run.stdout)
    assert report["status"] == "rejected"
    assert report["products"] == []
    assert [(i["code"], i["row"]) for i in report["issues"]] == [("structure.delimiter", None)]


def test_out_writes_the_report_files(runs: dict[str, Run], root: Path) -> None:
    run = runs["out"]
    no_traceback(run)
    assert run.code == 1, run
    out = root / "rapports" / "avril"
    names = sorted(p.name for p in out.iterdir())
    assert names == ["catalogue-avril.annote.csv", "catalogue-avril.rapport.html", "catalogue-avril.rapport.json"]
    for name in names:
        assert str(out / name) in run.stdout
    report = json.loads((out / "catalogue-avril.rapport.json").read_text(encoding="utf-8"))
    assert report["status"] == "partial"
    annotated = list(csv.reader(io.StringIO((out / "catalogue-avril.annote.csv").read_text(encoding="utf-8-sig"))))
    assert len(annotated) == 4
    html = (out / "catalogue-avril.rapport.html").read_text(encoding="utf-8")
    assert "price.format" in html or "abc" in html


def test_out_json_file_matches_stdout(runs: dict[str, Run], root: Path) -> None:
    run = runs["out-json"]
    no_traceback(run)
    assert run.code == 1
    report = json.loads(run.stdout)
    assert report["source"] == "catalogue-avril.csv"
    written = root / "out-json" / "catalogue-avril.rapport.json"
    assert report == json.loads(written.read_text(encoding="utf-8"))
    assert "catalogue-avril" not in run.stderr


# ---- Could not run: exit 2, one line -------------------------------------------------------------------

CANNOT_RUN = ("missing-file", "directory", "unknown-option", "unknown-command", "kind-invalid", "format-invalid",
              "taxonomy-missing", "http-timeout-abc", "max-file-bytes-negative", "ca-bundle-missing",
              "unknown-seller", "database-unreachable", "sellers-file-missing", "sellers-bad-yaml")


@pytest.mark.parametrize("case", CANNOT_RUN)
def test_could_not_run_exits_2_with_one_error_line(case: str, runs: dict[str, Run]) -> None:
    run = runs[case]
    line = assert_cannot_run(run, single_line=case not in USAGE_BEFORE_ERROR)
    assert run.stdout == ""
    assert len(line) < 400


@pytest.mark.parametrize("case", USAGE_BEFORE_ERROR)
def test_argument_errors_are_a_single_line(case: str, runs: dict[str, Run]) -> None:
    assert_cannot_run(runs[case], single_line=True)


@pytest.mark.parametrize(("case", "words"), [
    ("missing-file", ["absent.csv"]),
    ("directory", ["not a regular file"]),
    ("unknown-option", ["--colour"]),
    ("kind-invalid", ["--kind", "xml"]),
    ("taxonomy-missing", ["CATALOG_TAXONOMY", "absente.txt"]),
    ("http-timeout-abc", ["CATALOG_HTTP_TIMEOUT", "abc"]),
    ("unknown-seller", ["inconnu"]),
    ("database-unreachable", ["127.0.0.1"]),
    ("sellers-bad-yaml", ["vendeurs-casse.yaml", "YAML"]),
])
def test_the_error_line_names_the_problem(case: str, words: list[str], runs: dict[str, Run]) -> None:
    line = assert_cannot_run(runs[case], single_line=False)
    for word in words:
        assert word in line


def test_kind_feed_on_a_csv_is_a_clear_error(runs: dict[str, Run]) -> None:
    run = runs["kind-feed"]
    no_traceback(run)
    assert run.code in (1, 2)
    assert "internal error" not in run.stderr


def test_out_on_an_existing_file_is_a_clear_error(runs: dict[str, Run]) -> None:
    line = assert_cannot_run(runs["out-existing-file"])
    assert "deja-la" in line


def test_a_loaded_seller_can_validate(runs: dict[str, Run]) -> None:
    loaded = runs["seller-load"]
    no_traceback(loaded)
    assert loaded.code == 0, loaded
    assert loaded.stdout.startswith("atelier-dupont\tAtelier Dupont SARL\t")
    done = runs["seller-validate"]
    no_traceback(done)
    assert done.code == 0, done
    assert json.loads(done.stdout)["status"] == "accepted"


# ---- File-level problems: exit 1 and the code ----------------------------------------------------------


@pytest.mark.parametrize("case", list(FILE_LEVEL))
def test_file_level_problems_exit_1_with_the_code(case: str, runs: dict[str, Run]) -> None:
    file_name, _data, _env, code = FILE_LEVEL[case]
    run = runs[f"file-level:{case}"]
    no_traceback(run)
    assert run.code == 1, run
    assert run.stderr == ""
    assert code in run.stdout
    first = run.stdout.splitlines()[0]
    assert first.startswith(f"{file_name} : refusé"), first
    assert "rien n'est importé" in run.stdout


def test_a_21_mib_file_is_too_large_with_the_default_limit(runs: dict[str, Run]) -> None:
    run = runs["default-size-limit"]
    no_traceback(run)
    assert run.code == 1
    report = json.loads(run.stdout)
    assert [i["code"] for i in report["issues"]] == ["file.too_large"]
    assert "21" in report["issues"][0]["message"]["fr"]


# ---- Hostile inputs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(GARBAGE))
def test_hostile_input_never_crashes(name: str, runs: dict[str, Run]) -> None:
    for key in (f"garbage:{name}", f"garbage-process:{name}"):
        if key not in runs:
            continue
        run = runs[key]
        assert run.code in (0, 1, 2), run
        no_traceback(run)
        assert "internal error" not in run.stderr, run.stderr
        if run.code == 2:
            assert_cannot_run(run)
        assert run.seconds < TIMEOUT


def test_the_hostile_corpus_is_large_enough() -> None:
    assert len(GARBAGE) >= 25
    assert len(set(GARBAGE.values())) == len(GARBAGE)


def test_prices_decimal_cannot_round_are_reported(runs: dict[str, Run]) -> None:
    run = runs["prices-nan-1e30"]
    no_traceback(run)
    assert run.code == 1, run.stderr
    assert "price.format" in run.stdout


# ---- Other commands ------------------------------------------------------------------------------------


def test_taxonomy_search(runs: dict[str, Run]) -> None:
    run = runs["taxonomy-search"]
    no_traceback(run)
    assert run.code == 0, run
    names = [line.split("\t")[0] for line in run.stdout.splitlines()]
    assert "Perceuses" in names
    assert names[0] == "Perceuses"


def test_help(runs: dict[str, Run]) -> None:
    run = runs["help"]
    assert run.code == 0
    assert run.stderr == ""
    for command in ("validate", "taxonomy", "ingest", "sellers", "moderation"):
        assert command in run.stdout
    validate = runs["validate-help"]
    assert validate.code == 0
    for option in ("--kind", "--seller", "--offline", "--format", "--out"):
        assert option in validate.stdout


def test_no_command_prints_the_help(runs: dict[str, Run]) -> None:
    run = runs["no-command"]
    no_traceback(run)
    assert run.code == 0 and run.stderr == ""
    assert run.stdout == runs["help"].stdout
