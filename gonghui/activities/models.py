"""Activities (活动): events a union organises for its members, with a quota, a waitlist, QR check-in,
photos, a summary and the participants' ratings.

Capacity lives in the database: ``Activity.taken`` counts the places held (confirmed and checked-in
sign-ups), a CheckConstraint keeps it within ``quota``, and a sign-up only takes a place through the
conditional ``UPDATE … SET taken = taken + 1 WHERE taken < quota`` in services.py. A member holds at
most one live sign-up per activity (a partial unique constraint); a rating is once per sign-up.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from gonghui.core.fields import user_ref
from gonghui.core.models import Authored, BranchRow, MaskedMember, PublicId, StatusEvent
from gonghui.core.photos import PhotoField
from gonghui.core.scope import BranchQuerySet
from gonghui.members.models import EmploymentForm, Gender, Member
from gonghui.unions.models import Brand, Union, UnionRowQuerySet

# Members may scan the activity's check-in code from this long before the start until the end.
CHECKIN_OPENS_BEFORE = timedelta(minutes=60)


class ActivityKind(models.TextChoices):
    CULTURE = "culture", "文体活动"
    WARMTH = "warmth", "送温暖"
    TRAINING = "training", "技能培训"
    MATCHMAKING = "matchmaking", "相亲交友"
    VOLUNTEER = "volunteer", "志愿服务"
    OTHER = "other", "其他"


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    CONCLUDED = "concluded", "已总结"
    CANCELLED = "cancelled", "已取消"


class Phase(models.TextChoices):
    """Where a published activity stands in time (derived, never stored)."""

    UPCOMING = "upcoming", "报名未开始"
    SIGNUP = "signup", "报名中"
    CLOSED = "closed", "报名已截止"
    ONGOING = "ongoing", "进行中"
    ENDED = "ended", "已结束"


def new_checkin_code() -> str:
    return secrets.token_urlsafe(12)


class ActivityQuerySet(UnionRowQuerySet):
    def listed(self) -> ActivityQuerySet:
        """What members may see: published or concluded (not drafts, not cancelled)."""
        return self.filter(status__in=[ActivityStatus.PUBLISHED, ActivityStatus.CONCLUDED])

    def for_member(self, member: Member) -> ActivityQuerySet:
        """Listed activities of the member's union and the unions above it (the default audience:
        an activity is for its owner's whole subtree). The finer rules are checked per row by
        ``Activity.audience_problem``."""
        return self.listed().in_chain_of(member.union)


class Activity(Authored, BranchRow, PublicId):
    union = models.ForeignKey(Union, on_delete=models.PROTECT, related_name="activities", verbose_name="主办工会")
    brand = models.ForeignKey(Brand, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities",
                              verbose_name="品牌")
    kind = models.CharField("活动类型", max_length=20, choices=ActivityKind.choices, default=ActivityKind.CULTURE)
    title = models.CharField("活动名称", max_length=100)
    description = models.TextField("活动介绍", blank=True)
    photo = PhotoField("活动封面")
    place = models.CharField("活动地点", max_length=200)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    signup_opens_at = models.DateTimeField("报名开始")
    signup_closes_at = models.DateTimeField("报名截止")
    quota = models.PositiveIntegerField("名额")
    taken = models.PositiveIntegerField("已占名额", default=0, editable=False)
    # Audience (报名条件): the owner's whole subtree, narrowed by these declarative rules.
    gig_only = models.BooleanField("仅限新就业形态劳动者", default=False)
    women_only = models.BooleanField("仅限女职工", default=False)
    model_workers_only = models.BooleanField("仅限劳模工匠", default=False)
    min_age = models.PositiveSmallIntegerField("最小年龄", null=True, blank=True)
    max_age = models.PositiveSmallIntegerField("最大年龄", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT)
    checkin_code = models.CharField(max_length=32, unique=True, default=new_checkin_code, editable=False)
    summary = models.TextField("活动总结", blank=True)
    cancel_reason = models.CharField("取消原因", max_length=300, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["union", "status", "-starts_at"], name="activity_union_status_idx"),
            models.Index(fields=["status", "starts_at"], name="activity_status_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=F("quota")), name="activity_taken_within_quota"),
            models.CheckConstraint(condition=Q(quota__gte=1), name="activity_quota_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(condition=Q(signup_closes_at__gt=F("signup_opens_at"))
                                   & Q(signup_closes_at__lte=F("ends_at")), name="activity_signup_window"),
            models.CheckConstraint(condition=Q(min_age__isnull=True) | Q(max_age__isnull=True)
                                   | Q(min_age__lte=F("max_age")), name="activity_age_range"),
        ]
        verbose_name = verbose_name_plural = "活动"

    def __str__(self) -> str:
        return self.title

    # --- Time --------------------------------------------------------------------------------------

    def phase(self, now: datetime | None = None) -> Phase:
        now = now or timezone.now()
        if now >= self.ends_at:
            return Phase.ENDED
        if now >= self.starts_at:
            return Phase.ONGOING
        if now < self.signup_opens_at:
            return Phase.UPCOMING
        if now < self.signup_closes_at:
            return Phase.SIGNUP
        return Phase.CLOSED

    @property
    def current_phase(self) -> Phase:
        return self.phase()

    def signup_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (self.status == ActivityStatus.PUBLISHED and self.signup_opens_at <= now < self.signup_closes_at
                and now < self.ends_at)

    def checkin_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (self.status == ActivityStatus.PUBLISHED
                and self.starts_at - CHECKIN_OPENS_BEFORE <= now < self.ends_at)

    @property
    def has_started(self) -> bool:
        return timezone.now() >= self.starts_at

    @property
    def has_ended(self) -> bool:
        return timezone.now() >= self.ends_at

    @property
    def places_left(self) -> int:
        return max(self.quota - self.taken, 0)

    @property
    def is_full(self) -> bool:
        return self.taken >= self.quota

    # --- Audience ----------------------------------------------------------------------------------

    @property
    def audience_rules(self) -> list[str]:
        """The narrowing rules in words (empty: every member of the owner's subtree)."""
        rules = []
        if self.gig_only:
            rules.append("新就业形态劳动者")
        if self.women_only:
            rules.append("女职工")
        if self.model_workers_only:
            rules.append("劳模工匠")
        if self.min_age is not None and self.max_age is not None:
            rules.append(f"{self.min_age}–{self.max_age}周岁")
        elif self.min_age is not None:
            rules.append(f"{self.min_age}周岁以上")
        elif self.max_age is not None:
            rules.append(f"{self.max_age}周岁以下")
        return rules

    @property
    def audience_label(self) -> str:
        rules = self.audience_rules
        base = f"{self.union.name}及下级工会会员"
        return base + ("（限" + "、".join(rules) + "）" if rules else "")

    def audience_problem(self, member: Member, *, today: date | None = None) -> str:
        """Why ``member`` may not sign up, in Chinese; "" when the audience rule admits them."""
        if not member.union.path.startswith(self.union.path):
            return f"本活动面向{self.union.name}及下级工会的会员"
        if self.gig_only and member.employment_form != EmploymentForm.GIG:
            return "本活动仅限新就业形态劳动者报名"
        if self.women_only and member.gender != Gender.FEMALE:
            return "本活动仅限女职工报名"
        if self.model_workers_only and not (member.model_worker_level or member.craftsman):
            return "本活动仅限劳模、工匠报名"
        if self.min_age is not None or self.max_age is not None:
            age = member.age_on(today or timezone.localtime(self.starts_at).date())
            if age is None:
                return "本活动有年龄要求，您的会员信息中缺少出生日期"
            if self.min_age is not None and age < self.min_age:
                return f"本活动要求年满{self.min_age}周岁"
            if self.max_age is not None and age > self.max_age:
                return f"本活动要求不超过{self.max_age}周岁"
        return ""


class ActivityEvent(StatusEvent):
    """One step of an activity's life: created, published, edited, concluded, cancelled."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=ActivityStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ActivityStatus.choices)
    action = models.CharField(max_length=30)
    actor = user_ref(blank=False)

    def __str__(self) -> str:
        return f"{self.action}: {super().__str__()}"


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", "已报名"
    WAITLISTED = "waitlisted", "候补中"
    CANCELLED = "cancelled", "已取消"
    CHECKED_IN = "checked_in", "已签到"


LIVE_STATUSES = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED, SignupStatus.CHECKED_IN)
# Statuses that hold one of the activity's places (what Activity.taken counts).
PLACE_STATUSES = (SignupStatus.CONFIRMED, SignupStatus.CHECKED_IN)


class CheckinMethod(models.TextChoices):
    CARD = "card", "扫会员卡"
    CODE = "code", "扫活动码"
    MANUAL = "manual", "工作人员代签"


class SignupQuerySet(BranchQuerySet):
    branch_path = "activity__union__path"

    def live(self) -> SignupQuerySet:
        return self.filter(status__in=LIVE_STATUSES)

    def waitlist(self) -> SignupQuerySet:
        """The waitlist in the order it is served: first come, first promoted."""
        return self.filter(status=SignupStatus.WAITLISTED).order_by("created_at", "id")


class Signup(MaskedMember, BranchRow, PublicId):
    """A member's sign-up for an activity. ``created_at`` is the place in the waitlist queue."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="activity_signups")
    status = models.CharField("状态", max_length=20, choices=SignupStatus.choices)
    created_at = models.DateTimeField("报名时间", default=timezone.now)
    confirmed_at = models.DateTimeField("获得名额时间", null=True, blank=True)
    promoted = models.BooleanField("候补递补", default=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=300, blank=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    checkin_method = models.CharField("签到方式", max_length=10, choices=CheckinMethod.choices, blank=True)
    checked_in_by = user_ref()
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SignupQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["created_at"], name="signup_created_idx"),  # cockpit: sign-ups per day
            models.Index(fields=["activity", "status", "created_at"], name="signup_queue_idx"),
            models.Index(fields=["member", "-created_at"], name="signup_member_idx"),
            models.Index(fields=["status", "checked_in_at"], name="signup_checkin_idx"),
        ]
        constraints = [
            # one live sign-up per member and activity: a double tap on 报名 cannot make two
            models.UniqueConstraint(fields=["activity", "member"],
                                    condition=Q(status__in=["confirmed", "waitlisted", "checked_in"]),
                                    name="signup_one_live_per_member"),
            models.CheckConstraint(condition=Q(status="checked_in", checked_in_at__isnull=False)
                                   | ~Q(status="checked_in"), name="signup_checked_in_has_time"),
        ]
        verbose_name = verbose_name_plural = "活动报名"

    def __str__(self) -> str:
        return f"{self.member} → {self.activity_id}"

    @property
    def holds_place(self) -> bool:
        return self.status in PLACE_STATUSES



