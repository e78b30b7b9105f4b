"""The public link's once-per-device guard and rate limit, shared by the page and the API.

A device is a random token in a signed cookie; only its per-survey HMAC (``services.device_hash``)
is stored on the response, so equal tokens do not link answers across surveys. An address may
submit at most PUBLIC_LIMIT public answers per PUBLIC_WINDOW."""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponse

from gonghui.core import ratelimit
from gonghui.core.context import client_ip

DEVICE_COOKIE = "gonghui_survey_device"
DEVICE_SALT = "gonghui.surveys.device"
PUBLIC_LIMIT = 20
PUBLIC_WINDOW = 3600


def limit_public(request: HttpRequest) -> None:
    """Raises the rate limiter's Chinese refusal past the limit."""
    ratelimit.hit(f"surveys.public:{client_ip(request) or '-'}", limit=PUBLIC_LIMIT, window=PUBLIC_WINDOW,
                  message="提交过于频繁，请稍后再试")


def device_token(request: HttpRequest) -> tuple[str, bool]:
    """The device's token and whether it is new (then ``remember`` it on the answer)."""
    token = request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT)
    if token:
        return token, False
    return secrets.token_urlsafe(24), True


def remember(response: HttpResponse, request: HttpRequest, token: str) -> None:
    response.set_signed_cookie(DEVICE_COOKIE, token, salt=DEVICE_SALT, max_age=365 * 86400, httponly=True,
                               samesite="Lax", secure=request.is_secure())
