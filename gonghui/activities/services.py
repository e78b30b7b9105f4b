"""Activity workflows. Every state change of an activity or a sign-up is one function here.

Capacity (DESIGN.md rule 4): a place is taken only by the conditional
``UPDATE activity SET taken = taken + 1 WHERE id = … AND taken < quota`` (row count checked), and
``activity_taken_within_quota`` rejects anything that would go past the quota anyway. Whoever frees
a place (a cancellation, a larger quota) promotes the first of the waitlist in the same
transaction, holding the activity's row lock, so a waitlisted member never waits while a place is
free. Lock order is always activity row, then sign-up rows, in every function.

Objects arrive already gated (access.py); functions that members call themselves check here that
the actor is the member.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from gonghui.core import audit, events
from gonghui.core.errors import Conflict, Forbidden, ValidationFailed
from gonghui.core.models import AuditResult
from gonghui.core.notify import notify
from gonghui.core.photos import photo_replace
from gonghui.core.scope import WRITE_ROLES, scope_of
from gonghui.core.transitions import transition, transition_many
from gonghui.core.validation import clean_text
from gonghui.lib import images
from gonghui.lib.uploads import sniff_content_type
from gonghui.members.models import Member
from gonghui.members.services.card import EXPIRES_AFTER, INVALID_TOKEN, VALID_STATUSES, card_token_from
from gonghui.unions.models import Brand, Union

from .models import (
    PLACE_STATUSES,
    Activity,
    ActivityEvent,
    ActivityKind,
    ActivityPhoto,
    ActivityStatus,
    CheckinMethod,
    Rating,
    Signup,
    SignupEvent,
    SignupStatus,
    new_checkin_code,
)

if TYPE_CHECKING:
    from gonghui.accounts.models import User

TITLE_MAX = 100
PLACE_MAX = 200
REASON_MAX = 300
QUOTA_MAX = 100_000
SUMMARY_MAX = 5000
MAX_PHOTOS = 30
MAX_PHOTO_BYTES = 5 * 1024 * 1024
REMIND_BEFORE = timedelta(hours=24)
_CARD_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
_CHECKIN_CODE = re.compile(r"[A-Za-z0-9_-]{8,32}")

EDITABLE_FIELDS = ("title", "kind", "brand", "description", "place", "starts_at", "ends_at", "signup_opens_at",
                   "signup_closes_at", "quota", "gig_only", "women_only", "model_workers_only", "min_age", "max_age")


def _who(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


# --- Activities --------------------------------------------------------------------------------------------


def brand_choices(union: Union) -> list[Brand]:
    """Brands an activity of ``union`` may carry: the brand matrix of the union and of the unions above it."""
    return list(Brand.objects.filter(union_id__in=[*union.ancestor_ids, union.pk])
                .select_related("parent").order_by("union__depth", "parent_id", "position", "id"))


def _clean(union: Union, data: dict[str, Any]) -> dict[str, Any]:
    """Validate a full set of activity fields (create, or an update merged over the current values)."""
    out = dict(data)
    out["title"] = clean_text(data.get("title"), field="title", label="活动名称", max_length=TITLE_MAX)
    out["place"] = clean_text(data.get("place"), field="place", label="活动地点", max_length=PLACE_MAX)
    out["description"] = clean_text(data.get("description"), field="description", label="活动介绍", max_length=5000,
                               required=False, multiline=True)
    if out.get("kind") not in ActivityKind.values:
        raise ValidationFailed("请选择活动类型", detail={"kind": "请选择活动类型"})
    starts, ends = out.get("starts_at"), out.get("ends_at")
    if not isinstance(starts, datetime) or not isinstance(ends, datetime):
        raise ValidationFailed("请填写活动的开始和结束时间", detail={"starts_at": "请填写时间"})
    if ends <= starts:
        raise ValidationFailed("结束时间必须晚于开始时间", detail={"ends_at": "结束时间必须晚于开始时间"})
    opens = out.get("signup_opens_at") or timezone.now()
    closes = out.get("signup_closes_at") or starts
    if closes <= opens:
        raise ValidationFailed("报名截止时间必须晚于报名开始时间", detail={"signup_closes_at": "须晚于报名开始时间"})
    if closes > ends:
        raise ValidationFailed("报名截止时间不能晚于活动结束时间", detail={"signup_closes_at": "不能晚于活动结束"})
    out["signup_opens_at"], out["signup_closes_at"] = opens, closes
    quota = out.get("quota")
    if not isinstance(quota, int) or not 1 <= quota <= QUOTA_MAX:
        raise ValidationFailed(f"名额应为1到{QUOTA_MAX}之间的整数", detail={"quota": "名额不正确"})
    low, high = out.get("min_age"), out.get("max_age")
    for name, age in (("min_age", low), ("max_age", high)):
        if age is not None and not 14 <= age <= 100:
            raise ValidationFailed("年龄限制应在14到100周岁之间", detail={name: "年龄不正确"})
    if low is not None and high is not None and low > high:
        raise ValidationFailed("最小年龄不能大于最大年龄", detail={"min_age": "最小年龄不能大于最大年龄"})
    brand = out.get("brand")
    if brand is not None and brand.union_id not in (*union.ancestor_ids, union.pk):
        raise ValidationFailed("品牌须来自主办工会或其上级工会的品牌矩阵", detail={"brand": "品牌不匹配"})
    for flag in ("gig_only", "women_only", "model_workers_only"):
        out[flag] = bool(out.get(flag))
    return out


def _history(activity: Activity, *, action: str, from_status: str, to_status: str, actor: User,
             note: str = "") -> None:
    ActivityEvent.objects.create(activity=activity, action=action, from_status=from_status, to_status=to_status,
                                 actor=_who(actor), note=note[:REASON_MAX])


def activity_create(*, actor: User, union: Union, title: str, kind: str, place: str, starts_at: datetime,
                    ends_at: datetime, quota: int, signup_opens_at: datetime | None = None,
                    signup_closes_at: datetime | None = None, description: str = "", brand: Brand | None = None,
                    gig_only: bool = False, women_only: bool = False, model_workers_only: bool = False,
                    min_age: int | None = None, max_age: int | None = None,
                    photo: images.Processed | None = None, photo_remove: bool = False) -> Activity:
    """A new activity of ``union`` as a draft (发布 makes it visible to members); ``photo`` is its cover.

    Preconditions: ``union`` came through unions.access.access_union_for_work(actor, …). The sign-up
    window defaults to "from now until the start".
    """
    if not union.is_active:
        raise ValidationFailed("该工会已停用，不能发布活动")
    data = _clean(union, {
        "title": title, "kind": kind, "place": place, "starts_at": starts_at, "ends_at": ends_at, "quota": quota,
        "signup_opens_at": signup_opens_at, "signup_closes_at": signup_closes_at, "description": description,
        "brand": brand, "gig_only": gig_only, "women_only": women_only, "model_workers_only": model_workers_only,
        "min_age": min_age, "max_age": max_age,
    })
    if data["ends_at"] <= timezone.now():
        raise ValidationFailed("活动结束时间已过，不能新建", detail={"ends_at": "结束时间已过"})
    with transaction.atomic():
        activity = Activity.objects.create(union=union, created_by=_who(actor), **data)
        photo_replace(activity, "photo", photo)
        _history(activity, action="create", from_status="", to_status=ActivityStatus.DRAFT, actor=actor)
        audit.record("activity.create", actor=actor, obj=activity,
                     detail={"quota": activity.quota, "kind": activity.kind})
    return activity


def activity_update(*, actor: User, activity: Activity,
                    **fields: Any) -> Activity:
    """Change a draft's or published activity's details. A larger quota promotes from the waitlist at
    once; a quota below the places already taken is refused.

    ``photo`` (a new cover) and ``photo_remove`` change the cover. Preconditions: ``activity`` came
    through access_activity(actor, …, write=True).
    """
    photo: images.Processed | None = fields.pop("photo", None)
    photo_remove = bool(fields.pop("photo_remove", False)) and activity.photo is not None
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed("不能修改这些字段：" + "、".join(sorted(unknown)))
    if activity.status not in (ActivityStatus.DRAFT, ActivityStatus.PUBLISHED):
        raise Conflict(f"活动{activity.get_status_display()}，不能再修改")
    if activity.has_ended:
        raise Conflict("活动已结束，不能再修改；请填写活动总结")
    current = {name: getattr(activity, name) for name in EDITABLE_FIELDS}
    data = _clean(activity.union, {**current, **fields})
    changed = [name for name in EDITABLE_FIELDS if data[name] != current[name]]
    if not changed and photo is None and not photo_remove:
        return activity
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        if locked.status != activity.status:
            raise Conflict()
        if data["quota"] < locked.taken:
            raise ValidationFailed(f"已有{locked.taken}人获得名额，名额不能少于{locked.taken}",
                                   detail={"quota": f"不能少于{locked.taken}"})
        now = timezone.now()
        Activity.objects.filter(pk=activity.pk).update(updated_at=now, **{name: data[name] for name in changed})
        for name in changed:
            setattr(activity, name, data[name])
        activity.updated_at = now
        if photo_replace(activity, "photo", photo, remove=photo_remove):
            changed.append("photo")
        _history(activity, action="update", from_status=activity.status, to_status=activity.status, actor=actor,
                 note="修改：" + "、".join(str(Activity._meta.get_field(n).verbose_name) for n in changed))
        audit.record("activity.update", actor=actor, obj=activity, detail={"fields": changed})
        promoted = []
        if "quota" in changed and data["quota"] > current["quota"]:
            promoted = _promote(activity, actor=actor)
        moved = [name for name in ("starts_at", "ends_at", "place") if name in changed]
        if moved and activity.status == ActivityStatus.PUBLISHED:
            body = (f"时间：{timezone.localtime(activity.starts_at):%m月%d日 %H:%M}–"
                    f"{timezone.localtime(activity.ends_at):%H:%M}，地点：{activity.place}")
            for signup in Signup.objects.live().filter(activity=activity).select_related("member__user"):
                _tell(signup.member, f"活动时间或地点有变：{activity.title}", body, activity)
        activity.taken = Activity.objects.values_list("taken", flat=True).get(pk=activity.pk)
    activity.promoted_now = promoted  # type: ignore[attr-defined] - for the page's message
    return activity


def activity_publish(*, actor: User, activity: Activity) -> Activity:
    """草稿 → 已发布: members of the owner's subtree can see it and sign up in the sign-up window."""
    if activity.status != ActivityStatus.DRAFT:
        raise Conflict(f"活动当前为「{activity.get_status_display()}」，不能发布")
    if activity.has_ended:
        raise Conflict("活动结束时间已过，不能发布")
    return transition(
        activity, to=ActivityStatus.PUBLISHED, from_=[ActivityStatus.DRAFT],
        changes={"published_at": timezone.now()}, code="conflict",
        history=lambda before: _history(activity, action="publish", from_status=before,
                                        to_status=ActivityStatus.PUBLISHED, actor=actor),
        audit="activity.publish", actor=actor,
        event="activity.published", payload={"activity_id": activity.pk, "union_id": activity.union_id})


