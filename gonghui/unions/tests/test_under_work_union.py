"""unions.access.under_work_union: the console's "create something under a union the user may work in"."""

from __future__ import annotations

from typing import Any

import pytest

from gonghui.core.errors import Forbidden, NotFound
from gonghui.testing import Cast
from gonghui.unions.access import under_work_union

pytestmark = pytest.mark.django_db


def _made(**kwargs: Any) -> dict[str, Any]:
    return kwargs


def test_it_hands_the_gated_union_and_the_other_fields_to_create(cast: Cast) -> None:
    run = under_work_union(cast.district_a_officer, _made)
    data = {"union": str(cast.street_a.uuid), "name": "快递驿站"}
    assert run(data) == {"actor": cast.district_a_officer, "union": cast.street_a, "name": "快递驿站"}
    assert data == {"union": str(cast.street_a.uuid), "name": "快递驿站"}  # the form's cleaned data is left alone


def test_outside_the_branch_or_no_such_union_is_404(cast: Cast) -> None:
    run = under_work_union(cast.district_a_officer, _made)
    for key in (str(cast.district_b.uuid), "not-a-key", None):
        with pytest.raises(NotFound):
            run({"union": key, "name": "x"})


def test_a_read_only_role_is_403(cast: Cast) -> None:
    with pytest.raises(Forbidden):
        under_work_union(cast.district_a_viewer, _made)({"union": str(cast.district_a.uuid), "name": "x"})
