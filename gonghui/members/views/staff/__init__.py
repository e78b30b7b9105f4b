"""The console pages (/console/members/…), one module per sub-domain; their paths are in members/urls.py."""

from . import card, joining, registry, rights, roster, transfer

__all__ = ["card", "joining", "registry", "rights", "roster", "transfer"]