def activity_cancel(*, actor: User, activity: Activity, reason: str) -> Activity:
    """Call the activity off: every live sign-up is cancelled and its member told why."""
    reason = clean_text(reason, field="reason", label="取消原因", max_length=REASON_MAX)
    if activity.status not in (ActivityStatus.DRAFT, ActivityStatus.PUBLISHED):
        raise Conflict(f"活动当前为「{activity.get_status_display()}」，不能取消")
    if activity.has_ended:
        raise Conflict("活动已结束，不能取消")
    now = timezone.now()
    note = f"活动取消：{reason}"[:REASON_MAX]
    with transaction.atomic():
        Activity.objects.select_for_update().get(pk=activity.pk)
        # Holding the activity's lock: nobody signs up or cancels meanwhile.
        live = list(Signup.objects.live().filter(activity=activity).select_related("member__user"))
        transition(
            activity, to=ActivityStatus.CANCELLED, from_=[activity.status],
            changes={"cancel_reason": reason, "taken": 0, "updated_at": now}, code="conflict",
            history=lambda before: _history(activity, action="cancel", from_status=before,
                                            to_status=ActivityStatus.CANCELLED, actor=actor, note=reason),
            audit="activity.cancel", actor=actor, detail={"signups_cancelled": len(live)},
            event="activity.cancelled", payload={"activity_id": activity.pk, "union_id": activity.union_id})
        transition_many(Signup.objects.filter(pk__in=[s.pk for s in live]), to=SignupStatus.CANCELLED,
                        changes={"cancelled_at": now, "cancel_reason": note})
        SignupEvent.objects.bulk_create([
            SignupEvent(signup=s, from_status=s.status, to_status=SignupStatus.CANCELLED, actor=_who(actor),
                        note=note, created_at=now) for s in live])
        for signup in live:
            if signup.member.user is not None:
                notify(signup.member.user, f"活动「{activity.title}」已取消", reason, url=_member_url(activity))
    return activity


