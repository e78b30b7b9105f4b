"""File answers of the pages: a QR code to show or to download."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from gonghui.lib import qr


def qr_svg(request: HttpRequest, payload: str, *, filename: str, scale: int = 6) -> HttpResponse:
    """The QR code of ``payload`` as a standalone SVG; with ``?download=1`` saved as ``filename``."""
    response = HttpResponse(qr.svg_file(payload, scale=scale), content_type="image/svg+xml")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
