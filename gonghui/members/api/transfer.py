"""/api/v1/members/ endpoints: transfer (being written)."""

from ninja import Router

router = Router()
