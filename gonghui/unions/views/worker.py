"""The H5 side of the unions app: the page a union's join QR code opens."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from gonghui.core.errors import NotFound

from ..models import Union


def public(request: HttpRequest, code: str) -> HttpResponse:
    """The page a union's join QR code opens on a worker's phone: who this union is."""
    union = Union.objects.active().filter(join_code=code).select_related("parent").first()
    if union is None:
        raise NotFound("二维码已失效或工会不存在")
    # opened from 找工会 (not from a poster's QR code): the back link returns to the same search
    back = ""
    if request.GET.get("from") == "directory":
        q = request.GET.get("q", "")[:50]
        back = reverse("web:directory") + (f"?{urlencode({'q': q})}" if q else "")
    return render(request, "unions/public.html", {"union": union, "tab": "home", "back": back})
