"""Excel exports of unions and employers. Always start from visible_to(user); always audited."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from gonghui.core import audit
from gonghui.core.decorators import staff_required
from gonghui.lib.excel import XLSX_MIME, write_workbook

from ..models import Union
from ..selectors import employer_filter

UNION_HEADER = ["名称", "类型", "层级", "行政区划代码", "上级工会", "地址", "状态"]
EMPLOYER_HEADER = ["单位名称", "统一社会信用代码", "行业门类", "规模", "职工人数", "地址", "所属工会", "网格", "联络员",
                   "已单独建会"]


def union_rows(qs: Any) -> Iterator[list[Any]]:
    for u in qs.select_related("parent").order_by("path").iterator(chunk_size=2000):
        yield [u.name, u.get_kind_display(), u.get_level_display(), u.region_code, u.parent.name if u.parent else "",
               u.address, "启用" if u.is_active else "停用"]


def employer_rows(qs: Any) -> Iterator[list[Any]]:
    for e in qs.select_related("union", "grid", "liaison").iterator(chunk_size=2000):
        yield [e.name, e.uscc, e.industry, e.get_size_display() if e.size else "", e.employee_count, e.address,
               e.union.name, e.grid.name if e.grid else "", e.liaison.name if e.liaison else "",
               "是" if e.union_established else "否"]


def _download(content: bytes, stem: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_MIME)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f"attachment; filename=\"{stem}-{stamp}.xlsx\""
    return response


@staff_required
def export_unions(request: HttpRequest) -> HttpResponse:
    qs = Union.objects.visible_to(request.user)
    count = qs.count()
    content = write_workbook([("工会组织", UNION_HEADER, union_rows(qs))],
                             widths={"工会组织": [36, 12, 10, 14, 30, 36, 8]})
    audit.record("export.unions", actor=request.user, detail={"rows": count})
    return _download(content, "unions")


@staff_required
def export_employers(request: HttpRequest) -> HttpResponse:
    qs, filters = employer_filter(request.user, request.GET)
    count = qs.count()
    content = write_workbook([("企业单位", EMPLOYER_HEADER, employer_rows(qs))],
                             widths={"企业单位": [36, 22, 8, 8, 10, 36, 30, 16, 12, 10]})
    audit.record("export.employers", actor=request.user, detail={"rows": count, "filters": filters})
    return _download(content, "employers")

