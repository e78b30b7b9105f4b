"""Response headers that no view has to remember: no-store for personal data, Permissions-Policy.

``PrivateResponseMiddleware`` (in settings.MIDDLEWARE, after authentication) gives

* ``Cache-Control: no-store`` to every response for a signed-in user and every API response
  (``NO_STORE_PATH_PREFIXES``), so a member list, an export, the e-card or an attachment is never
  kept by the browser cache or a shared proxy — whichever module the view is in, including a new
  one. A view whose response is the same for everyone may opt out with ``@cacheable``; a view
  that set a laxer ``Cache-Control`` itself (``private, max-age=…``) is overridden.
* ``Permissions-Policy`` with every powerful feature off (``FEATURES``); the few pages
  that need one (the merchant's QR scanner needs the camera, location search the geolocation)
  say so with ``@allow_features("camera")`` and get it for this origin only.

Static files are served by WhiteNoise above this middleware and keep their long cache lifetime.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Features a page of ours could ever ask for; all of them are off unless a view allows one.
FEATURES = (
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen", "geolocation",
    "gyroscope", "magnetometer", "microphone", "midi", "payment", "picture-in-picture",
    "publickey-credentials-get", "screen-wake-lock", "serial", "sync-xhr", "usb", "xr-spatial-tracking",
)


def permissions_policy(allowed: frozenset[str] | set[str] = frozenset()) -> str:
    """The header value: ``camera=(self)`` for an allowed feature, ``feature=()`` for the others."""
    return ", ".join(f"{name}=(self)" if name in allowed else f"{name}=()" for name in FEATURES)


def cacheable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let this view's responses be cached even for a signed-in user: only for pages without personal data."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.gonghui_cacheable = True
        return response

    return wrapper


def allow_features(*names: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Allow the named Permissions-Policy features (``"camera"``, ``"geolocation"``) on this view's page."""
    unknown = set(names) - set(FEATURES)
    if unknown:
        raise ValueError(f"unknown Permissions-Policy features: {sorted(unknown)}")

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            response.gonghui_features = frozenset(names)
            return response

        return wrapper

    return decorate


def _is_personal(request: HttpRequest) -> bool:
    if request.path_info.startswith(tuple(getattr(settings, "NO_STORE_PATH_PREFIXES", ("/api/",)))):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class PrivateResponseMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _is_personal(request) and not getattr(response, "gonghui_cacheable", False):
            response["Cache-Control"] = "no-store"
            # An Expires or Last-Modified/ETag from a view would only invite revalidation of what must not be kept.
            for header in ("Expires", "Last-Modified", "ETag"):
                if header in response:
                    del response[header]
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = permissions_policy(getattr(response, "gonghui_features", frozenset()))
        return response
