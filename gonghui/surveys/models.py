"""Surveys (问卷): questionnaires a union sends to its members, to the public by link/QR, or collects
itself (street or station collection).

Versions: a survey's questions hang off a ``SurveyVersion``. ``Survey.live`` is the published version
(frozen: nothing edits a version that has ``published_at``); ``Survey.draft`` is the version being
built. Editing a published survey copies the live version into a new draft; publishing it makes it
live. Every response keeps the version it answered, so old answers stay apart from new questions.

Anonymity: a response to an anonymous survey holds no member link at all — ``Response.member`` is
NULL, enforced by a CheckConstraint on the copied ``anonymous`` flag. Once-per-member is kept by
``Participation`` (who took part, not which response is theirs); drafts live in ``Draft`` (per
member, deleted when the response is submitted).
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone

from gonghui.core.fields import user_ref
from gonghui.core.models import Authored, BranchRow, PublicId
from gonghui.core.scope import BranchQuerySet
from gonghui.members.models import EmploymentForm, Gender, Member
from gonghui.unions.models import Union, UnionRowQuerySet


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "收集中"
    CLOSED = "closed", "已结束"


class Audience(models.TextChoices):
    MEMBERS = "members", "本级及下级工会会员"
    PUBLIC = "public", "公开链接/二维码（匿名填写）"
    STAFF = "staff", "工作人员代为采集"


class QuestionKind(models.TextChoices):
    SINGLE = "single", "单选"
    MULTIPLE = "multiple", "多选"
    SCALE5 = "scale5", "量表（1–5分）"
    SCALE10 = "scale10", "量表（1–10分）"
    NPS = "nps", "推荐度（0–10分）"
    SHORT_TEXT = "short_text", "单行文字"
    LONG_TEXT = "long_text", "多行文字"
    NUMBER = "number", "数字"
    DATE = "date", "日期"


CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})
SCALE_RANGES: dict[str, tuple[int, int]] = {QuestionKind.SCALE5: (1, 5), QuestionKind.SCALE10: (1, 10),
                                            QuestionKind.NPS: (0, 10)}
TEXT_KINDS = frozenset({QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT})


class AgeBand(models.TextChoices):
    UNDER_30 = "u30", "30岁以下"
    FROM_30 = "30s", "30–39岁"
    FROM_40 = "40s", "40–49岁"
    FROM_50 = "50p", "50岁及以上"


def age_band(age: int | None) -> str:
    """The band of an age in years ("" when unknown): kept on a response instead of the birth date."""
    if age is None:
        return ""
    if age < 30:
        return AgeBand.UNDER_30
    if age < 40:
        return AgeBand.FROM_30
    if age < 50:
        return AgeBand.FROM_40
    return AgeBand.FROM_50


class Channel(models.TextChoices):
    MEMBER = "member", "会员填写"
    PUBLIC = "public", "公开链接"
    STAFF = "staff", "工作人员采集"


def new_public_token() -> str:
    return secrets.token_urlsafe(12)


class SurveyQuerySet(UnionRowQuerySet):
    def for_member(self, member: Member) -> SurveyQuerySet:
        """Published member surveys of the member's union and the unions above it, for their
        employment form (or for everyone)."""
        return self.filter(status=SurveyStatus.PUBLISHED, audience=Audience.MEMBERS).in_chain_of(member.union).filter(
            Q(employment_form="") | Q(employment_form=member.employment_form))


class Survey(Authored, BranchRow, PublicId):
    union = models.ForeignKey(Union, on_delete=models.PROTECT, related_name="surveys", verbose_name="发起工会")
    title = models.CharField("问卷标题", max_length=100)
    description = models.TextField("问卷说明", blank=True)
    status = models.CharField("状态", max_length=20, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    anonymous = models.BooleanField("匿名问卷", default=False)
    audience = models.CharField("填写对象", max_length=20, choices=Audience.choices, default=Audience.MEMBERS)
    employment_form = models.CharField("仅限就业形态", max_length=10, choices=EmploymentForm.choices, blank=True)
    public_token = models.CharField(max_length=32, unique=True, default=new_public_token, editable=False)
    live = models.ForeignKey("SurveyVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    draft = models.ForeignKey("SurveyVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    response_count = models.PositiveIntegerField("答卷数", default=0, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["union", "status", "-created_at"], name="survey_union_status_idx")]
        constraints = [
            # A public-link survey is answered by people we do not know: it can only be anonymous.
            models.CheckConstraint(condition=~Q(audience="public") | Q(anonymous=True), name="survey_public_anonymous"),
        ]
        verbose_name = verbose_name_plural = "问卷"

    def __str__(self) -> str:
        return self.title

    @property
    def editing(self) -> SurveyVersion | None:
        """The version the builder edits: the draft (a draft survey's only version, or a new version
        of a published one)."""
        return self.draft


class SurveyVersion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本")
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="survey_version_unique")]

    def __str__(self) -> str:
        return f"第{self.number}版"

    @property
    def frozen(self) -> bool:
        return self.published_at is not None


class Section(PublicId):
    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField("分节标题", max_length=100)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]


class Question(PublicId):
    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions")
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField("题型", max_length=20, choices=QuestionKind.choices)
    title = models.CharField("题目", max_length=300)
    help_text = models.CharField("说明", max_length=300, blank=True)
    required = models.BooleanField("必答", default=True)
    shuffle = models.BooleanField("选项随机排序", default=False)
    # Skip logic: shown only when ``show_if_option`` (an option of an earlier question) was chosen.
    show_if_option = models.ForeignKey("Option", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="dependents", verbose_name="显示条件")

    class Meta:
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["version", "order"], name="question_version_order_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def scale(self) -> list[int]:
        low, high = SCALE_RANGES.get(self.kind, (0, -1))
        return list(range(low, high + 1))


class Option(PublicId):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    label = models.CharField("选项", max_length=200)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label


class ResponseQuerySet(BranchQuerySet):
    branch_path = "survey__union__path"


class Response(BranchRow, PublicId):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="responses")
    anonymous = models.BooleanField(default=False)
    # NULL for every anonymous response (the CheckConstraint below), for public and collected ones.
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="survey_responses")
    collector = user_ref("采集人")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # The respondent's group at the time, for cross-tabulation (never a link to the person).
    union = models.ForeignKey(Union, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    gender = models.CharField(max_length=1, choices=Gender.choices, blank=True)
    employment_form = models.CharField(max_length=10, choices=EmploymentForm.choices, blank=True)
    age_band = models.CharField(max_length=3, choices=AgeBand.choices, blank=True)
    device_hash = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["survey", "submitted_at"], name="response_survey_time_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(anonymous=False) | Q(member__isnull=True),
                                   name="response_anonymous_no_member"),
            models.UniqueConstraint(fields=["survey", "member"], condition=Q(member__isnull=False),
                                    name="response_once_per_member"),
            models.UniqueConstraint(fields=["survey", "device_hash"], condition=~Q(device_hash=""),
                                    name="response_once_per_device"),
        ]


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    option = models.ForeignKey(Option, null=True, blank=True, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(blank=True)
    number = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    day = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["question", "option"], name="answer_question_option_idx")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.option_id or self.text or self.number or self.day}"


class Participation(models.Model):
    """That a member answered a member survey (once per member), kept apart from the response so an
    anonymous response stays unlinked. Only the day is kept, not the moment, so that it cannot be
    matched to a response by its submission time."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="participations")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(default=timezone.localdate)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "member"], name="participation_once")]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.member_id}"


class Draft(models.Model):
    """A member's answers so far (save as you go, resume later); deleted when submitted."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="drafts")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "member"], name="draft_once")]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.member_id}"
