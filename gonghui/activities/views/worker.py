"""Worker H5 pages (/activities/…): the activities of my branch, an activity with 报名 / 取消报名 /
评价, my sign-ups, and check-in by scanning the activity's code. Photos are served from here to
members and staff alike (each through their own gate)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gonghui.core.actions import act, object_action
from gonghui.core.errors import DomainError, NotFound
from gonghui.core.responses import stored_file
from gonghui.core.scope import staff_or_owner
from gonghui.members.access import own_member, require_member
from gonghui.members.models import Member
from gonghui.members.views.membership import members_only, not_member_page

from .. import selectors, services
from ..access import NOT_A_MEMBER, access_photo, member_activity, own_signup, photo_for_member
from ..forms import RatingForm, ReasonForm
from ..models import Activity, Signup, SignupStatus

# The pages of the member's own activities; a worker who is not a member is invited to join.
INVITATION = {"glyph": "活", "blurb": "工会活动面向会员开展。入会后即可报名参加文体活动、技能培训、送温暖等活动。"}
members_page = partial(members_only, **INVITATION)


def _decorate(member: Member, activities: list[Activity]) -> list[Activity]:
    """Attach my sign-up and whether I may sign up to each activity (one query for the page)."""
    mine = selectors.my_signups_by_activity(member, activities)
    for activity in activities:
        activity.my_signup = mine.get(activity.pk)
        activity.problem = activity.audience_problem(member)
    return activities


@members_page("工会活动")
def activity_list(request: HttpRequest, member: Member) -> HttpResponse:
    past = request.GET.get("past") == "1"
    page = Paginator(selectors.member_activities(member, past=past), 15).get_page(request.GET.get("page"))
    _decorate(member, list(page.object_list))
    return render(request, "activities/h5/list.html", {"tab": "home", "page": page, "past": past,
                                                       "member": member})


@members_page("我的报名")
def my_signups(request: HttpRequest, member: Member) -> HttpResponse:
    page = Paginator(selectors.my_signups(member), 20).get_page(request.GET.get("page"))
    for signup in page.object_list:
        signup.position = selectors.waitlist_position(signup)
    return render(request, "activities/h5/mine.html", {"tab": "me", "page": page})


def _rating_of(signup: Signup | None) -> Any:
    if signup is None:
        return None
    try:
        return signup.rating
    except Signup.rating.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return None


@login_required
def detail(request: HttpRequest, key: str) -> HttpResponse:
    member = require_member(request.user, message=NOT_A_MEMBER)
    activity = member_activity(member, key)
    signup = selectors.my_signups_by_activity(member, [activity]).get(activity.pk)
    return render(request, "activities/h5/detail.html", {
        "tab": "home", "activity": activity, "signup": signup, "problem": activity.audience_problem(member),
        "position": selectors.waitlist_position(signup) if signup else None, "rating": _rating_of(signup),
        "photos": list(activity.photos.all()) if activity.has_started else [],
        "rating_form": RatingForm(), "stars": range(5, 0, -1),
    })


def _detail_url(activity: Activity) -> str:
    return reverse("activities:detail", kwargs={"key": activity.uuid})


@login_required
@require_POST
def signup(request: HttpRequest, key: str) -> HttpResponse:
    member = require_member(request.user, message=NOT_A_MEMBER)
    activity = member_activity(member, key)

    def sign_up(data: Any) -> str:
        created = services.signup_create(actor=request.user, member=member, activity=activity)
        if created.status == SignupStatus.CONFIRMED:
            return "报名成功！活动开始前一天会提醒您，到场后请扫码签到"
        position = selectors.waitlist_position(created)
        return f"名额已满，您已进入候补名单（第{position}位），有人取消时将自动递补并通知您"

    return act(request, run=sign_up, back=_detail_url(activity))


def _own_signup(user: Any, key: str) -> Signup:
    return own_signup(require_member(user, message=NOT_A_MEMBER), key)


# The member's actions on their own sign-up: theirs only (404 otherwise), back to the activity.
mine_action = partial(object_action, _own_signup, back=lambda request, mine: _detail_url(mine.activity),
                      guard=login_required)


@mine_action(form=ReasonForm, success="已取消报名")
def cancel(request: HttpRequest, mine: Signup, data: Mapping[str, Any]) -> Any:
    return services.signup_cancel(actor=request.user, signup=mine, reason=data["reason"])


@mine_action(form=RatingForm, success="感谢您的评价！")
def rate(request: HttpRequest, mine: Signup, data: Mapping[str, Any]) -> Any:
    return services.rating_submit(actor=request.user, signup=mine, **data)


@login_required
def checkin(request: HttpRequest, code: str) -> HttpResponse:
    """The page the activity's check-in QR code opens: GET shows the activity and a 确认签到 button,
    POST checks the signed-in member in (a GET never changes anything)."""
    activity = services.activity_by_code(code)
    if activity is None:
        raise NotFound("签到码无效或已重置，请扫描现场最新的签到码")
    member = own_member(request.user)
    if member is None:
        return not_member_page(request, "活动签到", **INVITATION)
    signup_row = (Signup.objects.filter(activity=activity, member=member).order_by("-created_at").first())
    done = None
    error = ""
    if request.method == "POST":
        try:
            done = services.checkin_by_code(actor=request.user, member=member, code=code)
        except DomainError as exc:
            error = exc.message
        else:
            signup_row = done
    return render(request, "activities/h5/checkin.html", {
        "tab": "home", "activity": activity, "signup": signup_row, "done": done, "error": error,
        "open": activity.checkin_open(), "code": code,
    }, status=200 if not error else 409)


@login_required
def photo(request: HttpRequest, key: str) -> HttpResponse:
    """A photo's bytes: for staff through the branch gate, for members if they may see the activity."""
    found = staff_or_owner(
        request.user, key, staff=access_photo,
        owner=lambda user, key: photo_for_member(require_member(user, message=NOT_A_MEMBER), key))
    response = stored_file(found.image, content_type=found.content_type, missing="照片文件不存在")
    response["Cache-Control"] = "private, max-age=3600"
    return response

