"""Console pages of the union tree and the employer archive (一企一册). Thin adapters:
parse → gate (access.py) → service → render."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gonghui.core.actions import act, attempt, form_status, object_action, submit
from gonghui.core.decorators import staff_required
from gonghui.core.errors import ValidationFailed
from gonghui.core.responses import qr_svg
from gonghui.core.scope import DATA_ROLES, WRITE_ROLES, Role, scope_of

from .. import services
from ..access import (
    access_brand,
    access_employer,
    access_grid,
    access_problem,
    access_union,
    under_work_union,
)
from ..forms import (
    AdvanceForm,
    ChildUnionForm,
    EmployerEditForm,
    EmployerForm,
    MoveForm,
    NameForm,
    ProblemForm,
    UnionForm,
    VisitForm,
)
from ..models import Brand, Employer, EmployerSize, Grid, Industry, Problem, Union, UnionKind, UnionLevel
from ..selectors import child_counts, employer_filter, liaison_choices


def _can(user: Any, union: Union, roles: Any) -> bool:
    return scope_of(user).can(union.path, roles)


# --- The tree ------------------------------------------------------------------------------------------


@staff_required
def tree(request: HttpRequest) -> HttpResponse:
    """The tree browser: the user's top unions, expandable; or search results across the scope."""
    visible = Union.objects.visible_to(request.user)
    q = " ".join(request.GET.get("q", "").split())[:50]
    results = None
    if q:
        matches = visible.filter(name__icontains=q).select_related("parent")
        results = Paginator(matches, 30).get_page(request.GET.get("page"))
        roots = []
    else:
        scope = scope_of(request.user)
        if scope.is_superuser:
            roots = list(Union.objects.filter(parent__isnull=True))
        else:
            tops = scope.paths()
            roots = list(Union.objects.filter(path__in=tops))
        counts = child_counts(roots)
        for root in roots:
            root.child_count, root.employer_count = counts.get(root.pk, (0, 0))
    return render(request, "unions/tree.html", {"section": "unions", "roots": roots, "q": q, "results": results})


@staff_required
def children(request: HttpRequest, key: str) -> HttpResponse:
    """HTMX: the children of one node, for expanding the tree."""
    union = access_union(request.user, key)
    kids = list(union.children.order_by("-is_active", "name"))
    counts = child_counts(kids)
    for kid in kids:
        kid.child_count, kid.employer_count = counts.get(kid.pk, (0, 0))
    return render(request, "unions/_tree_children.html", {"nodes": kids})


@staff_required
def detail(request: HttpRequest, key: str) -> HttpResponse:
    union = access_union(request.user, key)
    scope = scope_of(request.user)
    kids = list(union.children.order_by("-is_active", "name"))
    counts = child_counts(kids)
    for kid in kids:
        kid.child_count, kid.employer_count = counts.get(kid.pk, (0, 0))
    # Auditors browse the tree's shape only; business data (employers) needs a data role, and the
    # staff list is an administrator's (the same rule as the staff page).
    sees_data = scope.can(union.path, DATA_ROLES)
    is_admin = scope.role_at(union.path) == Role.ADMIN
    employers = (Employer.objects.filter(union=union).select_related("liaison").order_by("name")[:20]
                 if sees_data else [])
    modules = Brand.objects.filter(union=union, parent__isnull=True).prefetch_related("children")
    staff = union.assignments.select_related("user").order_by("role") if is_admin else []
    return render(request, "unions/detail.html", {
        "section": "unions", "union": union, "children": kids,
        "ancestors": Union.objects.visible_to(request.user).ancestors_of(union),
        "sees_data": sees_data, "is_admin": is_admin, "roles": Role.choices,
        "employers": employers,
        "employer_total": Employer.objects.filter(union=union).count() if sees_data else None,
        "subtree_employers": Employer.objects.filter(union__path__startswith=union.path).count() if sees_data else None,
        "grids": Grid.objects.filter(union=union).annotate(n=Count("employers")),
        "modules": modules, "staff": staff,
        "can_structure": is_admin,
        "can_work": scope.can(union.path, WRITE_ROLES),
        "edit_form": UnionForm(initial={"name": union.name, "kind": union.kind, "region_code": union.region_code,
                                        "address": union.address}),
        "child_form": ChildUnionForm(initial={"kind": UnionKind.GRASSROOTS,
                                              "level": min(union.level + 1, UnionLevel.GRASSROOTS)}),
        "join_url": request.build_absolute_uri(reverse("unions:public", args=[union.join_code])),
    })


