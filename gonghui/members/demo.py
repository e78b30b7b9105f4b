"""Demo members: the workflows around the demo province's members — pending and decided join
applications, an enrollment drive, open and completed transfers, and personal-information rights
requests — through the services, so that their audit rows, timelines and notifications are the real
ones; their dates are then moved back into the past so that the queues look lived-in.

The members themselves (some 20,000 real-name members over the demo tree's unions and employers,
the named worker logins among them) are synthetic data: the generator draws and writes them
(``gonghui/seed/province.py``, on the generator's people and member writer) and then calls
``build_workflows`` here with the identities and workplaces it drew (``crowd``), since an applicant
is drawn exactly as a member is. This module keeps the named logins' places, the workflow sizes
and texts, and the counts the demo command prints.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.utils import timezone

from gonghui.accounts.demo import DemoPeople
from gonghui.accounts.models import User
from gonghui.accounts.selectors import nearest_writers
from gonghui.lib.workdays import add_workdays
from gonghui.unions.demo import ANCHORS
from gonghui.unions.models import Employer, Union

from .models import (
    ApplicationStatus,
    EmploymentForm,
    EnrollmentDrive,
    GigOccupation,
    Household,
    JoinApplication,
    Member,
    MembershipHistory,
    MemberStatus,
    RightsRequest,
    RightsRequestKind,
    RightsRequestStatus,
    Transfer,
    TransferEvent,
    TransferStatus,
)
from .services import joining, rights
from .services import transfer as transfers
from .services.registry import NOTICE_VERSION

if TYPE_CHECKING:
    from gonghui.seed.qinghai import DemoTree

DEFAULT_MEMBERS = 20_000
MIN_MEMBERS = 100  # below this the workflows (transfers, requests) run out of people to pick

# The named worker logins: 王小明 works at the anchor dairy (城东区, its own union); 李骑手 delivers
# food in 城中区, a member of the delivery riders' joint union.
WORKER_PHONE, RIDER_PHONE = "13900000010", "13900000011"
RIDER_JOINT = "城中区外卖配送行业工会联合会"


def _at(day: date, rng: random.Random, *, latest: datetime | None = None) -> datetime:
    """An aware moment during office hours of ``day`` (not after ``latest``)."""
    moment = timezone.make_aware(datetime.combine(day, time(rng.randint(8, 17), rng.randrange(60))))
    return min(moment, latest) if latest is not None else moment


# --- Workflows through the services ------------------------------------------------------------------------------

PENDING = 40
DRIVE_PENDING, DRIVE_APPROVED = 8, 5
APPROVED, REJECTED, WITHDRAWN = 4, 3, 1
AWAITING_RELEASE, AWAITING_ACCEPT, COMPLETED, REFUSED, CANCELLED = 5, 5, 4, 1, 1
RIGHTS = (
    (RightsRequestKind.CORRECTION, "本人手机号已更换，请将会员信息中的手机号更新为新号码。"),
    (RightsRequestKind.CORRECTION, "学历登记有误：我已取得本科学历，请更正。"),
    (RightsRequestKind.WITHDRAW_CONSENT, "不再使用线上服务，撤回对个人信息处理的同意。"),
    (RightsRequestKind.DELETION, "已离开青海，申请删除我在平台上的个人信息。"),
)
LINKED = AWAITING_RELEASE + CANCELLED + len(RIGHTS)
APPLICANTS = PENDING + DRIVE_APPROVED + APPROVED + REJECTED + WITHDRAWN
DRIVE_UNION = "城东区快递行业工会联合会"
REJECT_REASONS = (
    "所填工作单位与申请加入的工会不符，请选择所在单位的工会重新申请。",
    "身份证号码与姓名不一致，请核对后重新提交。",
    "经核实您已在原单位工会登记会籍，请办理会籍转移，无需重新入会。",
)
TRANSFER_REASONS = ("工作调动", "更换工作单位", "家庭搬迁，到新单位就业", "原单位停产，到新单位上班")
REFUSAL = "经核实，该职工未在我单位就业，请核实后重新办理。"


@dataclass
class Workflows:
    pending: int = 0
    decided: int = 0
    open_transfers: int = 0
    closed_transfers: int = 0
    rights_requests: int = 0


def _staff(union: Union) -> User | None:
    """Writing staff nearest to ``union`` (its own, else the closest ancestor's)."""
    found = nearest_writers(union)
    return found[0] if found else None


def _submit(rng: random.Random, crowd: Any, user: User, place: Any, *,
            occupation: str = "", drive: EnrollmentDrive | None = None, submitted: datetime) -> JoinApplication:
    application = joining.application_submit(
        applicant=user, union=place.union, name=user.name, phone=user.phone, notice_version=NOTICE_VERSION,
        consented_at=submitted, drive=drive, **crowd.applicant(rng, place, occupation))
    JoinApplication.objects.filter(pk=application.pk).update(submitted_at=submitted)
    application.submitted_at = submitted
    return application


def _submitted(rng: random.Random, today: date, now: datetime, workdays_ago: int) -> datetime:
    day = add_workdays(today, -workdays_ago) if workdays_ago else today
    return _at(day, rng, latest=now - timedelta(minutes=rng.randint(5, 120)))


def _application_places(rng: random.Random, tree: DemoTree, crowd: Any) -> list[tuple[Any, str]]:
    """Where the (non-drive) applicants want to join: the anchor union, employers' unions (a third
    of them in 城东区, the named officers' district) and the joint unions of gig trades."""
    places = crowd.places
    east = tree.districts["城东区"].path
    anchor = next((e for e in tree.employers if e.name == ANCHORS[0]["name"]), None)
    east_employers = [e for e in places.established if e.union.path.startswith(east)]
    targets: list[tuple[Any, str]] = []
    if anchor is not None:
        targets += [(crowd.place(anchor.union, anchor), "")] * 2
    while len(targets) < PENDING - DRIVE_PENDING:
        roll = rng.random()
        if roll < 0.4:
            occupation = crowd.occupation(rng)
            targets.append((places.gig_place(rng, occupation), occupation))
        elif roll < 0.6 and east_employers:
            employer = rng.choice(east_employers)
            targets.append((crowd.place(employer.union, employer), ""))
        else:
            targets.append((places.regular_place(rng), ""))
    return targets


def _approve_backdated(actor: User, application: JoinApplication, decided: datetime) -> Member:
    member = joining.application_approve(actor=actor, application=application)
    JoinApplication.objects.filter(pk=application.pk).update(decided_at=decided)
    Member.objects.filter(pk=member.pk).update(join_date=timezone.localdate(decided), created_at=decided,
                                               consented_at=application.submitted_at)
    MembershipHistory.objects.filter(member=member).update(created_at=decided)
    return member


def _build_applications(rng: random.Random, tree: DemoTree, people: DemoPeople, crowd: Any,
                        applicants: list[User], today: date, now: datetime) -> Workflows:
    done = Workflows()
    places = crowd.places
    queue = iter(applicants)
    express = tree.joint[DRIVE_UNION]
    organizer = _staff(express) or people.province_admin
    drive = joining.drive_create(actor=organizer, union=express, name=f"{today.year}年快递行业集中入会",
                                 starts_on=today - timedelta(days=45), ends_on=today + timedelta(days=40))
    EnrollmentDrive.objects.filter(pk=drive.pk).update(created_at=_at(drive.starts_on, rng))
    outlets = [e for e in places.joint_employers.get(express.pk, ()) if crowd.gig_kind(e) == "express"]

    def courier() -> Any:
        return crowd.place(express, rng.choice(outlets) if outlets and rng.random() < 0.6 else None)

    # Decided first (they were submitted earlier): approved through the drive and directly, rejected.
    for i in range(DRIVE_APPROVED):
        submitted = _submitted(rng, today, now, rng.randint(15, 30))
        application = _submit(rng, crowd, next(queue), courier(), occupation=GigOccupation.COURIER,
                              drive=drive, submitted=submitted)
        _approve_backdated(organizer, application, _at(add_workdays(submitted.date(), 1 + i % 2), rng, latest=now))
        done.decided += 1
    for i in range(APPROVED + REJECTED):
        occupation = crowd.occupation(rng) if i % 3 == 2 else ""
        place = places.gig_place(rng, occupation) if occupation else places.regular_place(rng)
        submitted = _submitted(rng, today, now, rng.randint(8, 40))
        application = _submit(rng, crowd, next(queue), place, occupation=occupation, submitted=submitted)
        actor = _staff(place.union) or people.province_admin
        decided = _at(add_workdays(submitted.date(), rng.randint(1, 3)), rng, latest=now)
        if i < APPROVED:
            _approve_backdated(actor, application, decided)
        else:
            joining.application_reject(actor=actor, application=application,
                                       reason=REJECT_REASONS[(i - APPROVED) % len(REJECT_REASONS)])
            JoinApplication.objects.filter(pk=application.pk).update(decided_at=decided)
        done.decided += 1
    for _ in range(WITHDRAWN):
        user = next(queue)
        application = _submit(rng, crowd, user, places.regular_place(rng),
                              submitted=_submitted(rng, today, now, rng.randint(5, 12)))
        joining.application_withdraw(applicant=user, application=application)
        done.decided += 1

    # Pending: about a third have waited more than three working days (flagged in the queue).
    targets = [(courier(), GigOccupation.COURIER, drive) for _ in range(DRIVE_PENDING)]
    targets += [(place, occupation, None) for place, occupation in _application_places(rng, tree, crowd)]
    for i, (place, occupation, in_drive) in enumerate(targets):
        waited = rng.randint(4, 15) if i % 3 == 0 else rng.randint(0, 3)
        _submit(rng, crowd, next(queue), place, occupation=occupation, drive=in_drive,
                submitted=_submitted(rng, today, now, waited))
        done.pending += 1
    return done


def _backdate_transfer(transfer: Transfer, started: datetime, ended: datetime) -> None:
    Transfer.objects.filter(pk=transfer.pk).update(created_at=started, updated_at=ended)
    events = list(TransferEvent.objects.filter(transfer=transfer).order_by("id"))
    for i, event in enumerate(events):
        event.created_at = started if i < len(events) - 1 or len(events) == 1 else ended
    TransferEvent.objects.bulk_update(events, ["created_at"])
    MembershipHistory.objects.filter(member_id=transfer.member_id, event="transfer_start").update(created_at=started)
    MembershipHistory.objects.filter(member_id=transfer.member_id, created_at__gt=ended).exclude(
        event="transfer_start").update(created_at=ended)


def _build_transfers(rng: random.Random, tree: DemoTree, people: DemoPeople, places: Any,
                     movers: list[Member], candidates: list[Member], today: date, now: datetime) -> Workflows:
    """Open transfers in both states, completed, refused and cancelled ones, through the services."""
    done = Workflows()
    east = tree.districts["城东区"].path
    targets = places.established
    east_targets = [e for e in targets if e.union.path.startswith(east)] or targets

    def target(member: Member, i: int) -> Employer | None:
        pool = [e for e in (east_targets if i % 2 == 0 else targets) if e.union_id != member.union_id]
        return rng.choice(pool) if pool else None

    def reason() -> str:
        return rng.choice(TRANSFER_REASONS)

    # Started by the members themselves: waiting for their union to let them go (or withdrawn).
    for i, member in enumerate(movers[:AWAITING_RELEASE + CANCELLED]):
        employer = target(member, i)
        if employer is None:
            continue
        transfer = transfers.transfer_start(actor=member.user, member=member, to_union=employer.union,
                                            to_employer=employer, reason=f"{reason()}，到{employer.name}工作")
        if i < AWAITING_RELEASE:
            started = _at(add_workdays(today, -rng.randint(0, 8)), rng, latest=now - timedelta(minutes=30))
            _backdate_transfer(transfer, started, started)
            done.open_transfers += 1
        else:
            transfers.transfer_cancel(actor=member.user, transfer=transfer, reason="新单位入职推迟，暂不转会")
            started = _at(add_workdays(today, -rng.randint(10, 20)), rng)
            _backdate_transfer(transfer, started, started + timedelta(days=1))
            done.closed_transfers += 1
    # Started by the source union's staff (released at once): waiting for the target, or done.
    staffed = [m for m in candidates if _staff(m.union) is not None]
    for i, member in enumerate(staffed[:AWAITING_ACCEPT + COMPLETED + REFUSED]):
        employer = target(member, i)
        if employer is None:
            continue
        source = _staff(member.union)
        transfer = transfers.transfer_start(actor=source, member=member, to_union=employer.union,
                                            to_employer=employer, reason=reason())
        if i < AWAITING_ACCEPT:
            started = _at(add_workdays(today, -rng.randint(1, 10)), rng, latest=now - timedelta(minutes=30))
            _backdate_transfer(transfer, started, started)
            done.open_transfers += 1
            continue
        receiver = _staff(employer.union) or people.province_admin
        started = _at(today - timedelta(days=rng.randint(30, 200)), rng)
        ended = _at(add_workdays(started.date(), rng.randint(1, 4)), rng)
        if i < AWAITING_ACCEPT + COMPLETED:
            transfers.transfer_accept(actor=receiver, transfer=transfer, note="已接收，欢迎加入")
        else:
            transfers.transfer_refuse(actor=receiver, transfer=transfer, reason=REFUSAL)
        _backdate_transfer(transfer, started, ended)
        done.closed_transfers += 1
    return done


def _build_rights(rng: random.Random, members: list[Member], today: date, now: datetime) -> int:
    made = 0
    for member, (kind, details) in zip(members, RIGHTS, strict=False):
        request = rights.rights_request_create(actor=member.user, member=member, kind=kind, details=details)
        created = _at(add_workdays(today, -rng.randint(0, 6)), rng, latest=now - timedelta(minutes=10))
        RightsRequest.objects.filter(pk=request.pk).update(created_at=created)
        made += 1
    return made


# --- The builder ---------------------------------------------------------------------------------------------------


@dataclass
class DemoMembers:
    members: int = 0
    workflows: Workflows = field(default_factory=Workflows)


def build_workflows(rng: random.Random, tree: DemoTree, people: DemoPeople, crowd: Any, *, members: list[Member],
                    applicants: list[User]) -> DemoMembers:
    """The workflow records around the demo's members, through the services: join applications
    (pending and decided, an enrollment drive), transfers in every state and rights requests.

    ``crowd`` draws who an applicant is and where people work (``gonghui.seed.province.Crowd``: the
    same drawing as the members'); ``members`` are the members just inserted, in insertion order,
    ``applicants`` the worker accounts that apply to join. Preconditions: inside a transaction.
    """
    today = timezone.localdate()
    now = timezone.now()
    done = DemoMembers(members=len(members))
    done.workflows = _build_applications(rng, tree, people, crowd, applicants, today, now)
    with_user = [m for m in members if m.user_id is not None and m.user_id not in
                 {people.named[p].pk for p in (WORKER_PHONE, RIDER_PHONE) if p in people.named}]
    rng.shuffle(with_user)
    linked_ids = {m.pk for m in with_user}
    candidates = [m for m in members if m.status == MemberStatus.ACTIVE and m.user_id is None
                  and m.pk not in linked_ids and not m.gig_occupation and (today - m.join_date).days > 365]
    candidates = rng.sample(candidates, min(len(candidates), 40))
    moved = _build_transfers(rng, tree, people, crowd.places, with_user[:AWAITING_RELEASE + CANCELLED], candidates,
                             today, now)
    done.workflows.open_transfers, done.workflows.closed_transfers = moved.open_transfers, moved.closed_transfers
    done.workflows.rights_requests = _build_rights(rng, with_user[AWAITING_RELEASE + CANCELLED:], today, now)
    return done


def counts() -> dict[str, Any]:
    """What the registry holds, for the demo command's summary."""
    members = Member.objects.aggregate(
        total=Count("id"), current=Count("id", filter=Q(status__in=[MemberStatus.ACTIVE, MemberStatus.TRANSFERRING])),
        gig=Count("id", filter=Q(employment_form=EmploymentForm.GIG)),
        migrant=Count("id", filter=Q(household=Household.AGRICULTURAL)),
        model=Count("id", filter=~Q(model_worker_level="")), hardship=Count("id", filter=~Q(hardship_level="")),
        linked=Count("id", filter=Q(user__isnull=False)),
    )
    applications = Counter(JoinApplication.objects.values_list("status", flat=True))
    transfer_states = Counter(Transfer.objects.values_list("status", flat=True))
    return {
        **members,
        "applications": {ApplicationStatus(s).label: n for s, n in sorted(applications.items())},
        "pending": applications.get(ApplicationStatus.PENDING, 0),
        "drives": EnrollmentDrive.objects.count(),
        "open_transfers": sum(transfer_states.get(s, 0) for s in transfers.OPEN_STATUSES),
        "transfers": {TransferStatus(s).label: n for s, n in sorted(transfer_states.items())},
        "rights_pending": RightsRequest.objects.filter(status=RightsRequestStatus.PENDING).count(),
    }

