"""The model kit: the user link, the abstract bases and the union-owned QuerySets keep what the models
declared before them (the migrations check that for the columns; these tests for the behaviour)."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.db import models

from gonghui.activities.models import Activity, Signup
from gonghui.appeals.models import Ticket, TicketQuerySet
from gonghui.core.fields import user_ref
from gonghui.core.models import AuditLog, Job
from gonghui.core.scope import BranchQuerySet
from gonghui.learning.models import Course
from gonghui.market.models import Offering, Order
from gonghui.surveys.models import Survey
from gonghui.testing import Cast
from gonghui.unions import models as union_models


def test_it_spells_a_user_link_as_the_plain_foreign_key() -> None:
    plain = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    assert user_ref().deconstruct()[1:] == plain.deconstruct()[1:]
    strict = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name="经办人", db_index=False)
    assert user_ref("经办人", blank=False, db_index=False).deconstruct()[1:] == strict.deconstruct()[1:]


@pytest.mark.parametrize("model", [Activity, Course, Survey])
def test_it_gives_authored_rows_their_declared_fields(model: type[models.Model]) -> None:
    created_by = model._meta.get_field("created_by")
    assert created_by.null and not created_by.blank and created_by.remote_field.related_name == "+"
    assert not model._meta.get_field("created_at").editable
    assert model._meta.get_field("updated_at").has_default()
    assert model._meta.get_field("published_at").null


def test_it_keeps_created_by_blank_on_created_rows() -> None:
    assert Offering._meta.get_field("created_by").blank
    assert not Offering._meta.get_field("created_at").editable


def test_it_files_snapshot_rows_under_their_union_path() -> None:
    assert AuditLog(union_path="1/2/").branch_path_value == "1/2/"
    assert Job(union_path="1/3/").branch_path_value == "1/3/"


def test_it_masks_the_member_of_a_row(cast: Cast) -> None:
    member = cast.members["worker_a"]
    signup = Signup(member=member)
    assert signup.masked_name == member.masked_name
    assert signup.masked_phone == member.masked_phone


def _tickets(cast: Cast) -> dict[str, Ticket]:
    tickets = {key: Ticket(number=f"T{n:04d}", kind="consult", title="标题", content="内容", due_on=date(2026, 12, 31),
                           union=union) for n, (key, union) in enumerate(cast.unions.items())}
    Ticket.objects.bulk_create(tickets.values())
    return {key: Ticket.objects.get(number=ticket.number) for key, ticket in tickets.items()}


class ListedTickets(TicketQuerySet):
    union_id_list = True


@pytest.mark.django_db
@pytest.mark.parametrize("list_max", [union_models.UNION_ID_LIST_MAX, 1])
def test_it_scopes_by_union_id_as_the_path_join_does(cast: Cast, monkeypatch: pytest.MonkeyPatch,
                                                     list_max: int) -> None:
    _tickets(cast)
    monkeypatch.setattr(union_models, "UNION_ID_LIST_MAX", list_max)
    assert Order.objects.all().union_id_list and not Ticket.objects.all().union_id_list
    for name, user in cast.users.items():  # every role and branch of the cast, and workers
        by_path = set(BranchQuerySet.visible_to(Ticket.objects.all(), user))
        assert set(Ticket.objects.visible_to(user)) == by_path, name
        assert set(ListedTickets(model=Ticket).visible_to(user)) == by_path, name


@pytest.mark.django_db
def test_it_offers_the_rows_of_a_union_and_the_unions_above_it(cast: Cast) -> None:
    tickets = _tickets(cast)
    union = cast.unions["grassroots_a"]
    assert union.chain_ids == [*union.ancestor_ids, union.pk]
    offered = set(Ticket.objects.in_chain_of(union))
    assert offered == {tickets[key] for key in ("province", "city", "district_a", "street_a", "grassroots_a")}
