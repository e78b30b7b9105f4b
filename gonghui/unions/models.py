"""The union tree and what hangs off it.

The tree is a materialized path: every union stores ``path`` = its ancestors' primary keys and its
own, each followed by "/" (``"1/7/42/"``). A subtree is one indexed prefix query, the ancestors
are one ``pk__in`` query, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import secrets
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.utils import timezone

from gonghui.core.models import BranchRow, PublicId, StatusEvent
from gonghui.core.scope import ALL_ROLES, WRITE_ROLES, BranchQuerySet, Role, scope_of


class UnionKind(models.TextChoices):
    FEDERATION = "federation", "总工会"
    INDUSTRY = "industry", "产业工会"
    JOINT = "joint", "工会联合会"
    GRASSROOTS = "grassroots", "基层工会"


class UnionLevel(models.IntegerChoices):
    NATIONAL = 0, "全国"
    PROVINCE = 1, "省级"
    CITY = 2, "市级"
    DISTRICT = 3, "县区级"
    STREET = 4, "街道乡镇"
    GRASSROOTS = 5, "基层"


def new_join_code() -> str:
    return secrets.token_urlsafe(9)


class UnionQuerySet(BranchQuerySet):
    branch_path = "path"
    visible_roles = ALL_ROLES  # the tree's shape is not personal data: every staff role may browse it

    def active(self) -> UnionQuerySet:
        return self.filter(is_active=True)

    def writable_by(self, user: Any, roles: frozenset[Role] = WRITE_ROLES) -> UnionQuerySet:
        """Active unions where ``user`` may create and change records (the choices of a "union" field)."""
        return self.visible_to(user).active().filter(scope_of(user).q("path", roles))

    def subtree(self, union: Union, *, include_self: bool = True) -> UnionQuerySet:
        qs = self.filter(path__startswith=union.path)
        return qs if include_self else qs.exclude(pk=union.pk)

    def ancestors_of(self, union: Union, *, include_self: bool = False) -> UnionQuerySet:
        return self.filter(pk__in=union.chain_ids if include_self else union.ancestor_ids).order_by("depth")


class Union(BranchRow, PublicId):
    name = models.CharField("名称", max_length=200)
    kind = models.CharField("类型", max_length=20, choices=UnionKind.choices, default=UnionKind.GRASSROOTS)
    level = models.PositiveSmallIntegerField("层级", choices=UnionLevel.choices, default=UnionLevel.GRASSROOTS)
    region_code = models.CharField("行政区划代码", max_length=12, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children", verbose_name="上级工会")
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField("启用", default=True)
    address = models.CharField("地址", max_length=300, blank=True)
    join_code = models.CharField("入会码", max_length=20, unique=True, default=new_join_code, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = UnionQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="union_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["parent", "name"], name="union_parent_name_idx"),
            models.Index(fields=["name"], name="union_name_idx"),
        ]
        verbose_name = verbose_name_plural = "工会"

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.split("/")[:-2]]

    @property
    def chain_ids(self) -> list[int]:
        """This union's id after its ancestors' (top first): the unions whose rows reach its members."""
        return [*self.ancestor_ids, self.pk]

    def is_in_subtree_of(self, other: Union) -> bool:
        return self.path.startswith(other.path)


class UnionRowQuerySet(BranchQuerySet):
    """The QuerySet of a row a union owns through its ``union`` foreign key (``branch_path`` "union__path")."""

    def in_chain_of(self, union: Union) -> Self:
        """Rows owned by ``union`` or a union above it: what is offered to ``union``'s members (a row is
        meant for its owner's whole subtree)."""
        return self.filter(union_id__in=union.chain_ids)


# Up to this many unions in scope, ``UnionIdScopedQuerySet`` filters on the list of their ids; beyond, on a subquery.
UNION_ID_LIST_MAX = 2000


class UnionIdScopedQuerySet(UnionRowQuerySet):
    """``visible_to`` asked as ``union_id IN (the unions of the granted subtrees)``: the same rows as the
    base class's join on the union path, but SQLite cannot use an index for the path's LIKE through a join
    and would scan every row; this way both databases find the few unions first (one indexed prefix
    query) and then seek the row table's indexes that start with the union (or with status, union).

    ``union_id_list`` (the tables with a million rows: orders): the ids are looked up first and passed as
    a list, which PostgreSQL can put into the index condition itself, up to ``UNION_ID_LIST_MAX`` of
    them (a city's order board: 1.3 s → 15 ms on SQLite); otherwise, and past that, a subquery."""

    union_id_list: bool = False

    def visible_to(self, user: Any) -> Self:
        scope = scope_of(user)
        if scope.is_superuser or not scope.grants:
            return super().visible_to(user)  # everything, or nothing
        unions = Union.objects.filter(scope.q("path", self.visible_roles))
        if self.union_id_list:
            ids = list(unions.values_list("pk", flat=True)[:UNION_ID_LIST_MAX + 1])
            if len(ids) <= UNION_ID_LIST_MAX:
                return self.filter(union_id__in=ids)
        return self.filter(union_id__in=unions.values("pk"))


