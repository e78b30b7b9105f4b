"""Union-tree workflows. Every change is audited; objects arrive already gated (see access.py)."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.http import HttpRequest
from django.utils import timezone

from gonghui.core import audit
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.lib.uscc import InvalidCreditCode, normalize_uscc

from .models import (
    Brand,
    Employer,
    Grid,
    Problem,
    ProblemEvent,
    ProblemStatus,
    Union,
    UnionKind,
    UnionLevel,
    Visit,
)

_REGION = re.compile(r"\d{6}|\d{9}|\d{12}")


def _clean_name(name: str, *, field: str = "name", label: str = "名称", max_length: int = 200) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(f"请填写{label}", detail={field: f"请填写{label}"})
    if len(name) > max_length:
        raise ValidationFailed(f"{label}不能超过{max_length}个字", detail={field: f"{label}过长"})
    return name


def _clean_region(code: str) -> str:
    code = (code or "").strip()
    if code and not _REGION.fullmatch(code):
        raise ValidationFailed("行政区划代码应为6位、9位或12位数字", detail={"region_code": "格式不正确"})
    return code


# --- Unions -------------------------------------------------------------------------------------


@transaction.atomic
def union_create(*, actor: Any, parent: Union | None, name: str, kind: str = UnionKind.GRASSROOTS,
                 level: int | None = None, region_code: str = "", address: str = "",
                 request: HttpRequest | None = None, audited: bool = True) -> Union:
    """Create a union under ``parent`` (None only for a root, which the caller must be allowed to make).

    Preconditions: ``parent`` came through access_union(actor, …, write=True).
    """
    name = _clean_name(name)
    if kind not in UnionKind.values:
        raise ValidationFailed("请选择工会类型", detail={"kind": "类型不正确"})
    if level is None:
        level = min((parent.level + 1) if parent else UnionLevel.PROVINCE, UnionLevel.GRASSROOTS)
    if level not in UnionLevel.values or (parent is not None and level <= parent.level):
        raise ValidationFailed("下级工会的层级必须低于上级工会", detail={"level": "层级不正确"})
    if parent is not None and not parent.is_active:
        raise Conflict("上级工会已停用，不能在其下新建工会")
    union = Union.objects.create(
        name=name, kind=kind, level=level, region_code=_clean_region(region_code), address=address.strip()[:300],
        parent=parent, path=f"tmp:{uuid.uuid4().hex}", depth=(parent.depth + 1) if parent else 0,
    )
    union.path = f"{parent.path if parent else ''}{union.pk}/"
    Union.objects.filter(pk=union.pk).update(path=union.path)
    if audited:
        audit.record("union.create", actor=actor, request=request, obj=union,
                     detail={"parent": str(parent.uuid) if parent else None})
    return union


def union_update(*, actor: Any, union: Union, name: str, kind: str | None = None, region_code: str | None = None,
                 address: str | None = None, request: HttpRequest | None = None) -> Union:
    """Rename a union or correct its details. Preconditions: gated with write=True."""
    changes: dict[str, Any] = {}
    new_name = _clean_name(name)
    if new_name != union.name:
        changes["name"] = [union.name, new_name]
        union.name = new_name
    if kind is not None and kind != union.kind:
        if kind not in UnionKind.values:
            raise ValidationFailed("请选择工会类型", detail={"kind": "类型不正确"})
        changes["kind"] = [union.kind, kind]
        union.kind = kind
    if region_code is not None and region_code.strip() != union.region_code:
        changes["region_code"] = [union.region_code, _clean_region(region_code)]
        union.region_code = changes["region_code"][1]
    if address is not None and address.strip()[:300] != union.address:
        union.address = address.strip()[:300]
        changes["address"] = True
    if changes:
        with transaction.atomic():
            union.save(update_fields=["name", "kind", "region_code", "address"])
            audit.record("union.update", actor=actor, request=request, obj=union, detail=changes)
    return union


def union_move(*, actor: Any, union: Union, new_parent: Union, request: HttpRequest | None = None) -> Union:
    """Move a union and its whole subtree under ``new_parent`` (one UPDATE for the subtree).

    Preconditions: both came through access_union(actor, …, write=True).
    """
    if union.parent_id is None:
        raise ValidationFailed("顶级工会不能迁移")
    if new_parent.path.startswith(union.path):
        raise ValidationFailed("不能把工会迁移到它自己或它的下级工会之下")
    if new_parent.level >= union.level:
        raise ValidationFailed("新的上级工会层级必须高于被迁移的工会")
    if not new_parent.is_active:
        raise Conflict("目标上级工会已停用")
    if new_parent.pk == union.parent_id:
        return union
    with transaction.atomic():
        locked = Union.objects.select_for_update().get(pk=union.pk)
        if locked.path != union.path:
            raise Conflict()
        old_path, new_path = union.path, f"{new_parent.path}{union.pk}/"
        old_parent_id = union.parent_id
        depth_delta = (new_parent.depth + 1) - union.depth
        Union.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1, Length("path"))),
            depth=F("depth") + depth_delta,
        )
        Union.objects.filter(pk=union.pk).update(parent=new_parent)
        union.refresh_from_db()
        audit.record("union.move", actor=actor, request=request, obj=union,
                     detail={"from_parent": old_parent_id, "to_parent": new_parent.pk})
    return union


def union_set_active(*, actor: Any, union: Union, active: bool, request: HttpRequest | None = None) -> Union:
    """Deactivate (or reactivate) a union. A union with active children can't be deactivated."""
    with transaction.atomic():
        if not active and Union.objects.filter(parent=union, is_active=True).exists():
            raise Conflict("请先停用或迁移其下级工会")
        if active and union.parent is not None and not union.parent.is_active:
            raise Conflict("上级工会已停用，不能启用")
        updated = Union.objects.filter(pk=union.pk, is_active=not active).update(is_active=active)
        if not updated:
            raise Conflict("该工会已经是" + ("启用" if active else "停用") + "状态")
        union.is_active = active
        audit.record("union.activate" if active else "union.deactivate", actor=actor, request=request, obj=union)
    return union


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


