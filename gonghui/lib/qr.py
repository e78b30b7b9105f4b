"""The one QR renderer: every QR code the product shows or hands out is drawn here.

``svg_inline`` is for embedding in a page (no XML declaration or namespace); ``svg_file`` is a
standalone SVG file (posters, downloads). Both draw the dark modules in the console's ink colour
on a two-module quiet zone, so a change of symbol (size, error correction) is made once for all.
"""

from __future__ import annotations

import io

import segno

INK = "#1f2329"
BORDER = 2


def _symbol(payload: str) -> segno.QRCode:
    return segno.make(payload, error="m")


def svg_inline(payload: str, *, scale: int = 5) -> str:
    """The QR code of ``payload`` as an ``<svg>`` element for a template."""
    return _symbol(payload).svg_inline(scale=scale, dark=INK, border=BORDER)


def svg_file(payload: str, *, scale: int = 6) -> bytes:
    """The QR code of ``payload`` as a standalone SVG document (with the SVG namespace)."""
    buffer = io.BytesIO()
    _symbol(payload).save(buffer, kind="svg", scale=scale, dark=INK, border=BORDER, xmldecl=False)
    return buffer.getvalue()
