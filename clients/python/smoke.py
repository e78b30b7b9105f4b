"""Calls the live API through the Python client generated from its OpenAPI document (openapi-python-client).

    python clients/python/smoke.py http://127.0.0.1:8000

The generated package must be importable (``.ci/clients.sh`` installs it into a temporary directory). Each call
parses the answer into the generated models, so a schema that lies about a response fails here.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

from gonghui_api_client import AuthenticatedClient, Client
from gonghui_api_client.models import CardOut, ErrorOut, MeOut, TokenIn, TokenOut

# Endpoint modules are grouped by the operations' (Chinese) tags; the module names are the operation ids.
ACCOUNTS = "gonghui_api_client.api.账号"
MEMBERS = "gonghui_api_client.api.会员"
UNIONS = "gonghui_api_client.api.工会组织"


def endpoint(group: str, operation_id: str) -> ModuleType:
    return importlib.import_module(f"{group}.{operation_id}")


# The demo staff logins' published, demo-only authenticator secret (gonghui/accounts/demo.py).
DEMO_TOTP_SECRET = "GONGHUIDEMOTOTPSECRETONLYFORDEMO"  # noqa: S105 - published demo secret


def token(base: str, phone: str, password: str, *, staff: bool = False) -> str:
    """A token; staff send their authenticator's current code as ``otp`` (a code is good once: when
    this step's code was used already, wait for the next one)."""
    import time

    import pyotp

    for _ in range(3):
        extra = {"otp": pyotp.TOTP(DEMO_TOTP_SECRET).now()} if staff else {}
        body = TokenIn(phone=phone, password=password, device="client-smoke", **extra)
        answer = endpoint(ACCOUNTS, "gonghui_accounts_api_token_create").sync(client=Client(base_url=base), body=body)
        if isinstance(answer, TokenOut):
            return answer.token
        if not (isinstance(answer, ErrorOut) and answer.code == "second_factor_failed"):
            break
        time.sleep(31 - time.time() % 30)
    raise AssertionError(answer)


def main(base: str) -> None:
    anonymous = Client(base_url=base)
    refused = endpoint(ACCOUNTS, "gonghui_accounts_api_me").sync_detailed(client=anonymous)
    assert refused.status_code == 401 and isinstance(refused.parsed, ErrorOut), refused
    print(f"anonymous /accounts/me: {refused.status_code} {refused.parsed.code}")

    worker = AuthenticatedClient(base_url=base, token=token(base, "13900000010", "zhigong2026"))
    me = endpoint(ACCOUNTS, "gonghui_accounts_api_me").sync(client=worker)
    assert isinstance(me, MeOut) and not me.is_staff, me
    card = endpoint(MEMBERS, "gonghui_members_api_card_card_get").sync(client=worker)
    assert isinstance(card, CardOut) and card.card_no, card
    print(f"worker: {me.name}, card {card.card_no[:4]}…")

    staff = AuthenticatedClient(base_url=base, token=token(base, "13900000001", "Gonghui@2026", staff=True))
    unions = endpoint(UNIONS, "gonghui_unions_api_union_list").sync(client=staff, page_size=5)
    assert unions is not None and unions.count > 0 and len(unions.items) == 5, unions
    members = endpoint(MEMBERS, "gonghui_members_api_registry_member_list").sync(client=staff, page_size=3)
    assert members is not None and members.count > 0 and members.items[0].phone.count("*") >= 4, members
    print(f"staff: {unions.count} unions, {members.count} members (phones masked)")

    viewer = AuthenticatedClient(base_url=base, token=token(base, "13900000004", "Gonghui@2026"))
    forbidden = endpoint(UNIONS, "gonghui_unions_api_union_create").sync_detailed(
        client=viewer, body=importlib.import_module("gonghui_api_client.models").UnionIn.from_dict(
            {"parent": str(unions.items[0].uuid), "name": "客户端测试工会"}))
    assert forbidden.status_code in (403, 404) and isinstance(forbidden.parsed, ErrorOut), forbidden
    print(f"read-only staff creating a union: {forbidden.status_code} {forbidden.parsed.code}")
    print("python client: 5 endpoints called")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"))
