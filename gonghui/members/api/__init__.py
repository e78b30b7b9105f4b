"""/api/v1/members/: the sub-domain routers (routers.py) with their operations by audience in worker.py
and staff.py."""

from importlib import import_module

from gonghui.core.modules import module_router

from . import routers

# Importing a module registers its operations on the routers. Worker first: the order in which paths
# first reach a router is the order of paths (and of operations on one path) in the OpenAPI schema.
for audience in ("worker", "staff"):
    import_module(f"{__name__}.{audience}")

router = module_router("会员", routers.registry, routers.joining, routers.transfer, routers.card, routers.roster,
                       routers.rights, routers.claiming)
