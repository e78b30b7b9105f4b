"""Concurrency on PostgreSQL with real threads and connections: a double submit records one result, two
taps on 开始考试 make one attempt, certificates issued at once get distinct consecutive numbers — and the
negative controls: a naive check-then-write submit records several results, and the constraints refuse
a second open attempt and a second certificate."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.core import audit
from gonghui.core.models import AuditLog
from gonghui.learning import services
from gonghui.learning.models import Attempt, AttemptStatus, Certificate, Course, Enrollment
from gonghui.members.services.registry import member_create
from gonghui.testing import Cast, id_number, make_user, threaded

from .conftest import build_course, enroll_worker, exam_started, right_answers, study_all

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media")]


def ready_attempt(cast: Cast) -> Attempt:
    attempt = exam_started(cast, enroll_worker(cast, build_course(cast, video=False)))
    services.attempt_answer(actor=cast.worker_a, attempt=attempt, answers=right_answers(attempt))
    return attempt


def fresh(attempt: Attempt) -> Attempt:
    return Attempt.objects.select_related("enrollment__course__union", "enrollment__member").get(pk=attempt.pk)


def test_a_double_submit_records_one_result(cast: Cast) -> None:
    attempt = ready_attempt(cast)

    def submit(i: int, barrier: threading.Barrier) -> tuple[str, int | None]:
        mine = fresh(attempt)
        barrier.wait()
        done = services.attempt_submit(actor=cast.worker_a, attempt=mine)
        return done.status, done.score

    results = threaded(8, submit)
    assert results == [(AttemptStatus.SUBMITTED, 100)] * 8, results
    assert AuditLog.objects.filter(action="learning.attempt.submit").count() == 1
    assert Certificate.objects.count() == 1


def test_negative_control_a_naive_submit_records_several_results(cast: Cast) -> None:
    """Without the guarded UPDATE (check the status in Python, then write), several submits get through."""
    attempt = ready_attempt(cast)

    def naive(i: int, barrier: threading.Barrier) -> str:
        mine = fresh(attempt)
        barrier.wait()
        if mine.status != AttemptStatus.OPEN:
            return "refused"
        with transaction.atomic():
            Attempt.objects.filter(pk=mine.pk).update(score=100, submitted_at=timezone.now(), passed=True)
            audit.record("learning.attempt.submit", actor=cast.worker_a, obj=mine)
        return "recorded"

    results = threaded(8, naive)
    assert Counter(results)["recorded"] > 1, results
    assert AuditLog.objects.filter(action="learning.attempt.submit").count() > 1


def test_two_taps_on_start_make_one_attempt(cast: Cast) -> None:
    course = build_course(cast, video=False)
    enrollment = services.enroll(actor=cast.worker_a, member=cast.members["worker_a"], course=course)
    study_all(cast, enrollment)

    def start(i: int, barrier: threading.Barrier) -> int:
        mine = Enrollment.objects.select_related("course__union").get(pk=enrollment.pk)
        barrier.wait()
        return services.attempt_start(actor=cast.worker_a, enrollment=mine).pk

    results = threaded(8, start)
    assert len(set(results)) == 1, results
    assert Attempt.objects.filter(enrollment=enrollment).count() == 1


def test_negative_control_the_constraints_refuse_a_second_open_attempt_and_certificate(cast: Cast) -> None:
    attempt = ready_attempt(cast)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(enrollment=attempt.enrollment, number=2, deadline=attempt.deadline)  # attempt_one_open
    services.attempt_submit(actor=cast.worker_a, attempt=fresh(attempt))
    assert Certificate.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(enrollment=attempt.enrollment, number="ZKT-2026-999999", course_title="x",
                                   hours=1, score=100)


def test_certificates_issued_at_once_get_distinct_consecutive_numbers(cast: Cast) -> None:
    course: Course = build_course(cast, video=False)
    people = []
    for i in range(10):
        user = make_user(f"学员{i}")
        member = member_create(actor=None, union=cast.district_a, name=f"学员{i}", user=user, phone=user.phone,
                               id_number=id_number("630102", "19900101", f"{500 + i}"))
        enrollment = services.enroll(actor=user, member=member, course=course)
        study_all(cast, enrollment, user=user)
        attempt = services.attempt_start(actor=user, enrollment=enrollment)
        services.attempt_answer(actor=user, attempt=attempt, answers=right_answers(attempt))
        people.append((user, attempt))

    def submit(i: int, barrier: threading.Barrier) -> Any:
        user, attempt = people[i]
        mine = fresh(attempt)
        barrier.wait()
        return services.attempt_submit(actor=user, attempt=mine).passed

    assert threaded(10, submit) == [True] * 10
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    year = timezone.localdate().year
    assert numbers == [f"ZKT-{year}-{n:06d}" for n in range(1, 11)]
