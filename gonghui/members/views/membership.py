"""What the other modules' H5 pages use about the signed-in worker's membership: the "join first" page
for a worker who is not a member yet, and ``members_only`` for a page about the member's own rows.

A module names its invitation once (the glyph of its logo and what it offers once joined) and each page
its title:

    members_page = partial(members_only, glyph="学", blurb="职课堂面向工会会员开放。…")

    @members_page("我的课程")
    def my_courses(request, member): ...
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from ..access import own_member


def not_member_page(request: HttpRequest, title: str, *, glyph: str, blurb: str) -> HttpResponse:
    """web/not_member.html: ``title``, the module's ``glyph`` and ``blurb``, and the way to 申请入会."""
    return render(request, "web/not_member.html", {
        "tab": "home", "title": title, "glyph": glyph, "join_url": reverse("members:join"), "blurb": blurb})


def members_only(title: str, *, glyph: str, blurb: str) -> Callable[[Callable[..., HttpResponse]],
                                                                      Callable[..., HttpResponse]]:
    """Decorate ``view(request, member, ...)``: signed in (else the login page), then the worker's own
    membership record (``own_member``) or, for a worker who is not a member, ``not_member_page``."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            member = own_member(request.user)
            if member is None:
                return not_member_page(request, title, glyph=glyph, blurb=blurb)
            return view(request, member, *args, **kwargs)

        return page

    return decorate