def activity_conclude(*, actor: User, activity: Activity, summary: str) -> Activity:
    """已发布 → 已总结, after the activity ended: the summary is shown to members with the photos."""
    summary = clean_text(summary, field="summary", label="活动总结", max_length=SUMMARY_MAX, multiline=True)
    if activity.status != ActivityStatus.PUBLISHED:
        raise Conflict(f"活动当前为「{activity.get_status_display()}」，不能填写总结")
    if not activity.has_ended:
        raise Conflict("活动结束后才能填写总结")
    served = Signup.objects.filter(activity=activity, status=SignupStatus.CHECKED_IN).count()
    return transition(
        activity, to=ActivityStatus.CONCLUDED, from_=[ActivityStatus.PUBLISHED],
        changes={"summary": summary, "concluded_at": timezone.now()}, code="conflict",
        history=lambda before: _history(activity, action="conclude", from_status=before,
                                        to_status=ActivityStatus.CONCLUDED, actor=actor),
        audit="activity.conclude", actor=actor, detail={"served": served},
        event="activity.concluded",
        payload={"activity_id": activity.pk, "union_id": activity.union_id, "served": served})


def activity_rotate_code(*, actor: User, activity: Activity) -> Activity:
    """重置签到码: the printed or shown check-in QR code stops working; a new one replaces it."""
    if activity.status != ActivityStatus.PUBLISHED or activity.has_ended:
        raise Conflict("只有未结束的已发布活动可以重置签到码")
    activity.checkin_code = new_checkin_code()
    with transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(checkin_code=activity.checkin_code, updated_at=timezone.now())
        audit.record("activity.rotate_code", actor=actor, obj=activity)
    return activity


