"""Console pages of the Excel import of unions and employers: template download, upload → check
(dry run) → confirm → commit. The logic is in services/imports.py; these views parse, gate and render.

Between the check and the confirmation the upload waits in MEDIA_ROOT/imports under a random name
that only the uploader's session knows; it is deleted on commit or cancel, and a sweep on each upload
removes files left behind by abandoned checks.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gonghui.core.decorators import staff_required
from gonghui.core.errors import Forbidden, ValidationFailed
from gonghui.lib.excel import XLSX_MIME

from ..services import imports as importing

SESSION_KEY = "unions_imports"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
_KEEP_SECONDS = 6 * 3600  # an upload not confirmed within this time is swept away
_PER_SESSION = 5


def template_response(kind: str) -> HttpResponse:
    """The template as a download (shared with the API)."""
    response = HttpResponse(importing.template_build(kind), content_type=XLSX_MIME)
    response["Content-Disposition"] = (f"attachment; filename=\"{kind}-import-template.xlsx\"; "
                                       f"filename*=UTF-8''{quote(importing.template_filename(kind))}")
    return response


@staff_required
def template(request: HttpRequest, kind: str) -> HttpResponse:
    importing.import_gate(request.user, kind)
    return template_response(kind)


# --- Waiting uploads --------------------------------------------------------------------------------------


def _folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    cutoff = time.time() - _KEEP_SECONDS
    for entry in os.scandir(folder):
        try:
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
        except OSError:
            continue


def _waiting(request: HttpRequest) -> dict[str, dict[str, Any]]:
    return dict(request.session.get(SESSION_KEY, {}))


def _stash(request: HttpRequest, kind: str, content: bytes, filename: str) -> str:
    """Keep a checked upload until the user confirms; returns the token the confirmation carries."""
    folder = _folder()
    _sweep(folder)
    token = secrets.token_urlsafe(32)
    fd = os.open(folder / f"{token}.xlsx", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    waiting = _waiting(request)
    waiting[token] = {"kind": kind, "name": filename[:120], "at": time.time()}
    for old in sorted(waiting, key=lambda t: waiting[t]["at"])[:-_PER_SESSION]:
        _discard(old)
        waiting.pop(old)
    request.session[SESSION_KEY] = waiting
    return token


def _discard(token: str) -> None:
    if _TOKEN.fullmatch(token):
        (_folder() / f"{token}.xlsx").unlink(missing_ok=True)


def _claim(request: HttpRequest, token: str) -> tuple[dict[str, Any], bytes] | None:
    """Take a waiting upload out of this session (once): its entry and content, None if unknown/gone."""
    waiting = _waiting(request)
    entry = waiting.pop(token, None) if _TOKEN.fullmatch(token) else None
    if entry is None:
        return None
    request.session[SESSION_KEY] = waiting
    path = _folder() / f"{token}.xlsx"
    try:
        content = path.read_bytes()
    except OSError:
        return None
    finally:
        path.unlink(missing_ok=True)
    return entry, content


# --- Pages ----------------------------------------------------------------------------------------------


def _page(request: HttpRequest, *, report: importing.ImportReport | None = None, token: str = "",
          error: str = "", kind: str = "", filename: str = "", status: int = 200) -> HttpResponse:
    kinds = importing.importable_kinds(request.user)
    section = "employers" if (report.kind if report else kind) == "employers" else "unions"
    return render(request, "unions/import.html", {
        "section": section, "report": report, "token": token, "error": error, "kind": kind, "filename": filename,
        "can_unions": "unions" in kinds, "can_employers": "employers" in kinds,
        "max_mb": importing.MAX_UPLOAD_BYTES // 1024 // 1024, "max_rows": importing.MAX_ROWS,
        "union_columns": importing.UNION_COLUMNS, "employer_columns": importing.EMPLOYER_COLUMNS,
    }, status=status)


@staff_required
def import_page(request: HttpRequest) -> HttpResponse:
    """GET: the two upload forms. POST (kind, file): check every row and show the report; nothing is
    written yet — the valid rows are imported when the user confirms (import_commit)."""
    if not importing.importable_kinds(request.user):
        raise Forbidden("您的角色无权导入数据")
    if request.method != "POST":
        return _page(request)
    kind = request.POST.get("kind", "")
    importing.import_gate(request.user, kind)
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, kind=kind, error="请选择要上传的 Excel 文件", status=400)
    if upload.size > importing.MAX_UPLOAD_BYTES:
        return _page(request, kind=kind, status=400,
                     error=f"文件过大，请不要超过 {importing.MAX_UPLOAD_BYTES // 1024 // 1024} MB；"
                           "数据较多时请拆分成几个文件分批导入")
    content = upload.read()
    try:
        report = importing.workbook_import(actor=request.user, kind=kind, file=content, dry_run=True,
                                           filename=upload.name)
    except ValidationFailed as exc:
        return _page(request, kind=kind, error=exc.message, filename=upload.name, status=400)
    token = _stash(request, kind, content, upload.name) if report.valid else ""
    return _page(request, report=report, token=token, kind=kind, filename=upload.name)


@staff_required
@require_POST
def import_commit(request: HttpRequest) -> HttpResponse:
    """Import the valid rows of a checked upload (action=commit), or drop it (action=cancel)."""
    if not importing.importable_kinds(request.user):
        raise Forbidden("您的角色无权导入数据")
    token = request.POST.get("token", "")
    if request.POST.get("action") == "cancel":
        if token in _waiting(request):
            _claim(request, token)
        messages.info(request, "已取消本次导入，没有导入任何数据")
        return redirect("unions:import")
    claimed = _claim(request, token)
    if claimed is None:
        messages.error(request, "待导入的文件已失效（可能已经导入过或已超时），请重新上传")
        return redirect("unions:import")
    entry, content = claimed
    kind, filename = entry["kind"], entry["name"]
    try:
        report = importing.workbook_import(actor=request.user, kind=kind, file=content, dry_run=False,
                                           filename=filename)
    except ValidationFailed as exc:
        return _page(request, kind=kind, error=exc.message, filename=filename, status=400)
    return _page(request, report=report, kind=kind, filename=filename)
