"""Console pages (/console/activities/…): the activity list, creating and editing, the activity's page
with its participants, check-in (card scan, manual), photos, summary and export, and 惠及人次.

Thin adapters: parse (forms.py) → gate (access.py) → service (services.py) → render.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gonghui.core.actions import form_errors, form_status, object_action, submit
from gonghui.core.decorators import staff_required
from gonghui.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from gonghui.core.headers import allow_features
from gonghui.core.responses import qr_svg
from gonghui.core.scope import WRITE_ROLES, scope_of
from gonghui.lib import qr
from gonghui.lib.text import parse_uuid
from gonghui.unions.access import under_work_union
from gonghui.unions.models import Union

from .. import exports, selectors, services
from ..access import access_activity, access_photo, access_signup
from ..forms import (
    ActivityForm,
    CancelActivityForm,
    ConcludeForm,
    ExportForm,
    NewActivityForm,
    PhotoForm,
    ReasonForm,
    ScanForm,
)
from ..models import Activity, ActivityKind, ActivityPhoto, ActivityStatus, Signup, SignupStatus


def can_work(user: Any, activity: Activity) -> bool:
    return scope_of(user).can(activity.union.path, WRITE_ROLES)


def work_unions(user: Any) -> Any:
    """Active unions where the user may organise activities (write roles), for the union picker."""
    return Union.objects.writable_by(user).order_by("path")[:500]


def checkin_url(request: HttpRequest, activity: Activity) -> str:
    return request.build_absolute_uri(reverse("activities:checkin", args=[activity.checkin_code]))


def _brand(union: Union, key: Any) -> Any:
    if not key:
        return None
    found = next((b for b in services.brand_choices(union) if b.uuid == key), None)
    if found is None:
        raise ValidationFailed("品牌须来自主办工会或其上级工会的品牌矩阵", detail={"brand": "品牌不匹配"})
    return found


def _initial(activity: Activity) -> dict[str, Any]:
    data = {name: getattr(activity, name) for name in services.EDITABLE_FIELDS}
    data["brand"] = activity.brand.uuid if activity.brand_id else ""
    for name in ("starts_at", "ends_at", "signup_opens_at", "signup_closes_at"):
        data[name] = timezone.localtime(data[name])
    return data


# --- The list and 惠及人次 ------------------------------------------------------------------------------------------


@staff_required
def activity_list(request: HttpRequest) -> HttpResponse:
    qs, filters = selectors.activity_filter(request.user, request.GET)
    page = Paginator(selectors.with_counts(qs), 20).get_page(request.GET.get("page"))
    scope = scope_of(request.user)
    context = {
        "section": "activities", "tab": "list", "page": page, "filters": filters, "kinds": ActivityKind.choices,
        "statuses": ActivityStatus.choices, "whens": selectors.WHEN_CHOICES,
        "can_create": scope.is_superuser or bool(scope.paths(WRITE_ROLES)), "now": timezone.now(),
    }
    template = "activities/console/_list_rows.html" if request.htmx else "activities/console/list.html"
    return render(request, template, context)


@staff_required
def stats(request: HttpRequest) -> HttpResponse:
    """惠及人次: check-ins per union and month for the chosen union's subtree."""
    union = selectors.stats_root(request.user, request.GET.get("union"))
    if union is None and request.GET.get("union"):
        raise NotFound("未找到该工会，或您无权查看")
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    year = min(max(year, 2000), this_year + 1)
    served = selectors.people_served(union, year) if union is not None else None
    ancestors = (Union.objects.visible_to(request.user).ancestors_of(union) if union is not None else [])
    return render(request, "activities/console/stats.html", {
        "section": "activities", "tab": "stats", "served": served, "union": union, "year": year,
        "years": list(range(this_year, this_year - 5, -1)), "ancestors": ancestors,
        "months": list(range(1, 13)),
    })


# --- Creating and editing ----------------------------------------------------------------------------------------


@staff_required
def brand_options(request: HttpRequest) -> HttpResponse:
    """HTMX: the brand options for the chosen union (its matrix and the matrices above it)."""
    union = Union.objects.visible_to(request.user).filter(uuid=parse_uuid(request.GET.get("union"))).first()
    brands = services.brand_choices(union) if union is not None else []
    return render(request, "activities/console/_brand_options.html", {"brands": brands, "selected": ""})


