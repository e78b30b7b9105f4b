"""File answers of the pages and the API: a QR code to show or to download, a stored file."""

from __future__ import annotations

from django.core.files import File
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from gonghui.lib import qr

from .errors import NotFound


def qr_svg(request: HttpRequest, payload: str, *, filename: str, scale: int = 6) -> HttpResponse:
    """The QR code of ``payload`` as a standalone SVG; with ``?download=1`` saved as ``filename``."""
    response = HttpResponse(qr.svg_file(payload, scale=scale), content_type="image/svg+xml")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stored_file(file: File, *, content_type: str, missing: str, filename: str | None = None,
                download: bool = False) -> FileResponse:
    """A stored upload (an attachment, a photo) streamed back; ``NotFound(missing)`` when the row is
    there but its file is gone. With ``filename`` the answer names it, shown in the browser or, with
    ``download``, saved. The caller has gated the row first."""
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise NotFound(missing) from None
    response = FileResponse(handle, content_type=content_type)
    if filename is not None:
        response["Content-Disposition"] = content_disposition_header(as_attachment=download, filename=filename)
    return response
