"""职课堂 (learning): union-owned courses with ordered lessons, a question bank and exam settings,
members' enrolments and per-lesson progress, exam attempts graded on the server, and numbered
certificates with a public verify page.

Once-per-member rules live in the database: one enrolment per member and course, one open attempt
per enrolment and a unique attempt number (two taps on 开始考试 make one attempt), one certificate
per enrolment and a unique certificate number. An attempt's drawn questions are frozen on it (the
bank may change later without moving a grade); submitting is the guarded ``UPDATE … WHERE status =
'open'`` of ``core.transitions`` (a double submit records one result).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from gonghui.core.fields import user_ref
from gonghui.core.models import Authored, BranchRow, MaskedMember, PublicId, StatusEvent
from gonghui.core.photos import PhotoField
from gonghui.core.scope import BranchQuerySet
from gonghui.lib.masking import mask_name
from gonghui.members.models import Member
from gonghui.unions.models import Union, UnionRowQuerySet

# Answers saved or a submit received this long after the deadline still count (the request was on its way).
DEADLINE_GRACE = timedelta(seconds=10)
# A video lesson counts as watched once the position reaches this share of its length.
WATCHED_SHARE = Decimal("0.9")


class CourseKind(models.TextChoices):
    VIDEO = "video", "视频课程"
    DOCUMENT = "document", "图文课程"
    OFFLINE = "offline", "线下课程"


class CourseStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    TRIAL = "trial", "试讲审核中"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已下架"


class CourseQuerySet(UnionRowQuerySet):
    def published(self) -> CourseQuerySet:
        return self.filter(status=CourseStatus.PUBLISHED)

    def for_member(self, member: Member) -> CourseQuerySet:
        """Published courses of the member's union and the unions above it (a course is offered to its
        owner's whole subtree)."""
        return self.published().in_chain_of(member.union)


class Course(Authored, BranchRow, PublicId):
    union = models.ForeignKey(Union, on_delete=models.PROTECT, related_name="courses", verbose_name="开课工会")
    title = models.CharField("课程名称", max_length=100)
    summary = models.TextField("课程简介", blank=True)
    kind = models.CharField("课程形式", max_length=20, choices=CourseKind.choices, default=CourseKind.VIDEO)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1, default=Decimal("1.0"),
                                validators=[MinValueValidator(Decimal("0.5"))])
    photo = PhotoField("课程封面")
    status = models.CharField("状态", max_length=20, choices=CourseStatus.choices, default=CourseStatus.DRAFT)
    # Exam settings (考试设置)
    exam_questions = models.PositiveSmallIntegerField("每次抽题数", default=10)
    exam_minutes = models.PositiveSmallIntegerField("考试时长（分钟）", default=30)
    pass_mark = models.PositiveSmallIntegerField("合格分数（百分制）", default=60)
    attempt_limit = models.PositiveSmallIntegerField("考试次数上限", default=3, help_text="0 表示不限")
    # The trial lecture review (试讲)
    submitted_at = models.DateTimeField(null=True, blank=True)
    trial_passed_at = models.DateTimeField(null=True, blank=True)
    trial_note = models.CharField("试讲评审意见", max_length=300, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["union", "status"], name="course_union_status_idx"),
            models.Index(fields=["status", "-published_at"], name="course_status_pub_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(pass_mark__gte=1) & Q(pass_mark__lte=100),
                                   name="course_pass_mark_range"),
            models.CheckConstraint(condition=Q(exam_questions__gte=1), name="course_exam_questions_positive"),
            models.CheckConstraint(condition=Q(exam_minutes__gte=1), name="course_exam_minutes_positive"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="course_hours_positive"),
        ]
        verbose_name = verbose_name_plural = "课程"

    def __str__(self) -> str:
        return self.title

    @property
    def attempt_limit_label(self) -> str:
        return f"{self.attempt_limit}次" if self.attempt_limit else "不限"


class CourseEvent(StatusEvent):
    """One step of a course's life: created, submitted for trial, reviewed, published, retired."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=CourseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CourseStatus.choices)
    action = models.CharField(max_length=30)


class LessonKind(models.TextChoices):
    VIDEO = "video", "视频"
    DOCUMENT = "document", "文档"
    TEXT = "text", "图文"


def lesson_path(instance: Lesson, filename: str) -> str:
    return f"learning/{instance.course.uuid}/{instance.uuid}{LESSON_EXTENSIONS.get(instance.content_type, '')}"


LESSON_EXTENSIONS = {"video/mp4": ".mp4", "video/webm": ".webm", "application/pdf": ".pdf"}


class CourseChildQuerySet(BranchQuerySet):
    branch_path = "course__union__path"


class Lesson(BranchRow, PublicId):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    position = models.PositiveSmallIntegerField("序号", default=1)
    title = models.CharField("课时名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=LessonKind.choices, default=LessonKind.TEXT)
    body = models.TextField("正文", blank=True)
    file = models.FileField(upload_to=lesson_path, max_length=200, blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    duration = models.PositiveIntegerField("时长（秒）", default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CourseChildQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["course", "position"], name="lesson_course_pos_idx")]
        verbose_name = verbose_name_plural = "课时"

    def __str__(self) -> str:
        return self.title

    @property
    def duration_label(self) -> str:
        if not self.duration:
            return ""
        minutes, seconds = divmod(self.duration, 60)
        return f"{minutes}分{seconds:02d}秒" if minutes else f"{seconds}秒"


TRUE_FALSE_OPTIONS = ["正确", "错误"]


class QuestionKind(models.TextChoices):
    SINGLE = "single", "单选题"
    MULTIPLE = "multiple", "多选题"
    TRUE_FALSE = "truefalse", "判断题"
    FILL = "fill", "填空题"


class Question(BranchRow, PublicId):
    """A question of a course's bank. ``options`` are the choices' texts (判断题: 正确/错误); ``answer`` is a
    list: the indexes of the right options, or for a fill-in the accepted texts."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField("题型", max_length=20, choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    text = models.TextField("题干")
    options = models.JSONField("选项", default=list, blank=True)
    answer = models.JSONField("答案", default=list)
    explanation = models.CharField("解析", max_length=300, blank=True)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CourseChildQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["course", "active"], name="question_course_active_idx")]
        verbose_name = verbose_name_plural = "试题"

    def __str__(self) -> str:
        return self.text[:30]

    @property
    def answer_label(self) -> str:
        if self.kind == QuestionKind.FILL:
            return " / ".join(str(a) for a in self.answer)
        if self.kind == QuestionKind.TRUE_FALSE:
            return TRUE_FALSE_OPTIONS[int(self.answer[0])] if self.answer else ""
        return "".join(chr(65 + int(i)) for i in self.answer)

    def snapshot(self) -> dict[str, Any]:
        """What an attempt freezes of the question (the answer included, for grading; never shown)."""
        return {"id": str(self.uuid), "kind": self.kind, "text": self.text, "options": list(self.options),
                "answer": list(self.answer)}


