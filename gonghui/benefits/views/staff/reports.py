"""Console: the 普惠服务 overview with 惠及人次 by union, and the reconciliation (对账) report with
its Excel export. Everything starts from the caller's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gonghui.core import audit
from gonghui.core.decorators import staff_required
from gonghui.lib.excel import XLSX_MIME, write_workbook
from gonghui.unions.models import Union

from ... import selectors
from ...access import access_campaign, access_partner, access_union_data
from ...forms import ReconciliationForm
from ...models import Campaign, CampaignStatus, Coupon, Lottery, LotteryStatus, Partner
from ...selectors import people_served


@staff_required
def overview(request: HttpRequest) -> HttpResponse:
    """普惠服务 home: the branch's figures and 惠及人次 per union (drill down by clicking a union)."""
    union = access_union_data(request.user, request.GET["union"]) if request.GET.get("union") else None
    stats = people_served(request.user, union)
    campaigns = Campaign.objects.visible_to(request.user)
    figures = {
        "partners": Partner.objects.visible_to(request.user).serving().count(),
        "active": campaigns.filter(status=CampaignStatus.ACTIVE).count(),
        "drafts": campaigns.filter(status=CampaignStatus.DRAFT).count(),
        "lotteries": Lottery.objects.visible_to(request.user).filter(status=LotteryStatus.DRAWN).count(),
    }
    parent = None
    if union is not None and union.parent_id and Union.objects.visible_to(request.user).filter(
            pk=union.parent_id).exists():
        parent = union.parent
    return render(request, "benefits/console.html", {
        "section": "benefits", "stats": stats, "union": union, "parent": parent, "figures": figures,
        "recent": campaigns.select_related("union").filter(status=CampaignStatus.ACTIVE)[:8]})


def _filtered(request: HttpRequest) -> tuple[QuerySet[Coupon], dict[str, Any]]:
    """Coupons of campaigns the caller can see, narrowed by the report's filters (never widened)."""
    form = ReconciliationForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}  # an invalid filter narrows nothing
    qs = Coupon.objects.visible_to(request.user)
    filters: dict[str, Any] = {"start": data.get("start"), "end": data.get("end"), "campaign": None, "partner": None}
    if data.get("campaign"):
        filters["campaign"] = access_campaign(request.user, data["campaign"])
        qs = qs.filter(campaign=filters["campaign"])
    if data.get("partner"):
        filters["partner"] = access_partner(request.user, data["partner"])
        qs = qs.filter(redeemed_partner=filters["partner"])
    return selectors.redeemed_between(qs, filters["start"], filters["end"]), filters


@staff_required
def reconciliation(request: HttpRequest) -> HttpResponse:
    qs, filters = _filtered(request)
    rows = selectors.reconciliation(qs)
    return render(request, "benefits/reconciliation.html", {
        "section": "benefits", "rows": rows, "totals": selectors.reconciliation_totals(rows), "filters": filters,
        "campaigns": Campaign.objects.visible_to(request.user).exclude(status=CampaignStatus.DRAFT)
        .order_by("-created_at")[:200],
        "query": request.GET.urlencode()})


@staff_required
def reconciliation_export(request: HttpRequest) -> HttpResponse:
    """对账单 .xlsx: a summary sheet (per partner and campaign) and every redemption. Audited."""
    qs, filters = _filtered(request)
    rows = selectors.reconciliation(qs)
    content = write_workbook([
        ("对账汇总", selectors.SUMMARY_HEADER, selectors.summary_rows(rows)),
        ("核销明细", selectors.DETAIL_HEADER, selectors.detail_rows(qs)),
    ], widths={"对账汇总": [30, 30, 24, 10, 14, 14], "核销明细": [20, 20, 28, 22, 28, 12, 24, 14, 14]})
    audit.record("export.benefits_reconciliation", actor=request.user, detail={
        "rows": sum(r["count"] for r in rows),
        "filters": {k: str(getattr(v, "uuid", v)) for k, v in filters.items() if v}})
    response = HttpResponse(content, content_type=XLSX_MIME)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="benefits-reconciliation-{stamp}.xlsx"'
    return response