def employer_create(*, actor: Any, union: Union, name: str, uscc: str, industry: str = "", size: str = "",
                    address: str = "", grid: Grid | None = None, liaison: Any = None,
                    union_established: bool = False, employee_count: int | None = None,
                    request: HttpRequest | None = None) -> Employer:
    """Register an employer under ``union``. Preconditions: union gated for work."""
    name = _clean_name(name, label="单位名称")
    code = clean_uscc(uscc)
    _check_employer_refs(union, grid, liaison)
    if Employer.objects.filter(uscc=code).exists():
        raise Conflict("该统一社会信用代码已登记", code="uscc_taken", detail={"uscc": "已登记"})
    try:
        with transaction.atomic():
            employer = Employer.objects.create(
                name=name, uscc=code, industry=industry, size=size, address=address.strip()[:300], union=union,
                grid=grid, liaison=liaison, union_established=union_established, employee_count=employee_count,
            )
            audit.record("employer.create", actor=actor, request=request, obj=employer)
    except IntegrityError:
        raise Conflict("该统一社会信用代码已登记", code="uscc_taken", detail={"uscc": "已登记"}) from None
    return employer


EMPLOYER_FIELDS = ("name", "industry", "size", "address", "grid", "liaison", "union_established", "employee_count")


def employer_update(*, actor: Any, employer: Employer, request: HttpRequest | None = None, **fields: Any) -> Employer:
    """Change an employer's details (not its union or credit code). Preconditions: gated with write."""
    unknown = set(fields) - set(EMPLOYER_FIELDS)
    if unknown:
        raise ValidationFailed("不能修改这些字段：" + "、".join(sorted(unknown)))
    if "name" in fields:
        fields["name"] = _clean_name(fields["name"], label="单位名称")
    _check_employer_refs(employer.union, fields.get("grid", employer.grid), fields.get("liaison", employer.liaison))
    changed = [key for key, value in fields.items() if getattr(employer, key) != value]
    for key in changed:
        setattr(employer, key, fields[key])
    if changed:
        with transaction.atomic():
            employer.save(update_fields=[*changed, "updated_at"])
            audit.record("employer.update", actor=actor, request=request, obj=employer, detail={"fields": changed})
    return employer


