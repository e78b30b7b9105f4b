"""Who is acting, from where: the audit context of the current request, task or command.

Services take the acting user (``actor``) and never the HTTP request. What an audit row records
beyond the actor — the client's IP address, its user agent and the channel (web page, API, task,
command) — comes from this context variable instead. ``AuditContextMiddleware`` sets it for every
request; tasks and management commands enter ``audit_context(channel=…)``. Outside any of these
(the test shell, a bare script) the context is empty and audit rows carry no address.

A context variable, not a thread-local: it is right under threads, gunicorn's workers and async
code alike, and ``audit_context`` restores the previous value on exit, so contexts nest.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class Channel:
    WEB = "web"
    API = "api"
    TASK = "task"
    COMMAND = "command"


USER_AGENT_MAX = 200


@dataclass(frozen=True)
class AuditContext:
    channel: str = ""
    ip: str | None = None
    user_agent: str = ""


_EMPTY = AuditContext()
_current: ContextVar[AuditContext] = ContextVar("gonghui_audit_context", default=_EMPTY)


def current() -> AuditContext:
    """The context of whatever is running now (empty outside a request, task or command)."""
    return _current.get()


def _ip_or_none(value: str | None) -> str | None:
    # The column is an inet on PostgreSQL: a malformed address ("unknown", "1.2.3.4:5678" from a
    # misconfigured proxy) would make the audit insert, and so the audited action, fail.
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    """The client address, trusting exactly NUM_PROXIES reverse proxies."""
    if request is None:
        return None
    if settings.NUM_PROXIES:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= settings.NUM_PROXIES:
            found = _ip_or_none(forwarded[-settings.NUM_PROXIES])
            if found:
                return found
    return _ip_or_none(request.META.get("REMOTE_ADDR"))


def from_request(request: HttpRequest) -> AuditContext:
    agent = "".join(ch for ch in request.META.get("HTTP_USER_AGENT", "") if ch.isprintable())
    channel = Channel.API if request.path.startswith("/api/") else Channel.WEB
    return AuditContext(channel=channel, ip=client_ip(request), user_agent=agent[:USER_AGENT_MAX])


@contextmanager
def audit_context(context: AuditContext | None = None, **changes: Any) -> Iterator[AuditContext]:
    """Run a block under ``context`` (or the current one with ``changes``), restoring the old one after."""
    value = replace(context or current(), **changes)
    token = _current.set(value)
    try:
        yield value
    finally:
        _current.reset(token)


class AuditContextMiddleware:
    """Sets the audit context for the request (IP, user agent, web or API) and clears it afterwards."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current.set(from_request(request))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
