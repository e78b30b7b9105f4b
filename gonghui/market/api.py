"""/api/v1/market/ (being written)."""

from ninja import Router

router = Router(tags=["云集市"])
