"""/api/v1/unions/: the union tree, employers, visits, problems, grids and brands.

The same gates (access.py) and services (services.py) as the console pages.
"""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gonghui.core.api import Page
from gonghui.core.api_inputs import upload_content
from gonghui.core.errors import ValidationFailed
from gonghui.core.schemas import ConsoleQuery, JobOut
from gonghui.lib.excel import XLSX_MIME

from . import services
from .access import (
    access_brand,
    access_employer,
    access_grid,
    access_problem,
    access_union,
    access_union_for_work,
)
from .models import Brand, Employer, Grid, Problem, Union
from .schemas import (
    AdvanceIn,
    BrandOut,
    EmployerIn,
    EmployerOut,
    EmployerPatch,
    GridOut,
    MoveIn,
    NameIn,
    ProblemIn,
    ProblemOut,
    UnionIn,
    UnionOut,
    UnionPatch,
    VisitIn,
    VisitOut,
)
from .selectors import employer_filter, liaison_choices
from .services import imports as importing
from .tasks import import_job_start
from .views.imports import template_response

router = Router(tags=["工会组织"])


class UnionFilter(Schema):
    q: str = ""
    parent: UUID | None = None
    level: int | None = None
    active: bool | None = None


@router.get("/", response=list[UnionOut], summary="工会列表（范围内）")
@paginate(Page)
def union_list(request: HttpRequest, filters: Query[UnionFilter]):
    qs = Union.objects.visible_to(request.user).select_related("parent")
    if filters.q:
        qs = qs.filter(name__icontains=filters.q[:50])
    if filters.parent:
        qs = qs.filter(parent=access_union(request.user, filters.parent))
    if filters.level is not None:
        qs = qs.filter(level=filters.level)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return qs.order_by("path")


@router.post("/", response={201: UnionOut}, summary="新建下级工会（管理员）")
def union_create(request: HttpRequest, payload: UnionIn) -> Status:
    parent = access_union(request.user, payload.parent, write=True)
    data = payload.dict(exclude={"parent"})
    return Status(201, services.union_create(actor=request.user, parent=parent, **data))


class EmployerFilter(ConsoleQuery):
    q: str = ""
    union: UUID | None = None
    industry: str = ""
    size: str = ""
    established: bool | None = None


@router.get("/employers", response=list[EmployerOut], summary="企业/单位列表（范围内）")
@paginate(Page)
def employer_list(request: HttpRequest, filters: Query[EmployerFilter]):
    if filters.union:
        access_union(request.user, filters.union)  # 404 for a union outside the caller's scope
    qs, _ = employer_filter(request.user, filters.params())
    return qs.select_related("union", "grid", "liaison")


@router.post("/employers", response={201: EmployerOut}, summary="登记单位")
def employer_create(request: HttpRequest, payload: EmployerIn) -> Status:
    union = access_union_for_work(request.user, payload.union)
    data = payload.dict(exclude={"union"})
    return Status(201, services.employer_create(actor=request.user, union=union, **data))


@router.get("/employers/{uuid:key}", response=EmployerOut, summary="单位档案")
def employer_get(request: HttpRequest, key: UUID) -> Employer:
    return access_employer(request.user, key)


@router.patch("/employers/{uuid:key}", response=EmployerOut, summary="修改单位档案")
def employer_patch(request: HttpRequest, key: UUID, payload: EmployerPatch) -> Employer:
    employer = access_employer(request.user, key, write=True)
    data = payload.dict(exclude_unset=True)
    if "grid" in data:
        data["grid"] = access_grid(request.user, data["grid"]) if data["grid"] else None
    if "liaison" in data:
        wanted = data["liaison"]
        choices = liaison_choices(employer.union) if wanted else []
        data["liaison"] = next((u for u in choices if u.uuid == wanted), None)
        if wanted and data["liaison"] is None:
            raise ValidationFailed("联络员必须是该工会或上级工会的工作人员", detail={"liaison": "联络员不匹配"})
    return services.employer_update(actor=request.user, employer=employer, **data)


@router.get("/employers/{uuid:key}/visits", response=list[VisitOut], summary="走访记录")
@paginate(Page)
def visit_list(request: HttpRequest, key: UUID):
    return access_employer(request.user, key).visits.select_related("visitor")


@router.post("/employers/{uuid:key}/visits", response={201: VisitOut}, summary="记录走访")
def visit_create(request: HttpRequest, key: UUID, payload: VisitIn) -> Status:
    employer = access_employer(request.user, key, write=True)
    return Status(201, services.visit_record(actor=request.user, employer=employer, **payload.dict()))


@router.get("/employers/{uuid:key}/problems", response=list[ProblemOut], summary="问题清单")
def problem_list(request: HttpRequest, key: UUID) -> list[Problem]:
    employer = access_employer(request.user, key)
    return list(employer.problems.prefetch_related("events__actor"))


@router.post("/employers/{uuid:key}/problems", response={201: ProblemOut}, summary="提出问题")
def problem_create(request: HttpRequest, key: UUID, payload: ProblemIn) -> Status:
    employer = access_employer(request.user, key, write=True)
    return Status(201, services.problem_raise(actor=request.user, employer=employer, **payload.dict()))


@router.post("/problems/{uuid:key}/advance", response=ProblemOut, summary="推进问题状态")
def problem_advance(request: HttpRequest, key: UUID, payload: AdvanceIn) -> Problem:
    problem = access_problem(request.user, key, write=True)
    services.problem_advance(actor=request.user, problem=problem, **payload.dict())
    return get_object_or_404(Problem.objects.prefetch_related("events__actor"), pk=problem.pk)


