"""Union staff's API: partners, campaigns (compose, preview the rule, launch, watch, close), the
reconciliation, lotteries and 惠及人次. Lists start from visible_to(user); objects come through the
gates in access.py (404 outside the branch, 403 for a read-only role writing)."""

from datetime import date
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.errors import ValidationFailed
from gonghui.core.schemas import JobOut
from gonghui.core.scope import gate
from gonghui.unions.access import access_union_for_work

from .. import selectors
from ..access import access_campaign, access_lottery, access_partner, access_union_data, partner_staff_of
from ..models import Campaign, Coupon, Lottery, Partner, PartnerStaff, PartnerStatus
from ..schemas import (
    BenefitsCountsOut,
    BenefitsReasonIn,
    CampaignIn,
    CampaignOut,
    CampaignUpdate,
    IssueRunOut,
    LotteryIn,
    LotteryOut,
    PartnerIn,
    PartnerOut,
    PartnerPatch,
    PreviewIn,
    PreviewOut,
    ReconciliationRowOut,
    RedemptionOut,
    StaffIn,
    StaffOut,
    StatsRowOut,
    VerifyOut,
    WinnerOut,
)
from ..selectors import people_served
from ..services import campaigns as campaign_services
from ..services import lotteries as lottery_services
from ..services import partners as partner_services
from ..services import redemption

router = Router(tags=["普惠服务·工作台"])

PARTNER_FIELDS = ("name", "category", "address", "latitude", "longitude", "discount", "hotline", "description",
                  "contract_start", "contract_end")


# --- Partners -----------------------------------------------------------------------------------------


@router.get("/partners", response=list[PartnerOut], summary="合作伙伴列表（范围内）")
@paginate(Page)
def partner_list(request: HttpRequest, q: str = "", category: str = "", status: str = ""):
    qs = Partner.objects.visible_to(request.user).select_related("union")
    if q:
        qs = qs.filter(name__icontains=q[:50])
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("name")


@router.post("/partners", response={201: PartnerOut}, summary="签约合作伙伴")
def partner_create(request: HttpRequest, payload: PartnerIn) -> Status:
    union = access_union_for_work(request.user, payload.union)
    return Status(201, partner_services.partner_create(actor=request.user, union=union,
                                                       **payload.dict(exclude={"union"})))


@router.get("/partners/{uuid:key}", response=PartnerOut, summary="合作伙伴详情")
def partner_get(request: HttpRequest, key: UUID) -> Partner:
    return access_partner(request.user, key)


@router.patch("/partners/{uuid:key}", response=PartnerOut, summary="修改合作伙伴")
def partner_patch(request: HttpRequest, key: UUID, payload: PartnerPatch) -> Partner:
    partner = access_partner(request.user, key, write=True)
    data = {f: getattr(partner, f) for f in PARTNER_FIELDS}
    data.update(payload.dict(exclude_unset=True))
    return partner_services.partner_update(actor=request.user, partner=partner, **data)


@router.post("/partners/{uuid:key}/suspend", response=PartnerOut, summary="暂停合作")
def partner_suspend(request: HttpRequest, key: UUID, payload: BenefitsReasonIn) -> Partner:
    partner = access_partner(request.user, key, write=True)
    return partner_services.partner_set_status(actor=request.user, partner=partner, status=PartnerStatus.SUSPENDED,
                                               reason=payload.reason)


@router.post("/partners/{uuid:key}/resume", response=PartnerOut, summary="恢复合作")
def partner_resume(request: HttpRequest, key: UUID) -> Partner:
    partner = access_partner(request.user, key, write=True)
    return partner_services.partner_set_status(actor=request.user, partner=partner, status=PartnerStatus.ACTIVE)


@router.get("/partners/{uuid:key}/staff", response=list[StaffOut], summary="核销人员")
def staff_list(request: HttpRequest, key: UUID) -> list[PartnerStaff]:
    return list(access_partner(request.user, key).staff.select_related("user"))


@router.post("/partners/{uuid:key}/staff", response={201: StaffOut}, summary="添加核销人员（按已注册的手机号）")
def staff_add(request: HttpRequest, key: UUID, payload: StaffIn) -> Status:
    partner = access_partner(request.user, key, write=True)
    return Status(201, partner_services.partner_staff_add(actor=request.user, partner=partner, phone=payload.phone))


