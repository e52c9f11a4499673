"""Image checks that need no network: the link's text, the downloaded bytes, and the issues they give.

Downloading is `catalog.net.images`'s job; these functions only judge values handed to them.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from catalog.domain.fetch import FetchFailure
from catalog.domain.issues import Issue
from catalog.domain.location import NOWHERE, Location
from catalog.domain.rules import issue

MIN_SIZE = 100
CLOTHING_MIN_SIZE = 250
# Far above any product photo (1024×1024 is recommended) and below Pillow's own bomb warning
# threshold, so an oversized image is refused before it is decoded into memory.
MAX_PIXELS = 40_000_000
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")

# Share pages, not images: (domain, display name); subdomains match too.
SHARING_HOSTS: tuple[tuple[str, str], ...] = (
    ("drive.google.com", "Google Drive"),
    ("docs.google.com", "Google Drive"),
    ("drive.usercontent.google.com", "Google Drive"),
    ("photos.google.com", "Google Photos"),
    ("photos.app.goo.gl", "Google Photos"),
    ("dropbox.com", "Dropbox"),
    ("db.tt", "Dropbox"),
    ("wetransfer.com", "WeTransfer"),
    ("we.tl", "WeTransfer"),
    ("onedrive.live.com", "OneDrive"),
    ("1drv.ms", "OneDrive"),
    ("sharepoint.com", "OneDrive / SharePoint"),
)

_FORMAT_NAMES = {"WEBP": "WebP", "JPEG2000": "JPEG 2000", "HEIF": "HEIC", "MPO": "JPEG"}


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """A JPEG or PNG that decoded completely."""

    format: str
    width: int
    height: int
    min_size: int = MIN_SIZE

    @property
    def too_small(self) -> bool:
        return self.is_smaller_than(self.min_size)

    def is_smaller_than(self, min_size: int) -> bool:
        return self.width < min_size or self.height < min_size


@dataclass(frozen=True, slots=True)
class ImageFault:
    """Bytes that are not a usable image: `code` is image.format or image.corrupt, `params` fill its message."""

    code: str
    params: Mapping[str, str] = field(default_factory=dict)


# ---- The link's text ---------------------------------------------------------------------------------


def sharing_service(host: str) -> str | None:
    """The display name of the file-sharing service serving `host`, if it is one."""
    host = host.lower().rstrip(".")
    for domain, name in SHARING_HOSTS:
        if host == domain or host.endswith("." + domain):
            return name
    return None


def image_url_issues(url: str, *, at: Location = NOWHERE, product: str | None = None) -> list[Issue]:
    """What the link's text alone says: not a URL, not https, a sharing site, no .jpg/.png ending."""
    url = url.strip()
    if not url:
        return []
    where = {"at": at, "product": product, "value": url}
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return [issue("image.url", **where)]
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host or any(c.isspace() for c in parts.netloc):
        suggestions = []
        if not parts.scheme and "." in url.split("/", 1)[0] and " " not in url:
            suggestions.append("https://" + url.removeprefix("//"))
        return [issue("image.url", suggestions=suggestions, **where)]
    found: list[Issue] = []
    if scheme != "https":
        found.append(issue("image.not_https", suggestions=[urlunsplit(parts._replace(scheme="https"))], **where))
    service = sharing_service(host)
    if service:
        found.append(issue("image.host_not_allowed", host_name=service, host=host, **where))
    elif not parts.path.lower().endswith(IMAGE_EXTENSIONS):
        found.append(issue("image.extension", **where))
    return found


def fetchable(url: str) -> bool:
    """Whether downloading the link is worth it: its text checks found no error."""
    return bool(url.strip()) and not any(found.is_error for found in image_url_issues(url))


# ---- The bytes -------------------------------------------------------------------------------------------


def _sniff(data: bytes, content_type: str | None) -> str:
    """A name for bytes Pillow does not recognise as an image."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%pdf"):
        return "PDF"
    if b"<svg" in head:
        return "SVG"
    if head.startswith((b"<!doctype html", b"<html")) or any(tag in head for tag in (b"<head", b"<body")):
        return "HTML"
    if head.startswith(b"<"):
        return "XML"
    if head.startswith(b"pk\x03\x04"):
        return "ZIP"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"avif", b"avis"):
            return "AVIF"
        return "HEIC" if brand.startswith((b"hei", b"mif", b"msf")) else "MP4"
    if content_type:
        return content_type.split(";", 1)[0].strip()
    return "type inconnu / unknown type"


def _corrupt(reason_fr: str, reason_en: str) -> ImageFault:
    return ImageFault("image.corrupt", {"reason_fr": reason_fr, "reason_en": reason_en})


def inspect_image(data: bytes, *, min_size: int = MIN_SIZE, content_type: str | None = None,
                  max_pixels: int = MAX_PIXELS) -> ImageInfo | ImageFault:
    """Decode `data` fully: a JPEG/PNG with its size, or why it is not one (image.format / image.corrupt).

    Dimensions are checked before decoding, so a decompression bomb costs nothing; Pillow's own
    DecompressionBombError (and its warning, when warnings are errors) is reported the same way.
    """
    from PIL import Image, UnidentifiedImageError  # only when bytes were downloaded: offline runs skip it

    if not data:
        return _corrupt("fichier vide", "empty file")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            if kind not in ("JPEG", "MPO", "PNG"):
                return ImageFault("image.format", {"found": _FORMAT_NAMES.get(kind, kind)})
            width, height = image.size
            if width * height > max_pixels:
                return _corrupt(f"dimensions démesurées ({width}×{height} px)",
                                f"oversized dimensions ({width}×{height} px)")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _corrupt("dimensions démesurées", "oversized dimensions")
    except UnidentifiedImageError:
        return ImageFault("image.format", {"found": _sniff(data, content_type)})
    except Exception as exc:  # any decoder failure on untrusted bytes means "unreadable"
        if "truncated" in str(exc).lower() or isinstance(exc, EOFError):
            return _corrupt("fichier tronqué (envoi incomplet ?)", "truncated file (incomplete upload?)")
        return _corrupt("données d'image invalides", "invalid image data")
    return ImageInfo("JPEG" if kind == "MPO" else kind, width, height, min_size)


# ---- Outcome → issues ------------------------------------------------------------------------------


def image_issues(*, min_size: int = MIN_SIZE, failure: FetchFailure | None = None,
                 inspection: ImageInfo | ImageFault | None = None, at: Location = NOWHERE,
                 product: str | None = None, value: str | None = None) -> list[Issue]:
    """The issues of one image reference, from its download failure or the inspection of its bytes."""
    where = {"at": at, "product": product, "value": value}
    if failure is not None:
        match failure.reason:
            case "blocked_address":
                return [issue("image.blocked_address", host=failure.host or "?", **where)]
            case "too_large":
                return [issue("image.too_large", **where)]
            case _:
                return [issue("image.download_failed", reason_fr=failure.message.fr,
                              reason_en=failure.message.en, **where)]
    if isinstance(inspection, ImageFault):
        return [issue(inspection.code, **inspection.params, **where)]
    if isinstance(inspection, ImageInfo) and inspection.is_smaller_than(min_size):
        return [issue("image.too_small", width=inspection.width, height=inspection.height,
                      min_size=min_size, **where)]
    return []
