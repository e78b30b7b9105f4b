"""Claiming an existing member record (实名认证绑定).

Members imported from a roster or entered by staff have no account. A worker signs in (or registers
with an SMS code), then proves who they are: name + ID number as on the record, and the phone on
file where there is one — the account's phone must be that phone; a record without a phone takes
the account's phone. Either way the account's phone is proved again with a fresh SMS code
(purpose ``claim``), so an account whose phone was never verified cannot bind a record.

What the worker is told never says whose record an ID number is: no such ID number, a wrong name
and a different phone all get ``MISMATCH``, with the way to ask the union to correct the record
(``claim_correction_request``, an ordinary correction request of the members' rights feature).
Attempts are limited per account and per client address (core.ratelimit) and every refusal is
audited with the real reason, for the union's auditors only.

Binding is one guarded update (``… WHERE user_id IS NULL``): of two accounts claiming the same record
at once exactly one wins; the one-to-one ``Member.user`` keeps one account from holding two records.

Staff side: ``claim_counts`` (已认证 / 未认证 per union, from the same rule as the cockpit's
``members.claimed``) and ``claim_invite_start``: a core.jobs job that texts every unclaimed member
of a union who has a phone on file an invitation with the union's name and the site's link only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.verification import account_code_send, code_verify
from gonghui.core import audit, context, jobs, ratelimit
from gonghui.core.errors import Conflict, TooManyRequests, ValidationFailed
from gonghui.core.fields import lookup_index
from gonghui.core.models import AuditResult, Job
from gonghui.core.notify import notify, send_sms
from gonghui.core.validation import clean_person_name, clean_text
from gonghui.lib.masking import mask_name, mask_phone
from gonghui.lib.phone import InvalidPhone, normalize_phone
from gonghui.unions.models import Union

from ..models import Member, RightsRequestKind
from .registry import clean_id_number, record_history

if TYPE_CHECKING:
    from gonghui.accounts.models import User

PURPOSE = "claim"
ACCOUNT_LIMIT = 5  # attempts per account per window
IP_LIMIT = 20  # attempts per client address per window (a shared NAT: a canteen, a dormitory)
WINDOW = 3600
INVITE_WINDOW = 24 * 3600  # one invitation run per union per day

MISMATCH = ("未能核实您的会员信息。请确认姓名、身份证号码与工会登记的一致，并使用在工会登记的手机号登录。"
            "如确认无误仍无法认证，可申请工会更正登记信息。")
THROTTLED = "认证尝试次数过多，请1小时后再试；如信息有误，可申请工会更正登记信息"
CLAIMED_ELSEWHERE = "该会员信息已绑定其他账号。如非本人操作，请联系所在工会或拨打12351"
ALREADY_BOUND = "您的账号已绑定会员信息，无需重复认证"
CORRECTION_DONE = ("更正申请已提交。如工会登记中有与该身份证号码对应的会员，所属工会将核实并更正，完成后请再次认证；"
                   "如您尚未加入工会，请申请入会。")


def _same_name(a: str, b: str) -> bool:
    """Names compare without white space and with one middle dot (少数民族姓名: 买买提·艾力)."""
    def fold(value: str) -> str:
        return "".join(value.split()).replace("•", "·").replace("．", "·").replace(".", "·")
    return fold(a) == fold(b)


def _same_phone(a: str | None, b: str | None) -> bool:
    try:
        return bool(a and b) and normalize_phone(a or "") == normalize_phone(b or "")
    except InvalidPhone:
        return False


def _throttle(actor: User, action: str) -> None:
    """Count one attempt for the account and for the client address; refuse (audited) past the limit."""
    ip = context.current().ip
    try:
        ratelimit.hit(f"{action}:user:{actor.pk}", limit=ACCOUNT_LIMIT, window=WINDOW, message=THROTTLED)
        if ip:
            ratelimit.hit(f"{action}:ip:{ip}", limit=IP_LIMIT, window=WINDOW, message=THROTTLED)
    except TooManyRequests:
        audit.record(action, actor=actor, result=AuditResult.DENIED, subject="实名认证绑定",
                     detail={"reason": "throttled"})
        raise


def claim_code_send(*, actor: User) -> None:
    """Text a claim code to the signed-in account's own phone (the verification service's limits)."""
    if not actor.phone:
        raise ValidationFailed("您的账号没有手机号，请先绑定手机号")
    account_code_send(user=actor, purpose=PURPOSE)


def _find(id_number: str) -> Member | None:
    index = lookup_index(Member, "id_index", id_number)
    return (Member.objects.current().filter(id_index=index, anonymized_at__isnull=True)
            .select_related("union").first() if index else None)


def member_claim(*, actor: User, name: str, id_number: str, code: str) -> Member:
    """Bind ``actor``'s account to the member record with this name and ID number.

    Preconditions: ``actor`` is a signed-in account; not called inside a transaction that the caller
    rolls back on failure (the refusals' audit rows and the code's tries must stay). Raises
    ValidationFailed (MISMATCH, a malformed ID number, a wrong code), Conflict (the account already
    has a record, the record is bound to another account, a lost race), TooManyRequests.
    """
    if Member.objects.filter(user=actor).exists():
        raise Conflict(ALREADY_BOUND, code="already_claimed")
    _throttle(actor, "member.claim")
    name = clean_person_name(name, label="真实姓名")
    number = clean_id_number(id_number).number
    member = _find(number)
    reason = ""
    if member is None:
        reason = "no_record"
    elif not _same_name(member.name, name):
        reason = "name"
    elif member.phone and not _same_phone(member.phone, actor.phone):
        reason = "phone"
    if reason:
        audit.record("member.claim", actor=actor, union=member.union if member else None, result=AuditResult.DENIED,
                     subject="实名认证绑定", detail={"reason": reason})
        raise ValidationFailed(MISMATCH, code="claim_mismatch")
    assert member is not None
    if member.user_id is not None:
        audit.record("member.claim", actor=actor, obj=member, result=AuditResult.DENIED,
                     detail={"reason": "claimed_elsewhere"})
        raise Conflict(CLAIMED_ELSEWHERE, code="claimed_elsewhere")
    code_verify(phone=actor.phone, code=code, purpose=PURPOSE)
    now = timezone.now()
    try:
        with transaction.atomic():
            # The guarded bind: of two accounts racing for one record, one update finds user_id NULL.
            bound = Member.objects.filter(pk=member.pk, user__isnull=True).update(user=actor, updated_at=now)
            if not bound:
                raise Conflict(CLAIMED_ELSEWHERE, code="claimed_elsewhere")
            member.user = actor
            took_phone = not member.phone
            if took_phone:
                member.phone = normalize_phone(actor.phone)
                member.save(update_fields=["phone", "phone_index", "updated_at"])
            record_history(member, event="claimed", from_status=member.status, to_status=member.status,
                           from_union=member.union, to_union=member.union, actor=actor,
                           reason="实名认证绑定账号" + ("（登记手机号）" if took_phone else ""))
            audit.record("member.claim", actor=actor, obj=member, detail={"took_phone": took_phone})
            notify(actor, "实名认证成功",
                   f"您的账号已绑定“{member.union.name}”的会员信息，可使用电子会员卡和会员服务。",
                   url=reverse("members:card"))
    except IntegrityError:
        # member_user_id unique: the same account bound another record in a parallel request.
        raise Conflict(ALREADY_BOUND, code="already_claimed") from None
    except Conflict:
        audit.record("member.claim", actor=actor, obj=member, result=AuditResult.DENIED,
                     detail={"reason": "lost_race"})
        raise
    return member


def claim_correction_request(*, actor: User, name: str, id_number: str, details: str = "") -> str:
    """After a mismatch: ask the union to correct its record. The answer is the same whether or not a
    record has this ID number; when one has, it gets an ordinary correction request (更正个人信息) with
    what the worker typed and their account's masked phone, handled on the console's rights page.

    Preconditions as for ``member_claim`` (it counts against the same limits). Returns the message.
    """
    from .rights import rights_request_create

    if Member.objects.filter(user=actor).exists():
        raise Conflict(ALREADY_BOUND, code="already_claimed")
    _throttle(actor, "member.claim_correction")
    name = clean_person_name(name, label="真实姓名")
    number = clean_id_number(id_number).number
    details = clean_text(details, field="details", label="说明", max_length=300, required=False, multiline=True)
    member = _find(number)
    if member is None or member.user_id is not None:
        audit.record("member.claim_correction", actor=actor, union=member.union if member else None,
                     result=AuditResult.DENIED, subject="实名认证绑定",
                     detail={"reason": "no_record" if member is None else "claimed_elsewhere"})
    else:
        text = (f"【实名认证未通过，申请更正登记信息】申请人填写的姓名：{name}；"
                f"申请人登录手机：{mask_phone(actor.phone)}。"
                f"登记信息：{mask_name(member.name)}，手机{member.masked_phone or '未登记'}。"
                "请核实本人身份后更正，申请人更正后可再次认证。" + (f"申请人说明：{details}" if details else ""))
        try:
            rights_request_create(actor=actor, member=member, kind=RightsRequestKind.CORRECTION, details=text)
        except Conflict:
            pass  # a correction request is pending already: the same answer, nothing more to file
    notify(actor, "更正申请已提交", CORRECTION_DONE, url=reverse("members:claim"))
    return CORRECTION_DONE


# --- Staff: who has claimed, and the invitation ---------------------------------------------------------


def claimed_q() -> Q:
    """已认证: the record is bound to an account (claimed, or joined online)."""
    return Q(user__isnull=False)


def claim_counts(queryset: QuerySet[Member], *, limit: int | None = None) -> dict[str, int]:
    """已认证 / 未认证 among ``queryset`` (already scoped and filtered), in one query; with ``limit``,
    among at most that many of its rows (exact when ``total`` comes out below the limit)."""
    rows = queryset.order_by()
    if limit is not None:
        rows = Member.objects.filter(pk__in=rows.values("pk")[:limit])
    row = rows.aggregate(total=Count("pk"), claimed=Count("pk", filter=claimed_q()))
    total, claimed = row["total"] or 0, row["claimed"] or 0
    return {"total": total, "claimed": claimed, "unclaimed": total - claimed,
            "rate": round(100 * claimed / total, 1) if total else None}


def invitees(union: Union) -> QuerySet[Member]:
    """Members of ``union``'s subtree who are in the union now, have not claimed, and have a phone."""
    return (Member.objects.current().filter(union__path__startswith=union.path, user__isnull=True,
                                            phone_index__isnull=False, anonymized_at__isnull=True))


