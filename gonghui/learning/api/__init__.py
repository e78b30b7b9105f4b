"""/api/v1/learning/: one router per audience, combined here.

* ``worker`` — members browse the catalogue, enrol, study (progress per lesson), sit the exam (answers
  saved as they go, submitted once) and fetch their certificates; ``verify/{number}`` is public;
* ``staff`` — staff manage courses and their trial review, lessons, the question bank, enrolments and
  certificates (revocation).
"""

from ninja import Router

from . import staff, worker

router = Router(tags=["职课堂"])
for module in (staff, worker):
    for path_view in module.router.path_operations.values():
        for operation in path_view.operations:
            operation.operation_id = operation.operation_id or f"gonghui_learning_api_{operation.view_func.__name__}"
    router.add_router("", module.router)