def visit_record(*, actor: Any, employer: Employer, visited_on: date, notes: str, visitor: Any = None,
                 request: HttpRequest | None = None) -> Visit:
    """Log a visit (走访). The visitor defaults to the actor."""
    notes = (notes or "").strip()
    if not notes:
        raise ValidationFailed("请填写走访记录", detail={"notes": "请填写走访记录"})
    if visited_on > timezone.localdate():
        raise ValidationFailed("走访日期不能晚于今天", detail={"visited_on": "日期不能晚于今天"})
    with transaction.atomic():
        visit = Visit.objects.create(employer=employer, visited_on=visited_on, visitor=visitor or actor,
                                     notes=notes[:5000])
        audit.record("employer.visit", actor=actor, request=request, obj=employer, detail={"visit": str(visit.uuid)})
    return visit


def problem_raise(*, actor: Any, employer: Employer, title: str, description: str = "",
                  request: HttpRequest | None = None) -> Problem:
    title = _clean_name(title, field="title", label="问题", max_length=200)
    with transaction.atomic():
        problem = Problem.objects.create(employer=employer, title=title, description=(description or "").strip(),
                                         raised_by=actor)
        ProblemEvent.objects.create(problem=problem, to_status=ProblemStatus.RAISED, actor=actor)
        audit.record("problem.raise", actor=actor, request=request, obj=problem, union=employer.union)
    return problem


def problem_advance(*, actor: Any, problem: Problem, to_status: str, note: str = "",
                    request: HttpRequest | None = None) -> Problem:
    """Move a problem one step: raised → coordinating → solved. Guarded against double clicks."""
    current = ProblemStatus(problem.status)
    if problem.next_status is None or to_status != problem.next_status:
        raise Conflict(f"问题当前为「{current.label}」，不能变为该状态")
    now = timezone.now()
    with transaction.atomic():
        updated = Problem.objects.filter(pk=problem.pk, status=current).update(status=to_status, updated_at=now)
        if not updated:
            raise Conflict()
        ProblemEvent.objects.create(problem=problem, from_status=current, to_status=to_status, actor=actor,
                                    note=(note or "").strip()[:300])
        audit.record("problem.advance", actor=actor, request=request, obj=problem, union=problem.employer.union,
                     detail={"from": current.value, "to": to_status})
    problem.status, problem.updated_at = to_status, now
    return problem


# --- Grids and brands ---------------------------------------------------------------------------------


def grid_create(*, actor: Any, union: Union, name: str, request: HttpRequest | None = None) -> Grid:
    name = _clean_name(name, label="网格名称", max_length=100)
    if Grid.objects.filter(union=union, name=name).exists():
        raise Conflict("该工会已有同名网格")
    with transaction.atomic():
        grid = Grid.objects.create(union=union, name=name)
        audit.record("grid.create", actor=actor, request=request, obj=grid)
    return grid


def brand_create(*, actor: Any, union: Union, name: str, parent: Brand | None = None, description: str = "",
                 request: HttpRequest | None = None) -> Brand:
    """Add a module (no parent) or a sub-brand (parent is a module of the same union)."""
    name = _clean_name(name, label="品牌名称", max_length=60)
    if parent is not None and (parent.union_id != union.pk or parent.parent_id is not None):
        raise ValidationFailed("子品牌只能挂在本工会的一级品牌（模块）之下")
    if Brand.objects.filter(union=union, parent=parent, name=name).exists():
        raise Conflict("已有同名品牌")
    with transaction.atomic():
        position = Brand.objects.filter(union=union, parent=parent).count()
        brand = Brand.objects.create(union=union, parent=parent, name=name, description=description.strip()[:300],
                                     position=position)
        audit.record("brand.create", actor=actor, request=request, obj=brand)
    return brand


def brand_delete(*, actor: Any, brand: Brand, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        audit.record("brand.delete", actor=actor, request=request, obj=brand,
                     detail={"sub_brands": brand.children.count()})
        brand.delete()
