"""Keeping phone and ID numbers out of log lines (access log, request warnings, the dev server).

Searches put what a user typed into the URL (``/api/v1/members/?q=630102…``,
``/console/…?q=138…``), and every log that prints a request line or a path would then hold a full
ID or phone number. ``mask_log_text`` is applied to the whole formatted line, so it does not need to
know which logger wrote it:

* the values of query parameters that carry what a person typed or a credential (``q``, ``phone``,
  ``token`` …, see ``REDACTED_PARAMS``) are replaced by ``***``, whatever they contain (a name
  typed into ``q`` is personal data too);
* anywhere else, a run of seven or more digits (a space typed between digits, ``+`` or ``%20`` in a URL,
  included, an ID number's final ``X`` too) is masked like the pages mask it
  (``138****5678``, ``630***********1234``), so a number in a path or another parameter is covered.

No Django import: the gunicorn config loads this before Django is set up.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote, unquote

# Query parameters whose value is someone's input or a secret, never worth a log line.
REDACTED_PARAMS = frozenset({
    "q", "query", "search", "keyword", "kw", "phone", "mobile", "tel", "id_number", "idcard", "id_card",
    "name", "real_name", "contact", "token", "code", "reason",
})

# Parameters that carry another URL (the login redirect's "next").
URL_PARAMS = frozenset({"next", "return", "return_to", "redirect"})

_PARAM = re.compile(r"(?P<lead>[?&;])(?P<key>[^=&;\s?#\"]+)=(?P<value>[^&;\s#\"]*)")
# A digit, then at least six more, each optionally after a space typed into a URL ("+" or %20), and an ID
# number's check character X; not part of a longer word or of a UUID (hyphens around it). A plain space
# is not a separator: it parts the status from the size in a request line ("404 2929").
_SEPARATOR = r"(?:\+|%20)?"
# "%3D13812345678" (a URL inside a URL, as in ?next=…): the escape is a boundary, not part of a word.
_NUMBER = re.compile(r"(?:(?<![0-9A-Za-z\-])|(?<=%[0-9A-Fa-f]{2}))\d(?:" + _SEPARATOR + r"\d){6,}[Xx]?"
                     r"(?:(?![0-9A-Za-z\-])|(?=%[0-9A-Fa-f]{2}))")


def _mask_number(match: re.Match[str]) -> str:
    digits = re.sub(r"%20|[^0-9Xx]", "", match.group(0))
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return digits[:3] + "*" * (len(digits) - 3)


def _redact_param(match: re.Match[str]) -> str:
    key, value = match.group("key"), match.group("value")
    if key.lower() in REDACTED_PARAMS and value:
        return f"{match.group('lead')}{key}=***"
    if key.lower() in URL_PARAMS and "%3F" in value.upper():
        # /login/?next=/console/members/%3Fq%3D…: the search travels on, escaped; mask the URL inside.
        inner = mask_log_text(unquote(value))
        return f"{match.group('lead')}{key}={quote(inner, safe='/*')}"
    return match.group(0)


def mask_log_text(text: str) -> str:
    """``text`` with sensitive query values redacted and long digit runs masked."""
    if not text:
        return text
    return _NUMBER.sub(_mask_number, _PARAM.sub(_redact_param, text))


class MaskPersonalDataFilter(logging.Filter):
    """A handler filter that masks every record it passes (message, arguments and traceback).

    Set on the handlers in settings.LOGGING, so it covers ``django.request`` ("Not Found: /…"),
    ``django.server`` (runserver's request lines) and any other logger without naming them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler's own error path
            return True
        record.msg, record.args = mask_log_text(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_log_text(record.exc_text)
        return True