def _back_to(union: Union) -> HttpResponse:
    return redirect("unions:detail", key=union.uuid)


def _detail_url(union: Union) -> str:
    return reverse("unions:detail", kwargs={"key": union.uuid})


# The union page's forms: gated with write, back to the union.
union_action = partial(object_action, partial(access_union, write=True),
                       back=lambda request, union: _detail_url(union))


@union_action(form=UnionForm, success="已保存")
def update(request: HttpRequest, union: Union, data: Mapping[str, Any]) -> Any:
    return services.union_update(actor=request.user, union=union, **data)


@staff_required
@require_POST
def create_child(request: HttpRequest, key: str) -> HttpResponse:
    parent = access_union(request.user, key, write=True)
    created: list[Union] = []

    def run(data: Any) -> str:
        created.append(services.union_create(actor=request.user, parent=parent, **data))
        return f"已新建「{created[0].name}」"

    # On success the page of the new union, else back to the parent.
    return act(request, form=ChildUnionForm(request.POST), run=run,
               back=lambda: _detail_url(created[0] if created else parent))


@union_action(form=MoveForm)
def move(request: HttpRequest, union: Union, data: Mapping[str, Any]) -> str:
    new_parent = access_union(request.user, data["new_parent"], write=True)
    services.union_move(actor=request.user, union=union, new_parent=new_parent)
    return f"已迁移到「{new_parent.name}」之下，下级工会随之迁移"


@union_action()
def set_active(request: HttpRequest, union: Union, data: Mapping[str, Any]) -> str:
    active = request.POST.get("active") == "1"
    services.union_set_active(actor=request.user, union=union, active=active)
    return "已启用" if active else "已停用"


@staff_required
def parent_options(request: HttpRequest, key: str) -> HttpResponse:
    """HTMX: candidate new parents for a move, searched by name within the user's scope."""
    union = access_union(request.user, key, write=True)
    q = " ".join(request.GET.get("q", "").split())[:50]
    options = (Union.objects.visible_to(request.user).active().filter(level__lt=union.level)
               .exclude(path__startswith=union.path).exclude(pk=union.parent_id))
    if q:
        options = options.filter(name__icontains=q)
    return render(request, "unions/_parent_options.html", {"options": options.order_by("level", "name")[:20]})


@staff_required
def join_qr(request: HttpRequest, key: str) -> HttpResponse:
    """The union's join QR code as SVG (print it on posters; members scan it to join)."""
    union = access_union(request.user, key)
    url = request.build_absolute_uri(reverse("unions:public", args=[union.join_code]))
    return qr_svg(request, url, filename=f"join-qr-{union.uuid}.svg")


# --- Grids and brands -------------------------------------------------------------------------------


@union_action(form=NameForm, success="已添加网格")
def grid_add(request: HttpRequest, union: Union, data: Mapping[str, Any]) -> Any:
    return services.grid_create(actor=request.user, union=union, name=data["name"])


@union_action(form=NameForm, success="已添加品牌")
def brand_add(request: HttpRequest, union: Union, data: Mapping[str, Any]) -> None:
    parent = access_brand(request.user, data["parent"]) if data["parent"] else None
    services.brand_create(actor=request.user, union=union, name=data["name"], parent=parent,
                          description=data["description"])


@staff_required
@require_POST
def brand_delete(request: HttpRequest, key: str) -> HttpResponse:
    brand = access_brand(request.user, key, write=True)
    services.brand_delete(actor=request.user, brand=brand)
    messages.success(request, f"已删除品牌「{brand.name}」")
    return _back_to(brand.union)


# --- Employers --------------------------------------------------------------------------------------


@staff_required
def employers(request: HttpRequest) -> HttpResponse:
    qs, filters = employer_filter(request.user, request.GET)
    page = Paginator(qs.select_related("union", "liaison"), 20).get_page(request.GET.get("page"))
    return render(request, "unions/employers.html", {
        "can_work": bool(scope_of(request.user).paths(WRITE_ROLES)) or scope_of(request.user).is_superuser,
        "section": "employers", "page": page, "filters": filters, "industries": Industry.choices,
        "sizes": EmployerSize.choices,
    })


