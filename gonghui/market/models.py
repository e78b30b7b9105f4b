"""云集市: providers (劳模工匠 and partner organizations), offerings (服务项目), batches of places
(上架批次) with optional time slots, orders through 下单 → 配货 → 发货 → 签收 → 评价, reviews, follows,
the Idempotency-Key records of the API, and workers' needs (需求).

Who sees what (scope):

* providers, offerings, batches and orders belong to the union that runs the offering (the
  provider's union); staff see them in their subtree (``visible_to``);
* needs belong to the member's union;
* a provider account acts on its own offerings and orders through the provider gate (access.py),
  apart from staff scope; a member acts on their own orders and needs.

Capacity is enforced by the database: ``taken <= capacity`` is a CHECK constraint on batches and
slots, and the services take a place with a conditional UPDATE (services/orders.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gonghui.core.fields import user_ref
from gonghui.core.models import BranchRow, Created, PublicId, StatusEvent
from gonghui.core.photos import PhotoField
from gonghui.core.scope import BranchQuerySet
from gonghui.unions.models import UnionIdScopedQuerySet


class Domain(models.TextChoices):
    EDUCATION = "education", "教育培训"
    TECH = "tech", "高新科技"
    HEALTH = "health", "医疗健康"
    LEGAL = "legal", "法律咨询"
    JOBS = "jobs", "岗位招聘"
    LECTURE = "lecture", "主题宣讲"
    VISIT = "visit", "参观交流"


class ProviderKind(models.TextChoices):
    MODEL_WORKER = "model_worker", "劳动模范"
    CRAFTSMAN = "craftsman", "工匠"
    HOSPITAL = "hospital", "医院"
    LAW_FIRM = "law_firm", "律师事务所"
    SCHOOL = "school", "学校"
    COMPANY = "company", "企业"


PERSON_KINDS = frozenset({ProviderKind.MODEL_WORKER, ProviderKind.CRAFTSMAN})


class TitleLevel(models.TextChoices):
    NATIONAL_MODEL = "national_model", "全国劳动模范"
    PROVINCIAL_MODEL = "provincial_model", "省级劳动模范"
    CITY_MODEL = "city_model", "市级劳动模范"
    NATIONAL_CRAFTSMAN = "national_craftsman", "大国工匠"
    PROVINCIAL_CRAFTSMAN = "provincial_craftsman", "省级工匠"
    CITY_CRAFTSMAN = "city_craftsman", "市级工匠"


class Mode(models.TextChoices):
    ONLINE = "online", "线上"
    ONSITE = "onsite", "线下"


class Audience(models.TextChoices):
    ALL = "all", "全体会员"
    GIG = "gig", "新就业形态劳动者"
    WOMEN = "women", "女职工"
    UNION = "union", "指定工会会员"


class OfferingStatus(models.TextChoices):
    DRAFT = "draft", "备货中"
    LISTED = "listed", "已上架"
    WITHDRAWN = "withdrawn", "已下架"


class BatchStatus(models.TextChoices):
    OPEN = "open", "预约中"
    CLOSED = "closed", "已结束"


class OrderStatus(models.TextChoices):
    PLACED = "placed", "待配货"
    ASSIGNED = "assigned", "已配货"
    DELIVERED = "delivered", "待签收"
    CONFIRMED = "confirmed", "已签收"
    REVIEWED = "reviewed", "已评价"
    CANCELLED = "cancelled", "已取消"
    NO_SHOW = "no_show", "未到场"


# What the worker reads. The lifecycle underneath is Nanshan's 下单 → 配货 → 发货 → 签收 (the provider's and staff's
# words), but a worker signs up for a class, a lecture or a visit (报名) and books a consultation or a check-up (预约);
# either way the provider then arranges it (已安排), serves it and the worker confirms it is done (已完成).
SIGNUP_DOMAINS = frozenset({Domain.EDUCATION, Domain.LECTURE, Domain.VISIT})
MEMBER_STATUS_LABELS = {
    OrderStatus.PLACED: "已{verb}", OrderStatus.ASSIGNED: "已安排", OrderStatus.DELIVERED: "待确认完成",
    OrderStatus.CONFIRMED: "已完成", OrderStatus.REVIEWED: "已评价", OrderStatus.CANCELLED: "已取消",
    OrderStatus.NO_SHOW: "未到场",
}


def member_verb(domain: str) -> str:
    """报名 for a class, lecture or visit; 预约 for a service."""
    return "报名" if domain in SIGNUP_DOMAINS else "预约"


def member_status_label(status: str, domain: str) -> str:
    return MEMBER_STATUS_LABELS.get(status, OrderStatus(status).label).format(verb=member_verb(domain))


def moment_text(moment: datetime) -> str:
    """A moment in the worker's words: "12月10日 09:00" (local time; the year only when not this year's)."""
    local = timezone.localtime(moment)
    prefix = f"{local.year}年" if local.year != timezone.localtime().year else ""
    return f"{prefix}{local.month}月{local.day}日 {local:%H:%M}"


def service_time_text(start: datetime | None, end: datetime | None) -> str:
    """A service window in the worker's words: "12月10日 09:00–17:00" within a day, "12月10日 09:00 至
    12月20日 17:00" across days, "12月10日 09:00 起" without an end, "" without a start."""
    if start is None:
        return ""
    if end is None:
        return f"{moment_text(start)} 起"
    if timezone.localtime(start).date() == timezone.localtime(end).date():
        return f"{moment_text(start)}–{timezone.localtime(end):%H:%M}"
    return f"{moment_text(start)} 至 {moment_text(end)}"


