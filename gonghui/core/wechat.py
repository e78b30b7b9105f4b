"""WeChat JS-SDK: lets a page opened in WeChat's browser scan a QR code with the phone camera.

When an operator configures an official account (``WECHAT_APP_ID`` and its secret), pages that scan
(the merchant's counter, the console's activity check-in) ask ``/wechat/js-config`` for a signed
``wx.config`` and call ``wx.scanQRCode``. The server fetches the account's access token and its
``jsapi_ticket`` from WeChat and keeps both in the cache until shortly before they expire (7,200 s);
with several app servers the cache must be shared (Redis, ``REDIS_URL``) so they do not keep
replacing each other's token. The signature is WeChat's documented one: SHA-1 of
``jsapi_ticket=…&noncestr=…&timestamp=…&url=…`` with the page's URL without its fragment.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core.cache import cache

API = "https://api.weixin.qq.com/cgi-bin"
EARLY = 300  # seconds before WeChat's expiry that a cached token or ticket is replaced
JS_APIS = ["scanQRCode"]


class WeChatError(Exception):
    """WeChat answered with an error (errcode) or could not be reached."""


def enabled() -> bool:
    return bool(settings.WECHAT_APP_ID and settings.WECHAT_APP_SECRET)


def _get(path: str, **params: str) -> dict[str, Any]:
    url = f"{API}/{path}?{urllib.parse.urlencode(params)}"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a fixed https address
            data = json.loads(response.read().decode())
    except (OSError, ValueError) as exc:
        raise WeChatError(f"WeChat {path} unreachable: {exc.__class__.__name__}") from exc
    if data.get("errcode"):
        raise WeChatError(f"WeChat {path}: errcode {data['errcode']}")
    return data


def _cached(key: str, fetch: Any, field: str) -> str:
    value = cache.get(key)
    if value:
        return value
    data = fetch()
    value = data[field]
    cache.set(key, value, max(int(data.get("expires_in", 7200)) - EARLY, 60))
    return value


def access_token() -> str:
    return _cached(f"wechat:{settings.WECHAT_APP_ID}:access_token", lambda: _get(
        "token", grant_type="client_credential", appid=settings.WECHAT_APP_ID, secret=settings.WECHAT_APP_SECRET),
        "access_token")


def jsapi_ticket() -> str:
    return _cached(f"wechat:{settings.WECHAT_APP_ID}:jsapi_ticket",
                   lambda: _get("ticket/getticket", access_token=access_token(), type="jsapi"), "ticket")


def signature(*, ticket: str, nonce: str, timestamp: int, url: str) -> str:
    """WeChat's JS-SDK signature of ``url`` (its fragment dropped)."""
    plain = f"jsapi_ticket={ticket}&noncestr={nonce}&timestamp={timestamp}&url={url.split('#', 1)[0]}"
    return hashlib.sha1(plain.encode()).hexdigest()  # noqa: S324 - the algorithm WeChat prescribes


def js_config(url: str) -> dict[str, Any]:
    """What the page passes to ``wx.config`` for ``url``. Raises WeChatError when WeChat fails."""
    nonce = secrets.token_urlsafe(12)
    timestamp = int(time.time())
    return {"appId": settings.WECHAT_APP_ID, "timestamp": timestamp, "nonceStr": nonce,
            "signature": signature(ticket=jsapi_ticket(), nonce=nonce, timestamp=timestamp, url=url),
            "jsApiList": JS_APIS}
