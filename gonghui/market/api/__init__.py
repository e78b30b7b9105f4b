"""/api/v1/market/: one router per sub-domain, combined here.

* ``catalogue`` — browse and follow listed offerings (members);
* ``orders`` — place (with ``Idempotency-Key``), my orders, and every transition of an order;
* ``needs`` — a member's needs;
* ``provider`` — a provider account's own offerings and orders;
* ``manage`` — staff: offerings, batches, the order board with bulk 配货, providers and workload,
  needs and categories, statistics.
"""

from ninja import Router

from . import catalogue, manage, needs, orders, provider

router = Router(tags=["云集市"])
for module in (catalogue, orders, needs, provider, manage):
    router.add_router("", module.router)
