"""File answers of the pages and the API: a QR code to show or to download, a stored file, a stored file
in byte ranges (video)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.core.files import File
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
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


RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def ranged_file(request: HttpRequest, file: File, *, content_type: str, missing: str) -> HttpResponse:
    """``stored_file`` for media a player seeks in (a lesson's video): one ``Range: bytes=a-b`` is answered
    with 206 and that slice, so a phone on a weak network resumes where it stopped; no or a multi-part
    range is the whole file (200, ``Accept-Ranges: bytes``); a range past the end is 416. The caller has
    gated the row first."""
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise NotFound(missing) from None
    size = file.size
    match = RANGE.match(request.headers.get("Range", "").strip())
    if match is None or not any(match.groups()):
        response: HttpResponse = FileResponse(handle, content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.groups()
    if first == "":  # the last N bytes
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response

    def chunks() -> Iterator[bytes]:
        with handle:
            handle.seek(start)
            left = end - start + 1
            while left > 0:
                data = handle.read(min(CHUNK, left))
                if not data:
                    break
                left -= len(data)
                yield data

    response = StreamingHttpResponse(chunks(), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response
