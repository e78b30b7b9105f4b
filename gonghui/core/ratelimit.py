"""A small fixed-window rate limiter on Django's cache, for sensitive lookups (the 12351 caller lookup).

The counter lives in the default cache: Redis when REDIS_URL is set, so it holds across app servers and
processes; the local-memory cache otherwise (the single-process embedded default). ``cache.add`` starts
a window and ``cache.incr`` counts atomically in both backends. A window is fixed (it resets
``window`` seconds after its first hit), which is enough against scripted enumeration; it is not a
precise sliding limit.
"""

from __future__ import annotations

from django.core.cache import cache

from .errors import TooManyRequests


def hit(key: str, *, limit: int, window: int, message: str | None = None) -> int:
    """Count one use of ``key``; raise TooManyRequests past ``limit`` uses in ``window`` seconds.
    Returns the count so far (this use included)."""
    name = f"ratelimit:{key}"
    if cache.add(name, 1, timeout=window):
        return 1
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr: a new window
        cache.add(name, 1, timeout=window)
        count = 1
    if count > limit:
        raise TooManyRequests(message)
    return count