# --- Sign-ups -------------------------------------------------------------------------------------------------


def _member_url(activity: Activity) -> str:
    return reverse("activities:detail", args=[activity.uuid])


def _signup_history(signup: Signup, *, from_status: str, to_status: str, actor: User, note: str = "",
                    at: datetime | None = None) -> None:
    SignupEvent.objects.create(signup=signup, from_status=from_status, to_status=to_status, actor=_who(actor),
                               note=note[:REASON_MAX], created_at=at or timezone.now())


def _when(activity: Activity) -> str:
    return f"{timezone.localtime(activity.starts_at):%m月%d日 %H:%M}"


def _tell(member: Member, title: str, body: str, activity: Activity) -> None:
    if member.user_id is not None:
        notify(member.user, title, body, url=_member_url(activity))


def _take_place(activity_id: int) -> bool:
    """The one way a place is taken: a conditional UPDATE; True when this caller got one."""
    return bool(Activity.objects.filter(pk=activity_id, status=ActivityStatus.PUBLISHED, taken__lt=F("quota"))
                .update(taken=F("taken") + 1))


def _queue_time(activity_id: int) -> datetime:
    """The waitlist place of a member joining it now. Preconditions: the activity's row is locked.

    The queue is ordered by ``created_at``. Stamping it under the lock, after the last one waiting,
    makes the queue's order the order the waitlisting transactions commit in: every member ahead has
    committed when the position is read, so "候补第 N 位" is the place the member really holds. (A
    time taken before the lock let a slower transaction with an earlier time commit later and slip in
    ahead: positions told twice, or one too low.)"""
    now = timezone.now()
    last = (Signup.objects.waitlist().filter(activity_id=activity_id).order_by("-created_at", "-id")
            .values_list("created_at", flat=True).first())
    if last is not None and last >= now:  # another server's clock runs ahead: still behind the last
        now = last + timedelta(microseconds=1)
    return now