def invitation_text(union: Union, site_url: str) -> str:
    """The SMS: the union's name and the site's link, nothing about the person."""
    return (f"【工会】{union.name}邀请您登录 {site_url} 完成实名认证，绑定会员信息后即可使用电子会员卡和各项会员服务。"
            "如非会员本人请忽略。")


def claim_invite_start(*, actor: User, union: Union, site_url: str) -> Job:
    """Queue the invitation SMS to ``union``'s unclaimed members. Once per union per day.

    Preconditions: ``union`` came through access_union_for_work(actor, …, write) or an equivalent gate.
    """
    if not site_url.startswith(("http://", "https://")):
        raise ValidationFailed("站点地址无效")
    try:
        ratelimit.hit(f"members.claim_invite:{union.pk}", limit=1, window=INVITE_WINDOW,
                      message="该工会今天已发送过认证邀请短信，请明天再试")
    except TooManyRequests:
        audit.record("member.claim_invite", actor=actor, union=union, result=AuditResult.DENIED,
                     subject="认证邀请短信", detail={"reason": "throttled"})
        raise
    count = invitees(union).count()
    if not count:
        raise Conflict("没有需要邀请的会员：未认证的会员都没有登记手机号，或全部已认证", code="nobody_to_invite")
    with transaction.atomic():
        job = jobs.job_start(kind="members.claim_invite", title=f"发送认证邀请短信：{union.name}"[:120], owner=actor,
                             union=union, params={"union_id": union.pk, "site_url": site_url[:200]},
                             result_url=reverse("members:list") + f"?union={union.uuid}&claimed=no")
        audit.record("member.claim_invite", actor=actor, union=union, subject="认证邀请短信",
                     detail={"members": count, "job": str(job.uuid)})
    return job


