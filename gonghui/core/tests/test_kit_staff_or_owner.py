"""core.scope.staff_or_owner: the staff gate first (for staff only), then the owner's own — the reverse
of owner_or_staff, for what staff and owners only read (a ticket, an attachment, a photo, a lesson file,
a transfer)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from gonghui.core.errors import Forbidden, NotFound
from gonghui.core.scope import Grant, Role, Scope, staff_or_owner

STAFF = SimpleNamespace(is_authenticated=True, scope=Scope(grants=(Grant(1, "0001.", Role.VIEWER),)))
WORKER = SimpleNamespace(is_authenticated=True, scope=Scope())
ANONYMOUS = SimpleNamespace(is_authenticated=False)


class Gates:
    """Recording gates: ``staff`` / ``owner`` return their name, or raise what they were told to."""

    def __init__(self, *, staff: BaseException | None = None, owner: BaseException | None = None) -> None:
        self.calls: list[tuple[str, Any, Any]] = []
        self.raises = {"staff": staff, "owner": owner}

    def _gate(self, name: str, user: Any, key: Any) -> str:
        self.calls.append((name, user, key))
        if self.raises[name] is not None:
            raise self.raises[name]
        return name

    def staff(self, user: Any, key: Any) -> str:
        return self._gate("staff", user, key)

    def owner(self, user: Any, key: Any) -> str:
        return self._gate("owner", user, key)

    def run(self, user: Any) -> str:
        return staff_or_owner(user, "k", staff=self.staff, owner=self.owner)


def test_staff_get_it_through_the_staff_gate_and_the_owner_gate_is_not_asked() -> None:
    gates = Gates()
    assert gates.run(STAFF) == "staff"
    assert gates.calls == [("staff", STAFF, "k")]


@pytest.mark.parametrize("user", [WORKER, ANONYMOUS], ids=["worker", "anonymous"])
def test_callers_who_are_not_staff_go_straight_to_the_owner_gate(user: Any) -> None:
    gates = Gates(staff=AssertionError("the staff gate must not be asked"))
    assert gates.run(user) == "owner"
    assert gates.calls == [("owner", user, "k")]


def test_a_staff_404_falls_through_to_the_owner_gate() -> None:
    gates = Gates(staff=NotFound())
    assert gates.run(STAFF) == "owner"
    assert [name for name, _, _ in gates.calls] == ["staff", "owner"]


def test_the_owner_gates_answer_stands() -> None:
    missing = NotFound("未找到该照片")
    with pytest.raises(NotFound) as exc:
        Gates(staff=NotFound(), owner=missing).run(STAFF)
    assert exc.value is missing
    refused = Forbidden("您还不是工会会员")
    with pytest.raises(Forbidden) as exc_forbidden:
        Gates(owner=refused).run(WORKER)
    assert exc_forbidden.value is refused


def test_a_staff_refusal_other_than_404_is_not_swallowed() -> None:
    gates = Gates(staff=Forbidden())
    with pytest.raises(Forbidden):
        gates.run(STAFF)
    assert [name for name, _, _ in gates.calls] == ["staff"]


def test_it_returns_whatever_the_gates_return() -> None:
    """ticket_for wraps its gates to learn which one answered: (ticket, as_staff)."""
    assert staff_or_owner(STAFF, "k", staff=lambda user, key: (key, True), owner=lambda user, key: (key, False)) == (
        "k", True)
    assert staff_or_owner(WORKER, "k", staff=lambda user, key: (key, True), owner=lambda user, key: (key, False)) == (
        "k", False)