# An order holds its place in these states: a member holds at most one of them per batch.
ACTIVE_STATUSES = (OrderStatus.PLACED, OrderStatus.ASSIGNED, OrderStatus.DELIVERED, OrderStatus.CONFIRMED,
                   OrderStatus.REVIEWED)
# The places a batch has given away (what Batch.taken counts): a no-show keeps the place it was
# given (order_mark_no_show does not hand it back), a cancellation returns it.
HOLDING_STATUSES = (*ACTIVE_STATUSES, OrderStatus.NO_SHOW)
# The service was given: what 服务人次 counts.
SERVED_STATUSES = (OrderStatus.CONFIRMED, OrderStatus.REVIEWED)
OPEN_STATUSES = (OrderStatus.PLACED, OrderStatus.ASSIGNED, OrderStatus.DELIVERED)


class CancelledBy(models.TextChoices):
    MEMBER = "member", "会员本人"
    PROVIDER = "provider", "服务方"
    STAFF = "staff", "工会工作人员"


class NeedStatus(models.TextChoices):
    OPEN = "open", "待回应"
    ANSWERED = "answered", "已回应"
    CLOSED = "closed", "已撤回"


class Provider(BranchRow, PublicId):
    """A model worker or craftsman (a person), or a partner organization, who serves members."""

    union = models.ForeignKey("unions.Union", on_delete=models.PROTECT, related_name="market_providers",
                              verbose_name="所属工会")
    kind = models.CharField("类型", max_length=20, choices=ProviderKind.choices)
    name = models.CharField("名称", max_length=100)
    title_level = models.CharField("称号级别", max_length=30, choices=TitleLevel.choices, blank=True)
    specialty = models.CharField("专长领域", max_length=100, blank=True)
    bio = models.TextField("简介", max_length=2000, blank=True)
    photo = PhotoField("照片")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="market_provider", verbose_name="服务方账号")
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = BranchQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["union", "kind"], name="mkt_provider_union_kind_idx"),
            models.Index(fields=["name"], name="mkt_provider_name_idx"),
        ]
        verbose_name = verbose_name_plural = "服务方"

    def __str__(self) -> str:
        return self.name

    @property
    def is_person(self) -> bool:
        return self.kind in PERSON_KINDS


