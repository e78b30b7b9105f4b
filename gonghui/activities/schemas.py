"""API schemas of the activities app: separate In and Out shapes; names and phones leave masked."""

# No ``from __future__ import annotations``: ninja needs the real annotations.
from datetime import datetime
from typing import Any
from uuid import UUID

from django.urls import reverse
from ninja import Field, Schema

from gonghui.core.schemas import ImageOut
from gonghui.unions.schemas import UnionRef

from .models import Activity, Signup


class AudienceOut(Schema):
    gig_only: bool
    women_only: bool
    model_workers_only: bool
    min_age: int | None
    max_age: int | None
    label: str = Field(..., description="报名条件（文字）")


class ActivityOut(Schema):
    uuid: UUID
    title: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    brand: str | None = Field(None, description="品牌（品牌矩阵中的名称）")
    union: UnionRef
    description: str
    photo: ImageOut | None = Field(None, description="活动封面（多种宽度）")
    place: str
    starts_at: datetime
    ends_at: datetime
    signup_opens_at: datetime
    signup_closes_at: datetime
    quota: int
    taken: int = Field(..., description="已占名额（已报名与已签到）")
    places_left: int
    status: str
    status_label: str = Field(..., alias="get_status_display")
    phase: str = Field(..., description="upcoming/signup/closed/ongoing/ended")
    phase_label: str
    audience: AudienceOut
    summary: str
    cancel_reason: str
    photos: list[str] = Field(..., description="照片地址（活动开始后）")

    # Resolvers, not dotted aliases: ninja resolves a dotted alias through Django's template Variable on
    # every access (parsed anew each time; bench_api.py's profile of the activities list).
    @staticmethod
    def resolve_brand(obj: Activity) -> str | None:
        return obj.brand.name if obj.brand_id is not None else None

    @staticmethod
    def resolve_phase(obj: Activity) -> str:
        return obj.current_phase.value

    @staticmethod
    def resolve_phase_label(obj: Activity) -> str:
        return obj.current_phase.label

    @staticmethod
    def resolve_audience(obj: Activity) -> dict[str, Any]:
        return {"gig_only": obj.gig_only, "women_only": obj.women_only, "model_workers_only": obj.model_workers_only,
                "min_age": obj.min_age, "max_age": obj.max_age, "label": obj.audience_label}

    @staticmethod
    def resolve_photos(obj: Activity) -> list[str]:
        if not obj.has_started:
            return []
        return [reverse("activities:photo", args=[p.uuid]) for p in obj.photos.all()]


class ActivityStaffOut(ActivityOut):
    counts: dict[str, int] = Field(..., description="各状态报名人数：confirmed/waitlisted/checked_in/cancelled")
    checkin_url: str | None = Field(None, description="签到二维码内容（已发布且未结束时）")

    @staticmethod
    def resolve_counts(obj: Activity) -> dict[str, int]:
        from .selectors import signup_counts

        return signup_counts(obj)

    @staticmethod
    def resolve_checkin_url(obj: Activity, context: Any) -> str | None:
        if obj.status != "published" or obj.has_ended:
            return None
        path = reverse("activities:checkin", args=[obj.checkin_code])
        return context["request"].build_absolute_uri(path)


class ActivityRowOut(Schema):
    uuid: UUID
    title: str
    kind: str
    union: UnionRef
    place: str
    starts_at: datetime
    ends_at: datetime
    quota: int
    taken: int
    waitlisted: int
    checked_in: int
    status: str
    phase: str = Field(..., alias="current_phase.value")


class MySignupRef(Schema):
    uuid: UUID
    status: str
    status_label: str = Field(..., alias="get_status_display")
    created_at: datetime


class MemberActivityOut(ActivityOut):
    my_signup: MySignupRef | None = Field(None, description="我的报名（最近一次）")
    eligible: bool = Field(..., description="报名条件是否允许我报名")
    problem: str = Field(..., description="不能报名的原因")

    @staticmethod
    def resolve_eligible(obj: Activity) -> bool:
        return not getattr(obj, "problem", "")

    @staticmethod
    def resolve_problem(obj: Activity) -> str:
        return getattr(obj, "problem", "")


