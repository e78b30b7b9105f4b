"""Gonghui (工会): an open-source digital trade-union service platform."""

from .celery import app as celery_app

__all__ = ["celery_app"]
