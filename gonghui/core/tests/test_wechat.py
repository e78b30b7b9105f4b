"""The WeChat JS-SDK signature and config: WeChat's documented example, the token cache, and our own URLs only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from gonghui.core import wechat


def test_it_signs_like_wechat_documents() -> None:
    """The worked example of WeChat's JS-SDK documentation (附录1-JS-SDK使用权限签名算法)."""
    assert wechat.signature(
        ticket="sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
        nonce="Wm3WZYTPz0wzccnW", timestamp=1414587457, url="http://mp.weixin.qq.com?params=value",
    ) == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
    # the fragment is not part of what WeChat signs
    assert wechat.signature(ticket="t", nonce="n", timestamp=1, url="https://a.example/p?x=1#top") == \
        wechat.signature(ticket="t", nonce="n", timestamp=1, url="https://a.example/p?x=1")


@pytest.fixture
def account(settings: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    settings.WECHAT_APP_ID = "wx0123456789abcdef"
    settings.WECHAT_APP_SECRET = "s3cret"
    cache.clear()
    calls: list[str] = []

    def fake_get(path: str, **params: str) -> dict[str, Any]:
        calls.append(path)
        if path == "token":
            assert params == {"grant_type": "client_credential", "appid": "wx0123456789abcdef", "secret": "s3cret"}
            return {"access_token": "ACCESS", "expires_in": 7200}
        assert params == {"access_token": "ACCESS", "type": "jsapi"}
        return {"errcode": 0, "ticket": "TICKET", "expires_in": 7200}

    monkeypatch.setattr(wechat, "_get", fake_get)
    return calls


def test_it_hands_a_page_its_config_and_keeps_the_ticket(account: list[str], client: Client) -> None:
    url = "http://testserver/benefits/merchant/?card=abc"
    first = client.get("/wechat/js-config", {"url": url})
    assert first.status_code == 200 and first["Cache-Control"] == "no-store"
    config = json.loads(first.content)
    assert config["appId"] == "wx0123456789abcdef" and config["jsApiList"] == ["scanQRCode"]
    assert config["signature"] == wechat.signature(ticket="TICKET", nonce=config["nonceStr"],
                                                   timestamp=config["timestamp"], url=url)
    client.get("/wechat/js-config", {"url": url})
    assert account == ["token", "ticket/getticket"]  # fetched once, then from the cache


def test_it_signs_only_its_own_pages(account: list[str], client: Client) -> None:
    for url in ("https://evil.example/", "javascript:alert(1)", ""):
        response = client.get("/wechat/js-config", {"url": url})
        assert response.status_code == 400 and json.loads(response.content)["message"] == "只能为本站页面签名"
    assert account == []


def test_it_says_so_when_wechat_fails_or_nothing_is_configured(settings: Any, client: Client,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    settings.WECHAT_APP_ID = ""
    assert client.get("/wechat/js-config", {"url": "http://testserver/"}).status_code == 404
    settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = "wx1", "s"
    cache.clear()

    def down(path: str, **params: str) -> dict[str, Any]:
        raise wechat.WeChatError("unreachable")

    monkeypatch.setattr(wechat, "_get", down)
    response = client.get("/wechat/js-config", {"url": "http://testserver/"})
    assert response.status_code == 503 and "微信服务暂时不可用" in json.loads(response.content)["message"]


@pytest.mark.django_db
def test_it_loads_the_wechat_scanner_only_when_configured(settings: Any, client: Client) -> None:
    settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = "", ""
    assert "gonghui-wechat" not in client.get("/login/").content.decode()
    settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = "wx1", "s"
    html = client.get("/login/").content.decode()
    assert '<meta name="gonghui-wechat" content="/wechat/js-config">' in html and "wechat.js" in html