class ActivityIn(Schema):
    union: UUID = Field(..., description="主办工会")
    title: str = Field(..., max_length=100)
    kind: str = Field("culture", description="culture/warmth/training/matchmaking/volunteer/other")
    brand: UUID | None = Field(None, description="品牌（主办工会或上级工会品牌矩阵中的品牌）")
    place: str = Field(..., max_length=200)
    starts_at: datetime
    ends_at: datetime
    signup_opens_at: datetime | None = Field(None, description="不填则发布后即可报名")
    signup_closes_at: datetime | None = Field(None, description="不填则截止到活动开始")
    quota: int
    description: str = Field("", max_length=5000)
    gig_only: bool = False
    women_only: bool = False
    model_workers_only: bool = False
    min_age: int | None = None
    max_age: int | None = None


class ActivityPatch(Schema):
    title: str | None = Field(None, max_length=100)
    kind: str | None = None
    brand: UUID | None = None
    place: str | None = Field(None, max_length=200)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    signup_opens_at: datetime | None = None
    signup_closes_at: datetime | None = None
    quota: int | None = None
    description: str | None = Field(None, max_length=5000)
    gig_only: bool | None = None
    women_only: bool | None = None
    model_workers_only: bool | None = None
    min_age: int | None = None
    max_age: int | None = None


class ActivityCancelIn(Schema):
    reason: str = Field(..., max_length=300)


class ActivityReasonIn(Schema):
    reason: str = Field("", max_length=300)


class ActivityConcludeIn(Schema):
    summary: str = Field(..., max_length=5000)


class ScanIn(Schema):
    token: str = Field(..., max_length=300, description="会员出示的电子会员卡二维码内容（链接或令牌）")


class CodeIn(Schema):
    code: str = Field(..., max_length=300, description="活动签到二维码内容（链接或签到码）")


class RatingIn(Schema):
    score: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=300)


class RatingOut(Schema):
    score: int
    comment: str
    created_at: datetime


def _rating(obj: Signup) -> Any:
    try:
        return obj.rating
    except Signup.rating.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return None


class SignupOut(Schema):
    """A participant as staff see them (masked)."""

    uuid: UUID
    member_name: str = Field(..., alias="masked_name", description="姓名（脱敏）")
    member_phone: str = Field(..., alias="masked_phone", description="手机号码（脱敏）")
    member_union: str = Field(..., alias="member.union.name")
    status: str
    status_label: str = Field(..., alias="get_status_display")
    created_at: datetime
    confirmed_at: datetime | None
    promoted: bool
    checked_in_at: datetime | None
    checkin_method: str
    cancel_reason: str
    rating: int | None

    @staticmethod
    def resolve_rating(obj: Signup) -> int | None:
        rating = _rating(obj)
        return rating.score if rating else None


class ActivityRef(Schema):
    uuid: UUID
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    status: str


class MySignupOut(Schema):
    uuid: UUID
    activity: ActivityRef
    status: str
    status_label: str = Field(..., alias="get_status_display")
    waitlist_position: int | None = Field(None, description="候补位次（候补中时）")
    created_at: datetime
    promoted: bool
    checked_in_at: datetime | None
    rating: RatingOut | None

    @staticmethod
    def resolve_waitlist_position(obj: Signup) -> int | None:
        from .selectors import waitlist_position

        return waitlist_position(obj)

    @staticmethod
    def resolve_rating(obj: Signup) -> Any:
        return _rating(obj)


class PhotoOut(Schema):
    uuid: UUID
    url: str
    caption: str
    content_type: str
    size: int
    created_at: datetime

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return reverse("activities:photo", args=[obj.uuid])


class ServedRowOut(Schema):
    union: UnionRef | None = Field(None, description="下级工会；为空表示本级主办的活动")
    label: str
    months: list[int] = Field(..., description="1–12月的签到人次")
    total: int


class KindCount(Schema):
    kind: str
    count: int


class ActivityStatsOut(Schema):
    union: UnionRef
    year: int
    total: int = Field(..., description="惠及人次")
    people: int = Field(..., description="参与会员人数（去重）")
    activities: int
    rows: list[ServedRowOut]
    totals: list[int]
    by_kind: list[KindCount]

    @staticmethod
    def resolve_by_kind(obj: Any) -> list[dict[str, Any]]:
        return [{"kind": label, "count": n} for label, n in obj.by_kind]


class ParticipantsExportIn(Schema):
    """The unmasked participants export's body (the reason is kept out of the URL)."""

    reason: str = Field(..., max_length=200, description="导出用途（必填，记入审计日志）")
    status: str = Field("", description="只导出该报名状态")
