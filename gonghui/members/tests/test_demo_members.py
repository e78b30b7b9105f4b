"""The members part of the demo (`python -m gonghui demo --members N`): valid identities, the spread
over the tree, gig workers, cards and history, the workflow records, the named worker logins, and
no plaintext personal information in the database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.core.fields import lookup_index
from gonghui.lib.idcard import parse_id_number
from gonghui.lib.workdays import add_workdays
from gonghui.members.demo import DRIVE_UNION, RIDER_JOINT, RIDER_PHONE, WORKER_PHONE
from gonghui.members.models import (
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
    RightsRequestStatus,
    Transfer,
    TransferStatus,
)
from gonghui.seed.qinghai import CITIES
from gonghui.unions.demo import ANCHOR_GRASSROOTS
from gonghui.unions.models import Union, UnionKind, UnionLevel

MEMBERS = 300
DISTRICT_CODES = {d.code for city in CITIES for d in city.districts}
REGION_CODES = DISTRICT_CODES | {city.code for city in CITIES} | {"630000"}
OPEN = (TransferStatus.AWAITING_RELEASE, TransferStatus.AWAITING_ACCEPT)


@pytest.fixture(scope="module")
def demo_output(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """One small demo for the whole module, rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("demo", employers=60, workers=3, members=MEMBERS, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_output")]


def members() -> list[Member]:
    return list(Member.objects.select_related("union", "employer"))


def transferred_in() -> set[int]:
    return set(MembershipHistory.objects.filter(event="transfer_in").values_list("member_id", flat=True))


def test_it_prints_the_member_counts(demo_output: str) -> None:
    assert "会员 3" in demo_output and "新就业形态劳动者" in demo_output
    assert "入会申请" in demo_output and "会籍转移" in demo_output


def test_it_gives_every_member_a_valid_id_number_of_their_district() -> None:
    moved = transferred_in()
    everyone = members()

    assert len(everyone) >= MEMBERS
    for member in everyone:
        parsed = parse_id_number(member.id_number)
        assert parsed.number == member.id_number
        assert (parsed.gender, parsed.birth_date) == (member.gender, member.birth_date)
        assert date(1965, 1, 1) <= member.birth_date <= date(2004, 12, 31)
        assert parsed.region_code in DISTRICT_CODES
        if member.pk in moved:
            continue  # the ID number was issued where they worked before the transfer
        if member.employer is not None:
            assert parsed.region_code == member.employer.uscc[2:8]  # where the employer is registered
        elif len(member.union.region_code) == 9:
            assert parsed.region_code == member.union.region_code[:6]
    assert len({m.id_number for m in everyone}) == len(everyone)
    assert len({m.phone for m in everyone}) == len(everyone)


def test_it_makes_about_fifteen_percent_gig_workers_mostly_in_joint_and_street_unions() -> None:
    everyone = members()
    gig = [m for m in everyone if m.employment_form == EmploymentForm.GIG]

    assert 0.11 <= len(gig) / len(everyone) <= 0.20
    assert all(m.gig_occupation in GigOccupation.values for m in gig)
    assert all(m.gig_occupation == "" for m in everyone if m.employment_form == EmploymentForm.REGULAR)
    occupations = Counter(m.gig_occupation for m in gig)
    assert occupations.most_common(1)[0][0] in (GigOccupation.FOOD_DELIVERY, GigOccupation.COURIER)
    outside = [m for m in gig if m.union.kind == UnionKind.JOINT or m.union.level == UnionLevel.STREET]
    assert len(outside) / len(gig) >= 0.7
    migrants = sum(1 for m in everyone if m.household == Household.AGRICULTURAL) / len(everyone)
    assert 0.3 <= migrants <= 0.5


def test_it_places_members_at_employers_of_their_unions_in_the_tree() -> None:
    province = Union.objects.get(name="青海省总工会")
    everyone = members()
    today = timezone.localdate()

    assert all(m.union.path.startswith(province.path) for m in everyone)
    assert all(m.employer.union_id == m.union_id for m in everyone if m.employer is not None)
    grassroots = [m for m in everyone if m.union.kind == UnionKind.GRASSROOTS]
    assert len(grassroots) / len(everyone) >= 0.6
    assert all(m.employer is not None and m.union.name == f"{m.employer.name}工会" for m in grassroots)
    assert len({m.union_id for m in everyone}) >= 20
    assert all(today - timedelta(days=10 * 366) <= m.join_date <= today for m in everyone)
    statuses = Counter(m.status for m in everyone)
    assert statuses[MemberStatus.ACTIVE] / len(everyone) >= 0.9
    assert set(statuses) <= {MemberStatus.ACTIVE, MemberStatus.TRANSFERRING, MemberStatus.LEFT}


def test_it_gives_unique_card_numbers_and_a_join_history_row_to_every_member() -> None:
    everyone = members()
    history: dict[int, list[MembershipHistory]] = {}
    for row in MembershipHistory.objects.order_by("created_at", "id"):
        history.setdefault(row.member_id, []).append(row)

    cards = [m.card_no for m in everyone]
    assert all(cards) and len(set(cards)) == len(cards)
    for member in everyone:
        assert len(member.card_no) == 16 and member.card_no[6:] == f"{member.pk:010d}"
        assert member.card_no[:6] in REGION_CODES  # the union's (or its nearest ancestor's) region
        rows = history[member.pk]
        assert rows[0].event == "join" and rows[0].to_status == MemberStatus.ACTIVE
        assert rows[-1].to_status == member.status
    assert any(m.status == MemberStatus.LEFT for m in everyone)


def test_it_keeps_open_transfers_and_transferring_members_in_step() -> None:
    transfers = list(Transfer.objects.select_related("member").prefetch_related("events"))
    open_members = {t.member_id for t in transfers if t.status in OPEN}
    states = Counter(t.status for t in transfers)

    assert open_members == set(Member.objects.filter(status=MemberStatus.TRANSFERRING).values_list("pk", flat=True))
    assert states[TransferStatus.AWAITING_RELEASE] >= 3 and states[TransferStatus.AWAITING_ACCEPT] >= 3
    assert states[TransferStatus.COMPLETED] >= 2
    moved = transferred_in()
    for transfer in transfers:
        events = list(transfer.events.all())
        assert events and events[-1].to_status == transfer.status
        if transfer.status == TransferStatus.COMPLETED:
            assert transfer.member.union_id == transfer.to_union_id and transfer.member_id in moved
            assert transfer.created_at < timezone.now() - timedelta(days=7)
        else:
            assert transfer.member.union_id == transfer.from_union_id


def test_it_leaves_pending_applications_some_waiting_more_than_three_working_days() -> None:
    today = timezone.localdate()
    pending = list(JoinApplication.objects.filter(status=ApplicationStatus.PENDING))
    overdue = [a for a in pending if add_workdays(timezone.localdate(a.submitted_at), 3) < today]
    drive = EnrollmentDrive.objects.get(union__name=DRIVE_UNION)
    approved = JoinApplication.objects.filter(status=ApplicationStatus.APPROVED)

    assert len(pending) >= 30
    assert 5 <= len(overdue) < len(pending)
    assert "快递行业集中入会" in drive.name
    assert drive.applications.filter(status=ApplicationStatus.PENDING).exists()
    assert approved.filter(drive=drive, member__isnull=False).count() >= 3
    assert all(a.member.user_id == a.applicant_id for a in approved.select_related("member"))
    assert all(a.reason for a in JoinApplication.objects.filter(status=ApplicationStatus.REJECTED))
    assert JoinApplication.objects.filter(status=ApplicationStatus.REJECTED).exists()
    # Applicants are not members yet: the queue's decisions can still be made.
    applicants = {a.applicant_id for a in pending}
    assert not Member.objects.filter(user_id__in=applicants).exists()
    assert RightsRequest.objects.filter(status=RightsRequestStatus.PENDING).count() >= 3


def test_it_makes_the_named_worker_logins_members_with_a_card() -> None:
    for phone, union, occupation in ((WORKER_PHONE, ANCHOR_GRASSROOTS, ""),
                                     (RIDER_PHONE, RIDER_JOINT, GigOccupation.FOOD_DELIVERY)):
        user = User.objects.by_phone(phone).get()
        member = Member.objects.select_related("union", "employer").get(user=user)
        assert member.union.name == union and member.gig_occupation == occupation
        assert member.status == MemberStatus.ACTIVE and member.name == user.name and member.phone == phone
        assert member.employer is not None
        client = Client()
        client.force_login(user, backend="gonghui.accounts.auth.PhoneBackend")
        page = client.get("/members/card/").content.decode()
        assert member.card_no[-4:] in page and union in page
    assert Member.objects.filter(user__isnull=False).count() >= 10


def test_it_stores_no_plaintext_id_number_or_phone() -> None:
    plain = {m.id_number for m in Member.objects.all()} | {m.phone for m in Member.objects.all()}
    plain |= {a.id_number for a in JoinApplication.objects.all()} | {a.phone for a in JoinApplication.objects.all()}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, id_index, phone_index, name, card_no FROM members_member")
        rows = cursor.fetchall()
        cursor.execute("SELECT id_number, phone, id_index FROM members_joinapplication")
        rows += cursor.fetchall()

    assert len(rows) >= MEMBERS
    sample = Member.objects.order_by("pk")[MEMBERS // 2]
    # bulk_create ran the fields' pre_save: the blind indexes find the member by exact value.
    assert Member.objects.get(id_index=lookup_index(Member, "id_index", sample.id_number)) == sample
    assert Member.objects.get(phone_index=lookup_index(Member, "phone_index", sample.phone)) == sample
    for row in rows:
        assert row[0].startswith("g1:") and row[1].startswith("g1:")
        text = " ".join(str(value) for value in row)
        assert not any(value in text for value in plain)


def test_it_refuses_too_few_members_for_the_workflows() -> None:
    with pytest.raises(CommandError, match="会员人数"):
        call_command("demo", members=50, stdout=StringIO())
