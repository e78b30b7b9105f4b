"""/api/v1/activities/: one router per audience, combined here.

* ``worker`` — members browse the activities of their branch, sign up, cancel, check in with the
  activity's code and rate;
* ``staff`` — staff manage activities, participants, check-in, photos, export and 惠及人次.

Staff routes are mounted first, as they were when this was one module. The operation ids keep the
names the single module gave them (``gonghui_activities_api_<function>``), for generated clients.
"""

from ninja import Router

from . import staff, worker

router = Router(tags=["活动"])
for module in (staff, worker):
    for path_view in module.router.path_operations.values():
        for operation in path_view.operations:
            operation.operation_id = operation.operation_id or f"gonghui_activities_api_{operation.view_func.__name__}"
    router.add_router("", module.router)