@staff_required
def activity_new(request: HttpRequest) -> HttpResponse:
    form = NewActivityForm(request.POST or None, request.FILES or None,
                           initial={"union": request.GET.get("union", ""), "quota": 30})
    brands: list[Any] = []

    def create(*, actor: Any, union: Union, brand: Any, **data: Any) -> Activity:
        brands.extend(services.brand_choices(union))
        return services.activity_create(actor=actor, union=union, brand=_brand(union, brand), **data)

    done = submit(request, form, run=under_work_union(request.user, create),
                  success=lambda activity: f"已创建活动「{activity.title}」（草稿），确认无误后请点击「发布」",
                  redirect_to=lambda activity: reverse("activities:console_detail", args=[activity.uuid]))
    if done:
        return done
    unions = list(work_unions(request.user))
    if not brands and unions:
        chosen = next((u for u in unions if str(u.uuid) == str(form["union"].value())), unions[0])
        brands = services.brand_choices(chosen)
    return render(request, "activities/console/form.html", {
        "section": "activities", "form": form, "unions": unions, "brands": brands, "activity": None,
        "selected_brand": str(form["brand"].value() or ""),
    }, status=form_status(request, form))


@staff_required
def activity_edit(request: HttpRequest, key: str) -> HttpResponse:
    activity = access_activity(request.user, key, write=True)
    form = ActivityForm(request.POST or None, request.FILES or None, initial=_initial(activity))

    def save(data: Any) -> Activity:
        data = dict(data)
        data["brand"] = _brand(activity.union, data.pop("brand"))
        services.activity_update(actor=request.user, activity=activity, **data)
        return activity

    def saved(activity: Activity) -> str:
        promoted = getattr(activity, "promoted_now", [])
        return "已保存" + (f"，候补名单中{len(promoted)}人已递补" if promoted else "")

    done = submit(request, form, run=save, success=saved,
                  redirect_to=reverse("activities:console_detail", args=[activity.uuid]))
    if done:
        return done
    return render(request, "activities/console/form.html", {
        "section": "activities", "form": form, "activity": activity, "brands": services.brand_choices(activity.union),
        "selected_brand": str(form["brand"].value() or ""), "unions": [],
    }, status=form_status(request, form))


# --- The activity's page ---------------------------------------------------------------------------------------------


def _participants_context(request: HttpRequest, activity: Activity) -> dict[str, Any]:
    status = request.GET.get("status", "")
    page = Paginator(selectors.participants(activity, status=status), 50).get_page(request.GET.get("page"))
    return {"activity": activity, "page": page, "status_filter": status, "statuses": SignupStatus.choices,
            "can_work": can_work(request.user, activity), "counts": selectors.signup_counts(activity)}


@allow_features("camera", "autoplay")  # 扫码签到: the camera scanner plays in a muted <video> (gonghui/scan.js)
@staff_required
def activity_detail(request: HttpRequest, key: str) -> HttpResponse:
    activity = access_activity(request.user, key)
    writable = can_work(request.user, activity)
    show_code = activity.status == ActivityStatus.PUBLISHED and not activity.has_ended
    context = {
        "section": "activities", **_participants_context(request, activity), "can_work": writable,
        "ratings": selectors.rating_summary(activity), "photos": list(activity.photos.all()),
        "events": activity.events.select_related("actor"), "now": timezone.now(),
        "checkin_url": checkin_url(request, activity) if show_code else "",
        "checkin_qr": qr.svg_inline(checkin_url(request, activity)) if show_code else "",
        "may_unmask": exports.may_unmask(request.user, activity), "max_photos": services.MAX_PHOTOS,
        "ancestors": Union.objects.visible_to(request.user).ancestors_of(activity.union, include_self=True),
    }
    return render(request, "activities/console/detail.html", context)


@staff_required
def participants(request: HttpRequest, key: str) -> HttpResponse:
    """HTMX: the participants table (status filter, pages)."""
    activity = access_activity(request.user, key)
    return render(request, "activities/console/_participants.html", _participants_context(request, activity))


def _back(activity: Activity) -> str:
    return reverse("activities:console_detail", kwargs={"key": activity.uuid})


# The one-button actions on an activity, a sign-up or a photo: gated with write, back to the activity.
activity_action = partial(object_action, partial(access_activity, write=True),
                          back=lambda request, activity: _back(activity))
signup_action = partial(object_action, partial(access_signup, write=True),
                        back=lambda request, signup: _back(signup.activity))
photo_action = partial(object_action, partial(access_photo, write=True),
                       back=lambda request, photo: _back(photo.activity))


@activity_action(success="已发布，会员现在可以看到并报名")
def publish(request: HttpRequest, activity: Activity, data: Mapping[str, Any]) -> Any:
    return services.activity_publish(actor=request.user, activity=activity)


@activity_action(form=CancelActivityForm, success="活动已取消，已通知报名的会员")
def cancel(request: HttpRequest, activity: Activity, data: Mapping[str, Any]) -> Any:
    return services.activity_cancel(actor=request.user, activity=activity, reason=data["reason"])


