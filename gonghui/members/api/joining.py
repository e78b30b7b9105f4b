"""/api/v1/members/ endpoints: joining (being written)."""

from ninja import Router

router = Router()
