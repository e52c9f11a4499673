"""Small, real demo pictures for every image URL the sample CSVs reference.

A demo serves these files so that image checks (download, format, size) run on
real bytes. Each picture is a solid colour with a simple shape, both derived
from the file name, so the same name always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Mapping
from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 400
TINY_SIZE = 80

# What a name may be asked to become instead of a normal 400×400 picture.
SPECIAL_KINDS = ("tiny", "gif")


def _digest(name: str) -> bytes:
    return hashlib.sha256(name.encode("utf-8")).digest()


def _picture(name: str, size: int) -> Image.Image:
    d = _digest(name)
    background = (80 + d[0] % 150, 80 + d[1] % 150, 80 + d[2] % 150)
    ink = (255 - background[0], 255 - background[1], 255 - background[2])
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    margin = size // 5 + d[3] % (size // 10)
    box = (margin, margin, size - margin, size - margin)
    shape = d[4] % 3
    if shape == 0:
        draw.ellipse(box, fill=ink)
    elif shape == 1:
        draw.rectangle(box, fill=ink)
    else:
        draw.polygon([(size // 2, margin), (size - margin, size - margin), (margin, size - margin)], fill=ink)
    return image


def render(name: str, kind: str = "") -> bytes:
    """The bytes of the demo picture called `name` (its extension picks JPEG or PNG)."""
    if kind and kind not in SPECIAL_KINDS:
        raise ValueError(f"unknown picture kind: {kind}")
    size = TINY_SIZE if kind == "tiny" else SIZE
    image = _picture(name, size)
    out = io.BytesIO()
    if kind == "gif":
        image.save(out, format="GIF")
    elif name.lower().endswith(".png"):
        image.save(out, format="PNG", optimize=False)
    else:
        image.save(out, format="JPEG", quality=85, optimize=False, progressive=False)
    return out.getvalue()


def make_demo_images(
    out_dir: Path | str,
    handles_and_names: Iterable[tuple[str, str]],
    special: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write one picture per (handle, file name) pair into `out_dir/produits/`.

    `special` maps a file name to a kind: `tiny` (80×80, under the size the
    marketplace wants) or `gif` (GIF bytes behind a .jpg name). Returns the
    paths written, in the order given, each name once.
    """
    special = special or {}
    target = Path(out_dir) / "produits"
    target.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    seen: set[str] = set()
    for _handle, name in handles_and_names:
        if name in seen:
            continue
        seen.add(name)
        if "/" in name or "\\" in name or name.startswith("."):
            raise ValueError(f"not a plain file name: {name}")
        path = target / name
        path.write_bytes(render(name, special.get(name, "")))
        written.append(path)
    return written
