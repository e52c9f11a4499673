"""The engine online: every image a file links to is downloaded from a real HTTPS server on 127.0.0.1.

Each test serves its images from a loopback server with a throwaway CA, points the settings at it
(private networks allowed, CA trusted) and runs `validate_file` without `--offline`, as a seller's
upload would be checked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support_servers import (
    LoopbackServer,
    bomb_png,
    https_server,
    image_bytes,
    jpeg_bytes,
    loopback_env,
    png_bytes,
    truncated_jpeg,
)

from catalog.domain.report import Report
from catalog.engine import Options, validate_file
from catalog.settings import load_settings
from tests.support_csv import SANDER_BODY, SAW_BODY, good_product, tshirt, write_csv

CATALOG = Path(sys.executable).parent / "catalog"


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with https_server() as running:
        yield running


@pytest.fixture
def online(server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LoopbackServer:
    """The loopback server, with the settings allowing it and trusting its CA."""
    for key, value in loopback_env(server, tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CATALOG_HTTP_TIMEOUT", "5")
    return server


def _validate(tmp_path: Path, rows: list[dict[str, str]], name: str = "catalogue.csv") -> Report:
    path = write_csv(tmp_path / name, rows)
    return validate_file(path, load_settings(env_file=None), Options(offline=False))


def _three(images: tuple[str, str, str], handles: tuple[str, str, str] = ("perceuse-a", "scie-b", "ponceuse-c"),
           ) -> list[dict[str, str]]:
    """Three distinct tools (no near-duplicate warning between them) with these images."""
    return [
        good_product(handles[0], **{"Image Src": images[0]}),
        good_product(handles[1], Title="Scie sauteuse pendulaire 650W avec coffret et trois lames", Type="Scies",
                     Tags="Scies,outillage", **{"Image Src": images[1], "Variant Barcode": "", "Body (HTML)": SAW_BODY,
                                                "SEO Title": "Scie sauteuse pendulaire 650W en coffret",
                                                "SEO Description": "Scie sauteuse 650 W, coupe bois et métal, "
                                                                   "livrée en coffret avec trois lames."}),
        good_product(handles[2], Title="Ponceuse excentrique 300W avec aspiration et vingt abrasifs",
                     Type="Ponceuses", Tags="Ponceuses,outillage",
                     **{"Image Src": images[2], "Variant Barcode": "", "Body (HTML)": SANDER_BODY,
                        "SEO Title": "Ponceuse excentrique 300W avec aspiration",
                        "SEO Description": "Ponceuse excentrique 300 W, plateau 125 mm, aspiration intégrée et "
                                           "vingt abrasifs fournis."}),
    ]


def _image_issues(report: Report) -> list[tuple[str, int | None, str | None, str | None]]:
    return [(i.code, i.row, i.column, i.product) for i in report.issues if i.code.startswith("image.")]


def _status(report: Report, handle: str) -> str:
    return next(p.status for p in report.products if p.handle == handle)


def _serve_unique(server: LoopbackServer, request: pytest.FixtureRequest, suffix: str, body: bytes,
                  **route: object) -> str:
    """Serve `body` at a path unique to this test (the server is shared by the module)."""
    path = f"/{request.node.name}/{suffix}".replace("[", "_").replace("]", "_")
    return server.add(path, body, **route)


def test_good_jpeg_gives_no_image_issue(online: LoopbackServer, tmp_path: Path,
                                        request: pytest.FixtureRequest) -> None:
    url = _serve_unique(online, request, "a.jpg", jpeg_bytes(400, 400), content_type="image/jpeg")
    report = _validate(tmp_path, [good_product("perceuse-a", **{"Image Src": url})])
    assert _image_issues(report) == []
    assert _status(report, "perceuse-a") == "accepted"
    assert not report.has_errors


def test_good_png_gives_no_image_issue(online: LoopbackServer, tmp_path: Path,
                                       request: pytest.FixtureRequest) -> None:
    url = _serve_unique(online, request, "a.png", png_bytes(300, 300), content_type="image/png")
    report = _validate(tmp_path, [good_product("perceuse-a", **{"Image Src": url})])
    assert _image_issues(report) == []


def test_not_found_is_download_failed(online: LoopbackServer, tmp_path: Path,
                                      request: pytest.FixtureRequest) -> None:
    url = _serve_unique(online, request, "gone.jpg", b"not here", status=404, content_type="text/plain")
    report = _validate(tmp_path, [good_product("perceuse-a", **{"Image Src": url})])
    assert _image_issues(report) == [("image.download_failed", 2, "Image Src", "perceuse-a")]
    assert _status(report, "perceuse-a") == "refused"
    issue = next(i for i in report.issues if i.code == "image.download_failed")
    assert issue.value == url
    assert "404" in issue.message.fr + issue.message.en


def test_body_over_the_limit_is_too_large(online: LoopbackServer, tmp_path: Path,
                                          request: pytest.FixtureRequest) -> None:
    # a real JPEG header followed by 3 MB: only the size can refuse it
    body = jpeg_bytes(300, 300) + b"\x00" * (3 * 1000 * 1000)
    url = _serve_unique(online, request, "big.jpg", body, content_type="image/jpeg")
    report = _validate(tmp_path, [good_product("perceuse-a", **{"Image Src": url})])
    assert _image_issues(report) == [("image.too_large", 2, "Image Src", "perceuse-a")]
    assert _status(report, "perceuse-a") == "refused"


def test_body_over_the_limit_without_length_is_too_large(online: LoopbackServer, tmp_path: Path,
                                                         request: pytest.FixtureRequest) -> None:
    url = _serve_unique(online, request, "big-chunked.jpg", b"\xff\xd8\xff" + b"x" * (3 * 1000 * 1000),
                        content_type="image/jpeg", chunked=True)
    report = _validate(tmp_path, [good_product("perceuse-a", **{"Image Src": url})])
    assert _image_issues(report) == [("image.too_large", 2, "Image Src", "perceuse-a")]


@pytest.mark.parametrize(("body", "content_type", "found"), [
    pytest.param(image_bytes("WEBP", 300, 300), "image/webp", "WebP", id="webp"),
    pytest.param(image_bytes("GIF", 300, 300), "image/gif", "GIF", id="gif"),
    pytest.param(b"<!DOCTYPE html><html><head><title>Connexion</title></head><body>Se connecter</body></html>",
                 "text/html; charset=utf-8", "HTML", id="html"),
])
def test_not_jpeg_or_png_is_format(online: LoopbackServer, tmp_path: Path, request: pytest.FixtureRequest,
                                   body: bytes, content_type: str, found: str) -> None:
    url = _serve_unique(online, request, "photo.jpg", body, content_type=content_type)
    report = _validate(tmp_path, [good_product("perceuse-a", **{"Image Src": url})])
    assert _image_issues(report) == [("image.format", 2, "Image Src", "perceuse-a")]
    issue = next(i for i in report.issues if i.code == "image.format")
    assert found in issue.message.fr and found in issue.message.en
    assert _status(report, "perceuse-a") == "refused"


@pytest.mark.parametrize(("body", "suffix"), [
    pytest.param(truncated_jpeg(), "cut.jpg", id="truncated-jpeg"),
    pytest.param(bomb_png(), "bomb.png", id="decompression-bomb"),
    pytest.param(b"", "empty.jpg", id="empty-body"),
])
def test_unreadable_bytes_are_corrupt(online: LoopbackServer, tmp_path: Path, request: pytest.FixtureRequest,
                                      body: bytes, suffix: str) -> None:
    url = _serve_unique(online, request, suffix, body, content_type="image/jpeg")
    report = _validate(tmp_path, [good_product("perceuse-a", **{"Image Src": url})])
    assert _image_issues(report) == [("image.corrupt", 2, "Image Src", "perceuse-a")]
    assert _status(report, "perceuse-a") == "refused"


def test_small_image_is_a_warning_and_the_product_is_accepted(online: LoopbackServer, tmp_path: Path,
                                                               request: pytest.FixtureRequest) -> None:
    url = _serve_unique(online, request, "tiny.jpg", jpeg_bytes(80, 80), content_type="image/jpeg")
    report = _validate(tmp_path, [good_product("perceuse-a", **{"Image Src": url})])
    assert _image_issues(report) == [("image.too_small", 2, "Image Src", "perceuse-a")]
    issue = next(i for i in report.issues if i.code == "image.too_small")
    assert not issue.is_error
    assert "80" in issue.message.fr and "100" in issue.message.fr + (issue.fix.fr if issue.fix else "")
    assert _status(report, "perceuse-a") == "accepted"
    assert not report.has_errors


def test_the_minimum_size_is_100_for_tools(online: LoopbackServer, tmp_path: Path,
                                           request: pytest.FixtureRequest) -> None:
    url = _serve_unique(online, request, "just.jpg", jpeg_bytes(100, 100), content_type="image/jpeg")
    report = _validate(tmp_path, [good_product("perceuse-a", **{"Image Src": url})])
    assert _image_issues(report) == []


def _clothing(handle: str, image: str, back: str) -> list[dict[str, str]]:
    rows = tshirt(handle)
    rows[0]["Image Src"] = image
    rows[-1]["Image Src"] = back
    return rows


def test_clothing_needs_250_pixels(online: LoopbackServer, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    small = _serve_unique(online, request, "small.jpg", jpeg_bytes(200, 200), content_type="image/jpeg")
    large = _serve_unique(online, request, "large.jpg", jpeg_bytes(250, 250), content_type="image/jpeg")
    rows = _clothing("t-shirt-a", small, large)
    report = _validate(tmp_path, rows)
    assert _image_issues(report) == [("image.too_small", 2, "Image Src", "t-shirt-a")]
    issue = next(i for i in report.issues if i.code == "image.too_small")
    assert "250" in issue.message.fr + (issue.fix.fr if issue.fix else "")
    assert _status(report, "t-shirt-a") == "accepted"


def test_the_same_200px_image_is_fine_for_a_tool(online: LoopbackServer, tmp_path: Path,
                                                 request: pytest.FixtureRequest) -> None:
    url = _serve_unique(online, request, "mid.jpg", jpeg_bytes(200, 200), content_type="image/jpeg")
    rows = [good_product("perceuse-a", **{"Image Src": url}), *_clothing("t-shirt-a", url, url)]
    report = _validate(tmp_path, rows)
    # one download, two verdicts: the tool's 100 px minimum passes, the clothing's 250 px does not
    assert online.hits(url.removeprefix(online.base_url)) == 1
    assert sorted(_image_issues(report)) == [("image.too_small", 3, "Image Src", "t-shirt-a"),
                                             ("image.too_small", 7, "Image Src", "t-shirt-a")]


def test_a_url_used_on_three_rows_is_fetched_once(online: LoopbackServer, tmp_path: Path,
                                                  request: pytest.FixtureRequest) -> None:
    url = _serve_unique(online, request, "shared.jpg", jpeg_bytes(300, 300), content_type="image/jpeg")
    rows = tshirt("t-shirt-a")
    rows[0]["Image Src"] = url
    rows[1]["Variant Image"] = url  # variant row
    rows[-1]["Image Src"] = url  # image-only row
    report = _validate(tmp_path, rows)
    assert online.hits(url.removeprefix(online.base_url)) == 1
    assert _image_issues(report) == []
    assert _status(report, "t-shirt-a") == "accepted"


def test_every_use_of_a_failing_url_is_reported(online: LoopbackServer, tmp_path: Path,
                                                request: pytest.FixtureRequest) -> None:
    url = _serve_unique(online, request, "missing.jpg", b"", status=404, content_type="text/plain")
    rows = tshirt("t-shirt-a")
    rows[0]["Image Src"] = url
    rows[1]["Variant Image"] = url
    rows[-1]["Image Src"] = url
    report = _validate(tmp_path, rows)
    assert online.hits(url.removeprefix(online.base_url)) == 1
    assert sorted(_image_issues(report)) == [("image.download_failed", 2, "Image Src", "t-shirt-a"),
                                             ("image.download_failed", 3, "Variant Image", "t-shirt-a"),
                                             ("image.download_failed", 6, "Image Src", "t-shirt-a")]


def test_the_variant_image_is_checked(online: LoopbackServer, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    good = _serve_unique(online, request, "front.jpg", jpeg_bytes(300, 300), content_type="image/jpeg")
    webp = _serve_unique(online, request, "grey.jpg", image_bytes("WEBP", 300, 300), content_type="image/webp")
    rows = tshirt("t-shirt-a")
    rows[0]["Image Src"] = good
    rows[-1]["Image Src"] = good
    rows[2]["Variant Image"] = webp
    report = _validate(tmp_path, rows)
    assert _image_issues(report) == [("image.format", 4, "Variant Image", "t-shirt-a")]
    assert _status(report, "t-shirt-a") == "refused"
    assert online.hits(webp.removeprefix(online.base_url)) == 1


def test_private_addresses_are_refused_without_the_setting(server: LoopbackServer, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           request: pytest.FixtureRequest) -> None:
    monkeypatch.setenv("CATALOG_CA_BUNDLE", str(server.write_ca_bundle(tmp_path / "ca.pem")))
    monkeypatch.delenv("CATALOG_ALLOW_PRIVATE_NETWORKS", raising=False)
    before = len(server.requests)
    first = _serve_unique(server, request, "a.jpg", jpeg_bytes(300, 300), content_type="image/jpeg")
    second = _serve_unique(server, request, "b.jpg", jpeg_bytes(300, 300), content_type="image/jpeg")
    localhost = second.replace("127.0.0.1", "localhost")
    rows = tshirt("t-shirt-a")
    rows[0]["Image Src"] = first
    rows[1]["Variant Image"] = second
    rows[-1]["Image Src"] = localhost
    rows.append(good_product("perceuse-a", **{"Image Src": first}))
    report = _validate(tmp_path, rows)
    assert sorted(_image_issues(report)) == [("image.blocked_address", 2, "Image Src", "t-shirt-a"),
                                             ("image.blocked_address", 3, "Variant Image", "t-shirt-a"),
                                             ("image.blocked_address", 6, "Image Src", "t-shirt-a"),
                                             ("image.blocked_address", 7, "Image Src", "perceuse-a")]
    assert len(server.requests) == before, "nothing may reach a private address"
    assert {p.status for p in report.products} == {"refused"}


def test_errors_refuse_the_product_and_warnings_do_not(online: LoopbackServer, tmp_path: Path,
                                                      request: pytest.FixtureRequest) -> None:
    good = _serve_unique(online, request, "good.jpg", jpeg_bytes(300, 300), content_type="image/jpeg")
    tiny = _serve_unique(online, request, "tiny.jpg", jpeg_bytes(60, 60), content_type="image/jpeg")
    gone = _serve_unique(online, request, "gone.jpg", b"", status=404, content_type="text/plain")
    rows = _three((good, tiny, gone), ("perceuse-ok", "scie-petite", "ponceuse-absente"))
    report = _validate(tmp_path, rows)
    assert report.has_errors
    statuses = {p.handle: p.status for p in report.products}
    assert statuses == {"perceuse-ok": "accepted", "scie-petite": "accepted", "ponceuse-absente": "refused"}
    codes = {p.handle: p.codes for p in report.products}
    assert codes == {"perceuse-ok": [], "scie-petite": ["image.too_small"],
                     "ponceuse-absente": ["image.download_failed"]}


def test_links_whose_text_fails_are_not_downloaded(online: LoopbackServer, tmp_path: Path,
                                                   request: pytest.FixtureRequest) -> None:
    url = _serve_unique(online, request, "plain.jpg", jpeg_bytes(300, 300), content_type="image/jpeg")
    path = url.removeprefix(online.base_url)
    rows = tshirt("t-shirt-a")
    rows[0]["Image Src"] = url.replace("https://", "http://")
    rows[1]["Variant Image"] = "pas une adresse"
    rows[-1]["Image Src"] = url
    report = _validate(tmp_path, rows)
    assert sorted(_image_issues(report)) == [("image.not_https", 2, "Image Src", "t-shirt-a"),
                                             ("image.url", 3, "Variant Image", "t-shirt-a")]
    assert online.hits(path) == 1  # only the https use


def test_offline_downloads_nothing(online: LoopbackServer, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = _serve_unique(online, request, "gone.jpg", b"", status=404, content_type="text/plain")
    path = write_csv(tmp_path / "catalogue.csv", [good_product("perceuse-a", **{"Image Src": url})])
    report = validate_file(path, load_settings(env_file=None), Options(offline=True))
    assert _image_issues(report) == []
    assert online.hits(url.removeprefix(online.base_url)) == 0


def test_cli_online_exit_1_when_one_image_is_missing(online: LoopbackServer, tmp_path: Path,
                                                     request: pytest.FixtureRequest) -> None:
    urls = [_serve_unique(online, request, f"{n}.jpg", jpeg_bytes(300, 300), content_type="image/jpeg")
            for n in ("a", "b")]
    gone = _serve_unique(online, request, "c.jpg", b"", status=404, content_type="text/plain")
    rows = _three((urls[0], urls[1], gone))
    path = write_csv(tmp_path / "catalogue.csv", rows)
    env = dict(os.environ)
    done = subprocess.run([str(CATALOG), "validate", str(path), "--format", "json"], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=60)
    assert "Traceback" not in done.stdout + done.stderr
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["status"] == "partial"
    assert report["summary"] == {"rows": 3, "products": 3, "accepted": 2, "refused": 1, "errors": 1,
                                 "warnings": 0, "infos": 0}
    assert {p["handle"]: p["status"] for p in report["products"]} == {
        "perceuse-a": "accepted", "scie-b": "accepted", "ponceuse-c": "refused"}
    assert [(i["code"], i["row"], i["product"]) for i in report["issues"] if i["code"].startswith("image.")] == [
        ("image.download_failed", 4, "ponceuse-c")]
    for path_ in (urls[0], urls[1], gone):
        assert online.hits(path_.removeprefix(online.base_url)) == 1


def test_cli_online_exit_0_when_every_image_is_good(online: LoopbackServer, tmp_path: Path,
                                                    request: pytest.FixtureRequest) -> None:
    url = _serve_unique(online, request, "a.jpg", jpeg_bytes(300, 300), content_type="image/jpeg")
    path = write_csv(tmp_path / "catalogue.csv", [good_product("perceuse-a", **{"Image Src": url})])
    done = subprocess.run([str(CATALOG), "validate", str(path)], capture_output=True, text=True,
                          env=dict(os.environ), cwd=tmp_path, timeout=60)
    assert "Traceback" not in done.stdout + done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    assert online.hits(url.removeprefix(online.base_url)) == 1