@router.delete("/partners/{uuid:key}/staff/{uuid:staff}", response={204: None}, summary="移除核销人员")
def staff_remove(request: HttpRequest, key: UUID, staff: UUID) -> Status:
    partner = access_partner(request.user, key, write=True)
    row = partner_staff_of(partner, staff)
    partner_services.partner_staff_remove(actor=request.user, staff=row)
    return Status(204, None)


# --- Campaigns --------------------------------------------------------------------------------------------


def _partners(request: HttpRequest, keys: list[UUID]) -> list[Partner]:
    return [access_partner(request.user, key) for key in dict.fromkeys(keys)]


def _campaign(campaign: Campaign) -> Campaign:
    return (Campaign.objects.select_related("union", "rule_version").prefetch_related("partners")
            .get(pk=campaign.pk))


@router.post("/rules/preview", response=PreviewOut, summary="预览人数：今天符合领取条件的会员人数")
def rule_preview(request: HttpRequest, payload: PreviewIn) -> dict:
    union = access_union_data(request.user, payload.union)
    return selectors.preview_count(union=union, rule=payload.rule.document())


@router.get("/campaigns", response=list[CampaignOut], summary="券活动列表（范围内，含实时发放与核销数）")
@paginate(Page)
def campaign_list(request: HttpRequest, status: str = "", kind: str = ""):
    qs = Campaign.objects.visible_to(request.user).select_related("union", "rule_version").prefetch_related(
        "partners")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


@router.post("/campaigns", response={201: CampaignOut}, summary="新建券活动（草稿）")
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Status:
    union = access_union_for_work(request.user, payload.union)
    campaign = campaign_services.campaign_create(actor=request.user, union=union,
                                                 partners=_partners(request, payload.partners),
                                                 **payload.service_data())
    return Status(201, _campaign(campaign))


@router.get("/campaigns/{uuid:key}", response=CampaignOut, summary="券活动详情")
def campaign_get(request: HttpRequest, key: UUID) -> Campaign:
    return _campaign(access_campaign(request.user, key))


@router.put("/campaigns/{uuid:key}", response=CampaignOut, summary="修改券活动（仅草稿）")
def campaign_put(request: HttpRequest, key: UUID, payload: CampaignUpdate) -> Campaign:
    campaign = access_campaign(request.user, key, write=True)
    if payload.union and payload.union != campaign.union.uuid:
        raise ValidationFailed("活动的发放工会不能修改", detail={"union": "不能修改"})
    campaign_services.campaign_update(actor=request.user, campaign=campaign,
                                      partners=_partners(request, payload.partners), **payload.service_data())
    return _campaign(campaign)


@router.get("/campaigns/{uuid:key}/counts", response=BenefitsCountsOut, summary="实时数字：已发放、已核销、预算使用")
def campaign_counts(request: HttpRequest, key: UUID) -> dict:
    return selectors.campaign_counts(access_campaign(request.user, key))


@router.post("/campaigns/{uuid:key}/launch", response=CampaignOut,
             summary="发布（免申即享：返回 issue_job，后台随即向符合条件的会员发放）")
def campaign_launch(request: HttpRequest, key: UUID) -> Campaign:
    campaign = access_campaign(request.user, key, write=True)
    campaign_services.campaign_launch(actor=request.user, campaign=campaign)
    launched = _campaign(campaign)
    launched.issue_job = getattr(campaign, "issue_job", None)
    return launched


@router.post("/campaigns/{uuid:key}/close", response=CampaignOut, summary="结束活动")
def campaign_close(request: HttpRequest, key: UUID, payload: BenefitsReasonIn) -> Campaign:
    campaign = access_campaign(request.user, key, write=True)
    campaign_services.campaign_close(actor=request.user, campaign=campaign, reason=payload.reason)
    return _campaign(campaign)


@router.post("/campaigns/{uuid:key}/issue", response={200: IssueRunOut, 204: None},
             summary="立即补发（免申即享；没有新符合条件的会员时返回204）")
def campaign_issue(request: HttpRequest, key: UUID) -> Status:
    campaign = access_campaign(request.user, key, write=True)
    run = campaign_services.campaign_issue(campaign=campaign, trigger="manual", actor=request.user)
    return Status(200, run) if run else Status(204, None)


