"""12351 statistics over the caller's scope: by kind, union, month and top issue — received, closed,
on-time rate, satisfaction rate — and the Excel export (audited)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gonghui.core import audit
from gonghui.core.decorators import staff_required
from gonghui.lib.excel import XLSX_MIME, write_workbook

from ..models import Kind
from ..selectors import statistics, stats_filters, stats_sheets


@staff_required
def stats(request: HttpRequest) -> HttpResponse:
    filters = stats_filters(request.user, request.GET)
    result = statistics(request.user, filters)
    peak = max((row["received"] for row in result.by_month), default=0)
    return render(request, "appeals/stats.html", {
        "section": "appeals", "stats": result, "filters": filters, "kinds": Kind.choices, "peak": peak,
        "query": filters.as_query(),
    })


@staff_required
def stats_export(request: HttpRequest) -> HttpResponse:
    filters = stats_filters(request.user, request.GET)
    result = statistics(request.user, filters)
    content = write_workbook(stats_sheets(result), widths={
        "总体": [24, 26, 10, 10, 12, 14, 10, 18, 10]})
    audit.record("ticket.stats_export", actor=request.user, union=result.root,
                 detail={k: v for k, v in filters.as_query().items()})
    response = HttpResponse(content, content_type=XLSX_MIME)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="12351-stats-{stamp}.xlsx"'
    return response
