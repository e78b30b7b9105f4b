"""Excel import of unions and employers (being written)."""

from django.http import HttpRequest, HttpResponse

from gonghui.web.decorators import staff_required


@staff_required
def import_page(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


@staff_required
def template(request: HttpRequest, kind: str) -> HttpResponse:
    raise NotImplementedError
