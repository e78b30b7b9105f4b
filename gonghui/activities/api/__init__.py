"""/api/v1/activities/: one router per audience, combined here.

* ``worker`` — members browse the activities of their branch, sign up, cancel, check in with the
  activity's code and rate;
* ``staff`` — staff manage activities, participants, check-in, photos, export and 惠及人次.

Staff routes are mounted first, as they were when this was one module. The operation ids keep the
names the single module gave them (``gonghui_activities_api_<function>``), for generated clients.
"""

from gonghui.core.modules import module_router

from . import staff, worker

router = module_router("活动", staff.router, worker.router, operation_id_prefix="gonghui_activities_api")
