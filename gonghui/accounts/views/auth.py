"""Signing in, registering and signing out (H5 pages), and the password check the API shares.

Checking a password is HTTP work, not a service: django-axes counts failures per request (IP and
phone), and the audit receivers read how the sign-in came (``request.login_via``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gonghui.core import audit
from gonghui.core.actions import form_status, page_status, safe_next, submit
from gonghui.core.errors import DomainError, Locked, ValidationFailed
from gonghui.core.models import AuditResult
from gonghui.core.scope import scope_of
from gonghui.lib.masking import mask_phone
from gonghui.lib.phone import normalize_phone

from .. import recovery, second_factor, services
from ..auth import axes_username
from ..forms import LoginForm, RegisterForm, ResetCodeForm, ResetPasswordForm
from ..models import User
from ..signals import home_union, masked_credentials
from ..verification import CODE_TTL, RESEND_INTERVAL, code_send, user_register_with_code
from .second_factor import pending_redirect

LOGIN_FAILED = "手机号或密码不正确"
ACCOUNT_LOCKED = "该账号登录失败次数过多，已暂时锁定，请15分钟后再试，或通过“忘记密码”用短信验证码重置密码后立即登录"


def account_locked(phone: str) -> bool:
    """The account-wide rule on top of axes' per-address one (settings.py): failures for this account
    from every address within the cool-off, against AXES_ACCOUNT_FAILURE_LIMIT."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = (AccessAttempt.objects.filter(username=axes_username(None, {"phone": phone}), attempt_time__gte=since)
             .aggregate(n=Sum("failures_since_start"))["n"]) or 0
    return total >= settings.AXES_ACCOUNT_FAILURE_LIMIT


def user_authenticate(request: HttpRequest, *, phone: str, password: str, via: str = "web") -> User:
    """Check a phone and password through django-axes.

    Raises Locked once the account has 5 failures from this client address within 15 minutes, or
    AXES_ACCOUNT_FAILURE_LIMIT from all addresses (even for the right password), ValidationFailed
    for a wrong pair. The caller logs the user in or issues a token. Every password check of every
    login path (the web form, the API token endpoint) goes through here, so through django-axes.
    """
    request.login_via = via  # type: ignore[attr-defined] - read by the audit receiver
    if account_locked(phone):
        target = User.objects.by_phone(phone).first()
        audit.record("auth.login", actor=target, request=request, union=home_union(target),
                     result=AuditResult.DENIED, label=masked_credentials({"phone": phone}),
                     detail={"via": via, "reason": "account_locked"})
        raise Locked(ACCOUNT_LOCKED)
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
    return render(request, "web/error.html", {"error": {"message": "登录失败次数过多，已锁定15分钟，请稍后再试",
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
            status = exc.status if exc.code == "locked" else 200  # a form shown again with its error
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


def code_step(request: HttpRequest, send: Callable[[str], Any], *, sent_text: str = "") -> tuple[dict, int]:
    """The 获取验证码 button of a form: call ``send(phone)`` and say what happened.

    Returns the template context of the code status (``accounts/_code_status.html``) and the status:
    the sent message and the seconds until the next code (the page counts down), or the refusal in
    Chinese with its status (400, 409, 429 with the seconds to wait)."""
    phone = request.POST.get("phone", "")
    try:
        send(phone)
    except DomainError as exc:
        wait = (exc.detail or {}).get("wait") if isinstance(exc.detail, dict) else None
        return {"code_error": exc.message, "code_wait": wait or 0}, exc.status
    masked = mask_phone(normalize_phone(phone))
    text = (sent_text or "验证码已发送至{phone}，{minutes}分钟内有效").format(
        phone=masked, minutes=int(CODE_TTL.total_seconds() // 60))
    return {"code_sent": text, "code_wait": int(RESEND_INTERVAL.total_seconds())}, 200


def code_answer(request: HttpRequest, template: str, context: dict, send: Callable[[str], Any], *,
                sent_text: str = "") -> HttpResponse:
    """Answer a 获取验证码 POST: the status fragment alone for HTMX, else the whole page again."""
    code, status = code_step(request, send, sent_text=sent_text)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "accounts/_code_status.html", code, status=page_status(status))
    return render(request, template, {**context, **code}, status=page_status(status))


def register_view(request: HttpRequest) -> HttpResponse:
    """注册账号: phone, SMS code, name, password — an account only for a proven phone."""
    if request.method == "POST" and request.POST.get("action") == "send":
        form = RegisterForm(initial={k: request.POST.get(k, "") for k in ("phone", "name")})
        return code_answer(request, "accounts/register.html", {"form": form},
                           lambda phone: code_send(phone=phone, purpose="register"))
    form = RegisterForm(request.POST or None)

    def register(data: Any) -> None:
        login(request, user_register_with_code(**data), backend="gonghui.accounts.auth.PhoneBackend")

    done = submit(request, form, run=register, success="注册成功，欢迎使用智慧工会！", redirect_to=reverse("web:home"),
                  handled=(DomainError,))
    return done or render(request, "accounts/register.html", {"form": form}, status=form_status(request, form))


RESET_SESSION_KEY = "password_reset_ticket"
RESET_SENT = "如该手机号已注册，验证码已发送至{phone}，{minutes}分钟内有效"


def password_forgot(request: HttpRequest) -> HttpResponse:
    """忘记密码, step 1: the phone and its code. The answers are the same whether it has an account."""
    if request.user.is_authenticated:
        return redirect("accounts:password")
    template = "accounts/password_forgot.html"
    if request.method == "POST" and request.POST.get("action") == "send":
        form = ResetCodeForm(initial={"phone": request.POST.get("phone", "")})
        return code_answer(request, template, {"form": form},
                           lambda phone: code_send(phone=phone, purpose="password_reset"), sent_text=RESET_SENT)
    form = ResetCodeForm(request.POST or None)

    def verify(data: Any) -> None:
        ticket = recovery.password_reset_verify(phone=data["phone"], code=data["code"])
        request.session[RESET_SESSION_KEY] = ticket.token

    done = submit(request, form, run=verify, redirect_to=reverse("accounts:password_reset"), handled=(DomainError,))
    return done or render(request, template, {"form": form}, status=form_status(request, form))


def password_reset(request: HttpRequest) -> HttpResponse:
    """忘记密码, step 2: the new password (and the second factor's code for staff who have one)."""
    token = request.session.get(RESET_SESSION_KEY, "")
    try:
        user = recovery.ticket_user(token)
    except DomainError as exc:
        request.session.pop(RESET_SESSION_KEY, None)
        messages.error(request, exc.message)
        return redirect("accounts:password_forgot")
    form = ResetPasswordForm(request.POST or None)

    def reset(data: Any) -> None:
        recovery.password_reset_complete(ticket=token, new_password=data["new_password"], otp=data["otp"])
        request.session.pop(RESET_SESSION_KEY, None)

    done = submit(request, form, run=reset, success="密码已重置，其他设备上的登录已全部退出，请用新密码登录",
                  redirect_to=reverse("web:login"), handled=(DomainError,))
    if done is not None:
        return done
    return render(request, "accounts/password_reset.html",
                  {"form": form, "otp_required": recovery.second_factor_required(user),
                   "masked_phone": user.masked_phone}, status=form_status(request, form))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:home")
