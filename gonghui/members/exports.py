"""The roster's file responses, shared by the console pages (views/staff/roster.py) and the API
(api/staff.py): the fill-in template and the member export."""

from __future__ import annotations

import tempfile
from typing import Any
from urllib.parse import quote

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone

from gonghui.core import audit
from gonghui.core.errors import ValidationFailed
from gonghui.core.scope import scope_of
from gonghui.core.unmasking import Unmask, require_unmask, unmask_roles
from gonghui.core.unmasking import may_unmask as policy_may_unmask
from gonghui.lib.excel import XLSX_MIME

from .selectors import member_filters, member_search
from .services import roster


def xlsx_response(content: bytes, filename: str, ascii_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = (f'attachment; filename="{ascii_name}"; '
                                       f"filename*=UTF-8''{quote(filename)}")
    return response


def template_response() -> HttpResponse:
    return xlsx_response(roster.template_build(), roster.TEMPLATE_FILENAME, "member-roster-template.xlsx")


def export_members_response(request: HttpRequest, params: Any, *, unmasked: bool, reason: str) -> HttpResponseBase:
    """The export (shared with the API). ``unmasked`` follows the unmasking policy's EXPORT rule
    (gonghui.core.unmasking): refused, it writes a denied row and raises Forbidden; allowed, it needs
    a reason and the rows are limited to the unions where the user holds the role. Every export, masked
    or not, writes one audit row (rows, unmasked, reason, filters)."""
    scope = scope_of(request.user)
    filters = member_filters(request.user, params)
    reason = " ".join((reason or "").split())[:200]
    if unmasked:
        require_unmask(request.user, None, Unmask.EXPORT, action="export.members",
                       audit_union=filters.union or audit.home_union(request.user),
                       detail={"unmasked": True, "reason": reason, "filters": filters.as_params()})
        if not reason:
            raise ValidationFailed("导出完整信息须填写原因", detail={"reason": "请填写导出原因"})
    qs = member_search(request.user, filters)
    if unmasked and not scope.is_superuser:
        qs = qs.filter(scope.q("union__path", unmask_roles(Unmask.EXPORT)))
    count = qs.count()
    if count > roster.EXPORT_MAX_ROWS:
        raise ValidationFailed(f"符合条件的会员有 {count} 人，一次最多导出 {roster.EXPORT_MAX_ROWS} 人，请缩小筛选范围",
                               code="export_too_large")
    # Written to an anonymous temporary file and streamed from there: memory stays flat at 200,000 rows.
    handle = tempfile.TemporaryFile()  # closed by the FileResponse once sent
    try:
        roster.export_write(qs, unmasked=unmasked, target=handle)
    except BaseException:
        handle.close()
        raise
    audit.record("export.members", actor=request.user, union=filters.union or audit.home_union(request.user),
                 subject=f"会员名册（{'完整信息' if unmasked else '脱敏'}，{count} 人）",
                 detail={"rows": count, "unmasked": unmasked, "reason": reason, "filters": filters.as_params()})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    handle.seek(0)
    response = FileResponse(handle, content_type=XLSX_MIME)
    response["Content-Disposition"] = (f'attachment; filename="members-{stamp}.xlsx"; '
                                       f"filename*=UTF-8''{quote(f'会员名册-{stamp}.xlsx')}")
    return response


def may_unmask(user: Any) -> bool:
    """Whether the export page offers the unmasked export (the policy's EXPORT rule, anywhere)."""
    return policy_may_unmask(user, None, Unmask.EXPORT)
