"""The house rules that a reading of the source can check, for every app (DESIGN.md rule 3).

* A status is written only by ``core.transitions``: no ``.update(status=…)`` and no
  ``obj.status = …`` anywhere else (creating a row in its first state is not a write).
* Services take the acting user, never the HTTP request: no function in ``services.py`` or
  ``services/`` has a ``request`` parameter.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the gonghui package
APPS = sorted(p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name != "tests")
HELPER = ROOT / "core" / "transitions.py"


def _is_status(name: str) -> bool:
    return name == "status" or name.endswith("_status")


def _sources(app: str) -> Iterator[Path]:
    for path in sorted((ROOT / app).rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts or path == HELPER:
            continue
        yield path


def status_writes(path: Path) -> list[str]:
    """Where ``path`` writes a status outside the transition helper (``file:line``)."""
    found: list[str] = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update"
                and any(k.arg and _is_status(k.arg) for k in node.keywords)):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and _is_status(target.attr):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def request_parameters(path: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names = [a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)]
            if "request" in names:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    return found


def _services(app: str) -> Iterator[Path]:
    for path in _sources(app):
        parts = path.relative_to(ROOT / app).parts
        if parts[0] in ("services.py", "services"):
            yield path


@pytest.mark.parametrize("app", APPS)
def test_it_writes_statuses_only_through_the_transition_helper(app: str) -> None:
    assert [hit for path in _sources(app) for hit in status_writes(path)] == []


@pytest.mark.parametrize("app", APPS)
def test_it_keeps_the_http_request_out_of_services(app: str) -> None:
    assert [hit for path in _services(app) for hit in request_parameters(path)] == []


def test_it_finds_what_it_looks_for() -> None:
    """The negative control: the scanners see a planted write and a planted parameter."""
    planted = ROOT / "core" / "_planted_for_test.py"
    planted.write_text(
        "def order_cancel(*, actor, order, request=None):\n"
        "    Order.objects.filter(pk=order.pk).update(status='cancelled')\n"
        "    order.status = 'cancelled'\n"
        "    order.pay_status = 'refunded'\n", encoding="utf-8")
    try:
        assert sorted(status_writes(planted)) == [f"core/{planted.name}:{line}" for line in (2, 3, 4)]
        assert request_parameters(planted) == [f"core/{planted.name}:1 order_cancel"]
    finally:
        planted.unlink()