@activity_action(form=ConcludeForm, success="已发布活动总结")
def conclude(request: HttpRequest, activity: Activity, data: Mapping[str, Any]) -> Any:
    return services.activity_conclude(actor=request.user, activity=activity, summary=data["summary"])


@activity_action(success="已重置签到码，旧签到码立即失效，请使用新的签到二维码")
def rotate_code(request: HttpRequest, activity: Activity, data: Mapping[str, Any]) -> Any:
    return services.activity_rotate_code(actor=request.user, activity=activity)


@staff_required
def checkin_qr(request: HttpRequest, key: str) -> HttpResponse:
    """The activity's check-in QR code as a standalone SVG (to print or show on a screen)."""
    activity = access_activity(request.user, key)
    if activity.status != ActivityStatus.PUBLISHED or activity.has_ended:
        raise ValidationFailed("只有未结束的已发布活动有签到码")
    return qr_svg(request, checkin_url(request, activity), filename=f"checkin-{activity.uuid}.svg", scale=10)


@staff_required
@require_POST
def scan(request: HttpRequest, key: str) -> HttpResponse:
    """扫码签到: the member shows their e-member card, staff scan (or paste) it here."""
    activity = access_activity(request.user, key, write=True)
    form = ScanForm(request.POST)
    result: dict[str, Any] = {"ok": False, "message": "请扫描或粘贴会员卡二维码"}
    if form.is_valid():
        try:
            signup = services.checkin_by_card(actor=request.user, activity=activity, token=form.cleaned_data["token"])
        except DomainError as exc:
            result = {"ok": False, "message": exc.message}
        else:
            result = {"ok": True, "message": f"{signup.masked_name} 签到成功", "signup": signup}
    if request.htmx:
        # 200 either way: the result box shows the refusal; the scanner's input stays focused for the next card.
        return render(request, "activities/console/_scan_result.html", {"result": result, "activity": activity})
    (messages.success if result["ok"] else messages.error)(request, result["message"])
    return redirect(_back(activity))


@signup_action()
def signup_checkin(request: HttpRequest, signup: Signup, data: Mapping[str, Any]) -> str:
    """代签到 from the participants list (the member forgot their phone)."""
    services.signup_check_in(actor=request.user, signup=signup, method="manual")
    return f"{signup.masked_name} 已签到"


@signup_action(form=ReasonForm)
def signup_remove(request: HttpRequest, signup: Signup, data: Mapping[str, Any]) -> str:
    """移出名单: a confirmed place is freed and the first of the waitlist promoted."""
    services.signup_cancel(actor=request.user, signup=signup, reason=data["reason"])
    promoted = getattr(signup, "promoted_now", [])
    return f"已将{signup.masked_name}移出名单" + (f"，候补的{promoted[0].masked_name}已递补" if promoted else "")


@activity_action(form=PhotoForm, files=True, success="照片已上传")
def photo_add(request: HttpRequest, activity: Activity, data: Mapping[str, Any]) -> None:
    upload = data["photo"]
    if upload.size > services.MAX_PHOTO_BYTES:
        raise ValidationFailed(f"照片不能超过{services.MAX_PHOTO_BYTES // 1024 // 1024}MB")
    services.photo_add(actor=request.user, activity=activity, content=upload.read(), caption=data["caption"])


@photo_action(success="照片已删除")
def photo_delete(request: HttpRequest, photo: ActivityPhoto, data: Mapping[str, Any]) -> Any:
    return services.photo_delete(actor=request.user, photo=photo)


@staff_required
def export(request: HttpRequest, key: str) -> HttpResponse:
    """参与人员 as .xlsx. GET: masked. POST (the page's form): unmasked, with a reason, for administrators
    of the owning branch — the reason travels in the body, never in the URL (which access logs keep)."""
    activity = access_activity(request.user, key)
    unmasked = request.method == "POST"
    params = request.POST if unmasked else request.GET
    reason = ""
    if unmasked:
        form = ExportForm(request.POST)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
        elif exports.may_unmask(request.user, activity):  # others get the exporter's 403 (and denied row) first
            messages.error(request, form_errors(form))
            return redirect(_back(activity))
    elif request.GET.get("unmasked"):  # an old link: a reason must not be sent in the URL
        messages.error(request, "导出完整名单请在活动页面填写用途后提交")
        return redirect(_back(activity))
    try:
        return exports.participants_export(actor=request.user, activity=activity, unmasked=unmasked, reason=reason,
                                           status=params.get("status", ""))
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_back(activity))

