"""The registry's console pages: finding members (/console/members/), the member page, and revealing
an identifier (admins, audited). Thin adapters: parse → gate → selector/service → render."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from gonghui.core.actions import act
from gonghui.core.decorators import staff_required
from gonghui.core.errors import DomainError
from gonghui.core.scope import DATA_ROLES, WRITE_ROLES, scope_of
from gonghui.core.unmasking import Unmask, may_unmask, require_unmask

from ...access import access_member
from ...forms import RevealForm
from ...models import (
    EVENT_LABELS,
    EmploymentForm,
    GigOccupation,
    HardshipLevel,
    Member,
    MemberStatus,
    ModelWorkerLevel,
)
from ...selectors import ALL, ANY, child_union_counts, counting_root, member_filters, member_history, member_search
from ...services import claiming, registry
from ...services.roster import can_import

PAGE_SIZE = 20
COUNT_CAP = 1000  # the list counts at most this many matches (or up to the page asked for), then shows "1000+"


class CappedPaginator(Paginator):
    """A Paginator that counts at most ``limit`` rows (COUNT over a LIMIT subquery): counting every
    match of a short search among a million members grew with the registry. Past the limit it
    reports ``limit + 1`` rows (one more page to go to) and ``capped`` for the pager's "1000+"."""

    def __init__(self, object_list: Any, per_page: int, *, wanted: Any) -> None:
        super().__init__(object_list, per_page)
        try:
            page = max(int(wanted), 1)
        except (TypeError, ValueError):
            page = 1
        self.cap = max(COUNT_CAP, page * per_page)
        self.capped = False

    def known_count(self, count: int) -> None:
        """The count, when the caller already has it exactly (and below the cap): no query."""
        self._capped_count, self.capped = count, False

    @property
    def count(self) -> int:  # type: ignore[override]
        if not hasattr(self, "_capped_count"):
            found = self.object_list[: self.cap + 1].count()
            self.capped = found > self.cap
            self._capped_count = found
        return self._capped_count


def transfer_url(member: Member) -> str:
    """"发起转会" (views/transfer.py); a plain path if that page is not routed."""
    try:
        return reverse("members:staff_transfer", args=[member.uuid])
    except NoReverseMatch:
        return f"/console/members/{member.uuid}/transfer/"


def _choices() -> dict[str, Any]:
    return {
        "forms": EmploymentForm.choices, "occupations": GigOccupation.choices,
        "hardships": [(ANY, "全部困难职工"), *HardshipLevel.choices],
        "model_workers": [(ANY, "全部劳模"), *ModelWorkerLevel.choices],
        "statuses": [("", "在册会员"), *MemberStatus.choices, (ALL, "全部状态")],
    }


@staff_required
def member_list(request: HttpRequest) -> HttpResponse:
    """Search and filters within the caller's scope, with member counts per child union."""
    filters = member_filters(request.user, request.GET)
    # The 认证 filter narrows the list (and the export, which takes the same filters); the figures
    # and the per-union counts are over everything else the filters match.
    qs = member_search(request.user, replace(filters, claimed=""))
    listed = member_search(request.user, filters) if filters.claimed else qs
    wanted = request.GET.get("page")
    paginator = CappedPaginator(listed.select_related("union", "employer"), PAGE_SIZE, wanted=wanted)
    # 已认证 among what the filters match: one aggregate over at most the pager's cap, which also gives the
    # pager its count when the matches are fewer. Past the cap, only within a chosen union: over a whole
    # province's registry it would grow with it (the cockpit's members.claimed has that figure).
    claim_figures: dict[str, Any] | None = claiming.claim_counts(qs, limit=paginator.cap + 1)
    if claim_figures["total"] <= paginator.cap:
        paginator.known_count({"yes": claim_figures["claimed"], "no": claim_figures["unclaimed"]}.get(
            filters.claimed, claim_figures["total"]))
    else:
        claim_figures = claiming.claim_counts(qs) if filters.union is not None else None
    page = paginator.get_page(wanted)
    root = counting_root(request.user, filters)
    counts = child_union_counts(request.user, root, qs)
    params = filters.as_params()
    context = {
        "section": "members", "page": page, "filters": filters, "params": params, "counts": counts,
        "claims": claim_figures, "claimed": filters.claimed,
        "invite_union": root if root is not None and scope_of(request.user).can(root.path, WRITE_ROLES) else None,
        "can_import": can_import(request.user), "today": timezone.localdate(), **_choices(),
        "parent": root.parent if root is not None and root.parent_id and scope_of(request.user).can(
            root.parent.path, DATA_ROLES) else None,
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "members/_rows.html", context)
    return render(request, "members/list.html", context)


def _detail_context(request: HttpRequest, member: Member) -> dict[str, Any]:
    from gonghui.unions.models import Union

    scope = scope_of(request.user)
    chain = list(Union.objects.ancestors_of(member.union, include_self=True))
    history = list(member_history(member))
    for item in history:
        item.event_label = EVENT_LABELS.get(item.event, item.event)
    return {
        "section": "members", "member": member, "history": history,
        "chain": [(u, scope.can(u.path, DATA_ROLES)) for u in chain],
        "age": member.age_on(timezone.localdate()),
        "can_reveal": may_unmask(request.user, member.union, Unmask.MEMBER),
        "can_work": scope.can(member.union.path, WRITE_ROLES),
        "transfer_url": transfer_url(member), "reveal_form": RevealForm(),
        "current": member.status in (MemberStatus.ACTIVE, MemberStatus.TRANSFERRING),
    }


@staff_required
def member_detail(request: HttpRequest, key: str) -> HttpResponse:
    member = access_member(request.user, key)
    return render(request, "members/detail.html", _detail_context(request, member))


@staff_required
@require_POST
def member_reveal(request: HttpRequest, key: str) -> HttpResponse:
    """One unmasked identifier, for an administrator who gives a reason; audited by the service."""
    member = access_member(request.user, key)
    require_unmask(request.user, member.union, Unmask.MEMBER, action="member.reveal", obj=member,
                   detail={"field": request.POST.get("field", "")[:20],
                           "reason": " ".join(request.POST.get("reason", "").split())[:200]})
    form = RevealForm(request.POST)
    if not form.is_valid():
        return render(request, "members/_reveal.html", {"member": member, "form": form,
                                                        "field": request.POST.get("field", "")})
    field = form.cleaned_data["field"]
    value = registry.member_reveal(actor=request.user, member=member, field=field,
                                   reason=form.cleaned_data["reason"])
    context = {"member": member, "field": field, "label": registry.REVEALABLE[field], "value": value}
    if request.htmx:
        return render(request, "members/_reveal.html", context)
    return render(request, "members/detail.html", {**_detail_context(request, member), "revealed": context})


@staff_required
@require_POST
def claim_invite(request: HttpRequest) -> HttpResponse:
    """发送认证邀请短信 to a union's unclaimed members: a job; the page follows its progress."""
    from gonghui.core import jobs
    from gonghui.unions.access import access_union_for_work

    union = access_union_for_work(request.user, request.POST.get("union"))
    return act(request, run=lambda _: redirect(jobs.job_url(claiming.claim_invite_start(
                   actor=request.user, union=union, site_url=request.build_absolute_uri("/")))),
               back=reverse("members:list") + f"?union={union.uuid}", handled=(DomainError,))
