"""The union tree, grids and brands. Every change is audited; objects arrive already gated (see access.py)."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr

from gonghui.core import audit
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.transitions import transition
from gonghui.core.validation import clean_text

from ..models import Brand, Grid, Union, UnionKind, UnionLevel

if TYPE_CHECKING:
    from gonghui.accounts.models import User

_REGION = re.compile(r"\d{6}|\d{9}|\d{12}")


def clean_name(name: str | None, *, field: str = "name", label: str = "名称", max_length: int = 200) -> str:
    """A name as the union tree keeps it: one line, required, at most ``max_length`` characters."""
    return clean_text(name, field=field, label=label, max_length=max_length, too_long=f"{label}过长")


def _clean_region(code: str) -> str:
    code = (code or "").strip()
    if code and not _REGION.fullmatch(code):
        raise ValidationFailed("行政区划代码应为6位、9位或12位数字", detail={"region_code": "格式不正确"})
    return code


# --- Unions -------------------------------------------------------------------------------------


@transaction.atomic
def union_create(*, actor: User | None, parent: Union | None, name: str, kind: str = UnionKind.GRASSROOTS,
                 level: int | None = None, region_code: str = "", address: str = "",
                 audited: bool = True) -> Union:
    """Create a union under ``parent`` (None only for a root, which the caller must be allowed to make).

    Preconditions: ``parent`` came through access_union(actor, …, write=True).
    """
    name = clean_name(name)
    if kind not in UnionKind.values:
        raise ValidationFailed("请选择工会类型", detail={"kind": "类型不正确"})
    if level is None:
        level = min((parent.level + 1) if parent else UnionLevel.PROVINCE, UnionLevel.GRASSROOTS)
    if level not in UnionLevel.values or (parent is not None and level <= parent.level):
        raise ValidationFailed("下级工会的层级必须低于上级工会", detail={"level": "层级不正确"})
    if parent is not None and not parent.is_active:
        raise Conflict("上级工会已停用，不能在其下新建工会")
    union = Union.objects.create(
        name=name, kind=kind, level=level, region_code=_clean_region(region_code),
        address=clean_text(address, field="address", label="地址", max_length=300, required=False),
        parent=parent, path=f"tmp:{uuid.uuid4().hex}", depth=(parent.depth + 1) if parent else 0,
    )
    union.path = f"{parent.path if parent else ''}{union.pk}/"
    Union.objects.filter(pk=union.pk).update(path=union.path)
    if audited:
        audit.record("union.create", actor=actor, obj=union,
                     detail={"parent": str(parent.uuid) if parent else None})
    return union


def union_update(*, actor: User, union: Union, name: str, kind: str | None = None, region_code: str | None = None,
                 address: str | None = None) -> Union:
    """Rename a union or correct its details. Preconditions: gated with write=True."""
    changes: dict[str, Any] = {}
    new_name = clean_name(name)
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
    if address is not None:
        address = clean_text(address, field="address", label="地址", max_length=300, required=False)
        if address != union.address:
            union.address = address
            changes["address"] = True
    if changes:
        with transaction.atomic():
            union.save(update_fields=["name", "kind", "region_code", "address"])
            audit.record("union.update", actor=actor, obj=union, detail=changes)
    return union


def union_move(*, actor: User, union: Union, new_parent: Union) -> Union:
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
        audit.record("union.move", actor=actor, obj=union,
                     detail={"from_parent": old_parent_id, "to_parent": new_parent.pk})
    return union


def union_set_active(*, actor: User, union: Union, active: bool) -> Union:
    """Deactivate (or reactivate) a union. A union with active children can't be deactivated."""
    with transaction.atomic():
        if not active and Union.objects.filter(parent=union, is_active=True).exists():
            raise Conflict("请先停用或迁移其下级工会")
        if active and union.parent is not None and not union.parent.is_active:
            raise Conflict("上级工会已停用，不能启用")
        return transition(union, guard={"is_active": not active}, changes={"is_active": active}, code="conflict",
                          message="该工会已经是" + ("启用" if active else "停用") + "状态",
                          audit="union.activate" if active else "union.deactivate", actor=actor)


# --- Grids and brands ---------------------------------------------------------------------------------


def grid_create(*, actor: User, union: Union, name: str) -> Grid:
    name = clean_name(name, label="网格名称", max_length=100)
    if Grid.objects.filter(union=union, name=name).exists():
        raise Conflict("该工会已有同名网格")
    with transaction.atomic():
        grid = Grid.objects.create(union=union, name=name)
        audit.record("grid.create", actor=actor, obj=grid)
    return grid


def brand_create(*, actor: User, union: Union, name: str, parent: Brand | None = None, description: str = "") -> Brand:
    """Add a module (no parent) or a sub-brand (parent is a module of the same union)."""
    name = clean_name(name, label="品牌名称", max_length=60)
    if parent is not None and (parent.union_id != union.pk or parent.parent_id is not None):
        raise ValidationFailed("子品牌只能挂在本工会的一级品牌（模块）之下")
    if Brand.objects.filter(union=union, parent=parent, name=name).exists():
        raise Conflict("已有同名品牌")
    with transaction.atomic():
        position = Brand.objects.filter(union=union, parent=parent).count()
        description = clean_text(description, field="description", label="简介", max_length=300, required=False)
        brand = Brand.objects.create(union=union, parent=parent, name=name, description=description,
                                     position=position)
        audit.record("brand.create", actor=actor, obj=brand)
    return brand


def brand_delete(*, actor: User, brand: Brand) -> None:
    with transaction.atomic():
        audit.record("brand.delete", actor=actor, obj=brand,
                     detail={"sub_brands": brand.children.count()})
        brand.delete()
