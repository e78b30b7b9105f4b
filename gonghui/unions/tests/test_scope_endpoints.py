"""Every unions endpoint, HTML and API, against the whole cast (own, parent, child, sibling, other
city, read-only, anonymous)."""

from __future__ import annotations

import pytest

from gonghui.testing import Cast, scope_matrix
from gonghui.unions import services
from gonghui.unions.models import Employer, Problem

pytestmark = pytest.mark.django_db


def test_it_gates_union_detail_api(cast: Cast) -> None:
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/unions/{cast.district_a.uuid}"))


def test_it_gates_union_detail_page(cast: Cast) -> None:
    scope_matrix(cast, lambda c, _: c.get(f"/console/unions/{cast.district_a.uuid}/"), api=False)


def test_it_gates_union_deactivate_api(cast: Cast) -> None:
    def fresh():  # a new leaf under district A for each caller
        return services.union_create(actor=None, parent=cast.district_a, name="临时工会", audited=False)

    scope_matrix(cast, lambda c, u: c.post(f"/api/v1/unions/{u.uuid}/deactivate"), target=fresh, write=True,
                 structure=True)


def test_it_gates_union_rename_page(cast: Cast) -> None:
    scope_matrix(cast, lambda c, _: c.post(f"/console/unions/{cast.district_a.uuid}/update/",
                                           {"name": "甲区总工会", "kind": "federation"}),
                 write=True, structure=True, api=False)


def test_it_gates_employer_archive(cast: Cast) -> None:
    emp = cast.employer_district_a
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/unions/employers/{emp.uuid}"))
    scope_matrix(cast, lambda c, _: c.get(f"/console/unions/employers/{emp.uuid}/"), api=False)


def test_it_gates_employer_update(cast: Cast) -> None:
    emp = cast.employer_district_a
    scope_matrix(cast, lambda c, _: c.patch(f"/api/v1/unions/employers/{emp.uuid}", {"address": "新地址"},
                                            content_type="application/json"), write=True)


def test_it_gates_visit_recording(cast: Cast) -> None:
    emp = cast.employer_district_a
    scope_matrix(cast, lambda c, _: c.post(f"/api/v1/unions/employers/{emp.uuid}/visits",
                                           {"visited_on": "2026-01-05", "notes": "了解用工情况"},
                                           content_type="application/json"), write=True)
    scope_matrix(cast, lambda c, _: c.post(f"/console/unions/employers/{emp.uuid}/visits/",
                                           {"visited_on": "2026-01-05", "notes": "了解用工情况"}),
                 write=True, api=False)


def test_it_gates_problem_advance(cast: Cast) -> None:
    emp: Employer = cast.employer_district_a

    def fresh() -> Problem:
        return services.problem_raise(actor=cast.district_a_officer, employer=emp, title="工资拖欠")

    scope_matrix(cast, lambda c, p: c.post(f"/api/v1/unions/problems/{p.uuid}/advance",
                                           {"to_status": "coordinating"}, content_type="application/json"),
                 target=fresh, write=True)
    scope_matrix(cast, lambda c, p: c.post(f"/console/unions/problems/{p.uuid}/advance/",
                                           {"to_status": "coordinating"}), target=fresh, write=True, api=False)


def test_it_gates_employer_export(cast: Cast) -> None:
    # Lists are never 404: out-of-scope callers get an empty list, anonymous is sent to log in.
    scope_matrix(cast, lambda c, _: c.get("/console/unions/employers/export.xlsx"), api=False,
                 overrides={"grassroots_a_officer": "ok", "district_b_officer": "ok", "other_city_officer": "ok"})
