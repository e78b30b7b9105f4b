"""The one QR renderer: every QR code the product shows or hands out is drawn here.

``svg_inline`` is for embedding in a page (no XML declaration or namespace); ``svg_file`` is a
standalone SVG file (posters, downloads). Both draw the dark modules in the console's ink colour
on a four-module quiet zone (the standard's minimum), so a change of symbol is made once for all.

Always a standard QR code: left to itself segno picks the smallest symbol, a Micro QR for short
payloads such as coupon codes, which phone cameras, WeChat and most cashier scanners cannot read.
The inline SVG has a viewBox and no fixed size, so CSS scales it to its box (``svg.qr``).
"""

from __future__ import annotations

import io

import segno

INK = "#1f2329"
BORDER = 4


def _symbol(payload: str) -> segno.QRCode:
    return segno.make(payload, error="m", micro=False)


def svg_inline(payload: str, *, scale: int = 5, title: str = "") -> str:
    """The QR code of ``payload`` as an ``<svg class="qr">`` element for a template, sized by CSS."""
    return _symbol(payload).svg_inline(scale=scale, dark=INK, border=BORDER, omitsize=True, svgclass="qr",
                                       title=title or None)


def png(payload: str, *, scale: int = 8) -> bytes:
    """The same symbol as a PNG (downloads, and tests that decode what the renderer draws)."""
    buffer = io.BytesIO()
    _symbol(payload).save(buffer, kind="png", scale=scale, dark=INK, border=BORDER)
    return buffer.getvalue()


def svg_file(payload: str, *, scale: int = 6) -> bytes:
    """The QR code of ``payload`` as a standalone SVG document (with the SVG namespace)."""
    buffer = io.BytesIO()
    _symbol(payload).save(buffer, kind="svg", scale=scale, dark=INK, border=BORDER, xmldecl=False)
    return buffer.getvalue()
