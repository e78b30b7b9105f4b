"""Photos for pages: check an uploaded image and re-encode it into a few widths, metadata stripped.

Pure image processing (no Django): the bytes come in, renditions come out. What is refused and why:

- anything whose first bytes are not JPEG, PNG, WebP or GIF (the name and the browser's claim are
  never trusted), and anything Pillow cannot decode;
- images with more than ``MAX_PIXELS`` pixels or a side longer than ``MAX_SIDE`` — a small file can
  declare a huge canvas (a "decompression bomb"); the check reads only the header, before decoding;
- files larger than ``max_bytes``.

Every rendition is decoded and encoded afresh, so EXIF (GPS position, camera serial), XMP, ICC and
comments never reach the output; the EXIF orientation is applied first, so a phone photo taken
upright stays upright.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from .uploads import sniff_content_type

WIDTHS: tuple[int, ...] = (320, 640, 1280)
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 48-megapixel phone sensor in its default 12 MP mode is far below
MAX_SIDE = 12_000
ACCEPTED = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}
FORMATS = {"webp": ("WEBP", "image/webp"), "jpeg": ("JPEG", "image/jpeg")}


class ImageRejected(ValueError):
    """The upload is not an image this module accepts; ``str(error)`` is a Chinese message for users."""


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    content: bytes


@dataclass(frozen=True)
class Processed:
    """What a checked upload became: its upright size and one rendition per width (widest last)."""

    width: int
    height: int
    ext: str
    content_type: str
    renditions: tuple[Rendition, ...]


def _open(content: bytes, *, max_pixels: int) -> Image.Image:
    mime = sniff_content_type(content[:16])
    if mime not in ACCEPTED:
        raise ImageRejected("只能上传 JPG、PNG、WebP 或 GIF 格式的图片")
    try:
        with warnings.catch_warnings():
            # Pillow warns (and past twice its limit raises) on huge canvases; our own limit is stricter.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content), formats=[ACCEPTED[mime]])
    except Image.DecompressionBombError as error:
        raise ImageRejected("图片尺寸过大，请缩小后再上传") from error
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise ImageRejected("图片已损坏或格式不正确，请重新选择") from error
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageRejected("图片已损坏或格式不正确，请重新选择")
    if width * height > max_pixels or max(width, height) > MAX_SIDE:
        raise ImageRejected(f"图片尺寸过大（{width}×{height}像素），请缩小后再上传")
    return image


def process(content: bytes, *, widths: tuple[int, ...] = WIDTHS, fmt: str = "webp", quality: int = 80,
            max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> Processed:
    """Check ``content`` and re-encode it at each of ``widths`` (never upscaled), EXIF removed.

    Raises ImageRejected with a message fit to show the user. ``fmt`` is "webp" or "jpeg".
    """
    if not content:
        raise ImageRejected("请选择图片")
    if len(content) > max_bytes:
        raise ImageRejected(f"图片不能超过{max_bytes // 1024 // 1024}MB")
    image = _open(content, max_pixels=max_pixels)
    try:
        image.seek(0)  # the first frame of an animated GIF/WebP
        upright = ImageOps.exif_transpose(image)
        upright.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise ImageRejected("图片已损坏或格式不正确，请重新选择") from error
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info)
    if fmt == "jpeg" or not has_alpha:
        if has_alpha:  # JPEG has no transparency: flatten on white, as a page would show it
            background = Image.new("RGB", upright.size, (255, 255, 255))
            background.paste(upright.convert("RGBA"), mask=upright.convert("RGBA").getchannel("A"))
            upright = background
        else:
            upright = upright.convert("RGB")
    else:
        upright = upright.convert("RGBA")
    pil_format, content_type = FORMATS[fmt]
    width, height = upright.size
    renditions: list[Rendition] = []
    for target in sorted(set(widths)):
        w = min(target, width)
        if renditions and renditions[-1].width == w:
            continue  # a small original: one rendition serves several widths
        h = max(1, round(height * w / width))
        resized = upright if w == width else upright.resize((w, h), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        # A fresh image has no .info: no EXIF, ICC or XMP is carried over.
        clean = Image.new(resized.mode, resized.size)
        clean.paste(resized)
        clean.save(out, format=pil_format, quality=quality, **({"method": 4} if pil_format == "WEBP"
                                                                 else {"optimize": True, "progressive": True}))
        renditions.append(Rendition(width=w, height=h, content=out.getvalue()))
    return Processed(width=width, height=height, ext=fmt if fmt != "jpeg" else "jpg", content_type=content_type,
                     renditions=tuple(renditions))


def illustration(*, colour: str, shape: str = "circle", size: tuple[int, int] = (1280, 853)) -> bytes:
    """A clean PNG illustration: a soft two-tone background and a large icon-like shape, no text.

    Used by the demo for showcase pictures (generated, never downloaded). ``colour`` is "#rrggbb";
    ``shape`` is one of circle, square, diamond, triangle, heart, star, cross.
    """
    from PIL import ImageDraw

    width, height = size
    base = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    light = tuple(min(255, c + (255 - c) * 3 // 5) for c in base)
    image = Image.new("RGB", size, light)
    draw = ImageDraw.Draw(image)
    # a gentle diagonal band and two background circles give depth without any detail to misread
    draw.polygon([(0, height), (width, height * 2 // 5), (width, height)], fill=tuple(
        min(255, c + (255 - c) * 2 // 5) for c in base))
    draw.ellipse((-width // 6, -height // 4, width // 3, height // 2), fill=tuple(
        min(255, c + (255 - c) * 7 // 10) for c in base))
    cx, cy, r = width // 2, height // 2, min(width, height) // 4
    white = (255, 255, 255)
    draw.ellipse((cx - r * 3 // 2, cy - r * 3 // 2, cx + r * 3 // 2, cy + r * 3 // 2), fill=base)
    if shape == "square":
        draw.rounded_rectangle((cx - r * 3 // 4, cy - r * 3 // 4, cx + r * 3 // 4, cy + r * 3 // 4),
                               radius=r // 5, fill=white)
    elif shape == "diamond":
        draw.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], fill=white)
    elif shape == "triangle":
        draw.polygon([(cx, cy - r), (cx + r * 7 // 8, cy + r * 5 // 8), (cx - r * 7 // 8, cy + r * 5 // 8)],
                     fill=white)
    elif shape == "heart":
        import math
        q = r // 2
        draw.ellipse((cx - r, cy - q * 3 // 2, cx, cy + q // 2), fill=white)
        draw.ellipse((cx, cy - q * 3 // 2, cx + r, cy + q // 2), fill=white)
        # the point below, joined to each lobe along its tangent, so the outline is smooth
        bottom = (cx, cy + r)
        points = []
        for side in (-1, 1):
            centre = (cx + side * q, cy - q / 2)
            dx, dy = bottom[0] - centre[0], bottom[1] - centre[1]
            angle = math.atan2(dy, dx) - side * math.acos(q / math.hypot(dx, dy))
            points.append((centre[0] + q * math.cos(angle), centre[1] + q * math.sin(angle)))
            points.append(centre)
        draw.polygon([points[0], points[1], points[3], points[2], bottom], fill=white)
    elif shape == "star":
        import math
        points = []
        for i in range(10):
            radius = r if i % 2 == 0 else r * 2 // 5
            angle = -math.pi / 2 + i * math.pi / 5
            points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
        draw.polygon(points, fill=white)
    elif shape == "cross":
        t = r // 3
        draw.rounded_rectangle((cx - t, cy - r, cx + t, cy + r), radius=t // 3, fill=white)
        draw.rounded_rectangle((cx - r, cy - t, cx + r, cy + t), radius=t // 3, fill=white)
    else:
        draw.ellipse((cx - r * 3 // 4, cy - r * 3 // 4, cx + r * 3 // 4, cy + r * 3 // 4), fill=white)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
