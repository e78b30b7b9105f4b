"""Personal-information rights on the H5: the member's own data (/members/my-data/) and requests."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gonghui.core.actions import form_status, page_status, submit
from gonghui.core.errors import Conflict, ValidationFailed

from ...access import own_member, require_member
from ...forms import RightsRequestForm
from ...models import Member, RightsRequest, RightsRequestKind
from ...services import rights as services
from .transfer import join_url


def in_wechat(request: HttpRequest) -> bool:
    """WeChat's in-app browser, which does not download files."""
    return "MicroMessenger" in request.headers.get("User-Agent", "")


def _page(request: HttpRequest, member: Member, *, form: RightsRequestForm | None = None,
          revealed: dict[str, str] | None = None, status: int = 200) -> HttpResponse:
    return render(request, "members/my_data.html", {
        "tab": "me", "member": member, "in_wechat": in_wechat(request), "form": form or RightsRequestForm(),
        "revealed": revealed or {},
        "requests": RightsRequest.objects.filter(member=member),
        "history": member.history.select_related("from_union", "to_union")[:50],
        "kinds": RightsRequestKind.choices,
    }, status=page_status(status))


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """What the platform stores about me (masked here; full values on request, audited)."""
    member = own_member(request.user)
    if member is None:
        return render(request, "members/my_data.html", {"tab": "me", "member": None, "join_url": join_url()})
    return _page(request, member)


@login_required
@require_POST
def my_data_reveal(request: HttpRequest) -> HttpResponse:
    """Show my own full ID number and phone (I am the subject; the view is still audited)."""
    member = require_member(request.user)
    revealed = {field: services.my_identifier_reveal(member=member, field=field, actor=request.user)
                for field in ("id_number", "phone")}
    if request.htmx:
        return render(request, "members/my_data_identifiers.html", {"member": member, "revealed": revealed})
    return _page(request, member, revealed=revealed)


@login_required
def my_data_export(request: HttpRequest) -> HttpResponse:
    """Download everything stored about me as JSON (audited)."""
    member = require_member(request.user)
    data = services.my_data_export(member=member, actor=request.user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"my-data-{timezone.localdate():%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def my_data_all(request: HttpRequest) -> HttpResponse:
    """The same data as the download, shown on the page (where WeChat will not download a file); audited."""
    member = require_member(request.user)
    data = services.my_data_export(member=member, actor=request.user)
    return render(request, "members/my_data_all.html", {
        "tab": "me", "body": json.dumps(data, ensure_ascii=False, indent=2), "in_wechat": in_wechat(request)})


@login_required
@require_POST
def my_data_link(request: HttpRequest) -> HttpResponse:
    """短信发送下载链接: the download address by SMS, to open in the phone's own browser."""
    member = require_member(request.user)
    try:
        services.my_data_link_send(member=member, actor=request.user,
                                   url=request.build_absolute_uri(reverse("members:my_data_export")))
        messages.success(request, "下载链接已发送到您的手机，请在手机浏览器中打开并登录后下载")
    except (Conflict, ValidationFailed) as exc:
        messages.error(request, exc.message)
    return redirect("members:my_data")


@login_required
@require_POST
def my_data_request(request: HttpRequest) -> HttpResponse:
    member = require_member(request.user)
    form = RightsRequestForm(request.POST)
    done = submit(request, form, success="已提交，工会将在15个工作日内处理并通过站内信告知结果",
                  run=lambda data: services.rights_request_create(actor=request.user, member=member, **data),
                  redirect_to=reverse("members:my_data"))
    return done or _page(request, member, form=form, status=form_status(request, form))
