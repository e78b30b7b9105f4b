"""Fixtures of the 职课堂 tests: a course of district A built through the services, published after its
trial review, with two text lessons, a video lesson and a question of each kind."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.learning import services
from gonghui.learning.models import Attempt, Course, Enrollment
from gonghui.testing import Cast

# Enough of an MP4 for the upload check (the ftyp box) and for byte-range tests: 64 KiB of known bytes.
VIDEO = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 256

QUESTIONS: list[dict[str, Any]] = [
    {"kind": "single", "text": "工会会员每月缴纳会费的比例是本人工资收入的多少？", "options": ["0.5%", "1%", "2%"],
     "answer": "A"},
    {"kind": "multiple", "text": "以下哪些属于劳动者的权利？", "options": ["获得劳动报酬", "休息休假", "随意旷工"],
     "answer": "AB"},
    {"kind": "truefalse", "text": "用人单位可以扣押劳动者的身份证。", "answer": "错误"},
    {"kind": "fill", "text": "劳动者每日工作时间不超过____小时。", "answer": "8|八"},
]

# The right answers by question text, as the API takes them (option indexes, or [text]).
RIGHT: dict[str, list[Any]] = {QUESTIONS[0]["text"]: [0], QUESTIONS[1]["text"]: [0, 1], QUESTIONS[2]["text"]: [1],
                               QUESTIONS[3]["text"]: ["８"]}


def build_course(cast: Cast, *, publish: bool = True, video: bool = True, title: str = "安全生产基础") -> Course:
    actor = cast.district_a_officer
    course = services.course_create(actor=actor, union=cast.district_a, title=title, kind="video", hours="2",
                                    summary="安全生产法律法规与岗位操作规程", exam_questions=4, exam_minutes=20,
                                    pass_mark=75, attempt_limit=2)
    services.lesson_add(actor=actor, course=course, title="安全生产法概要", kind="text",
                        body="第一条 为了加强安全生产工作……")
    services.lesson_add(actor=actor, course=course, title="岗位操作规程", kind="text", body="上岗前检查设备……")
    if video:
        services.lesson_add(actor=actor, course=course, title="事故案例视频", kind="video", duration=100,
                            file=SimpleUploadedFile("case.mp4", VIDEO, content_type="video/mp4"))
    for question in QUESTIONS:
        services.question_add(actor=actor, course=course, **question)
    if publish:
        services.course_submit(actor=actor, course=course)
        services.course_approve(actor=cast.district_a_admin, course=course, note="试讲效果好")
        services.course_publish(actor=actor, course=course)
    return course


def right_answers(attempt: Any) -> dict[str, list[Any]]:
    return {q["id"]: RIGHT[q["text"]] for q in attempt.questions}


def study_all(cast: Cast, enrollment: Enrollment, *, user: Any = None) -> None:
    for lesson in enrollment.course.lessons.all():
        services.progress_save(actor=user or cast.worker_a, enrollment=enrollment, lesson=lesson, position=100,
                               done=True)


def enroll_worker(cast: Cast, course: Course) -> Enrollment:
    """worker_a enrolled in ``course``."""
    return services.enroll(actor=cast.worker_a, member=cast.members["worker_a"], course=course)


def exam_started(cast: Cast, enrollment: Enrollment) -> Attempt:
    """worker_a's attempt at the exam of ``enrollment``, every lesson studied first."""
    study_all(cast, enrollment)
    return services.attempt_start(actor=cast.worker_a, enrollment=enrollment)


def exam_passed(cast: Cast, enrollment: Enrollment) -> Attempt:
    """``exam_started``, then handed in with the right answers (the certificate follows)."""
    attempt = exam_started(cast, enrollment)
    services.attempt_submit(actor=cast.worker_a, attempt=attempt, answers=right_answers(attempt))
    return attempt


@pytest.fixture
def course(cast: Cast, media: Any) -> Course:
    return build_course(cast)


@pytest.fixture
def enrollment(cast: Cast, course: Course) -> Enrollment:
    return enroll_worker(cast, course)



