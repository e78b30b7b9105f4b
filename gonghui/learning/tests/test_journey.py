"""The worker's journey through the services and the H5 pages: enrol, study, pass the exam, get the
certificate (its PDF carries the name, the course and a QR code to the public verify page)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from pypdf import PdfReader

from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.models import AuditLog
from gonghui.learning import services
from gonghui.learning.models import AttemptStatus, Certificate, CertificateStatus, CourseStatus, Enrollment
from gonghui.testing import Cast

from .conftest import build_course, exam_passed, exam_started, right_answers, study_all

pytestmark = pytest.mark.django_db
zxingcpp = pytest.importorskip("zxingcpp")


def test_it_walks_a_course_through_its_trial_review(cast: Cast, media: object) -> None:
    course = build_course(cast, publish=False)
    assert course.status == CourseStatus.DRAFT
    services.course_submit(actor=cast.district_a_officer, course=course)
    with pytest.raises(Conflict):  # not before the trial lecture was approved
        services.course_publish(actor=cast.district_a_officer, course=course)
    services.course_reject(actor=cast.district_a_admin, course=course, note="案例需要更新")
    assert course.status == CourseStatus.DRAFT and course.trial_note == "案例需要更新"
    services.course_submit(actor=cast.district_a_officer, course=course)
    services.course_approve(actor=cast.district_a_admin, course=course)
    services.course_publish(actor=cast.district_a_officer, course=course)
    assert course.status == CourseStatus.PUBLISHED
    assert [e.action for e in course.events.all()] == ["create", "submit", "reject", "submit", "approve", "publish"]
    services.course_retire(actor=cast.district_a_officer, course=course)
    assert course.status == CourseStatus.RETIRED


def test_it_refuses_a_trial_review_without_enough_questions(cast: Cast, media: object) -> None:
    course = services.course_create(actor=cast.district_a_officer, union=cast.district_a, title="空课程",
                                    exam_questions=5)
    with pytest.raises(ValidationFailed, match="课程还没有课时"):
        services.course_submit(actor=cast.district_a_officer, course=course)


def test_it_issues_a_certificate_after_lessons_and_a_passed_exam(cast: Cast, enrollment: Enrollment) -> None:
    worker = cast.worker_a
    with pytest.raises(Conflict, match="请先学完全部课时"):
        services.attempt_start(actor=worker, enrollment=enrollment)
    study_all(cast, enrollment)
    attempt = services.attempt_start(actor=worker, enrollment=enrollment)
    assert len(attempt.questions) == 4
    assert services.attempt_start(actor=worker, enrollment=enrollment).pk == attempt.pk  # resumes the open one
    services.attempt_answer(actor=worker, attempt=attempt, answers=right_answers(attempt))
    done = services.attempt_submit(actor=worker, attempt=attempt)
    assert (done.status, done.score, done.passed) == (AttemptStatus.SUBMITTED, 100, True)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert re.fullmatch(r"ZKT-\d{4}-000001", certificate.number)
    assert certificate.course_title == "安全生产基础" and certificate.score == 100
    # a second submit records no second result
    again = services.attempt_submit(actor=worker, attempt=attempt, answers={})
    assert again.score == 100 and Certificate.objects.count() == 1
    assert AuditLog.objects.filter(action="learning.attempt.submit").count() == 1


def test_a_lesson_added_after_the_pass_holds_the_certificate_until_it_is_done(cast: Cast,
                                                                            enrollment: Enrollment) -> None:
    attempt = exam_started(cast, enrollment)
    services.lesson_add(actor=cast.district_a_officer, course=enrollment.course, title="补充课时", kind="text",
                        body="新增内容")  # while the exam is under way
    services.attempt_submit(actor=cast.worker_a, attempt=attempt, answers=right_answers(attempt))
    assert not Certificate.objects.exists()
    study_all(cast, enrollment)
    assert Certificate.objects.filter(enrollment=enrollment).exists()


def test_it_grades_wrong_answers_and_limits_attempts(cast: Cast, enrollment: Enrollment) -> None:
    study_all(cast, enrollment)
    first = services.attempt_start(actor=cast.worker_a, enrollment=enrollment)
    answers = right_answers(first)
    wrong = next(q["id"] for q in first.questions if q["kind"] == "single")
    answers[wrong] = [2]
    result = services.attempt_submit(actor=cast.worker_a, attempt=first, answers=answers)
    assert (result.correct, result.score, result.passed) == (3, 75, True)  # 75 is the pass mark


def test_it_stops_after_the_attempt_limit(cast: Cast, enrollment: Enrollment) -> None:
    study_all(cast, enrollment)
    for _ in range(2):
        attempt = services.attempt_start(actor=cast.worker_a, enrollment=enrollment)
        assert not services.attempt_submit(actor=cast.worker_a, attempt=attempt, answers={}).passed
    with pytest.raises(Conflict, match="最多2次"):
        services.attempt_start(actor=cast.worker_a, enrollment=enrollment)
    assert not Certificate.objects.exists()


def test_it_keeps_time_on_the_server(cast: Cast, enrollment: Enrollment) -> None:
    attempt = exam_started(cast, enrollment)
    services.attempt_answer(actor=cast.worker_a, attempt=attempt, answers=right_answers(attempt))
    from datetime import timedelta

    from gonghui.learning.models import Attempt
    Attempt.objects.filter(pk=attempt.pk).update(deadline=attempt.started_at - timedelta(minutes=1))
    attempt.refresh_from_db()
    with pytest.raises(Conflict, match="考试已结束"):
        services.attempt_answer(actor=cast.worker_a, attempt=attempt, answers={})
    # answers sent with a late submit do not count; the saved ones do
    blank = {q["id"]: [] for q in attempt.questions}
    result = services.attempt_submit(actor=cast.worker_a, attempt=attempt, answers=blank)
    assert result.auto_submitted and result.score == 100


def test_it_shows_the_journey_on_the_phone(cast: Cast, course: object) -> None:
    client = cast.client("worker_a")
    assert "安全生产基础" in client.get("/learning/").content.decode()
    page = client.get(f"/learning/courses/{course.uuid}/").content.decode()
    assert "报名学习" in page
    assert client.post(f"/learning/courses/{course.uuid}/enroll/").status_code == 302
    enrollment = Enrollment.objects.get(course=course)
    for lesson in course.lessons.all():
        assert client.get(f"/learning/lessons/{lesson.uuid}/").status_code == 200
        response = client.post(f"/learning/lessons/{lesson.uuid}/progress/", {"position": 100, "done": "on"})
        assert response.status_code == 302
    started = client.post(f"/learning/courses/{course.uuid}/exam/")
    assert started.status_code == 302 and "/learning/attempts/" in started["Location"]
    exam = client.get(started["Location"]).content.decode()
    assert "剩余" in exam and "data-countdown" in exam
    attempt = enrollment.attempts.get()
    form = {}
    for question in attempt.questions:
        answer = right_answers(attempt)[question["id"]]
        form[f"q-{question['id']}"] = [str(a) for a in answer]
    saved = client.post(f"/learning/attempts/{attempt.uuid}/save/", form, HTTP_HX_REQUEST="true")
    assert saved.status_code == 200 and "已保存" in saved.content.decode()
    # a reload (a dropped connection) shows what was saved
    reloaded = client.get(f"/learning/attempts/{attempt.uuid}/").content.decode()
    assert reloaded.count(" checked") >= 3
    assert client.post(f"/learning/attempts/{attempt.uuid}/submit/", form).status_code == 302
    result = client.get(f"/learning/attempts/{attempt.uuid}/").content.decode()
    assert "100分" in result and "结业证书" in result
    certificate = Certificate.objects.get()
    assert certificate.number in client.get("/learning/certificates/").content.decode()
    mine = client.get("/learning/mine/").content.decode()
    assert "3/3 课时" in mine and "已结业" in mine


def test_it_renders_the_certificate_pdf_with_text_and_a_readable_qr(cast: Cast, enrollment: Enrollment) -> None:
    exam_passed(cast, enrollment)
    certificate = Certificate.objects.get()
    response = cast.client("worker_a").get(f"/learning/certificates/{certificate.uuid}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert "王小明" in text and "安全生产基础" in text and certificate.number in text and "结业证书" in text
    images = reader.pages[0].images
    assert len(images) == 1
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(images[0].data)))
    assert [(r.text, r.format.name) for r in found] == [
        (f"http://testserver/learning/verify/{certificate.number}/", "QRCode")]
    # someone else cannot fetch it
    assert cast.client("worker_b").get(f"/learning/certificates/{certificate.uuid}/pdf/").status_code == 404


def test_it_verifies_a_certificate_publicly_and_shows_a_revocation(cast: Cast, enrollment: Enrollment) -> None:
    exam_passed(cast, enrollment)
    certificate = Certificate.objects.get()
    anonymous = cast.client(None)
    page = anonymous.get(f"/learning/verify/{certificate.number}/")
    body = page.content.decode()
    assert page.status_code == 200 and "证书有效" in body and "王**" in body and "王小明" not in body
    assert "安全生产基础" in body
    missing = anonymous.get("/learning/verify/ZKT-2026-999999/")
    assert missing.status_code == 404 and "未找到该证书" in missing.content.decode()
    services.certificate_revoke(actor=cast.district_a_officer, certificate=certificate, reason="考试作弊")
    assert certificate.status == CertificateStatus.REVOKED
    assert "证书已撤销" in anonymous.get(f"/learning/verify/{certificate.number}/").content.decode()
    audit = AuditLog.objects.get(action="learning.certificate.revoke")
    assert audit.detail["reason"] == "考试作弊"
    with pytest.raises(Conflict):
        services.certificate_revoke(actor=cast.district_a_officer, certificate=certificate, reason="再次")


def test_it_rate_limits_the_public_verify_page(cast: Cast) -> None:
    anonymous = cast.client(None)
    statuses = [anonymous.get("/learning/verify/ZKT-2026-000001/").status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429
