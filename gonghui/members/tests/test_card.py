"""The e-member card: the card page and its QR code, rotation, and the staff card check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from gonghui.core.models import AuditLog
from gonghui.members.models import Member, MemberStatus
from gonghui.members.services import card as services
from gonghui.members.services.registry import change_status
from gonghui.testing import OK, Cast, scope_matrix

pytestmark = pytest.mark.django_db

STAFF_ONLY = {"grassroots_a_officer": OK, "district_b_officer": OK, "other_city_officer": OK}


def token_of(member: Member) -> str:
    return Member.objects.values_list("card_token", flat=True).get(pk=member.pk)


def test_it_shows_the_card_with_an_opaque_qr_code(cast: Cast) -> None:
    member = cast.members["worker_a"]
    page = cast.client("worker_a").get("/members/card/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "王小明" in html and "甲公司工会" in html and "<svg" in html and "刷新二维码" in html
    assert member.id_number not in html and member.phone not in html
    payload = services.card_payload(member)
    assert payload == f"/members/c/{member.card_token}/"
    assert member.id_number not in payload


def test_it_explains_the_card_to_a_non_member(cast: Cast) -> None:
    page = cast.client("merchant").get("/members/card/")
    assert page.status_code == 200
    assert "您还不是工会会员" in page.content.decode() and "/members/join/" in page.content.decode()
    assert cast.client(None).get("/members/card/").status_code == 302
    assert cast.client("merchant", api=True).get("/api/v1/members/card").status_code == 404


def test_it_stops_the_old_token_after_rotation(cast: Cast) -> None:
    member = cast.members["worker_a"]
    old = token_of(member)
    assert services.card_verify(token=old, actor=cast.district_a_officer)["valid"] is True
    response = cast.client("worker_a", api=True).post("/api/v1/members/card/rotate")
    assert response.status_code == 200
    new = response.json()["token"]
    assert new != old and new == token_of(member)
    assert response.json()["qr_payload"].endswith(f"/members/c/{new}/")
    stale = services.card_verify(token=old, actor=cast.district_a_officer)
    assert stale["valid"] is False and stale["reason"] == services.INVALID_TOKEN and stale["name"] == ""
    assert services.card_verify(token=new, actor=cast.district_a_officer)["valid"] is True
    assert AuditLog.objects.filter(action="card.rotate", object_key=str(member.uuid)).exists()


def test_it_rotates_from_the_card_page(cast: Cast) -> None:
    old = token_of(cast.members["worker_a"])
    response = cast.client("worker_a").post("/members/card/rotate/", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<svg" in response.content.decode()
    assert token_of(cast.members["worker_a"]) != old


def test_it_rotates_a_day_old_token_when_the_card_is_opened(cast: Cast) -> None:
    member = cast.members["worker_a"]
    Member.objects.filter(pk=member.pk).update(card_token_rotated_at=timezone.now() - timedelta(hours=23))
    cast.client("worker_a").get("/members/card/")
    assert token_of(member) == member.card_token  # still fresh enough
    Member.objects.filter(pk=member.pk).update(card_token_rotated_at=timezone.now() - timedelta(hours=25))
    body = cast.client("worker_a", api=True).get("/api/v1/members/card").json()
    assert body["token"] != member.card_token and body["token"] == token_of(member)


def test_it_refuses_a_token_nobody_refreshed_for_two_days(cast: Cast) -> None:
    member = cast.members["worker_a"]
    Member.objects.filter(pk=member.pk).update(card_token_rotated_at=timezone.now() - timedelta(hours=49))
    result = services.card_verify(token=member.card_token, actor=cast.district_a_officer)
    assert result["valid"] is False and "过期" in result["reason"]


def test_it_verifies_with_a_masked_name_and_audits(cast: Cast) -> None:
    member = cast.members["worker_a"]
    response = cast.client("other_city_officer", api=True).get(f"/api/v1/members/card/verify/{member.card_token}")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True and body["name"] == "王**" and body["union"] == "甲公司工会"
    assert body["status_label"] == "在会" and body["reason"] == "有效会员"
    assert body["card_no"].startswith(member.card_no[:6]) and body["card_no"] != member.card_no
    row = AuditLog.objects.get(action="card.scan")
    assert row.object_key == str(member.uuid) and row.detail["valid"] is True
    assert member.card_token not in str(row.detail)  # only a prefix of the live token is kept


def test_it_reports_a_member_who_left(cast: Cast) -> None:
    member = Member.objects.select_related("union").get(pk=cast.members["worker_b"].pk)
    change_status(member=member, from_status=MemberStatus.ACTIVE, to_status=MemberStatus.TRANSFERRED,
                  event="transfer_out")
    result = services.card_verify(token=member.card_token, actor=cast.district_b_officer)
    assert result["valid"] is False and result["reason"] == "会籍状态：已转出" and result["name"] == "赵**"
    page = cast.client("worker_b").get("/members/card/").content.decode()
    assert "电子会员卡已失效" in page and 'class="qr"' not in page  # no QR code (the tab bar draws svg icons)


def test_it_accepts_the_whole_scanned_url_or_garbage(cast: Cast) -> None:
    member = cast.members["worker_a"]
    scanned = "https://gonghui.example" + services.card_payload(member)
    assert services.card_verify(token=scanned, actor=cast.city_officer)["valid"] is True
    assert services.card_verify(token=f"GHCARD:{member.card_token}", actor=cast.city_officer)["valid"] is True
    for junk in ("", "x", "' OR 1=1 --", "a" * 500):
        assert services.card_verify(token=junk, actor=cast.city_officer)["valid"] is False
    page = cast.client("city_officer").get("/console/members/card-check/", {"token": scanned})
    assert page.status_code == 200 and "有效会员" in page.content.decode() and "王**" in page.content.decode()


def test_it_gates_the_verify_endpoint_to_staff(cast: Cast) -> None:
    token = cast.members["worker_a"].card_token
    scope_matrix(cast, lambda c, _: c.get(f"/api/v1/members/card/verify/{token}"), overrides=STAFF_ONLY)
    assert cast.client("worker_b", api=True).get(f"/api/v1/members/card/verify/{token}").status_code == 403


def test_it_gates_the_card_check_page_to_staff(cast: Cast) -> None:
    token = cast.members["worker_a"].card_token
    scope_matrix(cast, lambda c, _: c.get(f"/console/members/card-check/{token}/"), api=False, overrides=STAFF_ONLY)
    assert cast.client("worker_b").get("/console/members/card-check/").status_code == 403


def test_it_lands_each_scanner_of_the_card_url_where_their_role_can_use_it(cast: Cast) -> None:
    member = cast.members["worker_a"]
    url = services.card_payload(member)
    # staff of the member's branch: the member's record (the scan is audited as on the check page)
    response = cast.client("district_a_officer").get(url)
    assert response.status_code == 302 and response["Location"] == f"/console/members/{member.uuid}/"
    assert AuditLog.objects.filter(action="card.scan", object_key=str(member.uuid)).count() == 1
    # staff of another branch: the console's masked card check, never the record
    response = cast.client("district_b_officer").get(url)
    assert response.status_code == 302 and response["Location"] == f"/console/members/card-check/{member.card_token}/"
    # anyone else, signed in or not: only whether the card is valid, nothing about the person
    for who in (None, "worker_b"):
        page = cast.client(who).get(url)
        html = page.content.decode()
        assert page.status_code == 200 and "会员身份有效" in html
        assert "王" not in html and member.union.name not in html and (member.card_no or "x") not in html
    assert AuditLog.objects.filter(action="card.scan", object_key=str(member.uuid)).count() == 3
    page = cast.client(None).get("/members/c/not-a-real-token-at-all/")
    assert page.status_code == 200 and "未能确认会员身份" in page.content.decode()
