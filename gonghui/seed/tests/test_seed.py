"""The synthetic data generator (``gonghui seed``): exact sizes, the same data for the same seed, the
modules' invariants, valid identifiers, everything inside the seeded tree, and clear refusals.

One small dataset is built per module (rolled back at the end); the tests that need a fresh run of
their own build it below a union made for them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from gonghui.activities.models import Activity, ActivityStatus, Signup, SignupStatus
from gonghui.appeals.models import CaseCounter, Status, Ticket, TicketEvent
from gonghui.benefits.models import Campaign, CampaignStatus, Coupon, CouponStatus
from gonghui.lib.crypto import blind_index
from gonghui.lib.idcard import parse_id_number
from gonghui.lib.uscc import normalize_uscc
from gonghui.market.models import Batch, Offering, Order, OrderStatus, Review
from gonghui.members.models import Member, MemberStatus, Transfer
from gonghui.seed import ROOT_NAME, SeedError, Summary, people, seed
from gonghui.unions.models import Employer, Union, UnionKind, UnionLevel
from gonghui.unions.services import union_create

TODAY = date(2026, 3, 15)
SIZES = {"unions": 40, "employers": 60, "members": 1500, "orders": 1500, "tickets": 800, "coupons": 900,
         "signups": 700}


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Summary]:
    """One dataset for the module, in a transaction rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed(**SIZES, today=TODAY)
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def under(root: Union, model: Any, path: str = "union__path") -> Any:
    return model.objects.filter(**{f"{path}__startswith": root.path})


def test_it_makes_exactly_the_requested_counts(seeded: Summary) -> None:
    root = seeded.root
    assert root.name == ROOT_NAME and root.level == UnionLevel.PROVINCE
    assert Union.objects.subtree(root).count() == SIZES["unions"]
    assert under(root, Employer).count() == SIZES["employers"]
    assert under(root, Member).count() == SIZES["members"]
    assert under(root, Order).count() == SIZES["orders"]
    assert Ticket.objects.count() == SIZES["tickets"]
    assert under(root, Coupon, "campaign__union__path").count() == SIZES["coupons"]
    assert under(root, Signup, "activity__union__path").count() == SIZES["signups"]
    levels = Counter(Union.objects.subtree(root).values_list("level", flat=True))
    assert levels[UnionLevel.GRASSROOTS] > SIZES["unions"] / 2  # most unions are grassroots
    assert all(levels[level] for level in UnionLevel.values if level != UnionLevel.NATIONAL)


def test_it_gives_the_same_data_for_the_same_seed(seeded: Summary) -> None:
    def run() -> list[Any]:
        with transaction.atomic():
            province = union_create(actor=None, parent=None, name="重放省总工会", level=UnionLevel.PROVINCE,
                                    region_code="640000", audited=False)
            seed(unions=12, employers=15, members=200, orders=150, tickets=120, coupons=150, signups=100,
                 today=TODAY, under=province)
            found = fingerprint(province)
            transaction.set_rollback(True)
        return found

    first, second = run(), run()
    assert first == second
    assert len(first[2]) == 200 and len(first[4]) == 120 and len(first[6]) == 100  # what was compared


def fingerprint(root: Union) -> list[Any]:
    """What must repeat: names, blind indexes of ID numbers and phones, statuses, dates, numbers."""
    members = under(root, Member)
    return [
        sorted(Union.objects.subtree(root).values_list("name", "level", "kind", "region_code")),
        sorted(under(root, Employer).values_list("name", "uscc", "size", "union_established", "employee_count")),
        sorted(members.values_list("name", "id_index", "phone_index", "gender", "birth_date", "join_date", "status",
                                   "gig_occupation", "created_at", "union__name", "employer__name")),
        sorted(under(root, Order).values_list("member__id_index", "offering__title", "batch__name", "status",
                                              "placed_at", "delivered_at", "confirmed_at", "cancelled_by")),
        sorted(under(root, Ticket).values_list("number", "kind", "topic", "status", "person_name", "phone_index",
                                               "created_at", "closed_at", "on_time", "rating", "union__name")),
        sorted(under(root, Coupon, "campaign__union__path").values_list(
            "member__id_index", "campaign__name", "seq", "status", "created_at", "redeemed_at", "discount_cents")),
        sorted(under(root, Signup, "activity__union__path").values_list(
            "member__id_index", "activity__title", "activity__starts_at", "status", "created_at", "checked_in_at")),
    ]


