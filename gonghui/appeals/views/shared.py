"""What the worker's and the staff's pages share: choices, the attachment download."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from gonghui.core.responses import stored_file
from gonghui.unions.models import Union, UnionLevel

from ..access import access_attachment


def place_choices() -> list[Union]:
    """Where it happened, for someone who is not a member: the district-level unions (区县总工会)."""
    return list(Union.objects.active().filter(level=UnionLevel.DISTRICT).select_related("parent").order_by("path"))


def place_union(key: Any) -> Union | None:
    """An active union picked from the public directory (the tree holds no personal data)."""
    if not key:
        return None
    return Union.objects.active().filter(uuid=key).first()


@login_required
def attachment(request: HttpRequest, key: str) -> HttpResponse:
    """A ticket's photo or PDF, for staff who see the ticket and for its worker; 404 for anyone else."""
    item = access_attachment(request.user, key)
    response = stored_file(item.file, content_type=item.content_type, missing="文件已不存在", filename=item.name,
                           download=request.GET.get("download") == "1")
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response
