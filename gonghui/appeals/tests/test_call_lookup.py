"""The hotline operator's caller lookup (来电登记): call takers only, scoped like every read, audited,
rate-limited, and the caller's number never in a URL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from gonghui.appeals.services import intake
from gonghui.core.models import AuditLog
from gonghui.testing import OK, Cast, scope_matrix

pytestmark = pytest.mark.django_db
LOOKUP = "/console/appeals/call/lookup/"


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    cache.clear()  # the rate limiter counts in the default cache
    yield
    cache.clear()


# Everyone with a writing role takes calls (全国连通); read-only viewers, auditors and workers do not.
CALL_TAKERS = {"grassroots_a_officer": OK, "district_b_officer": OK, "other_city_officer": OK,
               "district_a_viewer": 403, "auditor": 403, "worker_a": 403}


def test_it_lets_only_call_takers_open_the_page_and_look_up(cast: Cast) -> None:
    scope_matrix(cast, lambda c, _: c.get("/console/appeals/call/"), api=False, overrides=CALL_TAKERS)
    scope_matrix(cast, lambda c, _: c.post(LOOKUP, {"phone": cast.worker_a.phone}), api=False,
                 overrides=CALL_TAKERS)


def test_it_shows_a_member_only_inside_the_operator_s_scope(cast: Cast) -> None:
    own = cast.client("district_a_officer").post(LOOKUP, {"phone": cast.worker_a.phone}).content.decode()
    assert "已匹配会员：<b>王**</b>" in own and "甲公司工会" in own
    for outsider in ("district_b_officer", "other_city_officer"):
        page = cast.client(outsider).post(LOOKUP, {"phone": cast.worker_a.phone}).content.decode()
        assert "已匹配会员" not in page and "王**" not in page and "甲公司工会" not in page, outsider
        assert "甲精密" not in page
        # … and exactly what an unknown number gets
        unknown = cast.client(outsider).post(LOOKUP, {"phone": "13712345678"}).content.decode()
        assert page == unknown


def test_it_audits_every_lookup_and_refusal(cast: Cast) -> None:
    before = set(AuditLog.objects.values_list("pk", flat=True))
    cast.client("district_a_officer").post(LOOKUP, {"phone": cast.worker_a.phone}, REMOTE_ADDR="10.1.2.3")
    cast.client("district_b_officer").post(LOOKUP, {"phone": cast.worker_a.phone})
    assert cast.client("district_a_viewer").post(LOOKUP, {"phone": cast.worker_a.phone}).status_code == 403
    rows = {row.user: row for row in AuditLog.objects.exclude(pk__in=before).filter(action="ticket.caller_lookup")}
    assert set(rows) == {cast.district_a_officer, cast.district_b_officer, cast.district_a_viewer}
    hit = rows[cast.district_a_officer]
    assert (hit.result, hit.role, hit.ip, hit.union_name) == ("success", "officer", "10.1.2.3", "甲公司工会")
    assert hit.object_key == str(cast.members["worker_a"].uuid) and hit.detail["matched"] is True
    miss = rows[cast.district_b_officer]
    assert miss.detail["matched"] is False and miss.object_key == "" and miss.union_name == "乙区总工会"
    assert rows[cast.district_a_viewer].result == "denied"
    for row in rows.values():
        assert cast.worker_a.phone not in str(row.detail) and cast.worker_a.phone not in row.object_label
    assert hit.object_label == str(cast.members["worker_a"]) and miss.object_label == "来电号码匹配"
    assert hit.detail["phone"] == cast.worker_a.masked_phone


def test_it_rate_limits_lookups_per_operator(cast: Cast) -> None:
    operator = cast.client("district_a_officer")
    for _ in range(intake.LOOKUP_LIMIT):
        assert operator.post(LOOKUP, {"phone": "13712345678"}).status_code == 200
    refused = operator.post(LOOKUP, {"phone": cast.worker_a.phone})
    assert refused.status_code == 429 and "王**" not in refused.content.decode()
    assert "过于频繁" in refused.content.decode()
    row = AuditLog.objects.filter(action="ticket.caller_lookup").latest("id")
    assert row.result == "denied" and row.detail["throttled"] is True
    # another operator has a counter of their own
    assert cast.client("city_officer").post(LOOKUP, {"phone": cast.worker_a.phone}).status_code == 200


def test_it_keeps_the_caller_s_number_out_of_the_url(cast: Cast) -> None:
    operator = cast.client("district_a_officer")
    page = operator.get("/console/appeals/call/", {"phone": cast.worker_a.phone}).content.decode()
    assert "已匹配会员" not in page  # a number in the URL is ignored
    assert 'hx-post="/console/appeals/call/lookup/"' in page and "hx-get" not in page.split('id="id_phone"')[1][:300]
    assert operator.get(LOOKUP, {"phone": cast.worker_a.phone}).status_code == 405
