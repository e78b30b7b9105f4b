"""The 职课堂 part of the demo: published courses with lessons and banks, one in its trial review, one
draft, and the named worker with a certificate that the public page verifies."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from gonghui.accounts.models import User
from gonghui.learning import demo
from gonghui.learning.models import Certificate, Course, CourseStatus, Enrollment
from gonghui.seed.demo import build_learning
from gonghui.testing import small_demo


@pytest.fixture(scope="module")
def demo_lines(django_db_setup: None, django_db_blocker: Any) -> Iterator[list[str]]:
    with small_demo(django_db_blocker):
        yield build_learning(random.Random(7))


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_lines")]


def test_it_prints_a_summary(demo_lines: list[str]) -> None:
    assert demo_lines[0] == "职课堂 课程 5 门（草稿1、试讲审核中1、已发布3）"
    assert "结业证书" in demo_lines[1]


def test_it_publishes_courses_with_lessons_and_enough_questions() -> None:
    for course in Course.objects.filter(status=CourseStatus.PUBLISHED):
        assert course.lessons.exists() and course.trial_passed_at is not None
        assert course.questions.filter(active=True).count() >= course.exam_questions


def test_the_named_worker_holds_a_verifiable_certificate(client: Any) -> None:
    worker = User.objects.by_phone(demo.WORKER_PHONE).get()
    certificate = Certificate.objects.get(enrollment__member__user=worker)
    assert certificate.course_title == "《安全生产法》与岗位安全操作" and certificate.valid
    page = client.get(f"/learning/verify/{certificate.number}/")
    assert page.status_code == 200 and "证书有效" in page.content.decode()
    half = Enrollment.objects.get(member__user=worker, course__title="新就业形态劳动者权益保障")
    assert half.progress.filter(done=True).count() == 1