class Industry(models.TextChoices):
    """GB/T 4754-2017 sections (门类)."""

    A = "A", "农、林、牧、渔业"
    B = "B", "采矿业"
    C = "C", "制造业"
    D = "D", "电力、热力、燃气及水生产和供应业"
    E = "E", "建筑业"
    F = "F", "批发和零售业"
    G = "G", "交通运输、仓储和邮政业"
    H = "H", "住宿和餐饮业"
    I = "I", "信息传输、软件和信息技术服务业"  # noqa: E741 - the standard's own letter
    J = "J", "金融业"
    K = "K", "房地产业"
    L = "L", "租赁和商务服务业"
    M = "M", "科学研究和技术服务业"
    N = "N", "水利、环境和公共设施管理业"
    O = "O", "居民服务、修理和其他服务业"  # noqa: E741
    P = "P", "教育"
    Q = "Q", "卫生和社会工作"
    R = "R", "文化、体育和娱乐业"
    S = "S", "公共管理、社会保障和社会组织"
    T = "T", "国际组织"


class EmployerSize(models.TextChoices):
    MICRO = "micro", "微型"
    SMALL = "small", "小型"
    MEDIUM = "medium", "中型"
    LARGE = "large", "大型"


class Grid(BranchRow, PublicId):
    """网格: a patch of a union's territory that one liaison looks after."""

    union = models.ForeignKey(Union, on_delete=models.PROTECT, related_name="grids", verbose_name="所属工会")
    name = models.CharField("网格名称", max_length=100)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = BranchQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["union", "name"], name="grid_unique_name_per_union")]
        verbose_name = verbose_name_plural = "网格"

    def __str__(self) -> str:
        return self.name


class Employer(BranchRow, PublicId):
    """企业/单位 and its archive (一企一册)."""

    name = models.CharField("单位名称", max_length=200)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    industry = models.CharField("行业门类", max_length=1, choices=Industry.choices, blank=True)
    size = models.CharField("规模", max_length=10, choices=EmployerSize.choices, blank=True)
    address = models.CharField("地址", max_length=300, blank=True)
    union = models.ForeignKey(Union, on_delete=models.PROTECT, related_name="employers", verbose_name="所属工会")
    union_established = models.BooleanField("已单独建会", default=False)
    grid = models.ForeignKey(Grid, null=True, blank=True, on_delete=models.SET_NULL, related_name="employers",
                             verbose_name="所属网格")
    liaison = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="liaison_employers", verbose_name="联络员")
    employee_count = models.PositiveIntegerField("职工人数", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BranchQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["union", "name"], name="employer_union_name_idx"),
            models.Index(fields=["name"], name="employer_name_idx"),
            models.Index(fields=["industry"], name="employer_industry_idx"),
        ]
        verbose_name = verbose_name_plural = "企业/单位"

    def __str__(self) -> str:
        return self.name


class EmployerChildQuerySet(BranchQuerySet):
    branch_path = "employer__union__path"


class Visit(BranchRow, PublicId):
    """走访: a liaison's or officer's visit to an employer."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField("走访日期")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name="走访人")
    notes = models.TextField("走访记录")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = EmployerChildQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["employer", "-visited_on"], name="visit_employer_date_idx")]
        verbose_name = verbose_name_plural = "走访记录"

    def __str__(self) -> str:
        return f"{self.visited_on} {self.employer_id}"


class ProblemStatus(models.TextChoices):
    RAISED = "raised", "已提出"
    COORDINATING = "coordinating", "协调中"
    SOLVED = "solved", "已解决"


PROBLEM_NEXT = {ProblemStatus.RAISED: ProblemStatus.COORDINATING, ProblemStatus.COORDINATING: ProblemStatus.SOLVED}


class Problem(BranchRow, PublicId):
    """问题清单: an issue found at an employer, followed until solved."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="problems")
    title = models.CharField("问题", max_length=200)
    description = models.TextField("说明", blank=True)
    status = models.CharField("状态", max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.RAISED)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = EmployerChildQuerySet.as_manager()

    class Meta:
        ordering = ["status", "-raised_at"]
        indexes = [models.Index(fields=["employer", "status"], name="problem_employer_status_idx")]
        verbose_name = verbose_name_plural = "问题清单"

    def __str__(self) -> str:
        return self.title

    @property
    def next_status(self) -> ProblemStatus | None:
        return PROBLEM_NEXT.get(ProblemStatus(self.status))


class ProblemEvent(StatusEvent):
    """One step in a problem's history: who moved it from what to what, when, and why."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=ProblemStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ProblemStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("说明", max_length=300, blank=True)


class Brand(BranchRow, PublicId):
    """品牌矩阵: a union's two-level tree of service modules and their sub-brands."""

    union = models.ForeignKey(Union, on_delete=models.CASCADE, related_name="brands")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    name = models.CharField("名称", max_length=60)
    description = models.CharField("简介", max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = BranchQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["union", "parent", "name"], name="brand_unique_name_per_parent"),
            # NULLs are distinct in a unique constraint: modules (no parent) need their own.
            models.UniqueConstraint(fields=["union", "name"], condition=models.Q(parent__isnull=True),
                                    name="brand_unique_module_name"),
        ]
        verbose_name = verbose_name_plural = "品牌"

    def __str__(self) -> str:
        return self.name