@staff_required
def employer_new(request: HttpRequest) -> HttpResponse:
    form = EmployerForm(request.POST or None, initial={"union": request.GET.get("union", "")})

    done = submit(request, form, run=under_work_union(request.user, services.employer_create),
                  success=lambda employer: f"已登记「{employer.name}」",
                  redirect_to=lambda employer: reverse("unions:employer", args=[employer.uuid]))
    if done:
        return done
    unions = Union.objects.writable_by(request.user).order_by("path")[:500]
    return render(request, "unions/employer_form.html", {"section": "employers", "form": form, "unions": unions},
                  status=form_status(request, form))


@staff_required
def employer(request: HttpRequest, key: str) -> HttpResponse:
    """The employer archive (一企一册)."""
    emp = access_employer(request.user, key)
    can_work = _can(request.user, emp.union, WRITE_ROLES)
    problems = emp.problems.select_related("raised_by").prefetch_related("events__actor")
    return render(request, "unions/employer.html", {
        "section": "employers", "employer": emp, "can_work": can_work,
        "visits": emp.visits.select_related("visitor")[:50], "problems": problems,
        "ancestors": Union.objects.visible_to(request.user).ancestors_of(emp.union, include_self=True),
        "visit_form": VisitForm(initial={"visited_on": timezone.localdate()}), "problem_form": ProblemForm(),
        "edit_form": EmployerEditForm(initial={
            "name": emp.name, "industry": emp.industry, "size": emp.size, "employee_count": emp.employee_count,
            "address": emp.address, "union_established": emp.union_established,
            "grid": emp.grid.uuid if emp.grid else "", "liaison": emp.liaison.uuid if emp.liaison else ""}),
        "grids": Grid.objects.visible_to(request.user).filter(union_id__in=[*emp.union.ancestor_ids, emp.union_id]),
        "liaisons": liaison_choices(emp.union),
    })


@staff_required
@require_POST
def employer_edit(request: HttpRequest, key: str) -> HttpResponse:
    emp = access_employer(request.user, key, write=True)

    def save(data: Any) -> None:
        data = dict(data)
        grid_key, liaison_key = data.pop("grid"), data.pop("liaison")
        data["grid"] = access_grid(request.user, grid_key) if grid_key else None
        data["liaison"] = None
        if liaison_key:
            data["liaison"] = next((u for u in liaison_choices(emp.union) if u.uuid == liaison_key), None)
        if liaison_key and data["liaison"] is None:
            raise ValidationFailed("联络员必须是该工会或上级工会的工作人员")
        services.employer_update(actor=request.user, employer=emp, **data)

    def invalid(form: EmployerEditForm) -> str:
        problems = [f"{form.fields[f].label}：{e[0]}" for f, e in form.errors.items() if f in form.fields]
        return "请检查填写的内容：" + "；".join(problems)

    return act(request, form=EmployerEditForm(request.POST), run=save, success="已保存", invalid=invalid,
               back=reverse("unions:employer", args=[emp.uuid]))


@staff_required
@require_POST
def visit_add(request: HttpRequest, key: str) -> HttpResponse:
    emp = access_employer(request.user, key, write=True)
    form = VisitForm(request.POST)
    outcome = attempt(lambda data: services.visit_record(actor=request.user, employer=emp, **data), form,
                      invalid="请填写走访日期和走访记录")
    if request.htmx:
        return render(request, "unions/_visits.html", {
            "employer": emp, "visits": emp.visits.select_related("visitor")[:50], "visit_error": outcome.error,
            "visit_form": form if outcome.error else VisitForm(initial={"visited_on": timezone.localdate()}),
            "can_work": True}, status=outcome.status)
    if outcome.error:
        messages.error(request, outcome.error)
    return redirect("unions:employer", key=emp.uuid)


@object_action(partial(access_employer, write=True), form=ProblemForm, success="已加入问题清单",
               back=lambda request, emp: reverse("unions:employer", kwargs={"key": emp.uuid}))
def problem_add(request: HttpRequest, emp: Employer, data: Mapping[str, Any]) -> Any:
    return services.problem_raise(actor=request.user, employer=emp, **data)


@staff_required
@require_POST
def problem_advance(request: HttpRequest, key: str) -> HttpResponse:
    problem = access_problem(request.user, key, write=True)
    form = AdvanceForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed("缺少目标状态")
    services.problem_advance(actor=request.user, problem=problem, **form.cleaned_data)
    if request.htmx:
        problem = Problem.objects.select_related("raised_by").prefetch_related("events__actor").get(pk=problem.pk)
        return render(request, "unions/_problem.html", {"problem": problem, "can_work": True})
    return redirect("unions:employer", key=problem.employer.uuid)
