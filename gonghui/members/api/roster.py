"""/api/v1/members/ endpoints: roster (being written)."""

from ninja import Router

router = Router()