@router.delete("/brands/{uuid:key}", response={204: None}, summary="删除品牌（管理员）")
def brand_delete(request: HttpRequest, key: UUID) -> Status:
    services.brand_delete(actor=request.user, brand=access_brand(request.user, key, write=True))
    return Status(204, None)


@router.get("/{uuid:key}", response=UnionOut, summary="工会详情")
def union_get(request: HttpRequest, key: UUID) -> Union:
    return access_union(request.user, key)


@router.patch("/{uuid:key}", response=UnionOut, summary="修改工会信息（管理员）")
def union_patch(request: HttpRequest, key: UUID, payload: UnionPatch) -> Union:
    union = access_union(request.user, key, write=True)
    data = payload.dict(exclude_unset=True)
    return services.union_update(actor=request.user, union=union,
                                 name=data.pop("name", union.name), **data)


@router.get("/{uuid:key}/children", response=list[UnionOut], summary="下级工会")
def union_children(request: HttpRequest, key: UUID) -> list[Union]:
    union = access_union(request.user, key)
    return list(union.children.select_related("parent").order_by("name"))


@router.get("/{uuid:key}/ancestors", response=list[UnionOut], summary="上级工会链（范围内）")
def union_ancestors(request: HttpRequest, key: UUID) -> list[Union]:
    union = access_union(request.user, key)
    return list(Union.objects.visible_to(request.user).ancestors_of(union).select_related("parent"))


@router.post("/{uuid:key}/move", response=UnionOut, summary="迁移工会（管理员，下级随之迁移）")
def union_move(request: HttpRequest, key: UUID, payload: MoveIn) -> Union:
    union = access_union(request.user, key, write=True)
    new_parent = access_union(request.user, payload.new_parent, write=True)
    return services.union_move(actor=request.user, union=union, new_parent=new_parent)


@router.post("/{uuid:key}/deactivate", response=UnionOut, summary="停用工会（管理员）")
def union_deactivate(request: HttpRequest, key: UUID) -> Union:
    union = access_union(request.user, key, write=True)
    return services.union_set_active(actor=request.user, union=union, active=False)


@router.post("/{uuid:key}/activate", response=UnionOut, summary="启用工会（管理员）")
def union_activate(request: HttpRequest, key: UUID) -> Union:
    union = access_union(request.user, key, write=True)
    return services.union_set_active(actor=request.user, union=union, active=True)


@router.get("/{uuid:key}/grids", response=list[GridOut], summary="网格")
def grid_list(request: HttpRequest, key: UUID) -> list[Grid]:
    return list(access_union(request.user, key).grids.all())


@router.post("/{uuid:key}/grids", response={201: GridOut}, summary="新建网格（管理员）")
def grid_create(request: HttpRequest, key: UUID, payload: NameIn) -> Status:
    union = access_union(request.user, key, write=True)
    return Status(201, services.grid_create(actor=request.user, union=union, name=payload.name))


@router.get("/{uuid:key}/brands", response=list[BrandOut], summary="品牌矩阵")
def brand_list(request: HttpRequest, key: UUID) -> list[Brand]:
    union = access_union(request.user, key)
    return list(Brand.objects.filter(union=union, parent__isnull=True).prefetch_related("children"))


@router.post("/{uuid:key}/brands", response={201: BrandOut}, summary="新建品牌（管理员）")
def brand_create(request: HttpRequest, key: UUID, payload: NameIn) -> Status:
    union = access_union(request.user, key, write=True)
    parent = access_brand(request.user, payload.parent) if payload.parent else None
    return Status(201, services.brand_create(actor=request.user, union=union, name=payload.name, parent=parent,
                                      description=payload.description))


# --- Excel import -----------------------------------------------------------------------------------------------
# Static paths: "/import/…" never matches the "/{uuid:key}" routes above.


@router.post("/import/{kind}", response={202: JobOut},
             summary="Excel 导入工会组织（unions，管理员）或企业/单位（employers）：后台检查并导入，返回任务")
def import_upload(request: HttpRequest, kind: str, file: File[UploadedFile], dry_run: bool = False) -> Status:
    """Keep the upload (.xlsx, .xls or CSV) and answer the job at once (202): the worker checks every
    row and, unless ``dry_run``, imports the valid rows in one transaction. Poll the job's ``url``;
    when done its ``result`` holds the report — ``total``, ``valid``, ``invalid``, ``created`` and
    ``errors`` (row, column, Chinese message) —, and a file that cannot be read fails the job with
    the reason in ``message``."""
    importing.import_gate(request.user, kind)
    content = upload_content(file, limit=importing.MAX_UPLOAD_BYTES,
                             message=f"文件过大，请不要超过 {importing.MAX_UPLOAD_BYTES // 1024 // 1024} MB；"
                                     "数据较多时请拆分成几个文件分批导入")
    token = importing.upload_keep(content)
    return Status(202, import_job_start(actor=request.user, kind=kind, token=token, filename=file.name or "",
                                        dry_run=dry_run))


@router.get("/import/{kind}/template", response={200: None}, summary="下载 Excel 导入模板",
            openapi_extra={"responses": {"200": {"description": "导入模板（.xlsx）",
                                                 "content": {XLSX_MIME: {}}}}})
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    importing.import_gate(request.user, kind)
    return template_response(kind)
