"""Shared fixtures: the named cast (gonghui/testing.py) and fast password hashing in tests."""

import pytest

from gonghui.testing import Cast, build_cast


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture
def cast(db) -> Cast:
    return build_cast()
