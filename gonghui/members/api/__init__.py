"""/api/v1/members/: one router per sub-domain, combined here."""

from ninja import Router

from . import card, joining, registry, rights, roster, transfer

router = Router(tags=["会员"])
for module in (registry, joining, transfer, card, roster, rights):
    router.add_router("", module.router)
