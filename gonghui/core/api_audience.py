"""Staff endpoints refuse everyone who is not staff, once for the whole API.

Each app splits its API by audience (DESIGN.md: ``api/worker.py``, ``api/staff.py``, ``provider``,
``partner``). Operations defined in a staff module answer a signed-in worker with 403 ``forbidden``,
before their input is validated, just as the console's ``staff_required`` does — instead of each
endpoint deciding for itself (some answered 200 with zeros or an empty list, some 404, some 422).

``require_staff(api)`` runs once in gonghui/urls.py, after the routers are added and before the URLs
are built: it gives each staff operation the API's authentication wrapped in a staff check. The
wrapper keeps the wrapped class's name and OpenAPI scheme, so the schema's ``security`` is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Router
from ninja.constants import NOT_SET

from .errors import Forbidden
from .scope import scope_of

STAFF_MODULES = re.compile(r"^gonghui\.\w+\.api\.staff$|^gonghui\.cockpit\.api$")
STAFF_ONLY = "该接口仅供工会工作人员使用"


class _StaffOnly:
    """An authentication callable that authenticates as ``inner`` does, then refuses non-staff."""

    def __init__(self, inner: Callable[[HttpRequest], Any]) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:  # openapi_security_schema, openapi_type …
        return getattr(self.inner, name)

    def __call__(self, request: HttpRequest) -> Any:
        user = self.inner(request)
        if user and not scope_of(user).is_staff:
            raise Forbidden(STAFF_ONLY)
        return user


def staff_only(auth: Callable[[HttpRequest], Any]) -> _StaffOnly:
    # The OpenAPI generator names a security scheme after the callable's class: keep the inner's name.
    cls = type(type(auth).__name__, (_StaffOnly,), {})
    return cls(auth)


def shared_with_members(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark an operation of a staff module that also serves the member it concerns (their own
    transfer): it keeps the plain authentication and gates the caller itself."""
    view._audience_shared = True  # type: ignore[attr-defined]
    return view


def _operations(router: Router) -> Iterator[Any]:
    for view in router.path_operations.values():
        yield from view.operations
    for child in router._routers:  # nested routers: (prefix, router, …)
        yield from _operations(child[1])


def require_staff(api: NinjaAPI) -> int:
    """Wrap the authentication of every operation defined in a staff module; returns how many."""
    count = 0
    for _, router in list(api._routers):
        for operation in _operations(router):
            if not STAFF_MODULES.match(operation.view_func.__module__):
                continue
            if getattr(operation.view_func, "_audience_shared", False):
                continue
            if getattr(operation, "_staff_only", False):
                continue
            auth = operation.auth_param if operation.auth_param not in (None, NOT_SET) else api.auth
            callbacks = auth if isinstance(auth, (list, tuple)) else [auth]
            wrapped = [staff_only(callback) for callback in callbacks]
            operation.auth_param = wrapped
            operation._set_auth(wrapped)
            operation._staff_only = True
            count += 1
    return count
