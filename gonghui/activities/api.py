"""/api/v1/activities/ (being written)."""

from ninja import Router

router = Router(tags=["活动"])