def signup_create(*, actor: User, member: Member, activity: Activity) -> Signup:
    """报名: a place if one is left (已报名), otherwise a place in the waitlist (候补中).

    Preconditions: ``member`` is the actor's own membership (members sign themselves up);
    ``activity`` came through access.member_activity. Raises Conflict outside the sign-up window or
    for a second live sign-up; ValidationFailed (code not_eligible) when the audience rule excludes
    the member.
    """
    if member.user_id is None or getattr(actor, "pk", None) != member.user_id:
        raise Forbidden("只能为本人报名")
    if member.status not in VALID_STATUSES:
        raise Conflict(f"会籍状态为「{member.get_status_display()}」，不能报名", code="not_member")
    if activity.status != ActivityStatus.PUBLISHED:
        raise Conflict(f"活动{activity.get_status_display()}，不能报名", code="not_open")
    if not activity.signup_open():
        raise Conflict(f"当前{activity.current_phase.label}，不在报名时间内", code="not_open")
    problem = activity.audience_problem(member)
    if problem:
        raise ValidationFailed(problem, code="not_eligible")
    if Signup.objects.live().filter(activity=activity, member=member).exists():
        raise Conflict("您已报名该活动", code="already_signed_up")
    scope_of(actor)  # the audit row needs the actor's role: load it before holding the activity's lock
    now = timezone.now()
    try:
        with transaction.atomic():
            got = _take_place(activity.pk)
            if not got:
                # Full (or just cancelled). Hold the activity's lock and try once more: a place freed
                # by a cancellation that committed since our UPDATE would otherwise stay empty while
                # we join the waitlist (the canceller saw no waitlist to promote).
                locked = Activity.objects.select_for_update().get(pk=activity.pk)
                if locked.status != ActivityStatus.PUBLISHED:
                    raise Conflict("活动已取消", code="not_open")
                got = _take_place(activity.pk)
                if not got:
                    now = _queue_time(activity.pk)
            status = SignupStatus.CONFIRMED if got else SignupStatus.WAITLISTED
            signup = Signup.objects.create(activity=activity, member=member, status=status, created_at=now,
                                           confirmed_at=now if got else None)
            _signup_history(signup, from_status="", to_status=status, actor=actor, at=now)
            audit.record("activity.signup", actor=actor, obj=activity,
                         detail={"signup": str(signup.uuid), "status": status})
            if got:
                _tell(member, f"报名成功：{activity.title}", f"时间：{_when(activity)}，地点：{activity.place}",
                      activity)
            else:
                _tell(member, f"已进入候补：{activity.title}", "名额已满，有人取消时将按报名先后为您递补并通知您",
                      activity)
            events.publish("activity.signed_up", activity_id=activity.pk, signup_id=signup.pk,
                           member_id=member.pk, status=status)
    except IntegrityError:
        # signup_one_live_per_member: a double tap, or two devices at once
        raise Conflict("您已报名该活动", code="already_signed_up") from None
    signup.activity, signup.member = activity, member
    return signup


def _promote(activity: Activity, *, actor: User) -> list[Signup]:
    """Fill free places from the waitlist, first come first served.

    Preconditions: inside the caller's transaction, holding the activity's row lock (select_for_update
    or a just-made UPDATE of it). No promotion once the activity started: people need notice.
    """
    if activity.status != ActivityStatus.PUBLISHED or timezone.now() >= activity.starts_at:
        return []
    promoted: list[Signup] = []
    while True:
        quota, taken = Activity.objects.values_list("quota", "taken").get(pk=activity.pk)
        # Only as many candidates as there are free places: the waitlist may be long.
        batch = list(Signup.objects.waitlist().filter(activity=activity).select_related("member__user")
                     [:max(quota - taken, 0)])
        vanished = 0
        for candidate in batch:
            if not _take_place(activity.pk):
                return promoted
            if _confirm_from_waitlist(activity, candidate, actor=actor):
                promoted.append(candidate)
            else:  # gone meanwhile: give the place back and try the next one
                Activity.objects.filter(pk=activity.pk).update(taken=F("taken") - 1)
                vanished += 1
        if not vanished:  # every free place filled, or the waitlist ran out
            return promoted


def _confirm_from_waitlist(activity: Activity, candidate: Signup, *, actor: User) -> bool:
    now = timezone.now()
    try:
        transition(candidate, to=SignupStatus.CONFIRMED, from_=[SignupStatus.WAITLISTED],
                   changes={"confirmed_at": now, "promoted": True},
                   history=lambda before: _signup_history(candidate, from_status=before,
                                                          to_status=SignupStatus.CONFIRMED, actor=actor,
                                                          note="候补递补", at=now))
    except Conflict:
        return False
    audit.record("activity.promote", actor=actor, obj=activity,
                 detail={"signup": str(candidate.uuid)})
    _tell(candidate.member, f"候补成功：{activity.title}",
          f"有人取消报名，您已递补获得名额。时间：{_when(activity)}，地点：{activity.place}", activity)
    events.publish("activity.promoted", activity_id=activity.pk, signup_id=candidate.pk,
                   member_id=candidate.member_id)
    return True