def test_it_keeps_every_counter_equal_to_the_rows_it_counts(seeded: Summary) -> None:
    held = ~Q(orders__status=OrderStatus.CANCELLED)  # a no-show keeps its place (order_mark_no_show)
    batches = Batch.objects.annotate(n=Count("orders", filter=held))
    assert not batches.exclude(taken=F("n")).exists()
    assert not Batch.objects.filter(taken__gt=F("capacity")).exists()
    served = Q(orders__status__in=[OrderStatus.CONFIRMED, OrderStatus.REVIEWED])
    assert not Offering.objects.annotate(n=Count("orders", filter=served)).exclude(served_count=F("n")).exists()
    assert not Offering.objects.annotate(n=Count("reviews")).exclude(rating_count=F("n")).exists()
    for offering in Offering.objects.filter(rating_count__gt=0)[:20]:
        assert offering.rating_sum == sum(offering.reviews.values_list("rating", flat=True))
    places = Activity.objects.annotate(n=Count("signups", filter=Q(signups__status__in=[
        SignupStatus.CONFIRMED, SignupStatus.CHECKED_IN])))
    assert not places.exclude(taken=F("n")).exists()
    assert not Activity.objects.filter(taken__gt=F("quota")).exists()
    assert not Activity.objects.filter(status=ActivityStatus.CANCELLED, taken__gt=0).exists()
    for campaign in Campaign.objects.all():
        coupons = Coupon.objects.filter(campaign=campaign)
        redeemed = coupons.filter(status=CouponStatus.REDEEMED)
        assert campaign.issued_count == coupons.count() <= campaign.budget_count
        assert campaign.issued_cents == campaign.issued_count * campaign.unit_cents <= campaign.budget_cents
        assert campaign.redeemed_count == redeemed.count()
        assert campaign.redeemed_cents == sum(redeemed.values_list("discount_cents", flat=True))
        over = coupons.values("member").annotate(n=Count("id")).filter(n__gt=campaign.per_member_limit)
        assert not over.exists()


def test_it_sets_the_timestamps_each_status_carries(seeded: Summary) -> None:
    orders = Order.objects.all()
    assert not orders.filter(status__in=[OrderStatus.CONFIRMED, OrderStatus.REVIEWED],
                             confirmed_at__isnull=True).exists()
    assert not orders.filter(status__in=[OrderStatus.DELIVERED, OrderStatus.CONFIRMED, OrderStatus.REVIEWED],
                             delivered_at__isnull=True).exists()
    assert not orders.filter(status=OrderStatus.PLACED).exclude(server_name="").exists()
    assert not orders.filter(status=OrderStatus.CANCELLED, cancelled_by="").exists()
    assert not orders.filter(delivered_at__lt=F("placed_at")).exists()
    assert not orders.filter(confirmed_at__lt=F("delivered_at")).exists()
    assert Review.objects.count() == orders.filter(status=OrderStatus.REVIEWED).count()
    tickets = Ticket.objects.all()
    assert not tickets.filter(status=Status.CLOSED).filter(Q(closed_at__isnull=True) | Q(on_time__isnull=True)).exists()
    assert not tickets.exclude(status=Status.CLOSED).filter(Q(closed_at__isnull=False) | Q(on_time__isnull=False)
                                                            ).exists()
    assert not tickets.exclude(rating="").filter(rated_at__isnull=True).exists()
    assert not tickets.filter(rating="", rated_at__isnull=False).exists()
    assert not tickets.filter(closed_at__lt=F("created_at")).exists()
    for ticket in tickets.filter(status=Status.CLOSED):
        assert ticket.on_time == (timezone.localtime(ticket.closed_at).date() <= ticket.due_on)
    coupons = Coupon.objects.all()
    assert not coupons.filter(status=CouponStatus.REDEEMED).filter(
        Q(redeemed_at__isnull=True) | Q(redeemed_partner__isnull=True) | Q(discount_cents__isnull=True)).exists()
    assert not coupons.filter(redeemed_at__lt=F("created_at")).exists()
    signups = Signup.objects.all()
    assert not signups.filter(status=SignupStatus.CHECKED_IN, checked_in_at__isnull=True).exists()
    assert not signups.filter(status=SignupStatus.CANCELLED, cancelled_at__isnull=True).exists()
    assert not signups.filter(status=SignupStatus.WAITLISTED, activity__taken__lt=F("activity__quota")).exists()
    transferring = under(seeded.root, Member).filter(status=MemberStatus.TRANSFERRING)
    assert transferring.count() == Transfer.objects.filter(member__in=transferring,
                                                           status__in=["awaiting_release", "awaiting_accept"]).count()


