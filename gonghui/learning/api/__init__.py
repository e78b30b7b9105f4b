"""/api/v1/learning/: one router per audience, combined here.

* ``worker`` — members browse the catalogue, enrol, study (progress per lesson), sit the exam (answers
  saved as they go, submitted once) and fetch their certificates; ``verify/{number}`` is public;
* ``staff`` — staff manage courses and their trial review, lessons, the question bank, enrolments and
  certificates (revocation).
"""

from gonghui.core.modules import module_router

from . import staff, worker

router = module_router("职课堂", staff.router, worker.router, operation_id_prefix="gonghui_learning_api")
