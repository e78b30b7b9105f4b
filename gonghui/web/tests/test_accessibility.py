"""What the shells promise every page: readable colours (WCAG AA), an icon and a web app manifest."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client

STATIC = Path(__file__).resolve().parents[1] / "static" / "gonghui"
CSS = (STATIC / "gonghui.css").read_text()


def _tokens() -> dict[str, str]:
    found = dict(re.findall(r"--([a-z0-9-]+):\s*(#[0-9a-fA-F]{3,6})\b", CSS.split("}", 1)[0]))
    return {k: v if len(v) == 7 else "#" + "".join(c * 2 for c in v[1:]) for k, v in found.items()}


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


PAIRS = [(text, ground) for text in ("ink", "ink-2", "ink-3", "red", "red-dark", "ok", "warn", "info", "gold")
         for ground in ("card", "bg")] + [(text, "red-soft") for text in ("ink", "ink-2", "ink-3", "red", "red-dark")]


@pytest.mark.parametrize(("text", "ground"), PAIRS)
def test_it_keeps_every_text_colour_readable_on_its_grounds(text: str, ground: str) -> None:
    tokens = _tokens()
    assert contrast(tokens[text], tokens[ground]) >= 4.5, f"--{text} on --{ground}"


def test_it_measures_contrast_the_way_wcag_does() -> None:
    """Negative control: the grey the H5 used to have (#86909c) fails on white and on the page ground."""
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert contrast("#86909c", "#ffffff") < 4.5 and contrast("#86909c", "#f5f6f8") < 4.5


def test_it_rings_focus_in_blue_not_in_the_error_red() -> None:
    tokens = _tokens()
    assert tokens["focus"] != tokens["red"]
    focus_rules = re.findall(r"[^}]*:focus[^{]*\{([^}]*)\}", CSS)
    assert focus_rules and not any("200, 16, 46" in rule or "var(--red)" in rule for rule in focus_rules)


@pytest.mark.django_db
def test_it_links_an_icon_and_a_manifest_on_every_page(client: Client) -> None:
    html = client.get("/login/").content.decode()
    assert 'rel="manifest"' in html and 'rel="icon"' in html and 'rel="apple-touch-icon"' in html
    manifest = json.loads((STATIC / "manifest.webmanifest").read_text())
    assert manifest["short_name"] and manifest["start_url"] == "/" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        assert (STATIC / icon["src"]).is_file()
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith(".png")


def test_it_draws_every_home_tile_with_a_shipped_icon_on_a_colour_white_reads_on() -> None:
    from gonghui.core import modules
    from gonghui.web.templatetags.icons import icon, names

    assert modules.tiles()
    for tile in modules.tiles():
        assert tile.icon in names(), f"tile {tile.key}: no icon {tile.icon!r} in icons.svg"
        assert contrast("#ffffff", tile.color) >= 3, f"tile {tile.key}: white on {tile.color}"  # WCAG 1.4.11
    assert "<use href=" in icon("ticket") and icon("券") == '<span class="ico">券</span>'


@pytest.mark.django_db
def test_it_shows_the_icons_on_the_home_page(client: Client) -> None:
    from gonghui.core import modules

    html = client.get("/").content.decode()
    assert html.count('<svg class="ico"') == len(modules.tiles())
    assert html.count('class="tab-ico"') == 3
