"""Shared fixtures: the named cast (gonghui/testing.py) and fast password hashing in tests."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gonghui.testing import CHROMIUM, Cast, build_cast


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` (real concurrency) skip on SQLite, saying why."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://… (CI does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _tasks_inline() -> Iterator[None]:
    """Tasks run inline in tests (after commit, as queued); a test of the worker path switches it off."""
    from gonghui.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # Rate limits (core.ratelimit) count in the default cache: each test starts from zero.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def cast(db) -> Cast:
    return build_cast()


@pytest.fixture
def live_cast(transactional_db: None) -> Cast:
    """The cast, committed, for the browser tests' live server (a module may define its own)."""
    return build_cast()


@pytest.fixture
def browser() -> Iterator[Any]:
    """The system Chromium under Playwright (browser tests also set ``pytestmark = testing.BROWSER``)."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield instance
        instance.close()


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploads and generated files go to this test's own folder (use it, or mark a module with
    ``pytest.mark.usefixtures("media")``); the path is the fixture's value."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def broker_down() -> Iterator[None]:
    """A real publish (not inline) to a Redis nobody listens on: the broker is down."""
    from gonghui.celery import app

    before = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, "redis://127.0.0.1:1/0"
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.task_always_eager, app.conf.broker_url = before
    app._pool = None
    app.amqp._producer_pool = None