def is_own(actor: Any, signup: Signup) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and signup.member.user_id == actor.pk)


def signup_cancel(*, actor: User, signup: Signup, reason: str = "") -> Signup:
    """取消报名 by the member (before the start) or 移出名单 by writing staff (before the end).

    A confirmed sign-up frees its place, and the first waitlisted member is promoted in the same
    transaction. Preconditions: staff got ``signup`` through access_signup(…, write=True); members
    through access.own_signup.
    """
    activity = signup.activity
    own = is_own(actor, signup)
    if not own and not scope_of(actor).can(activity.union.path, WRITE_ROLES):
        raise Forbidden("只有会员本人或主办工会的工作人员可以取消报名")
    reason = clean_text(reason, field="reason", label="原因", max_length=REASON_MAX, required=False)
    old = signup.status
    if old == SignupStatus.CHECKED_IN:
        raise Conflict("已签到，不能取消报名")
    if old == SignupStatus.CANCELLED:
        raise Conflict("该报名已取消")
    if own and activity.has_started:
        raise Conflict("活动已开始，不能取消报名")
    if activity.has_ended:
        raise Conflict("活动已结束")
    now = timezone.now()
    note = reason or ("本人取消" if own else "工作人员移出名单")
    scope_of(actor)  # for the audit rows: loaded before holding the activity's lock
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        locked.union = activity.union  # already loaded; the lock is on the activity's row only
        transition(signup, to=SignupStatus.CANCELLED, from_=[old],
                   changes={"cancelled_at": now, "cancel_reason": note[:REASON_MAX]},
                   message="报名状态已变化，请刷新后重试", code="conflict",
                   history=lambda before: _signup_history(signup, from_status=before,
                                                          to_status=SignupStatus.CANCELLED, actor=actor, note=note,
                                                          at=now))
        promoted: list[Signup] = []
        if old in PLACE_STATUSES:
            Activity.objects.filter(pk=activity.pk, taken__gt=0).update(taken=F("taken") - 1)
            promoted = _promote(locked, actor=actor)
        audit.record("activity.signup_cancel", actor=actor, obj=activity,
                     detail={"signup": str(signup.uuid), "from": old, "by_member": own,
                             "promoted": [str(p.uuid) for p in promoted]})
        if not own:
            _tell(signup.member, f"您已被移出活动名单：{activity.title}", note, activity)
        events.publish("activity.signup_cancelled", activity_id=activity.pk, signup_id=signup.pk,
                       member_id=signup.member_id, freed_place=old in PLACE_STATUSES)
    signup.promoted_now = promoted  # type: ignore[attr-defined]
    return signup


# --- Check-in -------------------------------------------------------------------------------------------------


def _checkin_refusal(status: str) -> str:
    return {
        SignupStatus.CHECKED_IN: "已签到，无需重复签到",
        SignupStatus.WAITLISTED: "仍在候补名单中，未获得名额，不能签到",
        SignupStatus.CANCELLED: "报名已取消，不能签到",
    }.get(SignupStatus(status), "")


def signup_check_in(*, actor: User, signup: Signup, method: str) -> Signup:
    """已报名 → 已签到, in the check-in window (from an hour before the start until the end).

    ``method``: code (the member scanned the activity's code: the actor must be the member), card or
    manual (writing staff of the owner's branch). Preconditions: staff got ``signup`` through a gate.
    """
    activity = signup.activity
    if method == CheckinMethod.CODE:
        if not is_own(actor, signup):
            raise Forbidden("只能为本人签到")
    elif method in (CheckinMethod.CARD, CheckinMethod.MANUAL):
        if not scope_of(actor).can(activity.union.path, WRITE_ROLES):
            raise Forbidden("只有主办工会的工作人员可以代为签到")
    else:
        raise ValidationFailed("签到方式不正确")
    if activity.status != ActivityStatus.PUBLISHED:
        raise Conflict(f"活动{activity.get_status_display()}，不能签到")
    if not activity.checkin_open():
        raise Conflict("不在签到时间内：签到时间为活动开始前1小时至活动结束", code="checkin_closed")
    refusal = _checkin_refusal(signup.status)
    if refusal:
        raise Conflict(refusal, code=f"signup_{signup.status}")
    now = timezone.now()
    with transaction.atomic():
        try:
            transition(signup, to=SignupStatus.CHECKED_IN, from_=[SignupStatus.CONFIRMED],
                       changes={"checked_in_at": now, "checkin_method": method, "checked_in_by": _who(actor)},
                       history=lambda before: _signup_history(signup, from_status=before,
                                                              to_status=SignupStatus.CHECKED_IN, actor=actor,
                                                              note=CheckinMethod(method).label, at=now))
        except Conflict:
            if Signup.objects.filter(pk=signup.pk).exists():
                signup.refresh_from_db(fields=["status"])
            raise Conflict(_checkin_refusal(signup.status) or "报名状态已变化，请刷新后重试") from None
        audit.record("activity.checkin", actor=actor, obj=activity,
                     detail={"signup": str(signup.uuid), "method": method})
        events.publish("activity.checked_in", activity_id=activity.pk, signup_id=signup.pk,
                       member_id=signup.member_id, union_id=activity.union_id)
    return signup


