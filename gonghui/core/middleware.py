"""Maps domain errors raised in HTML views to an error page with the right status."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from .errors import DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        return domain_error_page(request, exception)


def domain_error_page(request: HttpRequest, exception: DomainError) -> HttpResponse:
    """The error page for ``exception`` with its status; for HTMX, the message in the page's alert area."""
    template = "web/error_fragment.html" if getattr(request, "htmx", False) else "web/error.html"
    response = TemplateResponse(request, template, {"error": exception}, status=exception.status)
    if getattr(request, "htmx", False):
        # Show the message where the page keeps its alerts instead of swapping it into the target.
        response["HX-Retarget"] = "#alerts"
        response["HX-Reswap"] = "innerHTML"
    return response.render()