@jobs.handler("members.claim_invite")
def claim_invite_job(job: Job) -> jobs.Outcome:
    """Text the invitation to each invitee, in steps of 500 ids (the SMS leaves after each step's commit).

    Gated again through the owner's scope. A rerun after a crash texts only those not yet texted by
    this job (the progress kept in ``job.params["done_after"]``)."""
    union = Union.objects.visible_to(job.owner).filter(pk=job.params.get("union_id")).first()
    if union is None:
        raise jobs.JobFailed("未找到该工会，或您已无权管理该工会")
    site_url = job.params.get("site_url", "")
    text = invitation_text(union, site_url)
    qs = invitees(union).order_by("pk")
    after = int(job.params.get("done_after") or 0)
    total = qs.count()
    done = qs.filter(pk__lte=after).count()
    sent = 0
    while True:
        batch = list(qs.filter(pk__gt=after).values_list("pk", "phone")[:500])
        if not batch:
            break
        with transaction.atomic():
            for _pk, phone in batch:
                send_sms(phone, text)
            after = batch[-1][0]
            job.params = {**job.params, "done_after": after}
            Job.objects.filter(pk=job.pk).update(params=job.params)
        sent += len(batch)
        done += len(batch)
        jobs.report(done, total)
    audit.record("member.claim_invite_sent", actor=job.owner, union=union, subject="认证邀请短信",
                 detail={"sent": sent})
    return jobs.Outcome(summary=f"已向 {sent} 名未认证会员发送认证邀请短信")



def claimable(user: Any) -> bool:
    """Whether the 实名认证 entry applies to ``user``: signed in and not bound to a record yet."""
    return bool(getattr(user, "is_authenticated", False)) and not Member.objects.filter(user=user).exists()
