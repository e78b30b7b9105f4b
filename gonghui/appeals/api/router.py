"""The one router of /api/v1/appeals/: worker.py and staff.py both register on it, so that a path
with a worker's and a staff's method (GET and POST /tickets) is one route."""

from ninja import Router

router = Router(tags=["12351诉求"])
