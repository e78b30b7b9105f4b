"""API schemas of 职课堂: separate In and Out shapes; names leave masked; an attempt's answers never leave."""

# No ``from __future__ import annotations``: ninja needs the real annotations.
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.urls import reverse
from ninja import Field, Schema

from gonghui.core.schemas import ImageOut
from gonghui.unions.schemas import UnionRef

from .models import Attempt, Certificate, Course, Lesson


class CourseOut(Schema):
    uuid: UUID
    title: str
    summary: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    hours: Decimal = Field(..., description="学时")
    union: UnionRef
    photo: ImageOut | None = None
    status: str
    status_label: str = Field(..., alias="get_status_display")
    exam_questions: int = Field(..., description="每次抽题数")
    exam_minutes: int = Field(..., description="考试时长（分钟）")
    pass_mark: int = Field(..., description="合格分数（百分制）")
    attempt_limit: int = Field(..., description="考试次数上限，0 表示不限")
    published_at: datetime | None


class LessonOut(Schema):
    uuid: UUID
    position: int
    title: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    duration: int = Field(..., description="时长（秒）")
    body: str
    file_url: str | None = Field(None, description="视频或文档地址（支持 Range 断点续传）")
    size: int

    @staticmethod
    def resolve_file_url(obj: Lesson) -> str | None:
        return reverse("learning:lesson_file", args=[obj.uuid]) if obj.file else None


class LessonProgressOut(LessonOut):
    position_seconds: int = Field(0, description="上次学习到的位置（秒）")
    done: bool = False

    @staticmethod
    def resolve_position_seconds(obj: Lesson) -> int:
        progress = getattr(obj, "my_progress", None)
        return progress.position if progress is not None else 0

    @staticmethod
    def resolve_done(obj: Lesson) -> bool:
        progress = getattr(obj, "my_progress", None)
        return bool(progress is not None and progress.done)


class MyEnrollmentRef(Schema):
    uuid: UUID
    created_at: datetime
    lessons_done_at: datetime | None
    passed_at: datetime | None


class MemberCourseOut(CourseOut):
    enrollment: MyEnrollmentRef | None = Field(None, description="我的报名（未报名为空）")

    @staticmethod
    def resolve_enrollment(obj: Course) -> Any:
        return getattr(obj, "my_enrollment", None)


class CourseDetailOut(MemberCourseOut):
    # The view attaches these to the course (the member's progress, attempts left, certificate).
    lessons: list[LessonProgressOut] = Field(..., alias="lessons_list")
    attempts_left: int | None = Field(None, description="剩余考试次数（不限为空）")
    certificate: str | None = Field(None, description="证书编号（已发证时）", alias="certificate_number")


class MyCourseOut(Schema):
    uuid: UUID = Field(..., description="报名编号")
    course: CourseOut
    created_at: datetime
    lessons_total: int
    lessons_done: int
    percent: int
    passed_at: datetime | None
    certified: bool


class StudyProgressIn(Schema):
    position: int = Field(0, ge=0, le=86400, description="播放位置（秒）")
    done: bool = Field(False, description="标记为已学完（文档、图文课时）")


class StudyProgressOut(Schema):
    position: int
    done: bool
    done_at: datetime | None


class ExamOptionOut(Schema):
    index: int
    letter: str
    text: str
    checked: bool


class ExamQuestionOut(Schema):
    id: str
    number: int
    kind: str
    text: str
    options: list[ExamOptionOut]
    value: str = Field("", description="填空题已保存的答案")


class AttemptOut(Schema):
    uuid: UUID
    course: UUID = Field(..., alias="enrollment.course.uuid")
    number: int = Field(..., description="第几次考试")
    status: str
    started_at: datetime
    deadline: datetime = Field(..., description="交卷截止时间（服务器计时）")
    seconds_left: int
    submitted_at: datetime | None
    auto_submitted: bool
    total: int
    correct: int | None
    score: int | None
    passed: bool | None
    questions: list[ExamQuestionOut] = Field(..., description="本次抽到的题目与已保存的选择（不含答案）")

    @staticmethod
    def resolve_seconds_left(obj: Attempt) -> int:
        return obj.seconds_left() if obj.status == "open" else 0

    @staticmethod
    def resolve_correct(obj: Attempt) -> int | None:
        return obj.correct if obj.status == "submitted" else None

    @staticmethod
    def resolve_passed(obj: Attempt) -> bool | None:
        return obj.passed if obj.status == "submitted" else None

    @staticmethod
    def resolve_questions(obj: Attempt) -> list[dict[str, Any]]:
        from .selectors import exam_questions

        return exam_questions(obj)


