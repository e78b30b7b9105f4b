"""The two shells' own pages: the worker H5 home, the public union directory, the console home."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from gonghui.core import modules
from gonghui.core.decorators import staff_required
from gonghui.core.scope import scope_of
from gonghui.unions.models import Employer, Union, UnionLevel


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"tab": "home", "tiles": modules.tiles()})


def union_directory(request: HttpRequest) -> HttpResponse:
    """找工会: public search of active unions by union or employer name (no personal data)."""
    q = " ".join(request.GET.get("q", "").split())[:50]
    unions = Union.objects.active().filter(level__gte=UnionLevel.DISTRICT).select_related("parent")
    if q:
        employer_unions = Employer.objects.filter(name__icontains=q).values("union_id")
        unions = unions.filter(Q(name__icontains=q) | Q(pk__in=employer_unions))
    page = Paginator(unions.order_by("level", "name"), 20).get_page(request.GET.get("page"))
    template = "web/_directory_results.html" if request.htmx else "web/directory.html"
    return render(request, template, {"page": page, "q": q, "tab": "home"})


@staff_required
def console_home(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    unions = Union.objects.visible_to(request.user)
    employers = Employer.objects.visible_to(request.user)
    stats = {
        "unions": unions.filter(is_active=True).count(),
        "grassroots": unions.filter(is_active=True, level=UnionLevel.GRASSROOTS).count(),
        "employers": employers.count(),
        "established": employers.filter(union_established=True).count(),
    }
    return render(request, "web/console_home.html", {"section": "home", "stats": stats, "scope": scope,
                                                     "sections": modules.console_sections(request.user)})


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers and WeChat ask for whatever the page links to: the app icon."""
    from django.templatetags.static import static

    response = redirect(static("gonghui/icon-192.png"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


def wechat_js_config(request: HttpRequest) -> HttpResponse:
    """/wechat/js-config?url=…: the signed ``wx.config`` for one of our own pages (404 when not configured).

    Signs only URLs of this site (same host as the request), so the endpoint cannot sign another site's page.
    """
    from urllib.parse import urlsplit

    from django.http import JsonResponse

    from gonghui.core import wechat

    if not wechat.enabled():
        return JsonResponse({"code": "not_configured", "message": "未配置微信公众号"}, status=404)
    url = request.GET.get("url", "")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or parts.netloc != request.get_host() or len(url) > 1000:
        return JsonResponse({"code": "bad_url", "message": "只能为本站页面签名"}, status=400)
    try:
        config = wechat.js_config(url)
    except wechat.WeChatError:
        return JsonResponse({"code": "wechat_unavailable", "message": "微信服务暂时不可用，请手工输入或稍后再试"},
                            status=503)
    response = JsonResponse(config)
    response["Cache-Control"] = "no-store"
    return response