class Offering(Created, BranchRow, PublicId):
    """服务项目: what a provider offers, free of charge, to the members its audience covers.

    ``rating_count``/``rating_sum`` and ``served_count`` are kept by the review and confirm
    transitions (F() increments in the same transaction), so the catalogue shows them without
    aggregating a million orders.
    """

    union = models.ForeignKey("unions.Union", on_delete=models.PROTECT, related_name="market_offerings",
                              verbose_name="主办工会")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="offerings", verbose_name="服务方")
    title = models.CharField("服务名称", max_length=100)
    domain = models.CharField("服务领域", max_length=20, choices=Domain.choices)
    brands = models.ManyToManyField("unions.Brand", blank=True, related_name="market_offerings",
                                    verbose_name="品牌")
    mode = models.CharField("服务方式", max_length=10, choices=Mode.choices, default=Mode.ONSITE)
    place = models.CharField("服务地点", max_length=200, blank=True)
    summary = models.CharField("一句话介绍", max_length=200)
    description = models.TextField("服务内容", max_length=5000, blank=True)
    photo = PhotoField("图片")
    audience = models.CharField("服务对象", max_length=10, choices=Audience.choices, default=Audience.ALL)
    audience_union = models.ForeignKey("unions.Union", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name="指定工会")
    status = models.CharField("状态", max_length=20, choices=OfferingStatus.choices, default=OfferingStatus.DRAFT)
    listed_at = models.DateTimeField("上架时间", null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0, editable=False)
    rating_sum = models.PositiveIntegerField(default=0, editable=False)
    served_count = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = BranchQuerySet.as_manager()

    class Meta:
        ordering = ["-listed_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-listed_at"], name="mkt_offering_status_idx"),
            models.Index(fields=["status", "domain", "-listed_at"], name="mkt_offering_domain_idx"),
            models.Index(fields=["union", "status"], name="mkt_offering_union_idx"),
            models.Index(fields=["provider", "status"], name="mkt_offering_provider_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(mode="online") | ~Q(place=""), name="mkt_offering_onsite_has_place"),
            models.CheckConstraint(condition=Q(audience="union", audience_union__isnull=False)
                                   | (~Q(audience="union") & Q(audience_union__isnull=True)),
                                   name="mkt_offering_audience_union"),
        ]
        verbose_name = verbose_name_plural = "服务项目"

    @property
    def member_verb(self) -> str:
        """报名 or 预约: the word the worker reads for taking a place in this offering."""
        return member_verb(self.domain)

    def __str__(self) -> str:
        return self.title

    @property
    def rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None

    @property
    def audience_label(self) -> str:
        if self.audience == Audience.UNION and self.audience_union_id:
            return f"{self.audience_union.name}会员"
        return self.get_audience_display()


class BatchQuerySet(BranchQuerySet):
    branch_path = "offering__union__path"

    def orderable(self, now: Any = None) -> BatchQuerySet:
        """Open batches inside their window (places may still be gone)."""
        now = now or timezone.now()
        return self.filter(status=BatchStatus.OPEN, opens_at__lte=now).filter(
            Q(closes_at__isnull=True) | Q(closes_at__gt=now))


