"""/api/v1/surveys/: ``staff`` (build, publish, close) and ``worker`` (my surveys, submit)."""

from ninja import Router

from . import staff, worker

router = Router(tags=["问卷"])
router.add_router("", staff.router)
router.add_router("", worker.router)
