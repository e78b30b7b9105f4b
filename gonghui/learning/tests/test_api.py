"""The worker's journey through the API (catalogue → enrol → progress → exam → certificate → public
verify), the staff's course through its trial review, and the list pages' query counts."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from gonghui.learning import services
from gonghui.learning.models import Course
from gonghui.testing import Cast

from .conftest import QUESTIONS, RIGHT, build_course

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]
JSON = "application/json"


def test_it_runs_the_worker_journey_through_the_api(cast: Cast, course: Course) -> None:
    api = cast.client("worker_a", api=True)
    listed = api.get("/api/v1/learning/courses").json()
    assert [c["title"] for c in listed["items"]] == ["安全生产基础"] and listed["items"][0]["enrollment"] is None
    assert api.post(f"/api/v1/learning/courses/{course.uuid}/enroll").status_code == 201
    again = api.post(f"/api/v1/learning/courses/{course.uuid}/enroll")
    assert again.status_code == 201  # the same enrolment
    detail = api.get(f"/api/v1/learning/courses/{course.uuid}").json()
    assert [lesson["title"] for lesson in detail["lessons"]] == ["安全生产法概要", "岗位操作规程", "事故案例视频"]
    video = detail["lessons"][2]
    assert video["file_url"].endswith("/file/") and video["position_seconds"] == 0
    early = api.post(f"/api/v1/learning/courses/{course.uuid}/attempts")
    assert early.status_code == 409 and "学完全部课时" in early.json()["message"]
    for lesson in detail["lessons"][:2]:
        api.post(f"/api/v1/learning/lessons/{lesson['uuid']}/progress", {"position": 0, "done": True},
                 content_type=JSON)
    half = api.post(f"/api/v1/learning/lessons/{video['uuid']}/progress", {"position": 40}, content_type=JSON).json()
    assert half == {"position": 40, "done": False, "done_at": None}
    assert api.get(f"/api/v1/learning/lessons/{video['uuid']}").json()["position_seconds"] == 40  # resumes here
    assert api.post(f"/api/v1/learning/lessons/{video['uuid']}/progress", {"position": 95},
                    content_type=JSON).json()["done"]  # 90% of 100 s
    started = api.post(f"/api/v1/learning/courses/{course.uuid}/attempts")
    assert started.status_code == 201
    attempt = started.json()
    assert attempt["seconds_left"] > 1100 and len(attempt["questions"]) == 4
    assert all("answer" not in q for q in attempt["questions"])
    answers = {q["id"]: RIGHT[q["text"]] for q in attempt["questions"]}
    first, *rest = list(answers)
    saved = api.put(f"/api/v1/learning/attempts/{attempt['uuid']}/answers", {"answers": {first: answers[first]}},
                    content_type=JSON).json()
    assert saved["status"] == "open" and saved["score"] is None
    # the connection drops; the attempt comes back with what was saved
    resumed = api.post(f"/api/v1/learning/courses/{course.uuid}/attempts").json()
    assert resumed["uuid"] == attempt["uuid"]
    done = api.post(f"/api/v1/learning/attempts/{attempt['uuid']}/submit",
                    {"answers": {key: answers[key] for key in rest}}, content_type=JSON).json()
    assert (done["status"], done["score"], done["passed"]) == ("submitted", 100, True)
    twice = api.post(f"/api/v1/learning/attempts/{attempt['uuid']}/submit", {"answers": {}}, content_type=JSON)
    assert twice.json()["score"] == 100
    late = api.put(f"/api/v1/learning/attempts/{attempt['uuid']}/answers", {"answers": {}}, content_type=JSON)
    assert late.status_code == 409
    certificates = api.get("/api/v1/learning/certificates").json()
    assert len(certificates) == 1 and certificates[0]["holder"] == "王**"
    pdf = api.get(f"/api/v1/learning/certificates/{certificates[0]['uuid']}/pdf")
    assert pdf.status_code == 200 and "王小明" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    mine = api.get("/api/v1/learning/mine").json()
    assert mine[0]["percent"] == 100 and mine[0]["certified"]
    public = cast.client(None, api=True).get(f"/api/v1/learning/verify/{certificates[0]['number']}").json()
    assert public["valid"] and public["holder"] == "王**" and public["course_title"] == "安全生产基础"
    missing = cast.client(None, api=True).get("/api/v1/learning/verify/ZKT-1999-000001")
    assert missing.status_code == 404 and missing.json()["message"] == "未找到该证书编号，请核对后重试"


def test_it_builds_a_course_through_the_staff_api(cast: Cast) -> None:
    api = cast.client("district_a_officer", api=True)
    made = api.post("/api/v1/learning/staff/courses", {
        "union": str(cast.district_a.uuid), "title": "劳动法入门", "kind": "document", "hours": "1.5",
        "exam_questions": 2, "exam_minutes": 10, "pass_mark": 50, "attempt_limit": 0}, content_type=JSON)
    assert made.status_code == 201
    key = made.json()["uuid"]
    assert made.json()["problems"] == ["课程还没有课时", "题库中启用的试题（0道）少于每次抽题数（2道）"]
    api.post(f"/api/v1/learning/staff/courses/{key}/lessons", {"title": "劳动合同", "body": "订立劳动合同……"},
             content_type=JSON)
    for question in QUESTIONS[:2]:
        body = {**question, "answer": list(question["answer"])}
        assert api.post(f"/api/v1/learning/staff/courses/{key}/questions", body, content_type=JSON).status_code == 201
    bad = api.post(f"/api/v1/learning/staff/courses/{key}/questions", {
        "kind": "single", "text": "只有一个选项", "options": ["甲"], "answer": [0]}, content_type=JSON)
    assert bad.status_code == 400 and "2到8个选项" in bad.json()["message"]
    early = api.post(f"/api/v1/learning/staff/courses/{key}/publish")
    assert early.status_code == 409
    assert api.post(f"/api/v1/learning/staff/courses/{key}/submit").json()["status"] == "trial"
    assert api.post(f"/api/v1/learning/staff/courses/{key}/approve", {"note": "好"},
                    content_type=JSON).json()["trial_note"] == "好"
    assert api.post(f"/api/v1/learning/staff/courses/{key}/publish").json()["status"] == "published"
    worker = cast.client("worker_a", api=True)
    assert key in [c["uuid"] for c in worker.get("/api/v1/learning/courses").json()["items"]]
    assert key not in [c["uuid"] for c in cast.client("worker_b", api=True).get("/api/v1/learning/courses")
                       .json()["items"]]  # district B's member: not offered


def test_it_imports_questions_from_excel_all_or_nothing(cast: Cast) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gonghui.testing import xlsx_bytes

    course = build_course(cast, publish=False, video=False)
    client = cast.client("district_a_officer")
    url = f"/console/learning/{course.uuid}/questions/import/"
    header = ["题型", "题干", "选项", "答案", "解析"]
    bad = xlsx_bytes(header, [["单选", "甲", "A项|B项", "B", ""], ["多选", "乙", "x|y|z", "Q", ""]])
    page = client.post(url, {"file": SimpleUploadedFile("q.xlsx", bad)}, follow=True).content.decode()
    assert "第3行" in page and course.questions.count() == 4
    good = xlsx_bytes(header, [["单选", "甲", "A项|B项", "B", ""], ["判断", "乙", "", "对", ""],
                               ["填空", "丙", "", "八|8", ""]])
    page = client.post(url, {"file": SimpleUploadedFile("q.xlsx", good)}, follow=True).content.decode()
    assert "已导入3道试题" in page and course.questions.count() == 7
    assert list(course.questions.order_by("-id").values_list("answer", flat=True)[:3]) == [["八", "8"], [0], [1]]


def test_it_pins_the_list_pages_queries(cast: Cast) -> None:
    courses = [build_course(cast, video=False, title=f"课程{i}") for i in range(3)]
    for course in courses:
        services.enroll(actor=cast.worker_a, member=cast.members["worker_a"], course=course)
    worker = cast.client("worker_a")
    staff = cast.client("district_a_officer")
    worker.get("/learning/")
    staff.get("/console/learning/")
    counts = {}
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for name, client, url in (("catalogue", worker, "/learning/"), ("mine", worker, "/learning/mine/"),
                              ("console", staff, "/console/learning/")):
        with CaptureQueriesContext(connection) as one:
            client.get(url)
        counts[name] = len(one)
    build_course(cast, video=False, title="课程多一门")
    for name, client, url in (("catalogue", worker, "/learning/"), ("console", staff, "/console/learning/")):
        with CaptureQueriesContext(connection) as more:
            client.get(url)
        assert len(more) == counts[name], name  # one more row, no more queries
