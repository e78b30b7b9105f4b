"""API schemas of the market: separate In and Out shapes; personal names are masked in Out."""

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Field, Schema

from gonghui.core.api import PageFields
from gonghui.core.schemas import ImageOut


class Ref(Schema):
    uuid: UUID
    name: str


class ProviderOut(Schema):
    uuid: UUID
    name: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    title_level: str
    title_level_label: str = Field(..., alias="get_title_level_display")
    specialty: str
    bio: str
    union: Ref
    is_active: bool
    has_account: bool

    @staticmethod
    def resolve_has_account(obj: Any) -> bool:
        return obj.user_id is not None


class WorkloadOut(Schema):
    provider: ProviderOut
    offerings: int = Field(..., description="上架中的服务项目数")
    counts: dict[str, int] = Field(..., description="各状态订单数")
    served: int = Field(..., description="服务人次")


class WorkloadPage(PageFields):
    items: list[WorkloadOut]


class ProviderIn(Schema):
    union: UUID
    kind: str
    name: str = Field(..., max_length=100)
    title_level: str = ""
    specialty: str = Field("", max_length=100)
    bio: str = Field("", max_length=2000)
    account_phone: str = Field("", max_length=20, description="绑定的账号手机号（选填）")


class SlotOut(Schema):
    uuid: UUID
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int
    remaining: int


class OfferingBatchOut(Schema):
    uuid: UUID
    name: str
    capacity: int
    taken: int
    remaining: int
    opens_at: datetime
    closes_at: datetime | None
    serves_from: datetime | None = Field(..., description="服务开始（无时段的批次）")
    serves_until: datetime | None = Field(..., description="服务结束（无时段的批次，可为空）")
    service_time: str = Field(..., description="服务时间的文字说明；有时段时为空，见 slots")
    status: str
    orderable: bool = Field(..., alias="is_orderable")
    slots: list[SlotOut]


class OfferingOut(Schema):
    uuid: UUID
    title: str
    domain: str
    domain_label: str = Field(..., alias="get_domain_display")
    summary: str
    mode: str
    place: str
    audience: str
    audience_label: str
    status: str
    provider: Ref
    union: Ref
    rating: float | None
    rating_count: int
    served_count: int
    remaining: int | None = Field(None, description="可预约批次的剩余名额")
    listed_at: datetime | None
    photo: ImageOut | None = Field(None, description="服务图片（多种宽度）")


class ReviewOut(Schema):
    rating: int
    text: str
    member_name: str = Field(..., alias="order.member.masked_name")
    created_at: datetime


class ReviewItem(ReviewOut):
    offering: UUID = Field(..., alias="offering.uuid")
    offering_title: str = Field(..., alias="offering.title")


class OfferingDetailOut(OfferingOut):
    """Built from an Offering with ``batch_list`` and ``review_list`` (and, for a member, ``followed``,
    ``can_order``, ``why_not``) set on it by the endpoint."""

    description: str
    brands: list[Ref]
    batches: list[OfferingBatchOut] = Field(..., alias="batch_list")
    reviews: list[ReviewOut] = Field(..., alias="review_list")
    followed: bool = False
    can_order: bool = False
    why_not: str = Field("", description="不能预约的原因")


class OfferingPage(PageFields):
    items: list[OfferingOut]


class OfferingIn(Schema):
    title: str = Field(..., max_length=100)
    domain: str
    summary: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    mode: str = "onsite"
    place: str = Field("", max_length=200)
    audience: str = "all"
    audience_union: UUID | None = None
    brands: list[UUID] = []


class StaffOfferingIn(OfferingIn):
    provider: UUID


class SlotIn(Schema):
    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(..., ge=1, le=100_000)


class OfferingBatchIn(Schema):
    name: str = Field(..., max_length=60)
    capacity: int = Field(0, ge=0, le=100_000, description="有时段时为各时段名额之和，可不填")
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    serves_from: datetime | None = Field(None, description="服务开始：没有时段时必填")
    serves_until: datetime | None = Field(None, description="服务结束（选填）")
    slots: list[SlotIn] = []


class MarketReasonIn(Schema):
    reason: str = Field("", max_length=300)


class OrderEventOut(Schema):
    from_status: str
    to_status: str
    to_status_label: str = Field(..., description="同订单的 status_label：会员本人看到会员的说法")
    note: str
    created_at: datetime

    @staticmethod
    def resolve_to_status_label(obj: Any) -> str:
        return getattr(obj, "viewer_label", "") or obj.get_to_status_display()


