"""What authenticating an API request costs: one indexed token lookup that decrypts nothing, the caller's
scope computed once (issue 15)."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gonghui.accounts.models import ApiToken
from gonghui.lib import crypto
from gonghui.testing import Cast

pytestmark = pytest.mark.django_db


def _warm(cast: Cast, who: str) -> Client:
    client = cast.client(who, api=True)
    assert client.get("/api/v1/accounts/me").status_code == 200  # the once-a-minute last_used_at touch
    return client


def test_it_authenticates_without_decrypting(cast: Cast) -> None:
    _, raw = ApiToken.issue(cast.users["worker_a"], name="t")
    with mock.patch.object(crypto, "decrypt", wraps=crypto.decrypt) as decrypt:
        user = ApiToken.objects.authenticate(raw)
    assert user == cast.users["worker_a"]
    assert decrypt.call_count == 0
    assert user.phone == cast.users["worker_a"].phone  # still there when asked for


@pytest.mark.parametrize("who", ["worker_a", "province_admin", "district_a_officer"])
def test_it_answers_me_with_one_assignment_query(cast: Cast, who: str) -> None:
    client = _warm(cast, who)
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/accounts/me").json()
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum("accounts_staffassignment" in s for s in sql) == 1, sql
    assert len(sql) <= 3, sql  # the token (with its user), the scope, the phone /me shows (masked)
    assert body["is_staff"] == (who != "worker_a")
    assert [g["union"] for g in body["grants"]] == [str(g.union_uuid) for g in cast.users[who].scope.grants]


def test_it_computes_the_scope_once_per_request(cast: Cast, django_assert_max_num_queries: Any) -> None:
    client = _warm(cast, "district_a_officer")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/members/").status_code == 200
    assert sum("accounts_staffassignment" in q["sql"] for q in queries.captured_queries) == 1


@pytest.mark.parametrize("who", ["worker_a", "province_admin", "district_a_officer"])
def test_me_costs_two_queries(cast: Cast, who: str, django_assert_num_queries: Any) -> None:
    # The token with its user (phone deferred); then the phone and the grants in one query.
    client = _warm(cast, who)
    with django_assert_num_queries(2):
        body = client.get("/api/v1/accounts/me").json()
    assert body["phone"] == cast.users[who].masked_phone
    assert body["grants"] == [{"union": str(g.union_uuid), "union_name": g.union_name, "role": g.role,
                               "role_label": g.role.label} for g in cast.users[who].scope.grants]
