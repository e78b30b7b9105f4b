"""The worker's API: my coupons, claiming, my lottery results; and the public service circle and
lottery announcements (no login)."""

from uuid import UUID

from django.db.models import Q
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.errors import NotFound
from gonghui.members.access import require_member

from .. import selectors
from ..access import NOT_A_MEMBER, own_coupon, published_lottery
from ..models import (
    Campaign,
    CampaignStatus,
    Coupon,
    Lottery,
    Partner,
    PartnerCategory,
)
from ..schemas import AnnouncementOut, ClaimableOut, CouponOut, MyLotteryOut, NearbyOut, PartnerOut
from ..services import campaigns as services
from ..services.partners import partners_nearby

router = Router(tags=["普惠服务·职工"])


@router.get("/coupons/mine", response=list[CouponOut], summary="我的券（status: usable 可使用 / used 已使用 / "
                                                               "expired 已过期）")
@paginate(Page)
def my_coupons(request: HttpRequest, status: str = "usable"):
    return selectors.member_coupons(require_member(request.user, message=NOT_A_MEMBER), status)


@router.get("/coupons/{uuid:key}", response=CouponOut, summary="券详情（二维码内容即券码）")
def coupon_get(request: HttpRequest, key: UUID) -> Coupon:
    return own_coupon(request.user, key)


@router.get("/campaigns/claimable", response=list[ClaimableOut], summary="我可以领取的券（抢券）")
def claimable(request: HttpRequest) -> list[dict]:
    member = require_member(request.user, message=NOT_A_MEMBER)
    return [{
        "campaign": o["campaign"].uuid, "name": o["campaign"].name, "face_label": o["campaign"].face_label,
        "union_name": o["campaign"].union.name, "starts_on": o["campaign"].starts_on,
        "ends_on": o["campaign"].ends_on, "remaining": o["campaign"].remaining_count, "held": o["held"],
        "per_member_limit": o["campaign"].per_member_limit, "can_claim": o["can_claim"],
    } for o in selectors.claimable(member)]


@router.post("/campaigns/{uuid:key}/claim", response={201: CouponOut}, summary="领券（先到先得，每人限领）")
def claim(request: HttpRequest, key: UUID) -> Status:
    member = require_member(request.user, message=NOT_A_MEMBER)
    campaign = Campaign.objects.select_related("union", "rule_version").filter(uuid=key).exclude(
        status=CampaignStatus.DRAFT).first()
    if campaign is None:
        raise NotFound("未找到该活动")
    coupon = services.coupon_claim(actor=request.user, campaign=campaign, member=member)
    return Status(201, own_coupon(request.user, coupon.uuid))


@router.get("/lotteries/mine", response=list[MyLotteryOut], summary="抽奖结果（我所在工会及上级工会的抽奖）")
def my_lotteries(request: HttpRequest) -> list[dict]:
    member = require_member(request.user, message=NOT_A_MEMBER)
    return [{"lottery": row["lottery"].uuid, "name": row["lottery"].name, "union_name": row["lottery"].union.name,
             "drawn_at": row["lottery"].drawn_at, "pool_size": row["lottery"].pool_size,
             "won": row["win"].prize.name if row["win"] else None}
            for row in selectors.member_lotteries(member)]


@router.get("/circle", response=list[NearbyOut], auth=None,
            summary="服务圈：合作商户（可按类别；给出经纬度时按距离由近到远，radius 公里，0 为不限）")
def circle(request: HttpRequest, category: str = "", lat: float | None = None, lng: float | None = None,
           radius: float = 5, q: str = "") -> list[dict]:
    qs = Partner.objects.serving()
    if category in PartnerCategory.values:
        qs = qs.filter(category=category)
    q = " ".join(q.split())[:30]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q) | Q(discount__icontains=q))
    found = partners_nearby(qs.select_related("union"), lat=lat, lng=lng, radius_km=radius or None)
    return [{"partner": n.partner, "distance_km": round(n.distance_km, 3) if n.distance_km is not None else None}
            for n in found]


@router.get("/circle/{uuid:key}", response=PartnerOut, auth=None, summary="合作商户详情")
def circle_partner(request: HttpRequest, key: UUID) -> Partner:
    found = Partner.objects.serving().select_related("union").filter(uuid=key).first()
    if found is None:
        raise NotFound("未找到该合作商户，或合作已结束")
    return found


@router.get("/lotteries/{uuid:key}/announcement", response=AnnouncementOut, auth=None,
            summary="开奖公示（姓名脱敏；含随机种子和复核代码）")
def announcement(request: HttpRequest, key: UUID) -> Lottery:
    return published_lottery(key)
