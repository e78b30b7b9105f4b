"""普惠服务: the partner service circle (服务圈), coupon campaigns (抢券 and 免申即享), coupons and their
redemption (核销), and lotteries (抽奖) with a public announcement (公示).

Money is kept in integer fen (分) so that budget sums compare exactly on SQLite and PostgreSQL.
Capacity lives in the database: a campaign's issued count and amount can never pass its budget
(CheckConstraint, and every issuance is a conditional UPDATE of the counters), and a member holds
at most ``per_member_limit`` coupons of a campaign (unique (campaign, member, seq), seq ≤ limit).
"""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from gonghui.core.fields import user_ref
from gonghui.core.models import BranchRow, Created, HistoryRow, MaskedMember, PublicId
from gonghui.core.photos import PhotoField
from gonghui.core.scope import BranchQuerySet
from gonghui.members.models import Member
from gonghui.unions.models import Union

CODE_LENGTH = 16  # hex digits: 64 random bits


def new_coupon_code() -> str:
    """A coupon code: 16 upper-case hex digits from the OS's random source (the QR carries only this)."""
    return secrets.token_hex(CODE_LENGTH // 2).upper()


def yuan(cents: int | None) -> str:
    """12345 → "123.45", 2000 → "20" (for labels)."""
    if cents is None:
        return ""
    whole, part = divmod(int(cents), 100)
    return f"{whole}" if part == 0 else f"{whole}.{part:02d}"


# --- Partners -------------------------------------------------------------------------------------------------


class PartnerCategory(models.TextChoices):
    MEDICAL = "medical", "医疗卫生"
    DAILY = "daily", "生活日常"
    EDUCATION = "education", "文化教育"
    CATERING = "catering", "餐饮美食"
    LEISURE = "leisure", "休闲健身"
    GENERAL = "general", "综合"


class PartnerStatus(models.TextChoices):
    ACTIVE = "active", "合作中"
    SUSPENDED = "suspended", "已暂停"


class PartnerQuerySet(BranchQuerySet):
    def serving(self, day: date | None = None) -> PartnerQuerySet:
        """Partners a member can go to today: active and inside the contract period."""
        day = day or timezone.localdate()
        return self.filter(status=PartnerStatus.ACTIVE, contract_start__lte=day, contract_end__gte=day)


class Partner(Created, BranchRow, PublicId):
    """合作伙伴: a merchant or institution that signed with a union to serve its members."""

    union = models.ForeignKey(Union, on_delete=models.PROTECT, related_name="benefit_partners",
                              verbose_name="签约工会")
    name = models.CharField("名称", max_length=100)
    category = models.CharField("类别", max_length=20, choices=PartnerCategory.choices)
    address = models.CharField("地址", max_length=200)
    latitude = models.FloatField("纬度", null=True, blank=True)
    longitude = models.FloatField("经度", null=True, blank=True)
    discount = models.CharField("会员优惠", max_length=200)
    hotline = models.CharField("服务电话", max_length=30, blank=True)
    description = models.TextField("简介", blank=True)
    photo = PhotoField("门店图片")
    contract_start = models.DateField("合作开始")
    contract_end = models.DateField("合作截止")
    status = models.CharField("状态", max_length=20, choices=PartnerStatus.choices, default=PartnerStatus.ACTIVE)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["category", "status"], name="partner_category_status_idx"),
            models.Index(fields=["latitude", "longitude"], name="partner_latlng_idx"),
            models.Index(fields=["union", "name"], name="partner_union_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(contract_end__gte=F("contract_start")), name="partner_contract_order"),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True, longitude__isnull=True)
                           | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180)),
                name="partner_coordinates_valid"),
        ]
        verbose_name = verbose_name_plural = "合作伙伴"

    def __str__(self) -> str:
        return self.name

    def is_serving(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.status == PartnerStatus.ACTIVE and self.contract_start <= day <= self.contract_end


class PartnerStaffQuerySet(BranchQuerySet):
    branch_path = "partner__union__path"


class PartnerStaff(BranchRow, PublicId):
    """A user account that works for a partner: it redeems coupons and checks member cards there."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_roles")
    created_by = user_ref()
    created_at = models.DateTimeField(default=timezone.now)

    objects = PartnerStaffQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # one partner per account: the redemption page never has to ask "for which shop?"
            models.UniqueConstraint(fields=["user"], name="partnerstaff_one_partner_per_user"),
        ]
        verbose_name = verbose_name_plural = "合作伙伴核销人员"

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.partner_id}"


# --- Campaigns -----------------------------------------------------------------------------------------------


class CampaignKind(models.TextChoices):
    CLAIM = "claim", "抢券"
    AUTO = "auto", "免申即享"


class CouponType(models.TextChoices):
    AMOUNT = "amount", "代金券"
    DISCOUNT = "discount", "折扣券"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ACTIVE = "active", "进行中"
    ENDED = "ended", "已结束"


class Campaign(Created, BranchRow, PublicId):
    """A coupon campaign of a union. Its eligibility rule is bounded by the union's subtree.

    Every coupon reserves ``unit_cents`` of the amount budget: the face value of a 代金券, the most
    a 折扣券 can take off (``max_discount_cents``).
    """

    union = models.ForeignKey(Union, on_delete=models.PROTECT, related_name="benefit_campaigns",
                              verbose_name="发放工会")
    name = models.CharField("名称", max_length=60)
    description = models.TextField("说明", blank=True)
    kind = models.CharField("发放方式", max_length=10, choices=CampaignKind.choices)
    coupon_type = models.CharField("券种", max_length=10, choices=CouponType.choices, default=CouponType.AMOUNT)
    face_cents = models.PositiveIntegerField("面额（分）", null=True, blank=True)
    pay_percent = models.PositiveSmallIntegerField("折扣（实付百分比）", null=True, blank=True)
    max_discount_cents = models.PositiveIntegerField("最高优惠（分）", null=True, blank=True)
    min_spend_cents = models.PositiveIntegerField("使用门槛（分）", default=0)
    budget_count = models.PositiveIntegerField("预算张数")
    budget_cents = models.PositiveBigIntegerField("预算金额（分）")
    issued_count = models.PositiveIntegerField("已发放张数", default=0)
    issued_cents = models.PositiveBigIntegerField("已占用预算（分）", default=0)
    redeemed_count = models.PositiveIntegerField("已核销张数", default=0)
    redeemed_cents = models.PositiveBigIntegerField("已核销优惠金额（分）", default=0)
    per_member_limit = models.PositiveSmallIntegerField("每人限领", default=1)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("截止日期")
    rule = models.JSONField("领取条件", default=dict, blank=True)
    rule_version = models.ForeignKey("RuleVersion", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="生效的领取条件")
    partners = models.ManyToManyField(Partner, related_name="campaigns", blank=True, verbose_name="适用商户")
    status = models.CharField("状态", max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    launched_at = models.DateTimeField(null=True, blank=True)
    launched_by = user_ref()
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = BranchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "kind"], name="campaign_status_kind_idx"),
            models.Index(fields=["union", "status"], name="campaign_union_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(issued_count__lte=F("budget_count")), name="campaign_count_budget"),
            models.CheckConstraint(condition=Q(issued_cents__lte=F("budget_cents")), name="campaign_amount_budget"),
            models.CheckConstraint(condition=Q(redeemed_count__lte=F("issued_count")),
                                   name="campaign_redeemed_le_issued"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_period_order"),
            models.CheckConstraint(condition=Q(per_member_limit__gte=1), name="campaign_limit_positive"),
            models.CheckConstraint(
                condition=(Q(coupon_type="amount", face_cents__gt=0)
                           | Q(coupon_type="discount", pay_percent__gte=1, pay_percent__lte=99,
                               max_discount_cents__gt=0)),
                name="campaign_face_valid"),
        ]
        verbose_name = verbose_name_plural = "券活动"

    def __str__(self) -> str:
        return self.name

    @property
    def unit_cents(self) -> int:
        """The budget one coupon reserves."""
        return int(self.face_cents or 0) if self.coupon_type == CouponType.AMOUNT else int(self.max_discount_cents or 0)

    @property
    def face_label(self) -> str:
        if self.coupon_type == CouponType.AMOUNT:
            label = f"{yuan(self.face_cents)}元代金券"
        else:
            label = f"{discount_label(self.pay_percent)}券（最高减{yuan(self.max_discount_cents)}元）"
        if self.min_spend_cents:
            label += f"，满{yuan(self.min_spend_cents)}元可用"
        return label

    @property
    def remaining_count(self) -> int:
        by_amount = (self.budget_cents - self.issued_cents) // self.unit_cents if self.unit_cents else 0
        return max(min(self.budget_count - self.issued_count, by_amount), 0)

    @property
    def used_percent(self) -> int:
        return int(100 * self.issued_cents / self.budget_cents) if self.budget_cents else 0

    def is_open_on(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.status == CampaignStatus.ACTIVE and self.starts_on <= day <= self.ends_on


def discount_label(pay_percent: int | None) -> str:
    """80 → "8折", 88 → "8.8折", 95 → "9.5折"."""
    if not pay_percent:
        return ""
    tens, ones = divmod(int(pay_percent), 10)
    return f"{tens}折" if ones == 0 else f"{tens}.{ones}折"


class RuleVersion(models.Model):
    """An eligibility rule as it was when coupons were handed out under it (never changed)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rule_versions")
    number = models.PositiveSmallIntegerField()
    rule = models.JSONField()
    summary = models.TextField("条件说明")
    created_by = user_ref()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["campaign", "number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="ruleversion_unique_number")]

    def __str__(self) -> str:
        return f"{self.campaign_id} v{self.number}"


class IssueTrigger(models.TextChoices):
    LAUNCH = "launch", "发布时发放"
    PERIODIC = "periodic", "定期补发"
    MANUAL = "manual", "手动补发"


class IssueRun(models.Model):
    """One set-based 免申即享 issuance: when, why, under which rule, how many coupons."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="issue_runs")
    rule_version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="+")
    trigger = models.CharField(max_length=10, choices=IssueTrigger.choices)
    actor = user_ref()
    issued = models.PositiveIntegerField(default=0)
    eligible_left = models.PositiveIntegerField("预算不足未发", default=0)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.trigger} {self.issued}"


# --- Coupons -------------------------------------------------------------------------------------------------


class CouponStatus(models.TextChoices):
    ISSUED = "issued", "未使用"
    REDEEMED = "redeemed", "已核销"


class CouponVia(models.TextChoices):
    CLAIM = "claim", "领取"
    AUTO = "auto", "免申即享"


class CouponQuerySet(BranchQuerySet):
    branch_path = "campaign__union__path"


class Coupon(MaskedMember, BranchRow, PublicId):
    """One coupon of one member. 免申即享 inserts hundreds of thousands at once, so the table carries
    only what that insert must pay for:

    * indexes its queries need: foreign keys whose lookups an index below already covers get none of
      their own, and indexes on redemption columns are partial (issued coupons skip them);
    * foreign-key constraints only where a row's reference varies: campaign, rule version and issue
      run are the same for a whole batch, taken from the campaign row the issuing transaction has
      locked, and none of them is ever deleted on its own (a campaign is never deleted; Django
      cascades or protects in Python as usual), so a per-row database check of them (1.5 million
      lookups for 500,000 coupons) would prove nothing. The member reference keeps its constraint.
    """

    # Lookups by campaign alone are for redeemed coupons (the partial index below) or go through the
    # campaign's counters; "does this member hold one?" uses coupon_once_per_member_seq.
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="coupons", db_index=False,
                                 db_constraint=False)
    # covered by coupon_once_per_member_seq (member, campaign, seq)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="coupons", db_index=False)
    seq = models.PositiveSmallIntegerField("第几张", default=1)
    code = models.CharField("券码", max_length=CODE_LENGTH, unique=True, default=new_coupon_code)
    status = models.CharField("状态", max_length=10, choices=CouponStatus.choices, default=CouponStatus.ISSUED)
    via = models.CharField("来源", max_length=10, choices=CouponVia.choices)
    # Rule versions and issue runs are never deleted on their own (only with their campaign).
    rule_version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="coupons",
                                     verbose_name="符合的条件", db_index=False, db_constraint=False)
    issue_run = models.ForeignKey(IssueRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="coupons",
                                  db_index=False, db_constraint=False)
    created_at = models.DateTimeField(default=timezone.now)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    # covered by the partial coupon_partner_redeemed_idx
    redeemed_partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="redemptions", db_index=False)
    redeemed_by = user_ref(db_index=False)
    bill_cents = models.PositiveIntegerField("消费金额（分）", null=True, blank=True)
    discount_cents = models.PositiveIntegerField("优惠金额（分）", null=True, blank=True)

    objects = CouponQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], name="coupon_created_idx"),  # cockpit: issued per day
            models.Index(fields=["redeemed_at"], name="coupon_redeemed_idx"),
            models.Index(fields=["campaign", "redeemed_at"], name="coupon_campaign_redeemed_idx",
                         condition=Q(status="redeemed")),
            models.Index(fields=["redeemed_partner", "redeemed_at"], name="coupon_partner_redeemed_idx",
                         condition=Q(redeemed_partner__isnull=False)),
        ]
        constraints = [
            # member first: it also serves "my coupons" and the issuance's "holds one already?"
            models.UniqueConstraint(fields=["member", "campaign", "seq"], name="coupon_once_per_member_seq"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="coupon_seq_positive"),
            models.CheckConstraint(
                condition=(Q(status="issued", redeemed_at__isnull=True, redeemed_partner__isnull=True)
                           | Q(status="redeemed", redeemed_at__isnull=False, redeemed_partner__isnull=False)),
                name="coupon_redemption_consistent"),
        ]
        verbose_name = verbose_name_plural = "券"

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.code[:4]}…"

    @property
    def code_display(self) -> str:
        return " ".join(self.code[i:i + 4] for i in range(0, len(self.code), 4))

    @property
    def is_expired(self) -> bool:
        return self.status == CouponStatus.ISSUED and (
            self.campaign.status == CampaignStatus.ENDED or self.campaign.ends_on < timezone.localdate())

    @property
    def state_label(self) -> str:
        if self.status == CouponStatus.REDEEMED:
            return "已使用"
        if self.is_expired:
            return "已过期"
        if self.campaign.starts_on > timezone.localdate():
            return "未到使用时间"
        return "可使用"


class CouponEventKind(models.TextChoices):
    REDEEM = "redeem", "核销"
    REVERSE = "reverse", "撤销核销"


class CouponEvent(HistoryRow):
    """One redemption or reversal of a coupon (the coupon's history after it was handed out)."""

    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=CouponEventKind.choices)
    partner = models.ForeignKey(Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    bill_cents = models.PositiveIntegerField(null=True, blank=True)
    discount_cents = models.PositiveIntegerField(null=True, blank=True)
    reason = models.CharField("原因", max_length=200, blank=True)

    class Meta(HistoryRow.Meta):
        indexes = [models.Index(fields=["partner", "created_at"], name="couponevent_partner_time_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.coupon_id}"


# --- Lotteries -----------------------------------------------------------------------------------------------


class LotteryStatus(models.TextChoices):
    DRAFT = "draft", "未开奖"
    DRAWN = "drawn", "已开奖"


class Lottery(Created, BranchRow, PublicId):
    """抽奖: prizes drawn among the members a rule selects, with a recorded seed so anyone can re-run it.

    The pool is the eligible members ordered by their key, numbered 1…N (参与编号); the draw shuffles
    the numbers with ``random.Random(seed)`` and gives the prizes to the first ones, in prize order.
    """

    union = models.ForeignKey(Union, on_delete=models.PROTECT, related_name="benefit_lotteries",
                              verbose_name="主办工会")
    name = models.CharField("名称", max_length=60)
    description = models.TextField("说明", blank=True)
    rule = models.JSONField("参与条件", default=dict, blank=True)
    rule_summary = models.TextField("条件说明", blank=True)
    status = models.CharField("状态", max_length=10, choices=LotteryStatus.choices, default=LotteryStatus.DRAFT)
    seed = models.CharField("随机种子", max_length=64, blank=True)
    pool_size = models.PositiveIntegerField("参与人数", null=True, blank=True)
    pool_digest = models.CharField("名单摘要", max_length=64, blank=True)
    pool_ids = models.JSONField(default=list, blank=True, editable=False)
    drawn_at = models.DateTimeField(null=True, blank=True)
    drawn_by = user_ref()

    objects = BranchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status="draft") | ~Q(seed=""), name="lottery_drawn_has_seed"),
        ]
        verbose_name = verbose_name_plural = "抽奖"

    def __str__(self) -> str:
        return self.name


class Prize(models.Model):
    lottery = models.ForeignKey(Lottery, on_delete=models.CASCADE, related_name="prizes")
    name = models.CharField("奖项", max_length=60)
    count = models.PositiveIntegerField("名额")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lottery", "name"], name="prize_unique_name"),
            models.CheckConstraint(condition=Q(count__gte=1), name="prize_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} × {self.count}"


class Winner(MaskedMember, models.Model):
    lottery = models.ForeignKey(Lottery, on_delete=models.CASCADE, related_name="winners")
    prize = models.ForeignKey(Prize, on_delete=models.CASCADE, related_name="winners")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="lottery_wins")
    entry_no = models.PositiveIntegerField("参与编号")
    rank = models.PositiveIntegerField("中奖顺序")

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["lottery", "member"], name="winner_once_per_lottery"),
            models.UniqueConstraint(fields=["lottery", "rank"], name="winner_unique_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.lottery_id} #{self.rank}"

