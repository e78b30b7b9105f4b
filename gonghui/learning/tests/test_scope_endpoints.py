"""Every 职课堂 endpoint, HTML and API, against the whole cast (scope_matrix: the happy path, the other
branch 404, the read-only role 403, anonymous), and the worker side: someone else's enrolment,
attempt or certificate is a 404 like a missing one."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.learning import services
from gonghui.learning.models import Certificate, Course
from gonghui.testing import Cast, scope_matrix, xlsx_bytes

from .conftest import build_course, enroll_worker, exam_passed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

JSON = "application/json"


def in_trial(cast: Cast, *, approved: bool = False) -> Course:
    course = build_course(cast, publish=False, video=False)
    services.course_submit(actor=cast.district_a_officer, course=course)
    if approved:
        services.course_approve(actor=cast.district_a_admin, course=course)
    return course


def certificate(cast: Cast) -> Certificate:
    enrollment = enroll_worker(cast, build_course(cast, video=False))
    exam_passed(cast, enrollment)
    return Certificate.objects.get(enrollment=enrollment)


def test_it_gates_the_console_pages(cast: Cast) -> None:
    course = build_course(cast)
    lesson = course.lessons.first()
    question = course.questions.first()
    for url in (f"/console/learning/{course.uuid}/", f"/console/learning/{course.uuid}/questions/",
                f"/console/learning/{course.uuid}/enrollments/",
                f"/console/learning/{course.uuid}/questions/template.xlsx"):
        scope_matrix(cast, lambda c, _, url=url: c.get(url), api=False)
    for url in (f"/console/learning/{course.uuid}/edit/", f"/console/learning/lessons/{lesson.uuid}/edit/",
                f"/console/learning/questions/{question.uuid}/edit/"):
        scope_matrix(cast, lambda c, _, url=url: c.get(url), api=False, write=True)


def test_it_gates_the_trial_review_and_publishing_pages(cast: Cast) -> None:
    steps: list[tuple[str, Any, dict[str, str]]] = [
        ("submit", lambda: build_course(cast, publish=False, video=False), {}),
        ("approve", lambda: in_trial(cast), {"note": "好"}),
        ("reject", lambda: in_trial(cast), {"note": "再改改"}),
        ("publish", lambda: in_trial(cast, approved=True), {}),
        ("retire", lambda: build_course(cast, video=False), {}),
    ]
    for step, make, data in steps:
        scope_matrix(cast, lambda c, course, step=step, data=data: c.post(f"/console/learning/{course.uuid}/{step}/",
                                                                          data),
                     target=make, write=True, api=False)


def test_it_gates_the_lesson_and_question_pages(cast: Cast) -> None:
    course = build_course(cast, video=False)
    scope_matrix(cast, lambda c, _: c.post(f"/console/learning/{course.uuid}/lessons/",
                                           {"title": "补充课时", "kind": "text", "body": "正文"}),
                 write=True, api=False)
    scope_matrix(cast, lambda c, _: c.post(f"/console/learning/{course.uuid}/questions/", {
        "kind": "truefalse", "text": "工会法规定职工有依法参加和组织工会的权利。", "answer": "正确", "active": "on"}),
        write=True, api=False)
    workbook = xlsx_bytes(["题型", "题干", "选项", "答案", "解析"], [["单选", "1+1=?", "1|2|3", "B", ""]])
    from django.core.files.uploadedfile import SimpleUploadedFile

    scope_matrix(cast, lambda c, _: c.post(f"/console/learning/{course.uuid}/questions/import/", {
        "file": SimpleUploadedFile("q.xlsx", workbook)}), write=True, api=False)
    scope_matrix(cast, lambda c, lesson: c.post(f"/console/learning/lessons/{lesson.uuid}/delete/"),
                 target=lambda: services.lesson_add(actor=cast.district_a_officer, course=course, title="待删",
                                                    kind="text", body="x"), write=True, api=False)
    scope_matrix(cast, lambda c, q: c.post(f"/console/learning/questions/{q.uuid}/delete/"),
                 target=lambda: services.question_add(actor=cast.district_a_officer, course=course, kind="fill",
                                                      text="待删", answer="x"), write=True, api=False)


def test_it_gates_certificate_revocation(cast: Cast) -> None:
    scope_matrix(cast, lambda c, cert: c.post(f"/console/learning/certificates/{cert.uuid}/revoke/",
                                              {"reason": "信息有误"}),
                 target=lambda: certificate(cast), write=True, api=False)
    scope_matrix(cast, lambda c, cert: c.post(f"/api/v1/learning/staff/certificates/{cert.uuid}/revoke",
                                              {"reason": "信息有误"}, content_type=JSON),
                 target=lambda: certificate(cast), write=True)


def test_it_lists_only_what_is_in_scope(cast: Cast) -> None:
    course = build_course(cast, video=False)
    assert course.title in cast.client("city_officer").get("/console/learning/").content.decode()
    assert course.title not in cast.client("district_b_officer").get("/console/learning/").content.decode()
    ids = [row["uuid"] for row in cast.client("district_b_officer", api=True)
           .get("/api/v1/learning/staff/courses").json()["items"]]
    assert str(course.uuid) not in ids
    assert cast.client("worker_a", api=True).get("/api/v1/learning/staff/courses").status_code == 403


def test_it_gates_the_staff_api(cast: Cast) -> None:
    course = build_course(cast)
    lesson = course.lessons.first()
    base = f"/api/v1/learning/staff/courses/{course.uuid}"
    for url in (base, f"{base}/questions",
                f"{base}/enrollments"):
        scope_matrix(cast, lambda c, _, url=url: c.get(url))
    scope_matrix(cast, lambda c, _: c.patch(f"/api/v1/learning/staff/courses/{course.uuid}", {"summary": "新简介"},
                                            content_type=JSON), write=True)
    scope_matrix(cast, lambda c, _: c.post(f"/api/v1/learning/staff/courses/{course.uuid}/lessons",
                                           {"title": "补充", "kind": "text", "body": "正文"}, content_type=JSON),
                 write=True)
    scope_matrix(cast, lambda c, _: c.patch(f"/api/v1/learning/staff/lessons/{lesson.uuid}", {"title": "改名"},
                                            content_type=JSON), write=True)
    scope_matrix(cast, lambda c, _: c.post(f"/api/v1/learning/staff/courses/{course.uuid}/questions", {
        "kind": "single", "text": "题", "options": ["甲", "乙"], "answer": [1]}, content_type=JSON), write=True)
    scope_matrix(cast, lambda c, q: c.put(f"/api/v1/learning/staff/questions/{q.uuid}", {
        "kind": "fill", "text": "改过的题", "answer": ["答"]}, content_type=JSON),
        target=lambda: course.questions.first(), write=True)
    scope_matrix(cast, lambda c, q: c.delete(f"/api/v1/learning/staff/questions/{q.uuid}"),
                 target=lambda: services.question_add(actor=cast.district_a_officer, course=course, kind="fill",
                                                      text="待删", answer="x"), write=True)
    scope_matrix(cast, lambda c, lesson: c.delete(f"/api/v1/learning/staff/lessons/{lesson.uuid}"),
                 target=lambda: services.lesson_add(actor=cast.district_a_officer, course=course, title="待删",
                                                    kind="text", body="x"), write=True)
    for step, make in (("submit", lambda: build_course(cast, publish=False, video=False)),
                       ("approve", lambda: in_trial(cast)), ("reject", lambda: in_trial(cast)),
                       ("publish", lambda: in_trial(cast, approved=True)),
                       ("retire", lambda: build_course(cast, video=False))):
        scope_matrix(cast, lambda c, found, step=step: c.post(f"/api/v1/learning/staff/courses/{found.uuid}/{step}",
                                                              {"note": "意见"}, content_type=JSON),
                     target=make, write=True)


def test_it_creates_courses_only_where_the_caller_may_write(cast: Cast) -> None:
    body = {"union": str(cast.district_a.uuid), "title": "新课程", "kind": "document", "hours": "1.5"}
    scope_matrix(cast, lambda c, _: c.post("/api/v1/learning/staff/courses", body, content_type=JSON), write=True)
    page = cast.client("district_a_officer").post("/console/learning/new/", {
        **body, "exam_questions": 5, "exam_minutes": 10, "pass_mark": 60, "attempt_limit": 0})
    assert page.status_code == 302
    refused = cast.client("district_b_officer").post("/console/learning/new/", {
        **body, "exam_questions": 5, "exam_minutes": 10, "pass_mark": 60, "attempt_limit": 0})
    assert refused.status_code == 200 and "无权" in refused.content.decode()


def test_it_keeps_workers_to_their_own_records(cast: Cast) -> None:
    cert = certificate(cast)
    enrollment = cert.enrollment
    attempt = enrollment.attempts.get()
    lesson = enrollment.course.lessons.first()
    own = cast.client("worker_a")
    other = cast.client("worker_b")  # a member of district B: the course is not offered there
    staff = cast.client("district_b_officer")  # not a member at all
    anonymous = cast.client(None)
    for url in (f"/learning/courses/{enrollment.course.uuid}/", f"/learning/lessons/{lesson.uuid}/",
                f"/learning/attempts/{attempt.uuid}/", f"/learning/certificates/{cert.uuid}/pdf/"):
        assert own.get(url).status_code == 200, url
        assert other.get(url).status_code == 404, url
        assert staff.get(url).status_code == 404, url
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    # gig_worker_a may see the course (district A) but has not enrolled: its lessons stay closed
    assert cast.client("gig_worker_a").get(f"/learning/courses/{enrollment.course.uuid}/").status_code == 200
    assert cast.client("gig_worker_a").get(f"/learning/lessons/{lesson.uuid}/").status_code == 404
    api_own, api_other = cast.client("worker_a", api=True), cast.client("worker_b", api=True)
    for url in (f"/api/v1/learning/courses/{enrollment.course.uuid}", f"/api/v1/learning/lessons/{lesson.uuid}",
                f"/api/v1/learning/attempts/{attempt.uuid}", f"/api/v1/learning/certificates/{cert.uuid}/pdf"):
        assert api_own.get(url).status_code == 200, url
        assert api_other.get(url).status_code == 404, url
        assert cast.client(None, api=True).get(url).status_code == 401, url


def test_it_serves_lesson_video_in_ranges_to_enrolled_workers_and_staff(cast: Cast) -> None:
    course = build_course(cast)
    video = course.lessons.get(kind="video")
    services.enroll(actor=cast.worker_a, member=cast.members["worker_a"], course=course)
    response = cast.client("worker_a").get(f"/learning/lessons/{video.uuid}/file/", HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206 and response["Content-Range"] == f"bytes 100-199/{video.size}"
    assert len(b"".join(response.streaming_content)) == 100
    scope_matrix(cast, lambda c, _: c.get(f"/learning/lessons/{video.uuid}/file/"), api=False)
    assert cast.client("gig_worker_a").get(f"/learning/lessons/{video.uuid}/file/").status_code == 404
