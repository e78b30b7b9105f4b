"""The worker's H5 pages: 领券 (campaigns I can claim), 我的券 (with the QR code), 服务圈 (partners
by category and distance), 抽奖结果, and the public 公示 page of a drawn lottery."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gonghui.core.actions import act
from gonghui.core.errors import Conflict, Forbidden, NotFound
from gonghui.core.headers import allow_features
from gonghui.lib import qr
from gonghui.lib.masking import mask_name
from gonghui.lib.text import is_uuid
from gonghui.members.access import own_member, require_member

from .. import selectors
from ..access import NOT_A_MEMBER, own_coupon, partner_role, published_lottery
from ..models import (
    Campaign,
    CampaignStatus,
    Coupon,
    CouponStatus,
    Partner,
    PartnerCategory,
)
from ..selectors import member_lotteries
from ..services import campaigns as campaign_services
from ..services.lotteries import replay_snippet
from ..services.partners import RADII_KM, partners_nearby


def _float(value: str | None) -> float | None:
    try:
        number = float(value) if value not in (None, "") else None
    except ValueError:
        return None
    if number is not None and number != number:  # NaN
        return None
    return number


@login_required
def center(request: HttpRequest) -> HttpResponse:
    """领券中心: 抢券 campaigns the member qualifies for, and a glance at what they hold."""
    member = own_member(request.user)
    context: dict[str, Any] = {"tab": "home", "member": member, "role": partner_role(request.user)}
    if member is not None:
        context["offers"] = selectors.claimable(member)
        context["usable"] = (Coupon.objects.filter(member=member, status=CouponStatus.ISSUED,
                                                   campaign__status=CampaignStatus.ACTIVE,
                                                   campaign__ends_on__gte=timezone.localdate()).count())
    return render(request, "benefits/center.html", context)


@login_required
@require_POST
def claim(request: HttpRequest, key: str) -> HttpResponse:
    member = require_member(request.user, message=NOT_A_MEMBER)
    campaign = (Campaign.objects.select_related("union", "rule_version").filter(uuid=key).first()
                if is_uuid(key) else None)
    if campaign is None or campaign.status == CampaignStatus.DRAFT:
        raise NotFound("未找到该活动")
    return act(request, run=lambda _: campaign_services.coupon_claim(actor=request.user, campaign=campaign,
                                                                     member=member),
               success=f"领取成功！「{campaign.name}」已放入我的券", handled=(Conflict, Forbidden),
               redirect_to=lambda coupon: reverse("benefits:coupon", args=[coupon.uuid]),
               back=reverse("benefits:center"))



TABS = selectors.COUPON_TABS


@login_required
def my_coupons(request: HttpRequest) -> HttpResponse:
    """我的券: usable, used and expired coupons of the signed-in member."""
    member = own_member(request.user)
    tab = request.GET.get("tab") if request.GET.get("tab") in dict(TABS) else "usable"
    coupons: list[Coupon] = []
    counts: dict[str, int] = {}
    if member is not None:
        counts = selectors.member_coupon_counts(member)
        coupons = list(selectors.member_coupons(member, tab)[:100])
    return render(request, "benefits/my_coupons.html", {
        "tab": "me", "member": member, "coupons": coupons, "current": tab,
        "tabs": [(key, label, counts.get(key, 0)) for key, label in TABS]})


@login_required
def coupon(request: HttpRequest, key: str) -> HttpResponse:
    """One coupon: its QR code (the code only), why I got it, where to use it."""
    item = own_coupon(request.user, key)
    usable = item.state_label == "可使用"
    partners = list(item.campaign.partners.serving().order_by("category", "name")[:50])
    return render(request, "benefits/coupon.html", {
        "tab": "me", "coupon": item, "qr": qr.svg_inline(item.code, scale=6) if usable else "", "usable": usable,
        "partners": partners, "events": list(item.events.select_related("partner")),
    })


@login_required
def coupon_qr(request: HttpRequest, key: str) -> HttpResponse:
    """HTMX: the coupon's state, polled while the QR code is shown, so the page turns to 已核销 when
    the partner scans it."""
    item = own_coupon(request.user, key)
    response = render(request, "benefits/_coupon_state.html", {"coupon": item})
    if item.state_label != "可使用":
        response["HX-Refresh"] = "true"  # the QR code must go: reload the page in its new state
    return response


@allow_features("geolocation")  # 按距离排序
def partners(request: HttpRequest) -> HttpResponse:
    """服务圈: partners by category, nearest first when the phone shares its position. Public."""
    category = request.GET.get("category", "")
    if category not in PartnerCategory.values:
        category = ""
    lat, lng = _float(request.GET.get("lat")), _float(request.GET.get("lng"))
    radius_text = request.GET.get("radius", "5")
    radius = None if radius_text == "all" else (_float(radius_text) or 5)
    qs = Partner.objects.serving()
    if category:
        qs = qs.filter(category=category)
    q = " ".join(request.GET.get("q", "").split())[:30]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q) | Q(discount__icontains=q))
    found = partners_nearby(qs, lat=lat, lng=lng, radius_km=radius)
    context = {"tab": "home", "found": found, "category": category, "categories": PartnerCategory.choices,
               "lat": lat, "lng": lng, "radius": radius_text, "radii": RADII_KM, "q": q,
               "located": lat is not None and lng is not None}
    template = "benefits/_partner_rows.html" if request.htmx else "benefits/partners.html"
    return render(request, template, context)


def partner(request: HttpRequest, key: str) -> HttpResponse:
    """A partner's page: what members get there, where it is, which coupons it accepts. Public."""
    found = Partner.objects.serving().select_related("union").filter(uuid=key).first() if is_uuid(key) else None
    if found is None:
        raise NotFound("未找到该合作商户，或合作已结束")
    today = timezone.localdate()
    offers = list(found.campaigns.filter(status=CampaignStatus.ACTIVE, ends_on__gte=today)
                  .select_related("union").order_by("ends_on"))
    return render(request, "benefits/partner.html", {"tab": "home", "partner": found, "offers": offers})


@login_required
def my_lotteries(request: HttpRequest) -> HttpResponse:
    """抽奖结果: drawn lotteries of my union and the unions above it, and what I won."""
    member = own_member(request.user)
    rows = member_lotteries(member) if member is not None else []
    return render(request, "benefits/my_lotteries.html", {"tab": "me", "member": member, "rows": rows})


def announcement(request: HttpRequest, key: str) -> HttpResponse:
    """公示: the winners of a drawn lottery with masked names, the seed and the recipe. Public."""
    lottery = published_lottery(key)
    winners = list(lottery.winners.select_related("prize", "member__union").order_by("rank"))
    groups: list[dict[str, Any]] = []
    for prize in lottery.prizes.all():
        groups.append({"prize": prize, "winners": [
            {"name": mask_name(w.member.name), "union": w.member.union.name, "entry_no": w.entry_no}
            for w in winners if w.prize_id == prize.pk]})
    return render(request, "benefits/announcement.html", {
        "tab": "home", "lottery": lottery, "groups": groups, "snippet": replay_snippet(lottery)})
