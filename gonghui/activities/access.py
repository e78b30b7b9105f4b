"""Access gates for the activities app (see core/scope.py). Views, API, tasks and exports get
activities, sign-ups and photos only through these.

Staff: ``access_*`` — 404 outside the caller's branch, 403 for a read-only role writing.
Workers: ``member_activity`` and ``own_signup`` — a member sees the listed activities of their own
union and the unions above it, plus anything they signed up for; everything else is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gonghui.core.errors import NotFound
from gonghui.core.scope import gate, owned, owner_or_staff
from gonghui.lib.text import parse_uuid
from gonghui.members.access import own_member
from gonghui.members.models import Member

from .models import Activity, ActivityPhoto, ActivityStatus, Signup


def access_activity(user: Any, key: Any, *, write: bool = False) -> Activity:
    return gate(user, Activity.objects.select_related("union", "brand__parent"), write=write, uuid=key)


def signups_qs() -> QuerySet[Signup]:
    return Signup.objects.select_related("activity__union", "member__union", "member__user")


def access_signup(user: Any, key: Any, *, write: bool = False) -> Signup:
    return gate(user, signups_qs(), write=write, uuid=key)


def access_photo(user: Any, key: Any, *, write: bool = False) -> ActivityPhoto:
    return gate(user, ActivityPhoto.objects.select_related("activity__union"), write=write, uuid=key)


NOT_A_MEMBER = "您还不是工会会员，入会后即可报名参加工会活动"


def member_activity(member: Member, key: Any) -> Activity:
    """An activity as a member may see it: listed and for their branch, or one they signed up for
    (also once it was cancelled, so that the notification's link still explains why)."""
    key = parse_uuid(key)
    if key is None:
        raise NotFound("未找到该活动")
    qs = Activity.objects.select_related("union", "brand__parent")
    activity = qs.for_member(member).filter(uuid=key).first()
    if activity is None:
        activity = (qs.exclude(status=ActivityStatus.DRAFT).filter(uuid=key, signups__member=member)
                    .distinct().first())
    if activity is None:
        raise NotFound("未找到该活动")
    return activity


def own_signup(member: Member | None, key: Any) -> Signup:
    """The member's own sign-up; someone else's is indistinguishable from a missing one."""
    return owned(signups_qs(), owner=member, message="未找到该报名记录", uuid=key)


def member_signup(user: Any, key: Any) -> Signup:
    """The signed-in member's own sign-up (404 for anyone else's, and for a user who is no member)."""
    return own_signup(own_member(user), key)


def signup_to_cancel(user: Any, key: Any) -> Signup:
    """The sign-up that ``user`` may cancel: their own as a member, else one they may write to as staff
    (移出名单); 404 otherwise."""
    return owner_or_staff(user, key, member_signup, staff=access_signup, write=True)


def photo_for_member(member: Member, key: Any) -> ActivityPhoto:
    key = parse_uuid(key)
    photo = ActivityPhoto.objects.select_related("activity__union").filter(uuid=key).first() if key else None
    if photo is None:
        raise NotFound("未找到该照片")
    member_activity(member, photo.activity.uuid)  # 404 unless the member may see the activity
    return photo
