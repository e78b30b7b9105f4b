"""/api/v1/benefits/ (being written)."""

from ninja import Router

router = Router(tags=["普惠服务"])
