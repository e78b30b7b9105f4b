"""No path creates an account for a phone that was not proven with an SMS code.

Two proofs: every URL of the site and every API operation is posted a registration as anonymous and as a
signed-in worker (a form to the pages, JSON to the API, with a code that was never sent) and no User appears; and a
reading of the source finds no other place that constructs a User than the verified one and the
administrator's and operator's paths.
"""

from __future__ import annotations

import json
import pathlib
import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

import gonghui
from gonghui.accounts.models import User
from gonghui.testing import PASSWORD, Cast, next_phone, register_code

pytestmark = pytest.mark.django_db


def _paths(patterns: list, prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            full = prefix + route
            if "<" in full or "(?P" in full or full.startswith(("admin/", "static/")):
                continue  # paths with parameters act on an existing object; admin is for superusers
            yield "/" + full.lstrip("^").rstrip("$")


def _body(phone: str) -> dict[str, str]:
    return {"phone": phone, "name": "刘快递", "password": PASSWORD, "new_password": PASSWORD, "code": "123456",
            "action": "register", "device": "x", "initial_password": PASSWORD, "role": "officer"}


def test_no_url_creates_an_account_without_a_valid_code(cast: Cast) -> None:
    paths = sorted(set(_paths(get_resolver().url_patterns)))
    assert "/register/" in paths and "/api/v1/accounts/register" in paths
    assert "/members/join/register/" in paths and "/api/v1/members/join/register" in paths
    before = User.objects.count()
    for client in (Client(raise_request_exception=False), cast.client("worker_a")):
        client.raise_request_exception = False
        for path in paths:
            phone = next_phone()
            if path.startswith("/api/"):  # the API reads JSON, the pages read forms
                client.post(path, json.dumps(_body(phone)), content_type="application/json")
            else:
                client.post(path, _body(phone))
            assert not User.objects.by_phone(phone).exists(), path
    assert User.objects.count() == before


def test_the_registering_paths_do_create_an_account_with_the_code() -> None:
    """The negative control: the same bodies with a real code do register, on each creating path."""
    for path, as_json in [("/register/", False), ("/api/v1/accounts/register", True),
                          ("/members/join/register/", False), ("/api/v1/members/join/register", True)]:
        phone = next_phone()
        body = {**_body(phone), "code": register_code(phone)}
        client = Client()
        response = (client.post(path, json.dumps(body), content_type="application/json") if as_json
                    else client.post(path, body))
        assert response.status_code in (201, 302), (path, response.content[:300])
        assert User.objects.by_phone(phone).exists(), path


def test_only_known_places_construct_a_user() -> None:
    root = pathlib.Path(gonghui.__file__).parent
    pattern = re.compile(r"\bUser\(phone|\.create_user\(|\.create_superuser\(|User\.objects\.(bulk_)?create\(")
    found = sorted(str(path.relative_to(root)) for path in root.rglob("*.py")
                   if "tests" not in path.parts and "migrations" not in path.parts
                   and pattern.search(path.read_text(encoding="utf-8")))
    assert found == [
        "accounts/demo.py",                                 # the documented demo logins
        "accounts/management/commands/createadmin.py",      # the operator's first superuser
        "accounts/models.py",                               # the manager itself
        "accounts/services.py",                             # staff_assign: an administrator adds staff
        "accounts/verification.py",                         # _user_create, after the code
        "market/demo.py",                                   # the demo provider
        "seed/claims.py",                                   # demo accounts already bound (no usable password)
        "seed/province.py",                                 # synthetic load-test data
        "testing.py",                                       # the test cast
    ]
    source = (root / "accounts/verification.py").read_text(encoding="utf-8")
    assert source.count("_user_create(") == 2  # its definition and its one call, after code_verify
    assert source.index("code_verify(phone=normalized, code=code, purpose=\"register\")") < source.index(
        "user = _user_create(")
