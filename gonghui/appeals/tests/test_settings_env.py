"""The APPEALS_* settings come from the environment (docs/configuration.md) and a mistake stops the
start with a message naming it, instead of a misspelt tier silently keeping the default."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SHOW = ("import django; django.setup(); from gonghui.appeals.services.common import deadline_days, warn_workdays; "
        "from gonghui.appeals.services.uploads import max_bytes, max_files; "
        "print(sorted(deadline_days().items()), warn_workdays(), max_bytes(), max_files())")


def start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("APPEALS_")}
    environment.pop("DATABASE_URL", None)
    environment.update(DJANGO_SETTINGS_MODULE="gonghui.settings", GONGHUI_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", SHOW], cwd=REPO, env=environment, capture_output=True, text=True, timeout=60,
        check=False)


def test_the_defaults_and_an_override_from_the_environment(tmp_path: Path) -> None:
    default = start(tmp_path)
    assert default.returncode == 0, default.stderr
    assert default.stdout.split("]")[0] + "]" == "[('complex', 30), ('hard', 15), ('normal', 5)]"
    assert default.stdout.split("]")[1].split() == ["1", str(5 * 1024 * 1024), "9"]
    changed = start(tmp_path, APPEALS_DEADLINE_DAYS="hard=10", APPEALS_WARN_WORKDAYS="2", APPEALS_MAX_UPLOAD_MB="8",
                    APPEALS_MAX_FILES="6")
    assert changed.returncode == 0, changed.stderr
    assert "('hard', 10)" in changed.stdout and "('normal', 5)" in changed.stdout
    assert changed.stdout.split("]")[1].split() == ["2", str(8 * 1024 * 1024), "6"]


@pytest.mark.parametrize(("name", "value", "message"), [
    ("APPEALS_DEADLINE_DAYS", "urgent=3", "unknown tier 'urgent'"),
    ("APPEALS_DEADLINE_DAYS", "hard=ten", "hard needs a number"),
    ("APPEALS_WARN_WORKDAYS", "0", "at least 1"),
    ("APPEALS_MAX_FILES", "nine", "whole number"),
])
def test_a_mistake_stops_the_start_naming_it(tmp_path: Path, name: str, value: str, message: str) -> None:
    result = start(tmp_path, **{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr and name in result.stderr
