"""The organisation figures for the cockpit: unions and employers (一企一册) in each union now.

Every active union counts itself once (rolled up, a district's figure is the number of active unions
in its subtree, itself included). Employers count at the union they are filed under; "unionized"
are those that have set up their own union (已单独建会), which gives the 建会率.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Q

from gonghui.core.modules import SnapshotRow, StatSource

from .models import Employer, Industry, Union, UnionKind


def snapshot() -> Iterator[SnapshotRow]:
    for union_id, kind in Union.objects.filter(is_active=True).order_by().values_list("id", "kind"):
        yield union_id, "unions.total", "", 1
        if kind == UnionKind.GRASSROOTS:
            yield union_id, "unions.grassroots", "", 1
    employers = (Employer.objects.order_by().values("union_id")
                 .annotate(total=Count("pk"), unionized=Count("pk", filter=Q(union_established=True))))
    for row in employers:
        yield row["union_id"], "employers.total", "", row["total"]
        if row["unionized"]:
            yield row["union_id"], "employers.unionized", "", row["unionized"]
    by_industry = Employer.objects.order_by().values_list("union_id", "industry").annotate(n=Count("pk"))
    for union_id, industry, n in by_industry:
        yield union_id, "employers.industry", industry or "other", n


SOURCE = StatSource(
    key="unions",
    metrics={"unions.total": "工会组织", "unions.grassroots": "基层工会", "employers.total": "企业（单位）",
             "employers.unionized": "已建会企业", "employers.industry": "企业（按行业）"},
    dimensions={"employers.industry": {**{code: label for code, label in Industry.choices}, "other": "未填行业"}},
    snapshot=snapshot,
)
