"""The API pager: has_next from limit + 1, the count free on the last page and bounded elsewhere, selected
with the page's rows (issue 15)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.core import api
from gonghui.testing import Cast
from gonghui.unions.models import Union

pytestmark = pytest.mark.django_db


def _page(page: int, size: int) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as queries:
        result = api.Page().paginate_queryset(Union.objects.order_by("id"), api.Page.Input(page=page, page_size=size))
    return result, len(queries.captured_queries)


def test_it_counts_the_last_page_without_a_query(cast: Cast) -> None:
    total = Union.objects.count()
    result, queries = _page(1, total + 5)
    assert (result["count"], result["has_next"], result["count_exact"], queries) == (total, False, True, 1)
    last, queries = _page(2, total - 1)
    assert (last["count"], last["has_next"], len(last["items"]), queries) == (total, False, 1, 1)


def test_it_counts_exactly_below_the_cap(cast: Cast) -> None:
    total = Union.objects.count()
    result, queries = _page(1, 2)
    # One query: the bounded count is selected with the page's rows.
    assert (result["count"], result["has_next"], result["count_exact"], queries) == (total, True, True, 1)
    beyond, _ = _page(100, 2)
    assert (beyond["items"], beyond["count"], beyond["has_next"]) == ([], total, False)


def test_it_says_at_least_above_the_cap(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "COUNT_CAP", 3)
    assert Union.objects.count() > 4
    result, _ = _page(1, 2)
    assert (result["count"], result["has_next"], result["count_exact"]) == (3, True, False)
    deeper, _ = _page(2, 2)
    assert (deeper["count"], deeper["count_exact"]) == (5, False)  # at least the rows seen and one more


def test_the_count_it_selects_with_the_rows_is_the_count_query_s(cast: Cast) -> None:
    # A join that repeats rows (a union once per member) and a distinct query (not folded: counted apart).
    joined = Union.objects.filter(members__isnull=False).order_by("id")
    distinct = joined.distinct()
    assert joined.count() > distinct.count() > 1
    for queryset, queries_expected in ((joined, 1), (distinct, 2)):
        with CaptureQueriesContext(connection) as queries:
            result = api.Page().paginate_queryset(queryset, api.Page.Input(page=1, page_size=1))
        assert (result["count"], result["has_next"], len(queries.captured_queries)) == (
            queryset.count(), True, queries_expected)
        assert not hasattr(result["items"][0], api._COUNT_ALIAS)


def test_an_empty_query_set_is_an_empty_page(cast: Cast) -> None:
    for queryset in (Union.objects.none(), Union.objects.filter(pk__in=[]).order_by("id")):
        result = api.Page().paginate_queryset(queryset, api.Page.Input(page=1, page_size=2))
        assert (result["items"], result["count"], result["has_next"]) == ([], 0, False)
        deeper = api.Page().paginate_queryset(queryset, api.Page.Input(page=3, page_size=2))
        assert (deeper["items"], deeper["count"], deeper["has_next"]) == ([], 0, False)
