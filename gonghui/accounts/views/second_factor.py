"""The second sign-in step for staff (accounts/second_factor.py): the code page, enrolment (QR, secret,
confirming code, ten recovery codes shown once), and the check the API token endpoint shares.

Until the code passes, the user is *pending* in the session, not signed in. Each wrong code is reported
to django-axes as a failed sign-in of that phone (the same 5-in-15-minutes lockout as passwords) and
audited by the login-failure receiver (``via`` says which step failed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from gonghui.core import audit
from gonghui.core.actions import Outcome, page_status
from gonghui.core.errors import DomainError, Forbidden, Locked, ValidationFailed
from gonghui.core.scope import scope_of
from gonghui.lib import qr

from .. import second_factor as sf
from ..models import User
from ..signals import home_union

CODE_FAILED = "验证码不正确，请输入身份验证器上当前显示的6位数字，或一个未用过的恢复码"
LOCKED = "登录失败次数过多，账号已锁定15分钟，请稍后再试"
BACKEND = "gonghui.accounts.auth.PhoneBackend"


class CodeForm(forms.Form):
    code = forms.CharField(label="动态验证码", max_length=20, strip=True, widget=forms.TextInput(attrs={
        "autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "placeholder": "6位数字"}))


def _next(request: HttpRequest, stored: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or stored
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return wanted
    return ""


def _locked(request: HttpRequest, user: User) -> bool:
    return AxesProxyHandler.is_locked(request, {"phone": user.phone})


def report_failure(request: HttpRequest, user: User, *, via: str) -> None:
    """A wrong second-factor code is a failed sign-in: axes counts it, the receiver audits it."""
    request.login_via = via  # type: ignore[attr-defined] - read by the audit receiver
    user_login_failed.send(sender=__name__, credentials={"phone": user.phone}, request=request)


def _sign_in(request: HttpRequest, user: User, *, method: str) -> None:
    request.login_via = "web"  # type: ignore[attr-defined]
    request.login_audited = True  # type: ignore[attr-defined] - the password step wrote auth.login
    login(request, user, backend=BACKEND)
    sf.mark_session_verified(request.session, user)
    audit.record("auth.second_factor", actor=user, request=request, obj=user, union=home_union(user),
                 detail={"method": method})


def _default_landing(user: User) -> str:
    return "/console/" if scope_of(user).is_staff else "/"


def _expired(request: HttpRequest) -> HttpResponse:
    messages.info(request, "登录已超时，请重新输入手机号和密码。")
    return redirect("web:login")


def _code_step(request: HttpRequest, run: Callable[[str], Any]) -> tuple[CodeForm, Outcome | None]:
    """The code form of these pages: None on GET; on a POST the outcome of ``run(code)`` for a valid code, a
    domain error put on the form (its message on top) with its status, 400 for an invalid form. Render the
    page with ``page_status(outcome.status)``."""
    form = CodeForm(request.POST or None)
    if request.method != "POST":
        return form, None
    if not form.is_valid():
        return form, Outcome(error="invalid", status=400)
    try:
        return form, Outcome(result=run(form.cleaned_data["code"]))
    except DomainError as exc:
        form.add_error(None, exc.message)
        return form, Outcome(error=exc.message, status=exc.status)


def _status(outcome: Outcome | None) -> int:
    return outcome.status if outcome is not None else 200


def verify_view(request: HttpRequest) -> HttpResponse:
    """The code step after the password."""
    user, stored_next = sf.pending_user(request.session)
    if user is None:
        return _expired(request)
    if sf.must_enrol(user):
        return redirect("accounts:second_factor_enrol")
    next_url = _next(request, stored_next)

    def check(code: str) -> Any:
        try:
            if _locked(request, user):
                raise Locked(LOCKED)
            verdict = sf.check_second_factor(user, code)
            if not verdict.ok:
                report_failure(request, user, via="web:second_factor")
                if getattr(request, "axes_locked_out", False) or _locked(request, user):
                    raise Locked(LOCKED)
                raise ValidationFailed(CODE_FAILED, code="second_factor_failed")
        except DomainError as exc:
            if exc.code == "locked":
                request.session.pop(sf.SESSION_PENDING, None)
            raise
        return verdict

    form, outcome = _code_step(request, check)
    if outcome is not None and outcome.ok:
        verdict = outcome.result
        _sign_in(request, user, method=verdict.method)
        if verdict.method == "recovery":
            left = sf.recovery_codes_left(user)
            messages.warning(request, f"您使用了一个恢复码，还剩 {left} 个。"
                                      "如手机已丢失，请联系系统管理员重置身份验证器。")
        return redirect(next_url or _default_landing(user))
    return render(request, "accounts/second_factor.html",
                  {"form": form, "next": next_url, "pending": user}, status=page_status(_status(outcome)))


def enrol_view(request: HttpRequest) -> HttpResponse:
    """Enrolment on first sign-in: scan the QR (or type the secret), confirm a code, keep the recovery codes."""
    user, stored_next = sf.pending_user(request.session)
    if user is None:
        return _expired(request)
    if sf.is_enrolled(user):
        return redirect("accounts:second_factor")
    next_url = _next(request, stored_next)
    device = sf.enrolment_start(user)

    def confirm(code: str) -> list[str]:
        codes = sf.enrolment_confirm(user, code)
        if codes is None:
            raise ValidationFailed("验证码不正确：请确认手机时间准确，并输入应用中当前显示的6位数字")
        return codes

    form, outcome = _code_step(request, confirm)
    if outcome is not None and outcome.ok:
        _sign_in(request, user, method="enrol")
        return render(request, "accounts/recovery_codes.html", {
            "codes": outcome.result, "next": next_url or _default_landing(user)})
    uri = sf.provisioning_uri(device)
    return render(request, "accounts/second_factor_enrol.html", {
        "form": form, "next": next_url, "pending": user, "qr": qr.svg_inline(uri, title="身份验证器二维码"),
        "secret": sf.grouped_secret(device),
        "issuer": settings.SECOND_FACTOR_ISSUER,
    }, status=page_status(_status(outcome)))


def token_second_factor(request: HttpRequest, user: User, otp: str) -> None:
    """The API token endpoint's second factor: staff who must pass one send ``otp`` with the password.

    Raises Forbidden (403) when it is missing or the account has not enrolled yet (enrolment is on the
    web), ValidationFailed (400) for a wrong code (counted by axes like a wrong password), Locked (403) once
    axes locks the account, TooManyRequests (429) while the factor is throttled.
    """
    if user.must_change_password:
        raise Forbidden("请先在网页端登录并按提示修改密码，再通过接口登录", code="password_change_required")
    if not sf.requires_second_factor(user):
        return
    if not sf.is_enrolled(user):
        raise Forbidden("工作人员账号须先在网页端登录并绑定身份验证器，之后才能通过接口登录",
                        code="second_factor_enrol_required")
    if not (otp or "").strip():
        raise Forbidden("工作人员账号登录还需填写身份验证器上的6位动态验证码（otp 字段）",
                        code="second_factor_required")
    if not sf.verify_second_factor(user, otp):
        report_failure(request, user, via="api:second_factor")
        if getattr(request, "axes_locked_out", False) or _locked(request, user):
            raise Locked(LOCKED)
        raise ValidationFailed("动态验证码不正确", code="second_factor_failed", detail={"otp": "动态验证码不正确"})


def pending_redirect(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """After the password of a user who must pass a second factor: keep them pending and move on to where
    they were going; SecondFactorMiddleware sends the console and the admin to the code step (or
    enrolment), anything else goes there directly."""
    from ..middleware import step_url

    sf.set_pending(request.session, user, next_url)
    # The password factor passed: its audit row says the code is still due; the code step writes its own
    # (auth.second_factor) and the sign-in itself is not audited a second time.
    audit.record("auth.login", actor=user, request=request, union=home_union(user),
                 detail={"via": "web", "second_factor": "pending"})
    target = next_url or _default_landing(user)
    if target.startswith(("/console/", "/admin/")):
        return redirect(target)
    return redirect(step_url(user, target))


@login_required
def security_view(request: HttpRequest) -> HttpResponse:
    """账号安全: whether this account needs a second factor, the authenticator, the recovery codes left, and
    new recovery codes for a current authenticator code (the old ones stop working)."""
    user = request.user
    form, outcome = _code_step(request, lambda code: sf.recovery_codes_regenerate(user, code))
    if outcome is not None and outcome.ok:
        return render(request, "accounts/recovery_codes.html", {
            "codes": outcome.result, "next": reverse("accounts:security"), "regenerated": True})
    return render(request, "accounts/security.html", {
        "form": form, "tab": "me", "required": sf.requires_second_factor(user), "enrolled": sf.is_enrolled(user),
        "left": sf.recovery_codes_left(user), "total": sf.RECOVERY_CODES,
    }, status=page_status(_status(outcome)))
