"""A partner's cashier who scans a member's e-card with the phone camera lands on 核验会员卡."""

from __future__ import annotations

from gonghui.benefits.models import Partner
from gonghui.members.services.card import card_payload
from gonghui.testing import Cast


def test_it_sends_a_cashier_from_the_card_url_to_the_merchant_card_check(cast: Cast, shop: Partner) -> None:
    member = cast.members["worker_a"]
    client = cast.client("merchant")
    response = client.get(card_payload(member))
    assert response.status_code == 302
    assert response["Location"] == f"/benefits/merchant/?card={member.card_token}"
    page = client.get(response["Location"]).content.decode()
    # the counter page checks the scanned card as it opens (HTMX on load) …
    assert f'hx-get="/benefits/merchant/card/?token={member.card_token}"' in page and 'hx-trigger="load"' in page
    # … and that check is the masked, audited one
    result = client.get(f"/benefits/merchant/card/?token={member.card_token}", HTTP_HX_REQUEST="true")
    assert result.status_code == 200 and "有效会员" in result.content.decode()