def _refuse_scan(actor: User, activity: Activity, message: str, *, code: str,
                 detail: dict[str, Any]) -> ValidationFailed:
    audit.record("activity.checkin", actor=actor, obj=activity, result=AuditResult.FAILURE,
                 detail={"method": CheckinMethod.CARD, "reason": message, **detail})
    return ValidationFailed(message, code=code)


def checkin_by_card(*, actor: User, activity: Activity, token: str) -> Signup:
    """Staff scan the member's e-member card (a rotating token, see members/services/card.py) and the
    member's sign-up for ``activity`` is checked in.

    Preconditions: ``activity`` came through access_activity(actor, …, write=True). The card must be
    valid now (a current member, a token neither rotated nor older than 48 hours).
    """
    token = card_token_from(token)
    member = None
    if _CARD_TOKEN.fullmatch(token):
        member = Member.objects.select_related("union", "user").filter(card_token=token).first()
    prefix = {"token_prefix": token[:6]}
    if member is None or member.anonymized_at is not None:
        raise _refuse_scan(actor, activity, INVALID_TOKEN, code="card_invalid", detail=prefix)
    if member.status not in VALID_STATUSES:
        raise _refuse_scan(actor, activity, f"会籍状态：{member.get_status_display()}",
                           code="card_invalid", detail=prefix)
    if timezone.now() - member.card_token_rotated_at > EXPIRES_AFTER:
        raise _refuse_scan(actor, activity, "二维码已过期，请会员打开电子会员卡刷新后重新出示",
                           code="card_expired", detail=prefix)
    signup = (Signup.objects.select_related("activity__union", "member__union", "member__user")
              .filter(activity=activity, member=member).order_by("-created_at").first())
    if signup is None:
        raise _refuse_scan(actor, activity, f"{member.masked_name}未报名本活动", code="not_signed_up",
                           detail={"member": str(member.uuid)})
    signup.activity = activity
    return signup_check_in(actor=actor, signup=signup, method=CheckinMethod.CARD)


def activity_by_code(code: str) -> Activity | None:
    code = (code or "").strip().rstrip("/").rsplit("/", 1)[-1]
    if not _CHECKIN_CODE.fullmatch(code):
        return None
    return Activity.objects.select_related("union").filter(checkin_code=code).first()


def checkin_by_code(*, actor: User, member: Member, code: str) -> Signup:
    """The member scans the activity's check-in code with their phone (signed in on the H5).

    Preconditions: ``member`` is the actor's own membership. An unknown or reset code is a 404.
    """
    from gonghui.core.errors import NotFound

    activity = activity_by_code(code)
    if activity is None or activity.status not in (ActivityStatus.PUBLISHED, ActivityStatus.CONCLUDED):
        raise NotFound("签到码无效或已重置，请扫描现场最新的签到码")
    signup = (Signup.objects.select_related("activity__union", "member__union", "member__user")
              .filter(activity=activity, member=member).order_by("-created_at").first())
    if signup is None:
        raise Conflict("您未报名该活动，请联系现场工作人员", code="not_signed_up")
    signup.activity = activity
    return signup_check_in(actor=actor, signup=signup, method=CheckinMethod.CODE)


# --- Ratings --------------------------------------------------------------------------------------------------


