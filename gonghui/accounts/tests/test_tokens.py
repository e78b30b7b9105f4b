"""API tokens: issued at login, listed and revoked by their owner, stored hashed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from gonghui.accounts.models import ApiToken
from gonghui.core.models import AuditLog
from gonghui.testing import PASSWORD, Cast

pytestmark = pytest.mark.django_db


def _issue(cast: Cast, who: str = "worker_a", device: str = "小程序") -> str:
    response = Client().post("/api/v1/accounts/token", {"phone": cast.users[who].phone, "password": PASSWORD,
                                                         "device": device}, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["token"]


def test_it_issues_a_token_that_authenticates(cast: Cast) -> None:
    token = _issue(cast)
    me = Client().get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    body = me.json()
    assert body["name"] == cast.worker_a.name and body["phone"] == cast.worker_a.masked_phone
    assert AuditLog.objects.filter(action="auth.token_issue", user=cast.worker_a).exists()


def test_it_stores_only_the_hash(cast: Cast) -> None:
    token = _issue(cast)
    with connection.cursor() as cursor:
        cursor.execute("SELECT key_hash, prefix FROM accounts_apitoken")
        rows = cursor.fetchall()
    assert rows and all(token not in " ".join(map(str, row)) for row in rows)


def test_it_lists_and_revokes_own_devices(cast: Cast) -> None:
    token = _issue(cast, device="我的手机")
    auth = {"Authorization": f"Bearer {token}"}
    devices = Client().get("/api/v1/accounts/devices", headers=auth).json()
    assert [d["name"] for d in devices] == ["我的手机"]
    key = devices[0]["uuid"]
    assert Client().delete(f"/api/v1/accounts/devices/{key}", headers=auth).status_code == 204
    after = Client().get("/api/v1/accounts/me", headers=auth)
    assert after.status_code == 401 and after.json()["code"] == "unauthenticated"


def test_it_hides_other_peoples_devices(cast: Cast) -> None:
    _issue(cast, "worker_b")
    other = ApiToken.objects.get(user=cast.worker_b)
    mine = _issue(cast, "worker_a")
    response = Client().delete(f"/api/v1/accounts/devices/{other.uuid}", headers={"Authorization": f"Bearer {mine}"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_it_revokes_from_the_h5_devices_page(cast: Cast) -> None:
    _issue(cast, device="旧手机")
    token = ApiToken.objects.get(user=cast.worker_a)
    client = cast.client("worker_a")
    page = client.get("/me/devices/")
    assert "旧手机" in page.content.decode()
    assert client.post("/me/devices/", {"token": str(token.uuid)}).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_it_rejects_expired_and_garbage_tokens(cast: Cast) -> None:
    token = _issue(cast)
    ApiToken.objects.update(expires_at="2020-01-01T00:00:00Z")
    assert Client().get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert Client().get("/api/v1/accounts/me", headers={"Authorization": "Bearer x" * 300}).status_code == 401


def test_it_revokes_app_tokens_when_the_password_changes(cast: Cast) -> None:
    token = _issue(cast)
    client = cast.client("worker_a")
    assert client.post("/me/password/", {"old_password": PASSWORD, "new_password": "another-2026"}).status_code == 302
    assert Client().get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_it_audits_api_logins(cast: Cast) -> None:
    _issue(cast)
    assert AuditLog.objects.filter(action="auth.login", user=cast.worker_a, detail__via="api").exists()
