"""API schemas of /api/v1/benefits/. Money is in 分 (integer fen), as stored; discounts as the percent
paid (85 = 8.5折). Input and output schemas are separate."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from ninja import Field, Schema

from gonghui.core.schemas import ImageOut, JobOut

from .models import yuan


class RuleIn(Schema):
    unions: list[UUID] = Field(default_factory=list, description="只限这些工会及其下级工会（须在发放工会范围内）")
    employment_form: str = Field("", description="regular 单位职工 / gig 新就业形态劳动者；空为不限")
    gig_occupations: list[str] = Field(default_factory=list, description="新就业形态职业，如 courier、food_delivery")
    hardship_levels: list[str] = Field(default_factory=list, description="困难职工：general / serious / extreme")
    women_only: bool = False
    model_worker_levels: list[str] = Field(default_factory=list, description="劳模：national / provincial / city")
    age_min: int | None = Field(None, description="最小年龄（按发放当天）")
    age_max: int | None = None
    joined_before: date | None = Field(None, description="在此日期以前入会")

    def document(self) -> dict[str, Any]:
        data = self.dict()
        data["unions"] = [str(u) for u in self.unions]
        return {k: v for k, v in data.items() if v not in (None, "", [], False)}


class PreviewIn(Schema):
    union: UUID = Field(..., description="发放（或主办）工会")
    rule: RuleIn = Field(default_factory=RuleIn)


class PreviewOut(Schema):
    count: int = Field(..., description="今天符合条件的在册会员人数")
    summary: str
    rule: dict


# --- Partners ---------------------------------------------------------------------------------------


class PartnerIn(Schema):
    union: UUID = Field(..., description="签约工会")
    name: str = Field(..., max_length=100)
    category: str = Field(..., description="medical 医疗卫生 / daily 生活日常 / education 文化教育 / "
                                           "catering 餐饮美食 / leisure 休闲健身 / general 综合")
    address: str = Field(..., max_length=200)
    latitude: float | None = None
    longitude: float | None = None
    discount: str = Field(..., max_length=200, description="会员优惠")
    hotline: str = Field("", max_length=30)
    description: str = ""
    contract_start: date
    contract_end: date


class PartnerPatch(Schema):
    name: str | None = Field(None, max_length=100)
    category: str | None = None
    address: str | None = Field(None, max_length=200)
    latitude: float | None = None
    longitude: float | None = None
    discount: str | None = Field(None, max_length=200)
    hotline: str | None = Field(None, max_length=30)
    description: str | None = None
    contract_start: date | None = None
    contract_end: date | None = None


class PartnerOut(Schema):
    uuid: UUID
    name: str
    category: str
    category_label: str = Field(..., alias="get_category_display")
    address: str
    latitude: float | None
    longitude: float | None
    discount: str
    hotline: str
    description: str
    contract_start: date
    contract_end: date
    status: str
    union: UUID = Field(..., alias="union.uuid")
    union_name: str = Field(..., alias="union.name")
    photo: ImageOut | None = Field(None, description="门店图片（多种宽度）")


class NearbyOut(Schema):
    partner: PartnerOut
    distance_km: float | None


class StaffIn(Schema):
    phone: str = Field(..., max_length=20, description="核销人员的手机号（须已注册）")


class StaffOut(Schema):
    uuid: UUID
    user_name: str = Field(..., alias="user.name")
    phone: str = Field(..., alias="user.masked_phone", description="手机号（脱敏）")
    created_at: datetime


class BenefitsReasonIn(Schema):
    reason: str = Field("", max_length=200)


# --- Campaigns ----------------------------------------------------------------------------------------


class CampaignIn(Schema):
    union: UUID = Field(..., description="发放工会（预算承担方；领取条件限于其下级）")
    name: str = Field(..., max_length=60)
    description: str = ""
    kind: str = Field(..., description="claim 抢券 / auto 免申即享")
    coupon_type: str = Field("amount", description="amount 代金券 / discount 折扣券")
    face_cents: int | None = Field(None, description="代金券面额（分）")
    pay_percent: int | None = Field(None, description="折扣券：实付百分比，85 即 8.5 折")
    max_discount_cents: int | None = Field(None, description="折扣券最高优惠（分）")
    min_spend_cents: int = Field(0, description="满多少分可用；0 为无门槛")
    budget_count: int
    budget_cents: int
    per_member_limit: int = 1
    starts_on: date
    ends_on: date
    partners: list[UUID] = Field(default_factory=list, description="适用商户")
    rule: RuleIn = Field(default_factory=RuleIn)

    def service_data(self) -> dict[str, Any]:
        data = self.dict(exclude={"union", "partners", "rule"})
        data["rule"] = self.rule.document()
        return data


class CampaignUpdate(CampaignIn):
    union: UUID | None = None  # type: ignore[assignment] - the union of a campaign never changes


class RuleVersionOut(Schema):
    number: int
    rule: dict
    summary: str
    created_at: datetime


class CampaignOut(Schema):
    uuid: UUID
    name: str
    description: str
    kind: str
    coupon_type: str
    face_label: str
    face_cents: int | None
    pay_percent: int | None
    max_discount_cents: int | None
    min_spend_cents: int
    budget_count: int
    budget_cents: int
    issued_count: int
    issued_cents: int
    redeemed_count: int
    redeemed_cents: int
    per_member_limit: int
    starts_on: date
    ends_on: date
    status: str
    rule: dict = Field(..., description="草稿中的领取条件")
    rule_version: RuleVersionOut | None = Field(None, description="发布时冻结的领取条件")
    union: UUID = Field(..., alias="union.uuid")
    union_name: str = Field(..., alias="union.name")
    partners: list[UUID]
    launched_at: datetime | None
    ended_at: datetime | None
    issue_job: JobOut | None = Field(None, description=(
        "发布免申即享时：向符合条件的会员发放的后台任务（message 为“已提交，正在处理”；"
        "用 GET /api/v1/core/jobs/{uuid} 查看进度）"))

    @staticmethod
    def resolve_partners(obj) -> list[UUID]:
        return [p.uuid for p in obj.partners.all()]


class BenefitsCountsOut(Schema):
    issued_count: int
    issued_cents: int
    redeemed_count: int
    redeemed_cents: int
    budget_count: int
    budget_cents: int
    count_percent: int
    amount_percent: int
    redeem_percent: int


class IssueRunOut(Schema):
    trigger: str
    issued: int
    eligible_left: int
    started_at: datetime
    finished_at: datetime | None


# --- Coupons ------------------------------------------------------------------------------------------


class CouponOut(Schema):
    uuid: UUID
    code: str = Field(..., description="券码；二维码内容即此券码")
    status: str
    state_label: str = Field(..., description="可使用 / 已使用 / 已过期 / 未到使用时间")
    via: str = Field(..., description="claim 领取 / auto 免申即享")
    campaign: UUID = Field(..., alias="campaign.uuid")
    campaign_name: str = Field(..., alias="campaign.name")
    face_label: str = Field(..., alias="campaign.face_label")
    union_name: str = Field(..., alias="campaign.union.name")
    starts_on: date = Field(..., alias="campaign.starts_on")
    ends_on: date = Field(..., alias="campaign.ends_on")
    why: str = Field(..., description="为什么我会收到这张券：持券人符合的条件")
    created_at: datetime
    redeemed_at: datetime | None
    redeemed_partner: str | None
    discount_cents: int | None

    @staticmethod
    def resolve_why(obj) -> str:
        prefix = "免申即享：符合条件直接发放。" if obj.via == "auto" else "领取时符合条件。"
        return prefix + obj.rule_version.summary

    @staticmethod
    def resolve_redeemed_partner(obj) -> str | None:
        return obj.redeemed_partner.name if obj.redeemed_partner_id else None


class ClaimableOut(Schema):
    campaign: UUID
    name: str
    face_label: str
    union_name: str
    starts_on: date
    ends_on: date
    remaining: int
    held: int
    per_member_limit: int
    can_claim: bool


class CheckOut(Schema):
    """What the counter sees for a scanned code (the holder's name masked)."""

    code: str
    campaign_name: str
    face_label: str
    coupon_type: str
    min_spend_cents: int
    holder: str = Field(..., description="持券会员（脱敏）")
    usable: bool
    reason: str = Field("", description="不能核销的原因")


class RedeemIn(Schema):
    code: str = Field(..., max_length=60, description="券码（扫码所得或手工输入）")
    bill_cents: int | None = Field(None, description="消费金额（分）；折扣券和有门槛的券必填")


class RedemptionOut(Schema):
    uuid: UUID
    code: str
    status: str
    campaign_name: str = Field(..., alias="campaign.name")
    holder: str = Field(..., alias="member.masked_name")
    redeemed_at: datetime | None
    bill_cents: int | None
    discount_cents: int | None
    discount_yuan: str

    @staticmethod
    def resolve_discount_yuan(obj) -> str:
        return yuan(obj.discount_cents or 0)


class ReconciliationRowOut(Schema):
    partner_uuid: UUID
    partner: str
    campaign_uuid: UUID
    campaign: str
    union: str
    count: int
    bill_cents: int
    discount_cents: int


# --- Lotteries ------------------------------------------------------------------------------------------


class PrizeIn(Schema):
    name: str = Field(..., max_length=60)
    count: int


class LotteryIn(Schema):
    union: UUID = Field(..., description="主办工会")
    name: str = Field(..., max_length=60)
    description: str = ""
    rule: RuleIn = Field(default_factory=RuleIn)
    prizes: list[PrizeIn] = Field(..., description="按顺序开奖：第一个为一等奖")


class PrizeOut(Schema):
    name: str
    count: int


class WinnerOut(Schema):
    rank: int
    prize: str = Field(..., alias="prize.name")
    entry_no: int
    name: str = Field(..., description="姓名（脱敏）", alias="member.masked_name")
    union: str = Field(..., alias="member.union.name")


class LotteryOut(Schema):
    uuid: UUID
    name: str
    description: str
    union_name: str = Field(..., alias="union.name")
    rule: dict
    rule_summary: str
    status: str
    prizes: list[PrizeOut]
    seed: str
    pool_size: int | None
    pool_digest: str
    drawn_at: datetime | None


class AnnouncementOut(LotteryOut):
    winners: list[WinnerOut]
    replay: str = Field(..., description="复核代码：用公布的种子和参与人数重新抽取")

    @staticmethod
    def resolve_winners(obj) -> list:
        return list(obj.winners.select_related("prize", "member__union").order_by("rank"))

    @staticmethod
    def resolve_replay(obj) -> str:
        from .services.lotteries import replay_snippet

        return replay_snippet(obj)


class VerifyOut(Schema):
    consistent: bool


class MyLotteryOut(Schema):
    lottery: UUID
    name: str
    union_name: str
    drawn_at: datetime | None
    pool_size: int | None
    won: str | None = Field(None, description="我获得的奖项；未中奖为空")


class StatsRowOut(Schema):
    union: UUID
    union_name: str
    issued: int
    redeemed: int = Field(..., description="惠及人次：已核销的券")
    people: int = Field(..., description="受惠会员人数")
    discount_cents: int
