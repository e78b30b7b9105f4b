"""/api/v1/appeals/: the worker's requests (worker.py), the staff's handling and statistics
(staff.py), and the public message board; the same gates and services as the pages."""

from . import staff, worker  # noqa: F401 - they register their operations on the router
from .router import router

__all__ = ["router"]
