"""URL map of bench/settings_bench.py: the project's, plus the bare JSON view of the same size."""

from __future__ import annotations

import json
from functools import lru_cache

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from gonghui.urls import urlpatterns as project_urlpatterns


@lru_cache(maxsize=16)
def _payload(size: int) -> dict:
    # A list of 20 objects with Chinese text, like a page of the API, padded to about ``size`` bytes.
    item = {"uuid": "8a0c5c8e-0000-4000-8000-000000000000", "title": "工会服务", "count": 0, "text": ""}
    rows = 20 if size > 4000 else 1  # /me: one object
    base = len(json.dumps({"items": [item] * rows, "count": 20, "page": 1, "page_size": 20}).encode())
    pad = max(size - base, 0) // rows
    items = [{**item, "count": n, "text": "x" * pad} for n in range(rows)]
    return {"items": items, "count": 20, "page": 1, "page_size": 20}


def bare(request: HttpRequest) -> HttpResponse:
    size = min(int(request.GET.get("bytes", "1000") or 1000), 1_000_000)
    return JsonResponse(_payload(size))


urlpatterns = [path("bench/bare", bare), *project_urlpatterns]