class SignupEvent(StatusEvent):
    """The history of a sign-up: signed up, waitlisted, promoted, cancelled, checked in."""

    signup = models.ForeignKey(Signup, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=SignupStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=SignupStatus.choices)
    actor = user_ref(blank=False)


class Rating(models.Model):
    """A checked-in participant's rating (1–5) of the activity: once per sign-up."""

    signup = models.OneToOneField(Signup, on_delete=models.CASCADE, related_name="rating")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="ratings")
    score = models.PositiveSmallIntegerField("评分")
    comment = models.CharField("评价", max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="rating_score_1_to_5"),
        ]
        verbose_name = verbose_name_plural = "活动评价"

    def __str__(self) -> str:
        return f"{self.score}★"


def photo_path(instance: ActivityPhoto, filename: str) -> str:
    return f"activities/{instance.activity.uuid}/{instance.uuid}{_extension(instance.content_type)}"


def _extension(content_type: str) -> str:
    return {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}.get(content_type, "")


class PhotoQuerySet(BranchQuerySet):
    branch_path = "activity__union__path"


class ActivityPhoto(BranchRow, PublicId):
    """A photo of the activity (uploaded by staff after it started), stored under MEDIA_ROOT/activities/."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=photo_path, max_length=200)
    content_type = models.CharField(max_length=30)
    size = models.PositiveIntegerField()
    caption = models.CharField("说明", max_length=100, blank=True)
    uploaded_by = user_ref(blank=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = verbose_name_plural = "活动照片"

    def __str__(self) -> str:
        return self.caption or str(self.uuid)

