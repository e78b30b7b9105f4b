"""Every QR code the product draws is a standard QR code that a real decoder reads back."""

from __future__ import annotations

import io
import re

import pytest
import segno

from gonghui.lib import qr

zxingcpp = pytest.importorskip("zxingcpp")
Image = pytest.importorskip("PIL.Image")


def decode_png(data: bytes) -> list[tuple[str, str]]:
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))
    return [(r.text, r.format.name) for r in found]


@pytest.mark.parametrize("payload", [
    "K7QX2M9PLA4RTZ8E",  # a coupon code: short enough that segno alone would pick a Micro QR
    "https://gonghui.example.org/members/c/3q2+7w_aa-bbCCddEEffGGhhIIjjKKll/",
    "http://127.0.0.1:8000/activities/checkin/9a7c6a0e-3a4b-4c1f-9a51-0f1c0d8d1b2e/",
])
def test_it_draws_a_standard_qr_code_that_decodes_to_the_payload(payload: str) -> None:
    assert decode_png(qr.png(payload)) == [(payload, "QRCode")]


def test_it_is_not_the_micro_symbol_segno_picks_by_itself() -> None:
    """Negative control: without ``micro=False`` the same short code becomes a Micro QR."""
    code = "K7QX2M9PLA4RTZ8E"
    assert segno.make(code, error="m").is_micro
    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind="png", scale=8, border=4)
    assert decode_png(buffer.getvalue()) == [(code, "MicroQRCode")]


def test_it_scales_with_css_and_keeps_the_quiet_zone() -> None:
    svg = qr.svg_inline("K7QX2M9PLA4RTZ8E", scale=5)
    view_box = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    assert view_box and view_box.group(1) == view_box.group(2)
    assert 'class="qr"' in svg and "width=" not in svg.split(">", 1)[0]
    modules = int(view_box.group(1)) // 5
    assert modules == segno.make("K7QX2M9PLA4RTZ8E", error="m", micro=False).symbol_size(border=4)[0]


def test_it_writes_a_standalone_svg_file() -> None:
    data = qr.svg_file("https://gonghui.example.org/join/ABC/")
    assert data.startswith(b"<svg") and b'xmlns="http://www.w3.org/2000/svg"' in data
