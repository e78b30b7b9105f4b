"""/api/v1/activities/ for workers (members): the activities of my branch, 报名, my sign-ups, check-in
with the activity's code, 评价 and 取消报名 (the last one shared with staff, who use it to 移出名单).

The same gates (access.py) and services as the H5 pages (views/worker.py).
"""

# No ``from __future__ import annotations`` here: ninja needs the real annotations.
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from gonghui.core.api import Page, PageFields
from gonghui.members.access import require_member

from .. import selectors, services
from ..access import NOT_A_MEMBER, member_activity, own_signup, signup_to_cancel
from ..models import Activity, Signup
from ..schemas import ActivityReasonIn, CodeIn, MemberActivityOut, MySignupOut, RatingIn, RatingOut

router = Router()


class MemberActivityPage(PageFields):
    items: list[MemberActivityOut]


@router.get("/open", response=MemberActivityPage, summary="我可以参加的活动（会员）：近期或往期（past=true）")
def open_activities(request: HttpRequest, past: bool = False, page: int = 1, page_size: int = 20) -> dict[str, Any]:
    member = require_member(request.user, message=NOT_A_MEMBER)
    qs = selectors.member_activities(member, past=past).prefetch_related("photos")
    # Paginate first, then attach my sign-up and eligibility to the page's rows only (one query).
    result = Page().paginate_queryset(qs, Page.Input(page=page, page_size=page_size))
    mine = selectors.my_signups_by_activity(member, result["items"])
    for activity in result["items"]:
        activity.my_signup = mine.get(activity.pk)
        activity.problem = activity.audience_problem(member)
    return result


@router.get("/open/{uuid:key}", response=MemberActivityOut, summary="活动详情（会员）")
def open_activity(request: HttpRequest, key: UUID) -> Activity:
    member = require_member(request.user, message=NOT_A_MEMBER)
    activity = member_activity(member, key)
    activity.my_signup = selectors.my_signups_by_activity(member, [activity]).get(activity.pk)
    activity.problem = activity.audience_problem(member)
    return activity


@router.post("/open/{uuid:key}/signup", response={201: MySignupOut}, summary="报名（名额已满时进入候补）")
def signup(request: HttpRequest, key: UUID) -> Status:
    member = require_member(request.user, message=NOT_A_MEMBER)
    activity = member_activity(member, key)
    created = services.signup_create(actor=request.user, member=member, activity=activity)
    return Status(201, created)


@router.get("/mine", response=list[MySignupOut], summary="我的报名")
@paginate(Page)
def mine(request: HttpRequest):
    return selectors.my_signups(require_member(request.user, message=NOT_A_MEMBER))


@router.post("/checkin", response=MySignupOut, summary="扫活动签到码签到（会员）")
def checkin_by_code(request: HttpRequest, payload: CodeIn) -> Signup:
    member = require_member(request.user, message=NOT_A_MEMBER)
    return services.checkin_by_code(actor=request.user, member=member, code=payload.code)


@router.post("/signups/{uuid:key}/rate", response={201: RatingOut}, summary="评价活动（已签到的会员，每人一次）")
def rate(request: HttpRequest, key: UUID, payload: RatingIn) -> Status:
    mine_signup = own_signup(require_member(request.user, message=NOT_A_MEMBER), key)
    return Status(201, services.rating_submit(actor=request.user, signup=mine_signup, **payload.dict()))


@router.post("/signups/{uuid:key}/cancel", response=MySignupOut, summary="取消报名（会员本人）或移出名单（工作人员）")
def signup_cancel(request: HttpRequest, key: UUID, payload: ActivityReasonIn) -> Signup:
    # Shared with staff (移出名单): the member's own sign-up first, else the staff gate.
    found = signup_to_cancel(request.user, key)
    return services.signup_cancel(actor=request.user, signup=found, reason=payload.reason)
