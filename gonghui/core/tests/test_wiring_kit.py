"""The wiring kit in core.modules: ModuleConfig (apps.py), module_urls (urls.py), module_router
(api/__init__.py) and the role checks behind ConsoleSection.visible."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.http import HttpRequest
from django.urls import resolve, reverse
from ninja import Router

from gonghui.core import modules
from gonghui.core.modules import (
    ModuleConfig,
    administers_staff,
    module_router,
    module_urls,
    reads_audit_log,
    works_with_data,
)
from gonghui.testing import Cast

MODULES = ["core", "unions", "accounts", "members", "market", "appeals", "benefits", "activities", "surveys",
           "learning", "cockpit"]


@pytest.mark.parametrize("label", MODULES)
def test_it_takes_each_modules_own_config(label: str) -> None:
    """ModuleConfig is imported into every apps.py: Django must still take the module's own class."""
    config = apps.get_app_config(label)
    assert isinstance(config, ModuleConfig) and type(config) is not ModuleConfig
    assert type(config).__module__ == f"gonghui.{label}.apps"
    assert config.name == f"gonghui.{label}"


def test_it_registers_what_each_module_declares() -> None:
    for label in MODULES:
        config = apps.get_app_config(label)
        sections = {s.key for s in modules._sections.values()}
        assert {s.key for s in config.console_sections} <= sections
        assert {t.key for t in config.tiles} <= {t.key for t in modules.tiles()}
        assert {m.key for m in config.me_links} <= {m.key for m in modules.me_links()}
        if config.stats:
            assert label in {s.key for s in modules.stat_sources()}


def test_it_puts_pages_under_the_module_and_the_console() -> None:
    assert reverse("activities:list") == "/activities/"
    assert reverse("activities:console_list") == "/console/activities/"
    key = "00000000-0000-4000-8000-000000000001"
    assert reverse("learning:console_publish", args=[key]) == f"/console/learning/{key}/publish/"
    assert resolve(f"/market/o/{key}/").url_name == "offering"
    assert reverse("accounts:me") == "/me/"  # a page outside the prefixes stays where it is
    assert reverse("accounts:staff") == "/console/accounts/staff/"


def _view(request: HttpRequest) -> None:
    return None


def test_module_urls_keeps_the_order_and_skips_an_empty_audience() -> None:
    from django.urls import path

    patterns = module_urls("x", console=[path("", _view, name="a"), path("<uuid:key>/", _view, name="b")])
    assert [str(p.pattern) for p in patterns] == ["console/x/"]
    assert [p.name for p in patterns[0].url_patterns] == ["a", "b"]
    both = module_urls("x", h5=[path("", _view, name="h")], console=[path("", _view, name="c")])
    assert [str(p.pattern) for p in both] == ["x/", "console/x/"]


def _router(*names: str, explicit: str = "") -> Router:
    router = Router()
    for name in names:
        def op(request: HttpRequest) -> Any:
            return None
        op.__name__ = name
        router.get(f"/{name}", operation_id=explicit or None)(op)
    return router


def test_module_router_names_the_unnamed_operations() -> None:
    """(The order of the parts is the OpenAPI document's, which test_openapi_contract pins.)"""
    first, second = _router("one"), _router("two", explicit="kept_id")
    router = module_router("标签", first, second, operation_id_prefix="gonghui_x_api")
    assert router.tags == ["标签"]
    ids = [op.operation_id for r in (first, second) for view in r.path_operations.values() for op in view.operations]
    assert ids == ["gonghui_x_api_one", "kept_id"]


def test_module_router_without_a_prefix_leaves_the_ids_to_ninja() -> None:
    part = _router("three")
    module_router("标签", part)
    assert [op.operation_id for view in part.path_operations.values() for op in view.operations] == [None]


@pytest.mark.django_db
def test_the_section_checks_follow_the_roles(cast: Cast) -> None:
    from django.contrib.auth.models import AnonymousUser

    def seen(check: Any) -> set[str]:
        return {name for name in ("province_admin", "district_a_officer", "district_a_viewer", "auditor",
                                  "worker_a") if check(getattr(cast, name))}

    assert seen(works_with_data) == {"province_admin", "district_a_officer", "district_a_viewer"}
    assert seen(reads_audit_log) == {"province_admin", "auditor"}
    assert seen(administers_staff) == {"province_admin"}
    for check in (works_with_data, reads_audit_log, administers_staff):
        assert not check(AnonymousUser())