class EnrollmentQuerySet(BranchQuerySet):
    branch_path = "course__union__path"


class Enrollment(MaskedMember, BranchRow, PublicId):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="course_enrollments")
    created_at = models.DateTimeField("报名时间", default=timezone.now)
    lessons_done_at = models.DateTimeField("学完全部课时", null=True, blank=True)
    passed_at = models.DateTimeField("考试通过", null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["member", "-created_at"], name="enrollment_member_idx"),
            models.Index(fields=["created_at"], name="enrollment_created_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["course", "member"], name="enrollment_once_per_member"),
        ]
        verbose_name = verbose_name_plural = "选课"

    def __str__(self) -> str:
        return f"{self.member_id} → {self.course_id}"


class LessonProgress(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    position = models.PositiveIntegerField("播放位置（秒）", default=0)
    done = models.BooleanField("已学完", default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "lesson"], name="progress_once_per_lesson"),
        ]
        verbose_name = verbose_name_plural = "学习进度"

    def __str__(self) -> str:
        return f"{self.lesson_id}@{self.position}"


class EnrollmentChildQuerySet(BranchQuerySet):
    branch_path = "enrollment__course__union__path"


class AttemptStatus(models.TextChoices):
    OPEN = "open", "答题中"
    SUBMITTED = "submitted", "已交卷"


class Attempt(BranchRow, PublicId):
    """One sitting of a course's exam. ``questions`` is the frozen draw (snapshots, in the order shown);
    ``answers`` maps a question's id to the worker's answer (a list of option indexes, or ``[text]``)."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField("第几次")
    status = models.CharField("状态", max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.OPEN)
    questions = models.JSONField(default=list)
    answers = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField()
    saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    auto_submitted = models.BooleanField("超时自动交卷", default=False)
    correct = models.PositiveSmallIntegerField(default=0)
    score = models.PositiveSmallIntegerField("得分", null=True, blank=True)
    passed = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = EnrollmentChildQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "number"], name="attempt_number_once"),
            models.UniqueConstraint(fields=["enrollment"], condition=Q(status="open"), name="attempt_one_open"),
            models.CheckConstraint(condition=Q(status="open") | Q(score__isnull=False, submitted_at__isnull=False),
                                   name="attempt_submitted_is_graded"),
        ]
        verbose_name = verbose_name_plural = "考试记录"

    def __str__(self) -> str:
        return f"{self.enrollment_id}#{self.number}"

    @property
    def total(self) -> int:
        return len(self.questions)

    def seconds_left(self) -> int:
        return max(int((self.deadline - timezone.now()).total_seconds()), 0)

    def expired(self) -> bool:
        return timezone.now() > self.deadline + DEADLINE_GRACE


class CertificateStatus(models.TextChoices):
    VALID = "valid", "有效"
    REVOKED = "revoked", "已撤销"


class Certificate(BranchRow, PublicId):
    """A completion certificate (结业证书). ``number`` (ZKT-2026-000001) is what the public verify page and
    the QR code carry; the course's title and hours are kept as they were when it was issued."""

    enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField("证书编号", max_length=20, unique=True)
    course_title = models.CharField("课程名称", max_length=100)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    score = models.PositiveSmallIntegerField("考试成绩")
    issued_at = models.DateTimeField("发证时间", default=timezone.now)
    status = models.CharField("状态", max_length=20, choices=CertificateStatus.choices, default=CertificateStatus.VALID)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField("撤销原因", max_length=300, blank=True)
    revoked_by = user_ref()
    updated_at = models.DateTimeField(default=timezone.now)

    objects = EnrollmentChildQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["issued_at"], name="certificate_issued_idx")]
        verbose_name = verbose_name_plural = "结业证书"

    def __str__(self) -> str:
        return self.number

    @property
    def masked_name(self) -> str:
        return mask_name(self.enrollment.member.name)

    @property
    def valid(self) -> bool:
        return self.status == CertificateStatus.VALID


class CertificateCounter(models.Model):
    """The last certificate number handed out in a year (ZKT-<year>-<n>), bumped behind a row lock."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "证书编号"

    def __str__(self) -> str:
        return f"{self.year}:{self.last}"