def test_it_leaves_nothing_after_the_anchor_days_midnight(seeded: Summary) -> None:
    now = timezone.make_aware(datetime.combine(TODAY, time()))
    happened = {Order: ("placed_at", "delivered_at", "confirmed_at"), Review: ("created_at",),
                Ticket: ("created_at", "accepted_at", "closed_at", "rated_at", "followed_up_at"),
                TicketEvent: ("created_at",), Coupon: ("created_at", "redeemed_at"),
                Signup: ("created_at", "confirmed_at", "cancelled_at", "checked_in_at"), Member: ("created_at",)}
    for model, fields in happened.items():
        for field in fields:
            assert not model.objects.filter(**{f"{field}__gte": now}).exists(), (model, field)
    assert Order.objects.filter(placed_at__gte=now - timedelta(days=7)).exists()  # "this month" has figures


def test_it_spreads_statuses_and_time_like_a_lived_in_platform(seeded: Summary) -> None:
    assert set(Order.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Signup.objects.values_list("status", flat=True)) == set(SignupStatus.values)
    assert {CouponStatus.ISSUED, CouponStatus.REDEEMED} <= set(Coupon.objects.values_list("status", flat=True))
    assert {CampaignStatus.ACTIVE, CampaignStatus.ENDED} & set(Campaign.objects.values_list("status", flat=True))
    statuses = Counter(under(seeded.root, Member).values_list("status", flat=True))
    assert statuses[MemberStatus.ACTIVE] > 0.9 * SIZES["members"] and statuses[MemberStatus.LEFT]
    placed = sorted(Order.objects.values_list("placed_at", flat=True))
    assert (placed[-1] - placed[0]).days > 300  # months of history
    month = [p for p in placed if p.date() >= TODAY - timedelta(days=30)]
    first = [p for p in placed if p.date() < placed[0].date() + timedelta(days=30)]
    assert len(month) > len(first)  # growing
    gig = under(seeded.root, Member).filter(employment_form="gig").count()
    assert 0.1 * SIZES["members"] < gig < 0.2 * SIZES["members"]


def test_it_makes_valid_id_numbers_and_credit_codes(seeded: Summary) -> None:
    for member in under(seeded.root, Member)[:300]:
        parsed = parse_id_number(member.id_number)
        assert member.id_index == blind_index("id", parsed.number)
        assert parsed.birth_date == member.birth_date and parsed.gender == member.gender
        assert member.card_no and member.card_no.endswith(f"{member.pk:010d}")
    codes = list(under(seeded.root, Employer).values_list("uscc", flat=True))
    assert all(normalize_uscc(code) == code for code in codes)
    assert under(seeded.root, Employer).filter(union_established=True, union__kind=UnionKind.GRASSROOTS).exists()
    numbers = [p["id_number"] for p in people(5000, seed=7)]
    phones = [p["phone"] for p in people(5000, seed=7)]
    assert len(set(numbers)) == len(set(phones)) == 5000


