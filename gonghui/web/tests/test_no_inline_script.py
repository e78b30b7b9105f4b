"""No template runs script inline: the Content-Security-Policy (script-src 'self') would block it.

Page behaviour lives in static JS (gonghui/web/static/gonghui/gonghui.js and each app's static
folder); templates declare it with data-* attributes. This reads every template of every app.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the gonghui package
TEMPLATES = sorted(p for p in ROOT.rglob("templates/**/*.html") if "tests" not in p.parts)

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
# on…= handlers (onclick, onsubmit …), htmx's hx-on attributes, javascript: URLs.
HANDLER = re.compile(r"""[\s"'](on[a-z]+|hx-on[:\w-]*)\s*=""", re.IGNORECASE)
JS_URL = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def inline_script(text: str) -> list[str]:
    """What in a template's text would be inline script: a <script> without src, a handler, a javascript: URL."""
    found = []
    for match in SCRIPT_TAG.finditer(text):
        attrs = match.group(1)
        if "src=" not in attrs and "application/json" not in attrs:
            found.append(match.group(0))
    found += [m.group(1) for m in HANDLER.finditer(text)]
    found += [m.group(0) for m in JS_URL.finditer(text)]
    return found


def test_it_finds_inline_script_when_there_is_some() -> None:
    assert inline_script('<script>alert(1)</script>') == ["<script>"]
    assert inline_script('<form method="post" onsubmit="return confirm(\'x\')">') == ["onsubmit"]
    assert inline_script("<button type=button onclick=go()>") == ["onclick"]
    assert inline_script('<form hx-on::after-request="this.reset()">') == ["hx-on::after-request"]
    assert inline_script('<a href="javascript:history.back()">') == ['href="javascript:']
    assert inline_script('<script src="/static/x.js" defer></script><div data-confirm="确定？" '
                         'data-online="1">') == []


def test_it_has_no_template_with_inline_script() -> None:
    assert len(TEMPLATES) > 50
    offenders = {str(p.relative_to(ROOT)): found for p in TEMPLATES if (found := inline_script(p.read_text()))}
    assert offenders == {}


def test_it_loads_page_behaviour_on_every_page() -> None:
    base = (ROOT / "web" / "templates" / "web" / "base.html").read_text()
    assert "gonghui/gonghui.js" in base
    # htmx must neither evaluate attribute code nor inject its indicator <style> under the CSP.
    assert '"allowEval":false' in base and '"includeIndicatorStyles":false' in base


def test_it_has_no_comment_that_django_would_print() -> None:
    # {# … #} ends at the line's end: one spread over lines is printed into the page as text.
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in TEMPLATES
                 for n, line in enumerate(p.read_text().splitlines(), 1) if "{#" in line and "#}" not in line]
    assert offenders == []
