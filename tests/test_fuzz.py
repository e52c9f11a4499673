"""Property: whatever file a seller sends, the engine answers with a report (or the project's own error).

Generated full CSVs and XML feeds (see `support_hostile`) go through the
reader, every rule and the report files, each within a budget. `make test`
runs a bounded number of examples (profile `suite`); `make fuzz` runs the
`fuzz` profile (`HYPOTHESIS_PROFILE=fuzz`), many more, before a release.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.domain.errors import CatalogError, InputRefused
from catalog.domain.report import Report
from catalog.engine import Options, validate_file
from catalog.settings import load_settings
from reports.files import write_reports
from reports.text import render_text
from tests.support_hostile import feed_bytes, full_csv_bytes, within

CASE_BUDGET = 10.0  # seconds per generated file, reading to report files; a case takes well under 1 s

_COMMON = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                        HealthCheck.data_too_large, HealthCheck.large_base_example]}
settings.register_profile("suite", max_examples=400, derandomize=True, database=None, **_COMMON)
settings.register_profile("fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "2000")), **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    """The taxonomy and the rule tables load once, outside any case's budget."""
    with tempfile.TemporaryDirectory() as tmp:
        _judge(Path(tmp), "chaud.csv", b"Handle\n")


def _judge(tmp: Path, name: str, data: bytes) -> Report | None:
    """Read, check and write the reports of one file; None when it was refused with the project's own error."""
    path = tmp / name
    path.write_bytes(data)
    try:
        report = validate_file(path, load_settings(None), Options(offline=True))
    except (CatalogError, InputRefused):
        return None
    write_reports(report, tmp / "rapports", seller_name="Boutique")
    render_text(report)
    return report


def _check(name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp, within(CASE_BUDGET):
        report = _judge(Path(tmp), name, data)
    if report is not None:
        assert report.status in ("accepted", "partial", "rejected")
        assert all(i.code and i.message.fr and i.message.en for i in report.issues)


@given(data=full_csv_bytes())
def test_any_full_csv_gets_a_report(data: bytes) -> None:
    _check("catalogue.csv", data)


@given(data=feed_bytes(), name=st.sampled_from(["flux.xml", "flux.rss", "flux.xml.gz"]))
def test_any_feed_gets_a_report(data: bytes, name: str) -> None:
    _check(name, data)
