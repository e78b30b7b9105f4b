"""/api/v1/benefits/: one router per caller — the worker, the partner's counter, union staff —
over the same gates (access.py) and services as the pages."""

from ninja import Router

from . import partner, staff, worker

router = Router(tags=["普惠服务"])
for module in (worker, partner, staff):
    router.add_router("", module.router)
