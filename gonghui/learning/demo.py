"""Demo 职课堂: the province's and the city's courses through the services (trial review included), their
question banks, and the named worker's study record. 王小明 (职工 13900000010) holds a certificate for
《安全生产法》与岗位安全操作, is half-way through 新就业形态劳动者权益保障 and may start 劳动合同法入门;
a course waits for its trial review and one is a draft, so staff can try every step. The lessons are
text (图文): the demo ships no video file (no encoder was at hand to make a small valid one). A dozen or
so members of the worker's union have enrolled, studied and sat exams.
"""

from __future__ import annotations

import random
from typing import Any

from django.db.models import Count, Q

from gonghui.accounts.models import StaffAssignment, User
from gonghui.core.scope import Role
from gonghui.members.models import Member, MemberStatus
from gonghui.unions.models import Union

from . import services
from .models import Attempt, Certificate, Course, CourseStatus, Enrollment

WORKER_PHONE = "13900000010"

COURSES: list[dict[str, Any]] = [
    {
        "title": "《安全生产法》与岗位安全操作", "kind": "document", "hours": "2",
        "summary":
            "面向一线职工的安全生产必修课：安全生产法的主要规定、从业人员的权利和义务、岗位安全操作要点和事故应急处置。",
        "lessons": [
            ("安全生产法的主要规定",
                "《中华人民共和国安全生产法》规定，生产经营单位必须遵守本法和其他有关安全生产的法律、法规，加强安全生产管理，建立健全全员安全生产责任制和安全生产规章制度。\n\n从业人员有权了解其作业场所和工作岗位存在的危险因素、防范措施及事故应急措施，有权对本单位的安全生产工作提出建议。"),
            ("从业人员的权利和义务",
                "从业人员发现直接危及人身安全的紧急情况时，有权停止作业或者在采取可能的应急措施后撤离作业场所。\n\n从业人员在作业过程中，应当严格落实岗位安全责任，遵守本单位的安全生产规章制度和操作规程，正确佩戴和使用劳动防护用品。"),
            ("事故应急与自救互救",
                "发生事故后，现场人员应立即报告本单位负责人，在确保自身安全的前提下组织自救互救。\n\n常见的应急措施：切断电源、疏散人员、设立警戒、拨打119/120。"),
        ],
        "questions": [
            {"kind": "single", "text": "从业人员发现直接危及人身安全的紧急情况时，有权（  ）。",
             "options": ["继续作业", "停止作业或撤离作业场所", "等待领导批准后再撤离"], "answer": "B"},
            {"kind": "multiple", "text": "以下属于从业人员安全生产义务的有（  ）。",
             "options": ["遵守安全生产规章制度", "正确佩戴劳动防护用品", "发现事故隐患及时报告", "拒绝参加安全培训"],
             "answer": "ABC"},
            {"kind": "truefalse", "text":
                "生产经营单位可以与从业人员订立协议，免除其对从业人员因生产安全事故伤亡依法应承担的责任。",
             "answer": "错误"},
            {"kind": "truefalse", "text":
                "从业人员有权对本单位安全生产工作中存在的问题提出批评、检举、控告。",
                "answer": "正确"},
            {"kind": "fill", "text": "火警电话是____。", "answer": "119"},
            {"kind": "single", "text": "发生事故后，现场人员首先应当（  ）。",
             "options": ["立即报告本单位负责人", "自行离开", "拍照发朋友圈"], "answer": "A"},
        ],
        "exam": {"exam_questions": 5, "exam_minutes": 15, "pass_mark": 60, "attempt_limit": 3},
    },
    {
        "title": "新就业形态劳动者权益保障", "kind": "document", "hours": "1.5",
        "summary":
            "外卖送餐员、快递员、网约车司机等新就业形态劳动者的劳动报酬、休息、劳动安全和职业伤害保障，以及如何向工会求助。",
        "lessons": [
            ("劳动报酬与休息",
                "平台企业应当合理确定订单分配、计件单价、抽成比例等，保障劳动者获得不低于当地最低工资标准的劳动报酬。\n\n劳动者有权获得合理的休息时间，平台不得以考核等方式变相强制超时劳动。"),
            ("职业伤害保障与工会求助",
                "职业伤害保障试点中，平台企业按单缴费，劳动者在执行平台订单任务期间发生伤害可申请待遇。\n\n遇到权益问题，可拨打12351职工服务热线，或在本平台“12351诉求”中提交。"),
        ],
        "questions": [
            {"kind": "single", "text": "职工服务热线的号码是（  ）。", "options": ["12345", "12351", "12315"],
             "answer": "B"},
            {"kind": "truefalse", "text": "平台可以通过考核方式变相强制劳动者超时劳动。", "answer": "错误"},
            {"kind": "fill", "text": "劳动报酬不应低于当地____工资标准。", "answer": "最低"},
        ],
        "exam": {"exam_questions": 3, "exam_minutes": 10, "pass_mark": 60, "attempt_limit": 0},
    },
    {
        "title": "劳动合同法入门", "kind": "document", "hours": "1",
        "summary": "签订劳动合同要注意什么？试用期、加班费、解除合同和经济补偿，一课讲清。",
        "lessons": [
            ("订立劳动合同",
                "建立劳动关系，应当订立书面劳动合同。用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动合同的，应当向劳动者每月支付二倍的工资。"),
            ("试用期与解除",
                "劳动合同期限三个月以上不满一年的，试用期不得超过一个月；劳动者提前三十日以书面形式通知用人单位，可以解除劳动合同。"),
        ],
        "questions": [
            {"kind": "single", "text":
                "劳动者提前（  ）日以书面形式通知用人单位，可以解除劳动合同。",
                "options": ["三", "十五", "三十"],
             "answer": "C"},
            {"kind": "truefalse", "text": "建立劳动关系应当订立书面劳动合同。", "answer": "正确"},
        ],
        "exam": {"exam_questions": 2, "exam_minutes": 10, "pass_mark": 50, "attempt_limit": 3},
    },
]