class Batch(Created, BranchRow, PublicId):
    """上架批次: a number of places, open for ordering between ``opens_at`` and ``closes_at``.

    With time slots, each slot has its own places and the batch's capacity is their sum.
    """

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="batches")
    name = models.CharField("批次名称", max_length=60)
    capacity = models.PositiveIntegerField("名额")
    taken = models.PositiveIntegerField("已预约", default=0)
    opens_at = models.DateTimeField("开始预约", default=timezone.now)
    closes_at = models.DateTimeField("截止预约", null=True, blank=True)
    # When the service itself happens, for a batch without time slots (a slot says it for itself):
    # the worker reads it on the offering and the order, not only the booking deadline.
    serves_from = models.DateTimeField("服务开始", null=True, blank=True)
    serves_until = models.DateTimeField("服务结束", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=BatchStatus.choices, default=BatchStatus.OPEN)

    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-id"]
        indexes = [models.Index(fields=["offering", "status"], name="mkt_batch_offering_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=models.F("capacity")), name="mkt_batch_not_oversold"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="mkt_batch_capacity_positive"),
            models.CheckConstraint(condition=Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                                   name="mkt_batch_window"),
            models.CheckConstraint(condition=Q(serves_until__isnull=True) | Q(serves_from__isnull=False,
                                                                              serves_until__gt=models.F("serves_from")),
                                   name="mkt_batch_service_window"),
        ]
        verbose_name = verbose_name_plural = "上架批次"

    def __str__(self) -> str:
        return f"{self.offering_id} {self.name}"

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def service_time(self) -> str:
        """When the service happens, in words ("12月10日 09:00–17:00", "12月10日 09:00 至 12月20日 17:00",
        "12月10日 09:00 起"), or "" when the batch does not say (its time slots do, or the provider
        arranges it per order)."""
        return service_time_text(self.serves_from, self.serves_until)

    def is_orderable(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return (self.status == BatchStatus.OPEN and self.opens_at <= now
                and (self.closes_at is None or now < self.closes_at))


class Slot(PublicId):
    """A time slot of a batch with its own places."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    capacity = models.PositiveIntegerField("名额")
    taken = models.PositiveIntegerField("已预约", default=0)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=models.F("capacity")), name="mkt_slot_not_oversold"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="mkt_slot_capacity_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="mkt_slot_window"),
        ]
        verbose_name = verbose_name_plural = "服务时段"

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%m-%d %H:%M}–{timezone.localtime(self.ends_at):%H:%M}"

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.taken, 0)


class OrderQuerySet(UnionIdScopedQuerySet):
    """``visible_to`` as ``union_id IN (the list of the unions under the grants)``: a million orders."""

    union_id_list = True


class Order(BranchRow, PublicId):
    """An order (预约) of one place in a batch by one member.

    ``union`` is the offering's union (whose staff see the order); ``member_union`` is where the
    member belonged when ordering (statistics per union).
    """

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="orders")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="orders")
    slot = models.ForeignKey(Slot, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    union = models.ForeignKey("unions.Union", on_delete=models.PROTECT, related_name="market_orders")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="market_orders")
    member_union = models.ForeignKey("unions.Union", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=20, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    note = models.CharField("需求说明", max_length=500, blank=True)
    server_name = models.CharField("服务人员", max_length=50, blank=True)
    scheduled_at = models.DateTimeField("服务时间", null=True, blank=True)
    delivered_at = models.DateTimeField("服务完成时间", null=True, blank=True)
    delivery_note = models.CharField("服务记录", max_length=500, blank=True)
    evidence = models.FileField("服务凭证", upload_to="market/evidence/%Y/%m/", max_length=200, blank=True)
    evidence_name = models.CharField(max_length=120, blank=True)
    confirmed_at = models.DateTimeField("签收时间", null=True, blank=True)
    auto_confirmed = models.BooleanField("自动签收", default=False)
    cancel_reason = models.CharField("取消原因", max_length=300, blank=True)
    cancelled_by = models.CharField(max_length=10, choices=CancelledBy.choices, blank=True)
    reorder_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    placed_at = models.DateTimeField("下单时间", default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["placed_at"], name="mkt_order_placed_idx"),  # cockpit: orders per day
            models.Index(fields=["confirmed_at"], name="mkt_order_confirmed_idx"),
            models.Index(fields=["union", "status", "-placed_at"], name="mkt_order_board_idx"),
            # covers the board's counts per open state over a whole city (status first, then the union)
            models.Index(fields=["status", "union"], name="mkt_order_status_union_idx"),
            models.Index(fields=["status", "-placed_at"], name="mkt_order_status_idx"),
            models.Index(fields=["member", "-placed_at"], name="mkt_order_member_idx"),
            models.Index(fields=["offering", "status"], name="mkt_order_offering_idx"),
            models.Index(fields=["status", "delivered_at"], name="mkt_order_autoconfirm_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["batch", "member"], condition=Q(status__in=ACTIVE_STATUSES),
                                    name="mkt_order_one_active_per_batch"),
        ]
        verbose_name = verbose_name_plural = "订单"

    def __str__(self) -> str:
        return f"{self.short_code} {self.get_status_display()}"

    @property
    def short_code(self) -> str:
        return str(self.uuid).split("-")[0].upper()

    @property
    def member_verb(self) -> str:
        return member_verb(self.offering.domain)

    @property
    def member_status_label(self) -> str:
        """The status in the worker's words (已报名/已预约 → 已安排 → 待确认完成 → 已完成)."""
        return member_status_label(self.status, self.offering.domain)

    def status_label_for(self, user: Any) -> str:
        """The status as ``user`` reads it: the member their own order in the member's words (the H5
        pages' label), the provider and staff in the lifecycle's (待配货 …). The one choice of words
        for the pages and the API."""
        return self.event_label_for(user, self.status)

    def event_label_for(self, user: Any, status: str) -> str:
        """``status`` (this order's, or a step of its history) as ``user`` reads it."""
        if user is not None and self.member.user_id is not None and self.member.user_id == getattr(user, "pk", None):
            return member_status_label(status, self.offering.domain)
        return OrderStatus(status).label

    @property
    def service_time(self) -> str:
        """When the service happens, as far as it is known: the time the provider arranged, the
        booked time slot, or the batch's service window; "" when none says it yet."""
        if self.slot_id and self.scheduled_at in (None, self.slot.starts_at):
            return service_time_text(self.slot.starts_at, self.slot.ends_at)
        if self.scheduled_at is not None:
            return moment_text(self.scheduled_at)
        return self.batch.service_time


class OrderEvent(StatusEvent):
    """One step of an order's history."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=OrderStatus.choices)

    class Meta(StatusEvent.Meta):
        indexes = [models.Index(fields=["order", "created_at"], name="mkt_orderevent_order_idx")]


class Review(models.Model):
    """评价: one rating (1–5) and text per order, shown on the offering."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="review")
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField("评分")
    text = models.CharField("评价内容", max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["offering", "-created_at"], name="mkt_review_offering_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="mkt_review_rating_1_5"),
        ]
        verbose_name = verbose_name_plural = "评价"

    def __str__(self) -> str:
        return f"{self.rating}★"


class Follow(models.Model):
    """A member follows an offering: 上新 of a new batch is sent to them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="market_follows")
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "offering"], name="mkt_follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.offering_id}"


class IdempotencyKey(models.Model):
    """An ``Idempotency-Key`` of an order placement through the API: a retry returns this order.

    ``fingerprint`` is what the first request asked for; the same key with another request is refused.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    order = models.ForeignKey(Order, null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="mkt_idempotency_key_once")]

    def __str__(self) -> str:
        return self.key


class NeedCategory(BranchRow, PublicId):
    """需求分类: a union's list of need categories; members see those of their union's chain."""

    union = models.ForeignKey("unions.Union", on_delete=models.CASCADE, related_name="market_need_categories")
    name = models.CharField("分类名称", max_length=30)
    position = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    objects = BranchQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["union", "name"], name="mkt_needcategory_unique_name")]
        verbose_name = verbose_name_plural = "需求分类"

    def __str__(self) -> str:
        return self.name


class Need(BranchRow, PublicId):
    """需求: what a member wants when nothing fits, answered by pointing to an offering or a provider."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="market_needs")
    union = models.ForeignKey("unions.Union", on_delete=models.PROTECT, related_name="market_needs")
    category = models.ForeignKey(NeedCategory, on_delete=models.PROTECT, related_name="needs", verbose_name="分类")
    title = models.CharField("需求", max_length=100)
    text = models.CharField("详细说明", max_length=1000, blank=True)
    status = models.CharField("状态", max_length=10, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    answer_offering = models.ForeignKey(Offering, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", verbose_name="推荐服务项目")
    answer_provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+", verbose_name="推荐服务方")
    answer_text = models.CharField("回复", max_length=300, blank=True)
    answered_by = user_ref()
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = BranchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["union", "status", "-created_at"], name="mkt_need_queue_idx"),
            models.Index(fields=["member", "-created_at"], name="mkt_need_member_idx"),
        ]
        verbose_name = verbose_name_plural = "需求"

    def __str__(self) -> str:
        return self.title
