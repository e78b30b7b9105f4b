"""/api/v1/members/ endpoints: card (being written)."""

from ninja import Router

router = Router()