class ExamAnswersIn(Schema):
    answers: dict[str, list[Any]] = Field(..., description="题目 id → 选项序号列表（从 0 起），填空题为 [文字]")


class CertificateOut(Schema):
    uuid: UUID
    number: str
    course_title: str
    hours: Decimal
    score: int
    issued_at: datetime
    status: str
    status_label: str = Field(..., alias="get_status_display")
    revoked_at: datetime | None
    revoke_reason: str
    holder: str = Field(..., description="持证人（脱敏）", alias="masked_name")
    pdf_url: str
    verify_url: str

    @staticmethod
    def resolve_pdf_url(obj: Certificate) -> str:
        return reverse("learning:certificate_pdf", args=[obj.uuid])

    @staticmethod
    def resolve_verify_url(obj: Certificate, context: Any) -> str:
        return context["request"].build_absolute_uri(reverse("learning:verify", args=[obj.number]))


class CertificateVerifyOut(Schema):
    number: str
    holder: str = Field(..., description="持证人（脱敏）", alias="masked_name")
    course_title: str
    hours: Decimal
    issued_at: datetime
    union: str = Field(..., alias="enrollment.course.union.name")
    valid: bool
    status_label: str = Field(..., alias="get_status_display")


# --- Staff --------------------------------------------------------------------------------------------------------


class CourseIn(Schema):
    union: UUID = Field(..., description="开课工会")
    title: str
    summary: str = ""
    kind: str = "video"
    hours: Decimal = Decimal("1.0")
    exam_questions: int = 10
    exam_minutes: int = 30
    pass_mark: int = 60
    attempt_limit: int = 3


class CoursePatch(Schema):
    title: str | None = None
    summary: str | None = None
    kind: str | None = None
    hours: Decimal | None = None
    exam_questions: int | None = None
    exam_minutes: int | None = None
    pass_mark: int | None = None
    attempt_limit: int | None = None


class CourseStaffOut(CourseOut):
    trial_passed_at: datetime | None
    trial_note: str
    lessons: list[LessonOut]
    question_count: int
    enrollment_count: int
    problems: list[str] = Field(..., description="提交试讲或发布前尚缺的内容")

    @staticmethod
    def resolve_question_count(obj: Course) -> int:
        return obj.questions.filter(active=True).count()

    @staticmethod
    def resolve_enrollment_count(obj: Course) -> int:
        return obj.enrollments.count()

    @staticmethod
    def resolve_problems(obj: Course) -> list[str]:
        from .services import course_problems

        return course_problems(obj)


class TrialNoteIn(Schema):
    note: str = ""


class LessonIn(Schema):
    title: str
    kind: str = Field("text", description="text（图文）；视频和文档请在管理后台上传文件")
    body: str = ""
    duration: int = 0
    position: int | None = None


class LessonPatch(Schema):
    title: str | None = None
    body: str | None = None
    duration: int | None = None
    position: int | None = None


class BankQuestionIn(Schema):
    kind: str = Field(..., description="single/multiple/truefalse/fill")
    text: str
    options: list[str] = Field(default_factory=list, description="选择题的选项；判断题不填")
    answer: list[Any] = Field(..., description="正确选项的序号（从 0 起）或字母；填空题为可接受的答案")
    explanation: str = ""
    active: bool = True


class BankQuestionOut(Schema):
    uuid: UUID
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    text: str
    options: list[str]
    answer: list[Any]
    explanation: str
    active: bool


class EnrollmentStaffOut(Schema):
    uuid: UUID
    member: str = Field(..., description="姓名（脱敏）", alias="masked_name")
    created_at: datetime
    lessons_done_at: datetime | None
    passed_at: datetime | None


class CertificateStaffOut(CertificateOut):
    course: UUID = Field(..., alias="enrollment.course.uuid")
    union: UnionRef = Field(..., alias="enrollment.course.union")


class RevokeIn(Schema):
    reason: str

