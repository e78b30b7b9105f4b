"""Employers (企业档案 一企一册), their visits (走访) and problem lists. Every change is audited;
objects arrive already gated (see access.py)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.core import audit
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.transitions import transition
from gonghui.core.validation import clean_text
from gonghui.lib.uscc import InvalidCreditCode, normalize_uscc

from ..models import Employer, Grid, Problem, ProblemEvent, ProblemStatus, Union, Visit
from .tree import clean_name

if TYPE_CHECKING:
    from gonghui.accounts.models import User


# --- Employers --------------------------------------------------------------------------------------


def clean_uscc(value: str) -> str:
    try:
        return normalize_uscc(value)
    except InvalidCreditCode as exc:
        raise ValidationFailed(str(exc), detail={"uscc": str(exc)}) from None


def _check_employer_refs(union: Union, grid: Grid | None, liaison: Any) -> None:
    if grid is not None and not union.path.startswith(grid.union.path):
        raise ValidationFailed("所选网格不属于该工会或其上级工会", detail={"grid": "网格不匹配"})
    if liaison is not None and not liaison.scope.can(union.path, {"admin", "officer", "viewer"}):
        raise ValidationFailed("联络员必须是该工会或上级工会的工作人员", detail={"liaison": "联络员不匹配"})


def employer_create(*, actor: User, union: Union, name: str, uscc: str, industry: str = "", size: str = "",
                    address: str = "", grid: Grid | None = None, liaison: Any = None,
                    union_established: bool = False, employee_count: int | None = None) -> Employer:
    """Register an employer under ``union``. Preconditions: union gated for work."""
    name = clean_name(name, label="单位名称")
    address = clean_text(address, field="address", label="地址", max_length=300, required=False)
    code = clean_uscc(uscc)
    _check_employer_refs(union, grid, liaison)
    if Employer.objects.filter(uscc=code).exists():
        raise Conflict("该统一社会信用代码已登记", code="uscc_taken", detail={"uscc": "已登记"})
    try:
        with transaction.atomic():
            employer = Employer.objects.create(
                name=name, uscc=code, industry=industry, size=size, address=address, union=union,
                grid=grid, liaison=liaison, union_established=union_established, employee_count=employee_count,
            )
            audit.record("employer.create", actor=actor, obj=employer)
    except IntegrityError:
        raise Conflict("该统一社会信用代码已登记", code="uscc_taken", detail={"uscc": "已登记"}) from None
    return employer


EMPLOYER_FIELDS = ("name", "industry", "size", "address", "grid", "liaison", "union_established", "employee_count")


def employer_update(*, actor: User, employer: Employer, **fields: Any) -> Employer:
    """Change an employer's details (not its union or credit code). Preconditions: gated with write."""
    unknown = set(fields) - set(EMPLOYER_FIELDS)
    if unknown:
        raise ValidationFailed("不能修改这些字段：" + "、".join(sorted(unknown)))
    if "name" in fields:
        fields["name"] = clean_name(fields["name"], label="单位名称")
    _check_employer_refs(employer.union, fields.get("grid", employer.grid), fields.get("liaison", employer.liaison))
    changed = [key for key, value in fields.items() if getattr(employer, key) != value]
    for key in changed:
        setattr(employer, key, fields[key])
    if changed:
        with transaction.atomic():
            employer.save(update_fields=[*changed, "updated_at"])
            audit.record("employer.update", actor=actor, obj=employer, detail={"fields": changed})
    return employer


def visit_record(*, actor: User, employer: Employer, visited_on: date, notes: str,
                 visitor: User | None = None) -> Visit:
    """Log a visit (走访). The visitor defaults to the actor."""
    notes = clean_text(notes, field="notes", label="走访记录", max_length=5000, multiline=True)
    if visited_on > timezone.localdate():
        raise ValidationFailed("走访日期不能晚于今天", detail={"visited_on": "日期不能晚于今天"})
    with transaction.atomic():
        visit = Visit.objects.create(employer=employer, visited_on=visited_on, visitor=visitor or actor,
                                     notes=notes)
        audit.record("employer.visit", actor=actor, obj=employer, detail={"visit": str(visit.uuid)})
    return visit


def problem_raise(*, actor: User, employer: Employer, title: str, description: str = "") -> Problem:
    title = clean_name(title, field="title", label="问题", max_length=200)
    description = clean_text(description, field="description", label="说明", max_length=2000, required=False,
                             multiline=True)
    with transaction.atomic():
        problem = Problem.objects.create(employer=employer, title=title, description=description,
                                         raised_by=actor)
        ProblemEvent.objects.create(problem=problem, to_status=ProblemStatus.RAISED, actor=actor)
        audit.record("problem.raise", actor=actor, obj=problem, union=employer.union)
    return problem


def problem_advance(*, actor: User, problem: Problem, to_status: str, note: str = "") -> Problem:
    """Move a problem one step: raised → coordinating → solved. Guarded against double clicks."""
    current = ProblemStatus(problem.status)
    note = clean_text(note, field="note", label="说明", max_length=300, required=False)
    if problem.next_status is None or to_status != problem.next_status:
        raise Conflict(f"问题当前为「{current.label}」，不能变为该状态")
    return transition(
        problem, to=to_status, from_=[current], code="conflict",
        history=lambda before: ProblemEvent.objects.create(problem=problem, from_status=before, to_status=to_status,
                                                           actor=actor, note=note),
        audit="problem.advance", actor=actor, union=problem.employer.union,
        detail={"from": current.value, "to": to_status})