@router.get("/campaigns/{uuid:key}/runs", response=list[IssueRunOut], summary="免申即享发放记录")
def campaign_runs(request: HttpRequest, key: UUID) -> list:
    return list(access_campaign(request.user, key).issue_runs.all()[:100])


@router.post("/coupons/{uuid:key}/reverse", response=RedemptionOut, summary="撤销当天的核销（发放工会工作人员）")
def coupon_reverse(request: HttpRequest, key: UUID, payload: BenefitsReasonIn) -> Coupon:
    coupon = gate(request.user, Coupon.objects.select_related("campaign__union", "member__user", "redeemed_partner"),
                  uuid=key)
    return redemption.coupon_reverse(actor=request.user, coupon=coupon, reason=payload.reason)


@router.get("/reconciliation", response=list[ReconciliationRowOut], summary="核销对账：按商户和活动汇总")
def reconciliation(request: HttpRequest, campaign: UUID | None = None, partner: UUID | None = None,
                   start: date | None = None, end: date | None = None) -> list[dict]:
    qs = Coupon.objects.visible_to(request.user)
    if campaign:
        qs = qs.filter(campaign=access_campaign(request.user, campaign))
    if partner:
        qs = qs.filter(redeemed_partner=access_partner(request.user, partner))
    return selectors.reconciliation(selectors.redeemed_between(qs, start, end))


# --- Lotteries -------------------------------------------------------------------------------------------


def _lottery(lottery: Lottery) -> Lottery:
    return Lottery.objects.select_related("union").defer("pool_ids").prefetch_related("prizes").get(pk=lottery.pk)


@router.get("/lotteries", response=list[LotteryOut], summary="抽奖列表（范围内）")
@paginate(Page)
def lottery_list(request: HttpRequest):
    return Lottery.objects.visible_to(request.user).select_related("union").defer("pool_ids").prefetch_related(
        "prizes")


@router.post("/lotteries", response={201: LotteryOut}, summary="新建抽奖")
def lottery_create(request: HttpRequest, payload: LotteryIn) -> Status:
    union = access_union_for_work(request.user, payload.union)
    lottery = lottery_services.lottery_create(actor=request.user, union=union, name=payload.name,
                                              description=payload.description, rule=payload.rule.document(),
                                              prizes=[(p.name, p.count) for p in payload.prizes])
    return Status(201, _lottery(lottery))


@router.get("/lotteries/{uuid:key}", response=LotteryOut, summary="抽奖详情")
def lottery_get(request: HttpRequest, key: UUID) -> Lottery:
    return _lottery(access_lottery(request.user, key))


@router.post("/lotteries/{uuid:key}/draw", response={202: JobOut},
             summary="开奖（后台进行：返回任务，轮询其 url；完成后抽奖状态为 drawn，中奖名单公示）")
def lottery_draw(request: HttpRequest, key: UUID) -> Status:
    """The draw runs in the worker (one transaction, the seed recorded). Asking again while it is
    queued or running answers the same job; a drawn lottery is a 409."""
    lottery = access_lottery(request.user, key, write=True)
    return Status(202, lottery_services.lottery_draw_start(actor=request.user, lottery=lottery))


@router.get("/lotteries/{uuid:key}/winners", response=list[WinnerOut], summary="中奖名单（姓名脱敏）")
def lottery_winners(request: HttpRequest, key: UUID) -> list:
    lottery = access_lottery(request.user, key)
    return list(lottery.winners.select_related("prize", "member__union").order_by("rank"))


@router.get("/lotteries/{uuid:key}/verify", response=VerifyOut, summary="复核：用记录的种子和名单重新抽取并比对")
def lottery_verify(request: HttpRequest, key: UUID) -> dict:
    return {"consistent": lottery_services.lottery_verify(access_lottery(request.user, key))}


# --- Statistics ------------------------------------------------------------------------------------------


@router.get("/stats", response=list[StatsRowOut], summary="惠及人次：按工会（含下级）统计发放与核销")
def stats(request: HttpRequest, union: UUID | None = None) -> list[dict]:
    chosen = access_union_data(request.user, union) if union else None
    found = people_served(request.user, chosen)
    return [{"union": r["union"].uuid, "union_name": r["union"].name, "issued": r["issued"],
             "redeemed": r["redeemed"], "people": r["people"], "discount_cents": r["cents"]} for r in found["rows"]]
