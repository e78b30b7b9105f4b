"""/api/v1/appeals/ (being written)."""

from ninja import Router

router = Router(tags=["12351诉求"])