def test_it_points_every_service_row_into_the_seeded_tree(seeded: Summary) -> None:
    path = seeded.root.path
    for qs, field in ((Order.objects.all(), "union__path"), (Order.objects.all(), "member_union__path"),
                      (Ticket.objects.all(), "union__path"), (Campaign.objects.all(), "union__path"),
                      (Activity.objects.all(), "union__path"), (Offering.objects.all(), "union__path"),
                      (Member.objects.all(), "union__path")):
        assert not qs.exclude(**{f"{field}__startswith": path}).exists(), (qs.model, field)
    assert not Order.objects.exclude(union=F("offering__union")).exists()
    assert not Order.objects.exclude(member_union=F("member__union")).exists()
    for order in Order.objects.select_related("member__union", "union")[:200]:
        assert order.member.union.path.startswith(order.union.path)
    for signup in Signup.objects.select_related("member__union", "activity__union")[:200]:
        assert signup.member.union.path.startswith(signup.activity.union.path)
        assert not signup.activity.audience_problem(signup.member, today=signup.activity.starts_at.date())
    for coupon in Coupon.objects.select_related("member__union", "campaign__union")[:200]:
        assert coupon.member.union.path.startswith(coupon.campaign.union.path)
    assert not Signup.objects.values("activity", "member").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not Order.objects.exclude(status=OrderStatus.CANCELLED).values("batch", "member").annotate(
        n=Count("id")).filter(n__gt=1).exists()


def test_it_numbers_tickets_per_day_as_the_counter_does(seeded: Summary) -> None:
    by_day: dict[str, list[int]] = defaultdict(list)
    for number in Ticket.objects.values_list("number", flat=True):
        prefix, day, n = number.split("-")
        assert prefix == "12351"
        by_day[day].append(int(n))
    counters = {f"{c.day:%Y%m%d}": c.last for c in CaseCounter.objects.all()}
    assert set(counters) == set(by_day)
    for day, numbers in by_day.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)) and counters[day] == len(numbers)
    first = Ticket.objects.order_by("created_at", "number").values_list("number", flat=True)
    assert list(first) == sorted(first)  # in arrival order


def test_it_refuses_a_second_run_and_appends_below_an_existing_union(seeded: Summary) -> None:
    with pytest.raises(SeedError, match="数据库中已有生成的数据"):
        seed(unions=10, members=10, today=TODAY)
    district = seeded.districts[0]
    before = (Member.objects.count(), Ticket.objects.count())
    added = seed(members=120, orders=60, tickets=50, coupons=40, signups=30, today=TODAY, under=str(district.uuid))
    assert added.root == district
    assert (Member.objects.count(), Ticket.objects.count()) == (before[0] + 120, before[1] + 50)
    assert Member.objects.values("id_index").annotate(n=Count("id")).filter(n__gt=1).count() == 0
    assert not under(district, Member).filter(created_at__gt=F("updated_at")).exists()


@pytest.mark.parametrize(("argv", "message"), [
    (["--members", "-1"], "规模不能为负数"),
    (["--unions", "20", "--members", "0", "--orders", "10"], "生成云集市订单需要会员"),
    (["--unions", "20", "--members", "0", "--orders", "0", "--coupons", "10"], "生成普惠券需要会员"),
    (["--unions", "3"], "至少为 5"),
    (["--unions", "0", "--members", "10"], "请用 --unions 指定"),
    (["--under", "00000000-0000-0000-0000-000000000000"], "找不到"),
    (["--today", "2026-13-01"], "YYYY-MM-DD"),
])
def test_it_refuses_bad_options_in_chinese(argv: list[str], message: str) -> None:
    unions = Union.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("seed", *argv)
    assert Union.objects.count() == unions
