"""Over-long text is refused with the field's name, never cut short silently."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.core.errors import ValidationFailed
from gonghui.testing import Cast
from gonghui.unions import services
from gonghui.unions.services import employers

pytestmark = pytest.mark.django_db


def test_a_visit_note_over_the_limit_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationFailed) as caught:
        employers.visit_record(actor=cast.province_admin, employer=cast.employer_a, visited_on=date(2026, 1, 5),
                            notes="走" * 5001)
    assert set(caught.value.detail) == {"notes"}


def test_an_address_over_the_limit_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationFailed) as caught:
        services.union_update(actor=cast.province_admin, union=cast.grassroots_a, name=cast.grassroots_a.name,
                              address="路" * 301)
    assert set(caught.value.detail) == {"address"}
    cast.grassroots_a.refresh_from_db()
    assert cast.grassroots_a.address == ""


def test_a_problem_description_over_the_limit_is_refused(cast: Cast) -> None:
    with pytest.raises(ValidationFailed) as caught:
        employers.problem_raise(actor=cast.province_admin, employer=cast.employer_a, title="加班费",
                                description="说" * 2001)
    assert set(caught.value.detail) == {"description"}
