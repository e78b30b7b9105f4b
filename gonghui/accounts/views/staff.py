"""Staff management in the console: who holds which role at which union."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gonghui.core.actions import act, object_action
from gonghui.core.decorators import staff_required
from gonghui.core.scope import Role, scope_of
from gonghui.unions.access import access_union
from gonghui.unions.models import Union

from .. import second_factor, services
from ..access import access_assignment
from ..forms import AssignForm, RoleForm
from ..models import SecondFactor, StaffAssignment


def _admin_unions(user: Any) -> list[Union]:
    """Unions where the user may appoint staff (the tops of their admin grants)."""
    scope = scope_of(user)
    if scope.is_superuser:
        return list(Union.objects.filter(parent__isnull=True))
    ids = [g.union_id for g in scope.grants if g.role == Role.ADMIN]
    return list(Union.objects.filter(pk__in=ids))


@staff_required
def staff_list(request: HttpRequest) -> HttpResponse:
    enrolled = SecondFactor.objects.filter(user=OuterRef("user"), confirmed_at__isnull=False)
    qs = (StaffAssignment.objects.visible_to(request.user).select_related("user", "union")
          .annotate(second_factor=Exists(enrolled)).order_by("union__path", "role"))
    q = " ".join(request.GET.get("q", "").split())[:50]
    union_key = request.GET.get("union", "")
    if union_key:
        union = access_union(request.user, union_key)
        qs = qs.filter(union__path__startswith=union.path)
    if q:
        qs = qs.filter(user__name__icontains=q) | qs.filter(union__name__icontains=q)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "accounts/staff_list.html", {
        "section": "staff", "page": page, "q": q, "admin_unions": _admin_unions(request.user),
        "form": AssignForm(), "roles": Role.choices,
    })


@staff_required
@require_POST
def staff_assign(request: HttpRequest) -> HttpResponse:
    def run(data: Any) -> None:
        # The union is gated once the form is valid: another branch's union is a 404, as everywhere.
        union = access_union(request.user, data["union"], write=True)
        services.staff_assign(actor=request.user, union=union, phone=data["phone"], name=data["name"],
                              role=data["role"], title=data["title"], initial_password=data["initial_password"])

    return act(request, form=AssignForm(request.POST), run=run, success="已添加任职",
               back=reverse("accounts:staff"))


# The actions on one assignment: gated with write, back to the staff list.
assignment_action = partial(object_action, partial(access_assignment, write=True),
                            back=lambda request, assignment: reverse("accounts:staff"))


@assignment_action(form=RoleForm)
def staff_role(request: HttpRequest, assignment: StaffAssignment, data: Mapping[str, Any]) -> str:
    services.staff_change_role(actor=request.user, assignment=assignment, role=data["role"])
    return f"已将 {assignment.user.name} 的角色改为「{Role(assignment.role).label}」"


@assignment_action()
def staff_remove(request: HttpRequest, assignment: StaffAssignment, data: Mapping[str, Any]) -> str:
    text = f"已撤销 {assignment.user.name} 在 {assignment.union.name} 的任职"
    services.staff_unassign(actor=request.user, assignment=assignment)
    return text


@assignment_action()
def second_factor_reset(request: HttpRequest, assignment: StaffAssignment, data: Mapping[str, Any]) -> str:
    """A superuser resets someone's lost authenticator (second_factor.reset_second_factor refuses anyone
    else, audited)."""
    second_factor.reset_second_factor(request.user, assignment.user)
    return f"已重置 {assignment.user.name} 的身份验证器，对方下次登录时需重新绑定"
