"""/api/v1/members/ endpoints: rights (being written)."""

from ninja import Router

router = Router()
