"""Signing in, registering and signing out (H5 pages), and the password check the API shares.

Checking a password is HTTP work, not a service: django-axes counts failures per request (IP and
phone), and the audit receivers read how the sign-in came (``request.login_via``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gonghui.core.actions import safe_next
from gonghui.core.errors import DomainError, Locked, ValidationFailed
from gonghui.core.forms import apply_domain_error
from gonghui.core.scope import scope_of

from .. import second_factor, services
from ..forms import LoginForm, RegisterForm
from ..models import User
from .second_factor import pending_redirect

LOGIN_FAILED = "手机号或密码不正确"


def user_authenticate(request: HttpRequest, *, phone: str, password: str, via: str = "web") -> User:
    """Check a phone and password through django-axes.

    Raises Locked once the account has 5 failures within 15 minutes (even for the right password),
    ValidationFailed for a wrong pair. The caller logs the user in or issues a token.
    """
    request.login_via = via  # type: ignore[attr-defined] - read by the audit receiver
    user = authenticate(request, phone=phone, password=password)
    if getattr(request, "axes_locked_out", False):
        raise Locked()
    if user is None:
        raise ValidationFailed(LOGIN_FAILED, code="login_failed")
    return user


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: Any = None) -> HttpResponse:
    """django-axes hook: our login views already answer a lockout with their own message."""
    if original_response is not None:
        return original_response
    return render(request, "web/error.html", {"error": {"message": "登录失败次数过多，账号已锁定15分钟，请稍后再试",
                                                       "status": 403}}, status=403)


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = user_authenticate(request, phone=form.cleaned_data["phone"],
                                     password=form.cleaned_data["password"])
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status if exc.code == "locked" else 400
        else:
            services.password_review(user=user, password=form.cleaned_data["password"])
            if second_factor.requires_second_factor(user):
                # Not signed in yet: the code step comes first (views/second_factor.py).
                return pending_redirect(request, user, safe_next(request))
            login(request, user, backend="gonghui.accounts.auth.PhoneBackend")
            default = "/console/" if scope_of(user).is_staff else "/"
            return redirect(safe_next(request) or default)
    if request.session.pop("idle_logout", False):
        messages.info(request, "您已30分钟未操作，为保护数据安全已自动退出，请重新登录。")
    return render(request, "accounts/login.html", {"form": form, "next": safe_next(request)}, status=status)


def register_view(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(**form.cleaned_data)
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
