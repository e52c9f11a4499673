"""Image checks: link text, bytes inspection, and the download run against a real HTTPS server."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support_servers import (
    LoopbackServer,
    bomb_png,
    image_bytes,
    jpeg_bytes,
    png_bytes,
    truncated_jpeg,
)

from catalog.domain.issues import Severity, Text
from catalog.domain.location import Location
from catalog.net.http import FetchFailure, Reason
from catalog.net.images import ImageOutcome, ImageRef, check_image_urls, issues_for
from catalog.settings import Settings, load_settings
from validators.images import (
    CLOTHING_MIN_SIZE,
    ImageFault,
    ImageInfo,
    fetchable,
    image_issues,
    image_url_issues,
    inspect_image,
)


def codes(issues: list) -> list[str]:
    return [found.code for found in issues]


# ---- Link text --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "https://cdn.boutique.fr/p/perceuse.jpg",
    "https://cdn.boutique.fr/p/PERCEUSE.JPEG",
    "https://cdn.boutique.fr/p/perceuse.png?width=1024&v=3",
    "https://cdn.boutique.fr/p/perceuse.Png#zoom",
])
def test_direct_https_image_links_pass(url: str) -> None:
    assert image_url_issues(url, at=Location(2, "Image Src"), product="p") == []
    assert fetchable(url)


@pytest.mark.parametrize("url", ["perceuse.jpg", "C:\\Photos\\perceuse.jpg", "https://", "mailto:a@b.fr",
                                 "ftp://cdn.boutique.fr/a.jpg", "https://cdn boutique.fr/a.jpg", "https://[::1/a.jpg"])
def test_not_a_url(url: str) -> None:
    found = image_url_issues(url, at=Location(3, "Image Src"), product="p")
    assert codes(found) == ["image.url"]
    assert found[0].row == 3 and found[0].product == "p" and found[0].value == url
    assert not fetchable(url)


def test_missing_scheme_suggests_https() -> None:
    found = image_url_issues("www.boutique.fr/perceuse.jpg", at=Location(2, "Image Src"))
    assert codes(found) == ["image.url"]
    assert found[0].suggestions == ("https://www.boutique.fr/perceuse.jpg",)


def test_http_is_refused_with_the_https_link_suggested() -> None:
    found = image_url_issues("http://cdn.boutique.fr/a.jpg", at=Location(2, "Image Src"))
    assert codes(found) == ["image.not_https"]
    assert found[0].is_error and found[0].suggestions == ("https://cdn.boutique.fr/a.jpg",)
    assert not fetchable("http://cdn.boutique.fr/a.jpg")


@pytest.mark.parametrize(("url", "service"), [
    ("https://drive.google.com/file/d/1AbC/view?usp=sharing", "Google Drive"),
    ("https://docs.google.com/uc?id=1AbC", "Google Drive"),
    ("https://www.dropbox.com/s/abc/perceuse.jpg?dl=0", "Dropbox"),
    ("https://wetransfer.com/downloads/abc", "WeTransfer"),
    ("https://we.tl/t-AbC", "WeTransfer"),
    ("https://1drv.ms/i/s!AbC", "OneDrive"),
    ("https://onedrive.live.com/?id=abc", "OneDrive"),
    ("https://boutique-my.sharepoint.com/:i:/g/personal/x/perceuse.jpg", "SharePoint"),
])
def test_sharing_sites_are_refused(url: str, service: str) -> None:
    found = image_url_issues(url, at=Location(4, "Image Src"))
    assert codes(found) == ["image.host_not_allowed"]
    assert service in found[0].message.fr and service in found[0].message.en
    assert not fetchable(url)


@pytest.mark.parametrize("url", [
    "https://cdn.boutique.fr/image?id=42",
    "https://cdn.boutique.fr/p/perceuse.webp",
    "https://cdn.boutique.fr/p/perceuse",
    "https://cdn.boutique.fr/p/?file=perceuse.jpg",
])
def test_link_without_image_extension_is_a_warning(url: str) -> None:
    found = image_url_issues(url, at=Location(5, "Image Src"))
    assert codes(found) == ["image.extension"]
    assert found[0].severity is Severity.WARNING
    assert fetchable(url)


def test_lookalike_hosts_are_not_sharing_sites() -> None:
    assert image_url_issues("https://notdropbox.com/a.jpg") == []
    assert image_url_issues("https://img.we.tl.example.fr/a.jpg") == []


# ---- Bytes -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "mode"), [("JPEG", "RGB"), ("JPEG", "L"), ("JPEG", "CMYK"), ("PNG", "RGBA"),
                                           ("PNG", "P")])
def test_jpeg_and_png_decode(fmt: str, mode: str) -> None:
    info = inspect_image(image_bytes(fmt, 640, 480, mode=mode), min_size=100)
    assert info == ImageInfo(fmt, 640, 480, 100)
    assert not info.too_small


@pytest.mark.parametrize(("data", "found"), [
    (image_bytes("WEBP", 300, 300), "WebP"),
    (image_bytes("GIF", 300, 300), "GIF"),
    (image_bytes("BMP", 300, 300), "BMP"),
    (image_bytes("TIFF", 300, 300), "TIFF"),
    (b"<!DOCTYPE html><html><head><title>Drive</title></head><body></body></html>", "HTML"),
    (b"\n  <html lang='fr'><body>Connexion</body></html>", "HTML"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
])
def test_other_formats_are_named(data: bytes, found: str) -> None:
    fault = inspect_image(data, min_size=100)
    assert isinstance(fault, ImageFault) and fault.code == "image.format"
    assert fault.params["found"] == found


def test_unknown_bytes_are_named_by_their_content_type() -> None:
    fault = inspect_image(b"\x00\x01 not an image", min_size=100, content_type="application/octet-stream; x=1")
    assert fault == ImageFault("image.format", {"found": "application/octet-stream"})


def test_truncated_jpeg_is_corrupt() -> None:
    fault = inspect_image(truncated_jpeg(), min_size=100)
    assert isinstance(fault, ImageFault) and fault.code == "image.corrupt"
    assert "tronqué" in fault.params["reason_fr"] and "truncated" in fault.params["reason_en"]


def test_truncated_png_is_corrupt() -> None:
    data = png_bytes(400, 400, noise=True)
    fault = inspect_image(data[: len(data) // 2], min_size=100)
    assert isinstance(fault, ImageFault) and fault.code == "image.corrupt"


def test_garbage_after_a_jpeg_header_is_corrupt() -> None:
    data = jpeg_bytes(200, 200, noise=True)
    fault = inspect_image(data[:600] + bytes(range(256)) * 40, min_size=100)
    assert isinstance(fault, ImageFault) and fault.code == "image.corrupt"


def test_empty_body_is_corrupt() -> None:
    assert inspect_image(b"", min_size=100) == ImageFault("image.corrupt", {"reason_fr": "fichier vide",
                                                                            "reason_en": "empty file"})


@pytest.mark.parametrize("side", [
    7_000,
    pytest.param(10_000, marks=pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")),
    20_000,
])
def test_decompression_bombs_are_corrupt(side: int) -> None:
    data = bomb_png(side, side)
    assert len(data) < 100_000
    fault = inspect_image(data, min_size=100)
    assert isinstance(fault, ImageFault) and fault.code == "image.corrupt"
    assert "dimensions" in fault.params["reason_fr"]


def test_pillow_bomb_error_is_corrupt_even_with_a_higher_own_limit() -> None:
    fault = inspect_image(bomb_png(20_000, 20_000), min_size=100, max_pixels=10**12)
    assert isinstance(fault, ImageFault) and fault.code == "image.corrupt"


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
def test_pillow_bomb_warning_raised_as_error_is_corrupt() -> None:
    fault = inspect_image(bomb_png(10_000, 10_000), min_size=100, max_pixels=10**12)
    assert isinstance(fault, ImageFault) and fault.code == "image.corrupt"


def test_too_small_depends_on_min_size() -> None:
    info = inspect_image(png_bytes(200, 120), min_size=100)
    assert isinstance(info, ImageInfo) and not info.too_small
    assert inspect_image(png_bytes(200, 120), min_size=CLOTHING_MIN_SIZE).too_small
    assert inspect_image(jpeg_bytes(99, 400), min_size=100).too_small


# ---- Outcome → issues ------------------------------------------------------------------------------------


def failure(reason: Reason, **kwargs) -> FetchFailure:
    return FetchFailure(reason=reason, message=Text("raison", "reason"), url="https://x.fr/a.jpg", **kwargs)


def test_failures_map_to_their_rules() -> None:
    where = {"at": Location(8, "Image Src"), "product": "p", "value": "https://x.fr/a.jpg"}
    blocked = image_issues(failure=failure(Reason.BLOCKED_ADDRESS, host="intranet → 10.0.0.5"), **where)
    assert codes(blocked) == ["image.blocked_address"] and "10.0.0.5" in blocked[0].message.fr
    assert codes(image_issues(failure=failure(Reason.TOO_LARGE), **where)) == ["image.too_large"]
    failed = image_issues(failure=failure(Reason.TIMEOUT), **where)
    assert codes(failed) == ["image.download_failed"]
    assert failed[0].message.fr.endswith("raison.") and failed[0].message.en.endswith("reason.")
    assert failed[0].row == 8 and failed[0].value == "https://x.fr/a.jpg"


def test_inspection_maps_to_issues() -> None:
    fault = ImageFault("image.format", {"found": "WebP"})
    assert "WebP" in image_issues(inspection=fault, at=Location(2, "Image Src"))[0].message.en
    small = image_issues(inspection=ImageInfo("PNG", 80, 300), min_size=100, at=Location(2, "Image Src"))
    assert codes(small) == ["image.too_small"] and small[0].severity is Severity.WARNING
    assert "80×300" in small[0].message.fr and "100×100" in small[0].message.fr
    assert image_issues(inspection=ImageInfo("PNG", 300, 300), min_size=250) == []


# ---- Downloads on loopback -------------------------------------------------------------------------------




def run(refs: list[ImageRef], settings: Settings) -> tuple[dict[str, ImageOutcome], list[list[str]]]:
    outcomes = check_image_urls(refs, settings)
    return outcomes, [codes(issues_for(outcomes.get(ref.url), ref, ref.min_size)) for ref in refs]


def test_default_settings_block_loopback(server: LoopbackServer, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CATALOG_CA_BUNDLE", str(server.write_ca_bundle(tmp_path / "ca.pem")))
    url = server.add("/a.jpg", jpeg_bytes(), content_type="image/jpeg")
    outcomes, found = run([ImageRef(url, at=Location(2, "Image Src"), product="p")], load_settings(None))
    assert found == [["image.blocked_address"]]
    assert "127.0.0.1" in issues_for(outcomes[url], ImageRef(url))[0].message.fr
    assert server.requests == []


def test_good_image_is_fetched_with_its_size(server: LoopbackServer, allowed: Settings) -> None:
    url = server.add("/a.jpg", jpeg_bytes(800, 600), content_type="image/jpeg")
    outcomes, found = run([ImageRef(url, at=Location(2, "Image Src"))], allowed)
    assert found == [[]]
    outcome = outcomes[url]
    assert (outcome.format, outcome.width, outcome.height, outcome.status) == ("JPEG", 800, 600, 200)
    assert "image/jpeg" in server.requests[0].headers["Accept"]


def test_each_url_is_fetched_once_per_run(server: LoopbackServer, allowed: Settings) -> None:
    url = server.add("/shared.png", png_bytes(200, 200), content_type="image/png")
    refs = [ImageRef(url, at=Location(2, "Image Src"), product="tshirt", min_size=CLOTHING_MIN_SIZE),
            ImageRef(url, at=Location(3, "Image Src"), product="tshirt", min_size=CLOTHING_MIN_SIZE),
            ImageRef(url + " ", at=Location(9, "Image Src"), product="mug", min_size=100)]
    outcomes, found = run(refs, allowed)
    assert server.hits("/shared.png") == 1
    assert found == [["image.too_small"], ["image.too_small"], []]
    assert outcomes[url] is outcomes[url + " "]
    rows = [issue.row for ref in refs for issue in issues_for(outcomes[ref.url], ref)]
    assert rows == [2, 3]


def test_failures_and_bad_bytes_become_issues(server: LoopbackServer, allowed: Settings,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_HTTP_TIMEOUT", "0.5")
    monkeypatch.setenv("CATALOG_MAX_IMAGE_BYTES", "100000")
    cases = {
        "/missing.jpg": None,
        "/slow.jpg": {"body": jpeg_bytes(), "delay": 3},
        "/huge.jpg": {"body": b"\xff", "length": 50_000_000, "chunked": True},
        "/photo.webp.jpg": {"body": image_bytes("WEBP", 300, 300)},
        "/anim.gif.jpg": {"body": image_bytes("GIF", 300, 300)},
        "/login.jpg": {"body": b"<html><body>Se connecter</body></html>", "content_type": "text/html"},
        "/cut.jpg": {"body": truncated_jpeg()},
        "/bomb.png": {"body": bomb_png()},
        "/tiny.jpg": {"body": jpeg_bytes(40, 40)},
        "/redirected.jpg": {"body": b"", "status": 302, "location": "/tiny.jpg"},
    }
    for path, route in cases.items():
        if route is not None:
            server.add(path, route.pop("body"), **route)
    refs = [ImageRef(server.url(path), at=Location(row, "Image Src")) for row, path in enumerate(cases, start=2)]
    started = time.monotonic()
    outcomes, found = run(refs, load_settings(None))
    assert time.monotonic() - started < 3
    assert dict(zip(cases, found, strict=True)) == {
        "/missing.jpg": ["image.download_failed"],
        "/slow.jpg": ["image.download_failed"],
        "/huge.jpg": ["image.too_large"],
        "/photo.webp.jpg": ["image.format"],
        "/anim.gif.jpg": ["image.format"],
        "/login.jpg": ["image.format"],
        "/cut.jpg": ["image.corrupt"],
        "/bomb.png": ["image.corrupt"],
        "/tiny.jpg": ["image.too_small"],
        "/redirected.jpg": ["image.too_small"],
    }
    webp = issues_for(outcomes[server.url("/photo.webp.jpg")], refs[3])[0]
    assert "WebP" in webp.message.fr
    missing = issues_for(outcomes[server.url("/missing.jpg")], refs[0])[0]
    assert "404" in missing.message.fr and "404" in missing.message.en
    assert server.sent["/huge.jpg"] < 50_000_000


def test_links_with_text_errors_are_not_downloaded(server: LoopbackServer, allowed: Settings) -> None:
    server.add("/a.jpg", jpeg_bytes())
    insecure = server.url("/a.jpg").replace("https://", "http://")
    outcomes = check_image_urls([ImageRef(insecure), ImageRef("not a url")], allowed)
    assert outcomes == {}
    assert server.requests == []
    assert issues_for(None, ImageRef(insecure)) == []


def test_downloads_run_concurrently(server: LoopbackServer, allowed: Settings) -> None:
    image = jpeg_bytes(300, 300)
    refs = [ImageRef(server.add(f"/img-{n}.jpg", image, delay=0.3), at=Location(n, "Image Src")) for n in range(40)]
    seen: list[tuple[int, int]] = []
    started = time.monotonic()
    outcomes = check_image_urls(refs, allowed, progress=lambda done, total: seen.append((done, total)))
    elapsed = time.monotonic() - started
    assert all(outcome.ok for outcome in outcomes.values()) and len(outcomes) == 40
    assert elapsed < 3, f"40 × 0.3 s took {elapsed:.1f} s: not concurrent"
    assert seen[-1] == (40, 40) and len(seen) == 40


def test_progress_prints_nothing_when_stderr_is_not_a_terminal(server: LoopbackServer, allowed: Settings,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    check_image_urls([ImageRef(server.add("/a.jpg", jpeg_bytes()))], allowed, progress=True)
    assert capsys.readouterr().err == ""
