"""Access gates for the activities app (see core/scope.py). Views, API, tasks and exports get
activities, sign-ups and photos only through these.

Staff: ``access_*`` — 404 outside the caller's branch, 403 for a read-only role writing.
Workers: ``member_activity`` and ``own_signup`` — a member sees the listed activities of their own
union and the unions above it, plus anything they signed up for; everything else is a 404.
"""

from __future__ import annotations

from typing import Any

from gonghui.core.errors import NotFound
from gonghui.core.scope import gate, owned
from gonghui.lib.text import parse_uuid
from gonghui.members.access import own_member
from gonghui.members.models import Member

from .models import Activity, ActivityPhoto, ActivityStatus, Signup


def access_activity(user: Any, key: Any, *, write: bool = False) -> Activity:
    return gate(user, Activity.objects.select_related("union", "brand__parent"), write=write, uuid=key)


def access_signup(user: Any, key: Any, *, write: bool = False) -> Signup:
    qs = Signup.objects.select_related("activity__union", "member__union", "member__user")
    return gate(user, qs, write=write, uuid=key)


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


def own_signup(member: Member, key: Any) -> Signup:
    """The member's own sign-up; someone else's is indistinguishable from a missing one."""
    return owned(Signup.objects.select_related("activity__union", "member__union", "member__user"), owner=member,
                 message="未找到该报名记录", uuid=key)


def signup_to_cancel(user: Any, key: Any) -> Signup:
    """The sign-up that ``user`` may cancel: their own as a member, else one they may write to as staff
    (移出名单); 404 otherwise."""
    member = own_member(user)
    if member is not None:
        try:
            return own_signup(member, key)
        except NotFound:
            pass
    return access_signup(user, key, write=True)


def photo_for_member(member: Member, key: Any) -> ActivityPhoto:
    key = parse_uuid(key)
    photo = ActivityPhoto.objects.select_related("activity__union").filter(uuid=key).first() if key else None
    if photo is None:
        raise NotFound("未找到该照片")
    member_activity(member, photo.activity.uuid)  # 404 unless the member may see the activity
    return photo
