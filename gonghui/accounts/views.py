"""Sign-in, registration, 我的, tokens (H5) and staff management (console)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gonghui.core.decorators import staff_required
from gonghui.core.errors import DomainError
from gonghui.core.forms import apply_domain_error
from gonghui.core.scope import Role, scope_of
from gonghui.unions.access import access_union
from gonghui.unions.models import Union

from . import services
from .access import access_assignment
from .forms import AssignForm, LoginForm, PasswordChangeForm, RegisterForm, RoleForm
from .models import StaffAssignment


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: Any = None) -> HttpResponse:
    """django-axes hook: our login views already answer a lockout with their own message."""
    if original_response is not None:
        return original_response
    return render(request, "web/error.html", {"error": {"message": "登录失败次数过多，账号已锁定15分钟，请稍后再试",
                                                       "status": 403}}, status=403)


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return default


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_authenticate(request=request, phone=form.cleaned_data["phone"],
                                              password=form.cleaned_data["password"])
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status if exc.code == "locked" else 400
        else:
            login(request, user, backend="gonghui.accounts.auth.PhoneBackend")
            default = "/console/" if scope_of(user).is_staff else "/"
            return redirect(_next_url(request, default))
    if request.session.pop("idle_logout", False):
        messages.info(request, "您已30分钟未操作，为保护数据安全已自动退出，请重新登录。")
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request, "")}, status=status)


def register_view(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(request=request, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = exc.status
        else:
            login(request, user, backend="gonghui.accounts.auth.PhoneBackend")
            messages.success(request, "注册成功，欢迎使用智慧工会！")
            return redirect("web:home")
    elif request.method == "POST":
        status = 400
    return render(request, "accounts/register.html", {"form": form}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:home")


@login_required
def me(request: HttpRequest) -> HttpResponse:
    from gonghui.core.modules import me_links

    return render(request, "accounts/me.html", {"tab": "me", "links": me_links()})


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.token_revoke(user=request.user, token_uuid=request.POST.get("token"), request=request)
        messages.success(request, "已退出该设备的登录")
        return redirect("accounts:tokens")
    items = request.user.api_tokens.live()
    return render(request, "accounts/tokens.html", {"tokens": items, "tab": "me"})


@login_required
def password_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(user=request.user, request=request, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, request.user, backend="gonghui.accounts.auth.PhoneBackend")
            messages.success(request, "密码已修改")
            return redirect("accounts:me")
    return render(request, "accounts/password.html", {"form": form, "tab": "me"})


# --- Console: staff management ---------------------------------------------------------------------


def _admin_unions(user: Any) -> list[Union]:
    """Unions where the user may appoint staff (the tops of their admin grants)."""
    scope = scope_of(user)
    if scope.is_superuser:
        return list(Union.objects.filter(parent__isnull=True))
    ids = [g.union_id for g in scope.grants if g.role == Role.ADMIN]
    return list(Union.objects.filter(pk__in=ids))


@staff_required
def staff_list(request: HttpRequest) -> HttpResponse:
    qs = (StaffAssignment.objects.visible_to(request.user).select_related("user", "union")
          .order_by("union__path", "role"))
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
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请完整填写手机号和角色")
        return redirect("accounts:staff")
    union = access_union(request.user, form.cleaned_data["union"], write=True)
    try:
        services.staff_assign(actor=request.user, union=union, request=request, phone=form.cleaned_data["phone"],
                              name=form.cleaned_data["name"], role=form.cleaned_data["role"],
                              title=form.cleaned_data["title"], initial_password=form.cleaned_data["initial_password"])
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, "已添加任职")
    return redirect(_next_url(request, "/console/accounts/staff/"))


@staff_required
@require_POST
def staff_role(request: HttpRequest, key: str) -> HttpResponse:
    assignment = access_assignment(request.user, key, write=True)
    form = RoleForm(request.POST)
    if form.is_valid():
        services.staff_change_role(actor=request.user, assignment=assignment, role=form.cleaned_data["role"],
                                   request=request)
        messages.success(request, f"已将 {assignment.user.name} 的角色改为「{Role(assignment.role).label}」")
    return redirect("accounts:staff")


@staff_required
@require_POST
def staff_remove(request: HttpRequest, key: str) -> HttpResponse:
    assignment = access_assignment(request.user, key, write=True)
    services.staff_unassign(actor=request.user, assignment=assignment, request=request)
    messages.success(request, f"已撤销 {assignment.user.name} 在 {assignment.union.name} 的任职")
    return redirect("accounts:staff")
