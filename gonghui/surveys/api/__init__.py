"""/api/v1/surveys/: ``staff`` (build, publish, close) and ``worker`` (my surveys, submit)."""

from gonghui.core.modules import module_router

from . import staff, worker

router = module_router("问卷", staff.router, worker.router)
