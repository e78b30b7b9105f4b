"""The worker's H5 pages (/members/…), one module per sub-domain; their paths are in members/urls.py."""

from . import card, claiming, joining, rights, transfer

__all__ = ["card", "claiming", "joining", "rights", "transfer"]