class OrderOut(Schema):
    uuid: UUID
    code: str = Field(..., alias="short_code")
    status: str
    status_label: str = Field(..., description="状态：会员本人看到的是会员的说法（已报名/已预约、已安排、已完成…），"
                                               "服务方和工作人员看到的是流程的说法（待配货、已配货…）")
    offering: Ref
    provider: Ref = Field(..., alias="offering.provider")
    batch: Ref
    slot: SlotOut | None
    member_name: str = Field(..., alias="member.masked_name", description="会员姓名（脱敏）")
    member_union: Ref
    note: str
    server_name: str
    scheduled_at: datetime | None
    service_time: str = Field(..., description="服务时间的文字说明（安排的时间、所选时段或批次的服务时间），未定时为空")
    delivered_at: datetime | None
    delivery_note: str
    has_evidence: bool
    confirmed_at: datetime | None
    auto_confirmed: bool
    cancel_reason: str
    cancelled_by: str
    placed_at: datetime
    review: ReviewOut | None
    reorder_of: UUID | None
    actions: list[str] = Field([], description="当前用户可执行的操作")

    @staticmethod
    def resolve_offering(obj: Any) -> dict[str, Any]:
        return {"uuid": obj.offering.uuid, "name": obj.offering.title}

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        # set by api.with_actions for the caller (Order.status_label_for); the lifecycle's word otherwise
        return getattr(obj, "viewer_status_label", "") or obj.get_status_display()

    @staticmethod
    def resolve_has_evidence(obj: Any) -> bool:
        return bool(obj.evidence)

    @staticmethod
    def resolve_review(obj: Any) -> Any:
        return getattr(obj, "review", None) if obj.status == "reviewed" else None

    @staticmethod
    def resolve_reorder_of(obj: Any) -> UUID | None:
        return obj.reorder_of.uuid if obj.reorder_of_id else None

    @staticmethod
    def resolve_actions(obj: Any) -> list[str]:
        return sorted(getattr(obj, "actions", ()))


class OrderDetailOut(OrderOut):
    events: list[OrderEventOut]


class OrderPage(PageFields):
    items: list[OrderOut]


class PlaceIn(Schema):
    batch: UUID
    slot: UUID | None = None
    note: str = Field("", max_length=500)


class OrderAssignIn(Schema):
    server_name: str = Field(..., max_length=50)
    scheduled_at: datetime | None = None


class OrderBulkAssignIn(OrderAssignIn):
    orders: list[UUID] = Field(..., min_length=1, max_length=200)


class OrderBulkFailure(Schema):
    order: UUID
    message: str


class BulkAssignOut(Schema):
    done: list[UUID]
    failed: list[OrderBulkFailure]


class ReviewIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    text: str = Field("", max_length=500)


class MarketNoteIn(Schema):
    note: str = Field("", max_length=300)


class FollowOut(Schema):
    followed: bool


class OrderCountsOut(Schema):
    counts: dict[str, int]


class CategoryOut(Schema):
    uuid: UUID
    name: str
    union: Ref
    position: int
    is_active: bool


class CategoryIn(Schema):
    union: UUID
    name: str = Field(..., max_length=30)
    position: int = Field(0, ge=0, le=1000)
    is_active: bool = True


class NeedIn(Schema):
    category: UUID
    title: str = Field(..., max_length=100)
    text: str = Field("", max_length=1000)


class NeedOut(Schema):
    uuid: UUID
    title: str
    text: str
    category: str = Field(..., alias="category.name")
    status: str
    status_label: str = Field(..., alias="get_status_display")
    member_name: str = Field(..., alias="member.masked_name")
    union: Ref
    answer_offering: Ref | None
    answer_provider: Ref | None
    answer_text: str
    answered_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_answer_offering(obj: Any) -> dict[str, Any] | None:
        o = obj.answer_offering
        return {"uuid": o.uuid, "name": o.title} if o else None


class AnswerIn(Schema):
    offering: UUID | None = None
    provider: UUID | None = None
    text: str = Field("", max_length=300)


class StatRowOut(Schema):
    key: str
    label: str
    orders: int
    served: int
    cancelled: int
    rating: float | None
    reviews: int


class MarketStatsOut(Schema):
    total: StatRowOut
    domains: list[StatRowOut]
    brands: list[StatRowOut]
    providers: list[StatRowOut]
    unions: list[StatRowOut]
