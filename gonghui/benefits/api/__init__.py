"""/api/v1/benefits/: one router per caller — the worker, the partner's counter, union staff —
over the same gates (access.py) and services as the pages."""

from gonghui.core.modules import module_router

from . import partner, staff, worker

router = module_router("普惠服务", worker.router, partner.router, staff.router)
