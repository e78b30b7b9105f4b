"""Console statistics page, the big screen, Excel exports and the admin's refresh button.

Thin adapters: access gate → selectors.overview → schemas.payload → template / workbook. The big
screen polls the API (/api/v1/cockpit/overview) for the same payload.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gonghui.core import audit
from gonghui.core.decorators import staff_required
from gonghui.core.errors import NotFound
from gonghui.core.jobs import job_start, job_url
from gonghui.lib.excel import XLSX_MIME
from gonghui.unions.models import Union

from .. import exports
from ..access import access_cockpit, access_refresh, can_refresh
from ..models import RefreshKind, RefreshRun
from ..schemas import payload
from ..selectors import overview

SCREEN_REFRESH_SECONDS = 60


def _data(request: HttpRequest) -> tuple[Union, dict[str, Any]]:
    union = access_cockpit(request.user, request.GET.get("union"))
    return union, payload(overview(union, user=request.user))


@staff_required
def console(request: HttpRequest) -> HttpResponse:
    _, data = _data(request)
    links = {"ranking": [f"?union={row['union']['uuid']}" for row in data["ranking"]] + [None]}
    tables = []
    for table in exports.TABLES:
        rows = table.rows(data)
        tables.append((table, list(zip(rows, links.get(table.key, [None] * len(rows)), strict=False))))
    return render(request, "cockpit/console.html", {
        "section": "cockpit", "data": data, "tables": tables, "can_refresh": can_refresh(request.user),
        "runs": RefreshRun.objects.select_related("actor")[:5],
    })


@staff_required
def screen(request: HttpRequest) -> HttpResponse:
    _, data = _data(request)
    return render(request, "cockpit/screen.html", {
        "data": data, "poll_seconds": SCREEN_REFRESH_SECONDS})


@staff_required
def export(request: HttpRequest, table: str) -> HttpResponse:
    chosen = exports.BY_KEY.get(table)
    if chosen is None and table != "all":
        raise NotFound("没有这张表")
    union, data = _data(request)
    content = exports.workbook(data, [chosen] if chosen else exports.TABLES)
    audit.record("cockpit.export", actor=request.user, obj=union, detail={"table": table})
    response = HttpResponse(content, content_type=XLSX_MIME)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (f'attachment; filename="cockpit-{table}-{stamp}.xlsx"; '
                                       f"filename*=UTF-8''{quote(exports.filename(data, chosen))}")
    return response


@staff_required
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    access_refresh(request.user)
    union = access_cockpit(request.user, request.POST.get("union"))

    back = f"{reverse('cockpit:console')}?union={union.uuid}"
    job = job_start(kind="cockpit.refresh", title=f"刷新统计：{union.name}"[:120], owner=request.user, union=union,
                    params={"kind": RefreshKind.MANUAL, "union_id": union.pk}, result_url=back)
    return redirect(f"{job_url(job)}?land=1")
