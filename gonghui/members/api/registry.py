"""/api/v1/members/ endpoints: registry (being written)."""

from ninja import Router

router = Router()
