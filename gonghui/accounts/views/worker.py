"""我的 on the H5: the menu, signed-in devices (API tokens), changing the password and the phone number."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from gonghui.core.actions import act, form_status, submit
from gonghui.core.errors import DomainError

from .. import services, verification
from ..forms import PasswordChangeForm, PhoneChangeForm
from .auth import code_answer


@login_required
def me(request: HttpRequest) -> HttpResponse:
    from gonghui.core.modules import me_links

    return render(request, "accounts/me.html", {"tab": "me", "links": me_links()})


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return act(request, run=lambda _: services.token_revoke(user=request.user,
                                                                  token_uuid=request.POST.get("token")),
                   success="已退出该设备的登录", back=reverse("accounts:tokens"))
    items = request.user.api_tokens.live()
    return render(request, "accounts/tokens.html", {"tokens": items, "tab": "me"})


@login_required
def password_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, request.user, backend="gonghui.accounts.auth.PhoneBackend")
            messages.success(request, "密码已修改")
            return redirect("accounts:me")
    return render(request, "accounts/password.html", {"form": form, "tab": "me"})


@login_required
def phone_view(request: HttpRequest) -> HttpResponse:
    """更换手机号: a code to the new number and the current password; the old number is told by SMS."""
    template = "accounts/phone.html"
    context = {"tab": "me"}
    if request.method == "POST" and request.POST.get("action") == "send":
        form = PhoneChangeForm(initial={"phone": request.POST.get("phone", "")})
        return code_answer(request, template, {**context, "form": form},
                           lambda phone: verification.phone_change_code_send(user=request.user, phone=phone))
    form = PhoneChangeForm(request.POST or None)
    done = submit(request, form,
                  run=lambda data: verification.phone_change(user=request.user, **data),
                  success=lambda user: f"手机号已更换为{user.masked_phone}，今后请用新手机号登录",
                  redirect_to=reverse("accounts:me"), handled=(DomainError,))
    return done or render(request, template, {**context, "form": form}, status=form_status(request, form))