TRIAL = {"title": "班组长管理实务", "kind": "offline", "hours": "4",
         "summary": "班组管理、安全交底和团队沟通（线下课程，试讲审核中）。",
         "lessons": [("课程大纲", "一、班组长的角色\n二、班前会与安全交底\n三、团队沟通与激励")],
         "questions": [{"kind": "truefalse", "text": "班前会应当进行安全交底。", "answer": "正确"}],
         "exam": {"exam_questions": 1, "exam_minutes": 10, "pass_mark": 60, "attempt_limit": 3}}
DRAFT = {"title": "职工心理健康与压力调适", "kind": "video", "hours": "1",
         "summary": "草稿：课时待上传。", "lessons": [], "questions": [],
         "exam": {"exam_questions": 5, "exam_minutes": 15, "pass_mark": 60, "attempt_limit": 3}}


def _staff(union: Union) -> User | None:
    row = (StaffAssignment.objects.filter(union=union, role__in=[Role.ADMIN, Role.OFFICER]).select_related("user")
           .order_by("role", "id").first())
    return row.user if row else None


def _course(actor: User, union: Union, spec: dict[str, Any]) -> Course:
    course = services.course_create(actor=actor, union=union, title=spec["title"], kind=spec["kind"],
                                    hours=spec["hours"], summary=spec["summary"], **spec["exam"])
    for title, body in spec["lessons"]:
        services.lesson_add(actor=actor, course=course, title=title, kind="text", body=body)
    for question in spec["questions"]:
        services.question_add(actor=actor, course=course, **question)
    return course


def _right(attempt: Attempt) -> dict[str, Any]:
    return {q["id"]: (q["answer"] if q["kind"] != "fill" else [q["answer"][0]]) for q in attempt.questions}


def _study(actor: User, enrollment: Enrollment, lessons: int | None = None) -> None:
    for lesson in list(enrollment.course.lessons.all())[:lessons]:
        services.progress_save(actor=actor, enrollment=enrollment, lesson=lesson, position=0, done=True)


def _sit(actor: User, enrollment: Enrollment, *, right: bool) -> Attempt:
    attempt = services.attempt_start(actor=actor, enrollment=enrollment)
    return services.attempt_submit(actor=actor, attempt=attempt, answers=_right(attempt) if right else {})


def build(rng: random.Random) -> list[str]:
    province = Union.objects.filter(parent__isnull=True).order_by("pk").first()
    actor = _staff(province) if province else None
    if province is None or actor is None:
        return ["职课堂：没有配备工作人员的工会，未生成课程"]
    reviewer = (StaffAssignment.objects.filter(union=province, role=Role.ADMIN).exclude(user=actor)
                .select_related("user").first())
    courses = []
    for spec in COURSES:
        course = _course(actor, province, spec)
        services.course_submit(actor=actor, course=course)
        approver = reviewer.user if reviewer else actor
        services.course_approve(actor=approver, course=course, note="试讲通过：内容准确，讲解清楚")
        services.course_publish(actor=actor, course=course)
        courses.append(course)
    services.course_submit(actor=actor, course=_course(actor, province, TRIAL))
    _course(actor, province, DRAFT)

    worker_user = User.objects.by_phone(WORKER_PHONE).first()
    worker = Member.objects.filter(user=worker_user).select_related("union").first() if worker_user else None
    if worker is not None:
        first = services.enroll(actor=worker_user, member=worker, course=courses[0])
        _study(worker_user, first)
        _sit(worker_user, first, right=True)
        second = services.enroll(actor=worker_user, member=worker, course=courses[1])
        _study(worker_user, second, lessons=1)
        classmates = list(Member.objects.filter(union=worker.union, status=MemberStatus.ACTIVE, user__isnull=False)
                          .exclude(pk=worker.pk).select_related("user", "union")[:12])
        if len(classmates) < 12:
            classmates += list(Member.objects.filter(status=MemberStatus.ACTIVE).exclude(pk=worker.pk)
                               .exclude(pk__in=[m.pk for m in classmates]).select_related("user", "union")
                               [:30 - len(classmates)])
        for member in classmates:
            who = member.user or actor
            course = rng.choice(courses[:2])
            enrollment = services.enroll(actor=who, member=member, course=course)
            roll = rng.random()
            if roll < 0.3:
                continue
            _study(who, enrollment, lessons=None if roll > 0.5 else 1)
            if roll > 0.5:
                _sit(who, enrollment, right=roll > 0.62)
    return summary()


def summary() -> list[str]:
    by_status = dict(Course.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    enrolments = Enrollment.objects.aggregate(n=Count("id"), passed=Count("id", filter=Q(passed_at__isnull=False)))
    labels = dict(CourseStatus.choices)
    statuses = "、".join(f"{labels[s]}{by_status[s]}" for s in CourseStatus.values if by_status.get(s))
    return [
        f"职课堂 课程 {sum(by_status.values())} 门（{statuses or '无'}）",
        f"  选课 {enrolments['n']} 人次，考试通过 {enrolments['passed']}，结业证书 {Certificate.objects.count()} 张"
        f"（职工 {WORKER_PHONE} 持有一张）",
    ]
