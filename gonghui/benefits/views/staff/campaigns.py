"""Console: 券活动 — the list with live counts, composing a campaign with the rule editor and its
预览人数, launching and closing it, the campaign's page with issued / redeemed / budget used."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from gonghui.core.actions import form_status, object_action, submit
from gonghui.core.decorators import staff_required
from gonghui.core.errors import DomainError, ValidationFailed
from gonghui.core.jobs import job_url
from gonghui.unions.access import access_union_for_work
from gonghui.unions.models import Union

from ... import selectors
from ...access import access_campaign, access_union_data
from ...forms import CampaignForm, PreviewForm, ReasonForm
from ...models import Campaign, CampaignKind, CampaignStatus, Partner
from ...services import campaigns as services
from .partners import can_work_anywhere, can_write, work_unions


def _partner_choices(user: Any, union: Union | None) -> Any:
    """Partners a campaign may name: serving partners the user can see, signed by the union, an
    ancestor or a descendant (all the user sees when no union is chosen yet)."""
    qs = Partner.objects.visible_to(user).serving().select_related("union")
    if union is not None:
        qs = qs.filter(Q(union_id__in=[*union.ancestor_ids, union.pk]) | Q(union__path__startswith=union.path))
    return qs.order_by("category", "name")[:300]


def _rule_unions(user: Any, union: Union | None) -> Any:
    qs = Union.objects.visible_to(user).active()
    if union is not None:
        qs = qs.filter(path__startswith=union.path)
    return qs.order_by("path")[:500]


def _form(request: HttpRequest, *, union: Union | None, initial: dict[str, Any] | None = None) -> CampaignForm:
    form = CampaignForm(request.POST or None, initial=initial)
    form.set_partner_choices(_partner_choices(request.user, union))
    form.set_union_choices(_rule_unions(request.user, union))
    return form


def _chosen_partners(user: Any, keys: list[str]) -> list[Partner]:
    found = list(Partner.objects.visible_to(user).select_related("union").filter(uuid__in=keys))
    if len(found) != len(set(keys)):
        raise ValidationFailed("适用商户中有无法选择的商户", detail={"partners": "请重新选择"})
    return found


@staff_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    qs = Campaign.objects.visible_to(request.user).select_related("union")
    status, kind = request.GET.get("status", ""), request.GET.get("kind", "")
    q = " ".join(request.GET.get("q", "").split())[:50]
    if status in CampaignStatus.values:
        qs = qs.filter(status=status)
    if kind in CampaignKind.values:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "benefits/campaign_list.html", {
        "section": "benefits", "page": page, "status": status, "kind": kind, "q": q,
        "statuses": CampaignStatus.choices, "kinds": CampaignKind.choices,
        "can_work": can_work_anywhere(request.user)})


@staff_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    union_key = request.POST.get("union") or request.GET.get("union") or ""
    union = access_union_for_work(request.user, union_key) if union_key else None
    start, end = services.default_period()
    form = _form(request, union=union, initial={"union": union.uuid if union else "", "starts_on": start,
                                                 "ends_on": end, "per_member_limit": 1})
    if request.method == "POST" and union is None:
        form.is_valid()  # every field's errors, with the missing union's
        form.add_error("union", "请选择发放工会")
    done = submit(request, form,
                  run=lambda data: services.campaign_create(
                      actor=request.user, union=union, partners=_chosen_partners(request.user, data["partners"]),
                      **form.data_for_service()),
                  success=lambda campaign: f"已保存活动「{campaign.name}」（草稿），确认无误后点「发布」",
                  redirect_to=lambda campaign: reverse("benefits:campaign_detail", args=[campaign.uuid]))
    return done or render(request, "benefits/campaign_form.html", {
        "section": "benefits", "form": form, "union": union, "unions": work_unions(request.user),
        "campaign": None}, status=form_status(request, form))


@staff_required
def campaign_edit(request: HttpRequest, key: str) -> HttpResponse:
    campaign = access_campaign(request.user, key, write=True)
    if campaign.status != CampaignStatus.DRAFT:
        messages.error(request, "活动发布后不能再修改")
        return redirect("benefits:campaign_detail", key=campaign.uuid)
    form = _form(request, union=campaign.union, initial=CampaignForm.initial_for(campaign))
    done = submit(request, form, success="已保存",
                  run=lambda data: services.campaign_update(
                      actor=request.user, campaign=campaign, partners=_chosen_partners(request.user, data["partners"]),
                      **form.data_for_service()),
                  redirect_to=reverse("benefits:campaign_detail", args=[campaign.uuid]))
    return done or render(request, "benefits/campaign_form.html", {
        "section": "benefits", "form": form, "union": campaign.union, "campaign": campaign},
        status=form_status(request, form))


@staff_required
@require_POST
def rule_preview(request: HttpRequest) -> HttpResponse:
    """HTMX: 预览人数 — how many members the rule being composed selects today."""
    form = PreviewForm(request.POST)
    key = request.POST.get("union", "")
    context: dict[str, Any] = {}
    if not key:
        context["error"] = "请先选择发放工会"
    else:
        union = access_union_data(request.user, key)
        form.set_union_choices(Union.objects.filter(path__startswith=union.path).order_by("path")[:500])
        if not form.is_valid():
            context["error"] = "请检查条件：" + "；".join(
                f"{form.fields[f].label}{e[0]}" for f, e in form.errors.items() if f in form.fields)
        else:
            try:
                context["preview"] = selectors.preview_count(union=union, rule=form.rule())
            except DomainError as exc:
                context["error"] = exc.message
    return render(request, "benefits/_rule_preview.html", context)


@staff_required
def campaign_detail(request: HttpRequest, key: str) -> HttpResponse:
    campaign = access_campaign(request.user, key)
    rows = selectors.reconciliation(campaign.coupons.all())
    context: dict[str, Any] = {
        "section": "benefits", "campaign": campaign, "can_work": can_write(request.user, campaign.union),
        "counts": selectors.campaign_counts(campaign), "partners": campaign.partners.order_by("category", "name"),
        "runs": campaign.issue_runs.select_related("actor")[:20], "rows": rows,
        "totals": selectors.reconciliation_totals(rows),
    }
    if campaign.status == CampaignStatus.DRAFT:
        try:
            context["preview"] = selectors.preview_count(union=campaign.union, rule=campaign.rule)
        except DomainError as exc:
            context["preview_error"] = exc.message
    return render(request, "benefits/campaign_detail.html", context)


@staff_required
def campaign_counts(request: HttpRequest, key: str) -> HttpResponse:
    """HTMX, polled: the live issued / redeemed / budget figures."""
    campaign = access_campaign(request.user, key)
    return render(request, "benefits/_campaign_counts.html", {"campaign": campaign,
                                                              "counts": selectors.campaign_counts(campaign)})


# The campaign's one-button actions: gated with write, back to the campaign.
campaign_action = partial(object_action, partial(access_campaign, write=True),
                          back=lambda request, campaign: reverse("benefits:campaign_detail", args=[campaign.uuid]))


@campaign_action(success="已发布，符合条件的会员可在职工端「领券」页领取")
def campaign_launch(request: HttpRequest, campaign: Campaign, data: Mapping[str, Any]) -> HttpResponse | None:
    launched = services.campaign_launch(actor=request.user, campaign=campaign)
    job = getattr(launched, "issue_job", None)
    if job is None:
        return None
    # 免申即享: the issuance is a job; its page shows the bar, then lands back on the campaign.
    messages.info(request, "已发布。已提交发放，正在处理：符合条件的会员将自动获得券（免申即享）")
    return redirect(f"{job_url(job)}?land=1")


@campaign_action(form=ReasonForm, success="活动已结束，未使用的券随之失效")
def campaign_close(request: HttpRequest, campaign: Campaign, data: Mapping[str, Any]) -> Any:
    return services.campaign_close(actor=request.user, campaign=campaign, reason=data["reason"])


@staff_required
@require_POST
def campaign_issue(request: HttpRequest, key: str) -> HttpResponse:
    """立即补发: the periodic job's work for this campaign, now."""
    campaign = access_campaign(request.user, key, write=True)
    run = services.campaign_issue(campaign=campaign, trigger="manual", actor=request.user)
    if run is None:
        messages.info(request, "没有需要补发的会员（或预算已用完、活动不在有效期内）")
    else:
        messages.success(request, f"已向新符合条件的 {run.issued} 名会员补发")
    return redirect("benefits:campaign_detail", key=campaign.uuid)
