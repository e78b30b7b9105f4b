"""Server-side photo processing: sizes, EXIF stripped, orientation applied, bombs and wrong formats refused."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from gonghui.lib import images

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(size: tuple[int, int] = (2000, 1500), orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    image.paste((20, 20, 200), (0, 0, size[0] // 4, size[1] // 4))  # a blue corner, to see where it goes
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"
    if orientation:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (39.0, 54.0, 26.0)
    gps[3] = "E"
    gps[4] = (116.0, 23.0, 29.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=90)
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A tiny PNG that declares a huge canvas: the classic decompression bomb."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    idat = zlib.compress(b"\x00" * 64)
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
            + struct.pack(">I", len(idat)) + b"IDAT" + idat + struct.pack(">I", zlib.crc32(b"IDAT" + idat))
            + b"\x00\x00\x00\x00IEND\xaeB`\x82")


def test_it_produces_each_width_with_the_aspect_kept() -> None:
    result = images.process(jpeg_with_gps())
    assert [(r.width, r.height) for r in result.renditions] == [(320, 240), (640, 480), (1280, 960)]
    assert (result.width, result.height, result.ext, result.content_type) == (2000, 1500, "webp", "image/webp")
    for rendition in result.renditions:
        decoded = Image.open(io.BytesIO(rendition.content))
        assert decoded.format == "WEBP"
        assert decoded.size == (rendition.width, rendition.height)


def test_it_strips_exif_gps_and_camera_data() -> None:
    source = jpeg_with_gps()
    # the control: the source really carries GPS and the maker
    exif = Image.open(io.BytesIO(source)).getexif()
    assert exif.get_ifd(GPS_IFD)[2] == (39.0, 54.0, 26.0)
    assert exif[0x010F] == "PhoneMaker"
    for fmt in ("webp", "jpeg"):
        for rendition in images.process(source, fmt=fmt).renditions:
            decoded = Image.open(io.BytesIO(rendition.content))
            assert not decoded.getexif(), fmt
            assert "exif" not in decoded.info and "icc_profile" not in decoded.info
            assert b"PhoneMaker" not in rendition.content and b"Exif" not in rendition.content


def test_it_applies_the_orientation_before_stripping_it() -> None:
    # orientation 6: the camera was turned; the picture is shown rotated 90° clockwise
    result = images.process(jpeg_with_gps((2000, 1000), orientation=6), widths=(640,), fmt="jpeg")
    (rendition,) = result.renditions
    assert (result.width, result.height) == (1000, 2000)
    decoded = Image.open(io.BytesIO(rendition.content)).convert("RGB")
    assert decoded.size == (640, 1280)
    # the blue corner (top-left of the sensor) is now top-right
    r, g, b = decoded.getpixel((decoded.width - 10, 10))
    assert b > 150 and r < 100


def test_it_never_upscales_a_small_picture() -> None:
    out = io.BytesIO()
    Image.new("RGB", (500, 250), "white").save(out, format="PNG")
    result = images.process(out.getvalue())
    assert [(r.width, r.height) for r in result.renditions] == [(320, 160), (500, 250)]


def test_it_keeps_transparency_in_webp_and_flattens_it_in_jpeg() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (400, 400), (0, 0, 0, 0)).save(out, format="PNG")
    webp = Image.open(io.BytesIO(images.process(out.getvalue(), widths=(320,)).renditions[0].content))
    assert webp.mode == "RGBA" and webp.getpixel((5, 5))[3] == 0
    jpeg = Image.open(io.BytesIO(images.process(out.getvalue(), widths=(320,), fmt="jpeg").renditions[0].content))
    assert jpeg.mode == "RGB" and jpeg.getpixel((5, 5)) > (240, 240, 240)


def test_it_refuses_a_decompression_bomb_before_decoding() -> None:
    bomb = png_header(30_000, 30_000)
    assert len(bomb) < 200
    with pytest.raises(images.ImageRejected, match="尺寸过大"):
        images.process(bomb)
    # just under the limits is accepted as far as the size check goes (then decoded for real)
    with pytest.raises(images.ImageRejected, match="尺寸过大"):
        images.process(png_header(12_001, 10))
    ok = io.BytesIO()
    Image.new("RGB", (1000, 20), "white").save(ok, format="PNG")
    assert images.process(ok.getvalue()).width == 1000


def test_it_refuses_what_is_not_an_accepted_image() -> None:
    with pytest.raises(images.ImageRejected, match="只能上传"):
        images.process(b"%PDF-1.7\n" + b"0" * 100)
    with pytest.raises(images.ImageRejected, match="只能上传"):
        images.process(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>")
    with pytest.raises(images.ImageRejected, match="损坏"):
        images.process(b"\xff\xd8\xff\xe0" + b"\x00" * 200)  # a JPEG signature with nothing behind it
    with pytest.raises(images.ImageRejected, match="请选择"):
        images.process(b"")


def test_it_refuses_a_file_over_the_size_limit() -> None:
    source = jpeg_with_gps((600, 400))
    with pytest.raises(images.ImageRejected, match="不能超过1MB"):
        images.process(source + b"\x00" * (1024 * 1024), max_bytes=1024 * 1024)
    assert images.process(source, max_bytes=1024 * 1024).renditions


def test_it_draws_an_illustration_without_fonts() -> None:
    for shape in ("circle", "square", "diamond", "triangle", "heart", "star", "cross"):
        picture = Image.open(io.BytesIO(images.illustration(colour="#165dff", shape=shape, size=(320, 200))))
        assert picture.size == (320, 200)
        assert picture.getpixel((160, 100)) == (255, 255, 255)  # the white shape at the centre