def rating_submit(*, actor: User, signup: Signup, score: int, comment: str = "") -> Rating:
    """A checked-in participant rates the activity 1–5, once (the one-to-one on the sign-up)."""
    if not is_own(actor, signup):
        raise Forbidden("只能评价本人参加的活动")
    if signup.status != SignupStatus.CHECKED_IN:
        raise Conflict("签到参加活动后才能评价", code="not_checked_in")
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationFailed("请选择1到5星", detail={"score": "请选择1到5星"})
    comment = clean_text(comment, field="comment", label="评价", max_length=300, required=False)
    try:
        with transaction.atomic():
            rating = Rating.objects.create(signup=signup, activity=signup.activity, score=score, comment=comment)
            audit.record("activity.rate", actor=actor, obj=signup.activity,
                         detail={"signup": str(signup.uuid), "score": score})
            events.publish("activity.rated", activity_id=signup.activity_id, signup_id=signup.pk, score=score)
    except IntegrityError:
        raise Conflict("您已评价过该活动", code="already_rated") from None
    return rating


# --- Photos ---------------------------------------------------------------------------------------------------


PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def sniff_image(content: bytes) -> str | None:
    """The image type by its first bytes (never by the file name or the browser's claim)."""
    kind = sniff_content_type(content)
    return kind if kind in PHOTO_TYPES else None


def photo_add(*, actor: User, activity: Activity, content: bytes, caption: str = "") -> ActivityPhoto:
    """Add a photo (JPEG, PNG or WebP by content, at most 5 MB, 30 per activity) once the activity started.

    Preconditions: ``activity`` came through access_activity(actor, …, write=True).
    """
    if activity.status not in (ActivityStatus.PUBLISHED, ActivityStatus.CONCLUDED) or not activity.has_started:
        raise Conflict("活动开始后才能上传照片")
    if not content:
        raise ValidationFailed("请选择照片", detail={"photo": "请选择照片"})
    if len(content) > MAX_PHOTO_BYTES:
        raise ValidationFailed(f"照片不能超过{MAX_PHOTO_BYTES // 1024 // 1024}MB", detail={"photo": "文件过大"},
                               code="file_too_large")
    content_type = sniff_image(content)
    if content_type is None:
        raise ValidationFailed("只能上传 JPG、PNG 或 WebP 格式的照片", detail={"photo": "格式不支持"},
                               code="bad_image")
    caption = clean_text(caption, field="caption", label="照片说明", max_length=100, required=False)
    with transaction.atomic():
        Activity.objects.select_for_update().get(pk=activity.pk)
        if ActivityPhoto.objects.filter(activity=activity).count() >= MAX_PHOTOS:
            raise Conflict(f"每个活动最多上传{MAX_PHOTOS}张照片")
        photo = ActivityPhoto(activity=activity, content_type=content_type, size=len(content), caption=caption,
                              uploaded_by=_who(actor))
        photo.image.save("photo", ContentFile(content), save=False)
        name = photo.image.name
        try:
            photo.save()
            audit.record("activity.photo_add", actor=actor, obj=activity,
                         detail={"photo": str(photo.uuid), "bytes": len(content), "type": content_type})
        except Exception:
            photo.image.storage.delete(name)
            raise
    return photo


def photo_delete(*, actor: User, photo: ActivityPhoto) -> None:
    """Remove a photo; the file goes once the deletion committed."""
    storage, name = photo.image.storage, photo.image.name
    with transaction.atomic():
        audit.record("activity.photo_delete", actor=actor, obj=photo.activity,
                     detail={"photo": str(photo.uuid)})
        ActivityPhoto.objects.filter(pk=photo.pk).delete()
        transaction.on_commit(lambda: storage.delete(name))


# --- Reminders (a periodic job) -----------------------------------------------------------------------------


def signup_remind_due(*, now: datetime | None = None) -> int:
    """Remind confirmed participants of activities that start within a day. Idempotent: each sign-up
    is claimed by a guarded update of ``reminded_at`` before its message goes out."""
    now = now or timezone.now()
    due = (Signup.objects.filter(status=SignupStatus.CONFIRMED, reminded_at__isnull=True,
                                 activity__status=ActivityStatus.PUBLISHED, activity__starts_at__gt=now,
                                 activity__starts_at__lte=now + REMIND_BEFORE)
           .select_related("activity", "member__user"))
    sent = 0
    for signup in due.iterator(chunk_size=500):
        with transaction.atomic():
            if not Signup.objects.filter(pk=signup.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            activity = signup.activity
            _tell(signup.member, f"活动提醒：{activity.title}", f"{_when(activity)}开始，地点：{activity.place}。"
                  "到场后请扫描现场签到码或出示电子会员卡签到。", activity)
            sent += 1
    return sent
