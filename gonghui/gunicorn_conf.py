"""Gunicorn settings: ``gunicorn -c python:gonghui.gunicorn_conf gonghui.wsgi:application``.

``make run`` uses this file, and so should a production service (docs/deployment.md); the bind
address and the number of workers stay on the command line. What it adds is the access log
without personal data: searches put what was typed into the URL (``?q=630102…``), and gunicorn
would write the request line as it came. ``MaskingLogger`` passes every text field of an access
line, and every error-log message, through ``gonghui.lib.logmask.mask_log_text``.

Loaded by gunicorn before Django is set up: import nothing here that needs settings.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from gonghui.lib.logmask import MaskPersonalDataFilter, mask_log_text

# Atoms that are numbers written as text: nothing to mask, and masking would garble them.
_NUMERIC_ATOMS = frozenset({"b", "B", "T", "D", "M", "L", "s", "p", "t"})


class MaskingLogger(Logger):
    """Gunicorn's logger with phone and ID numbers (and typed search terms) masked."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        masking = MaskPersonalDataFilter()
        for handler in self.error_log.handlers:
            handler.addFilter(masking)

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: mask_log_text(value) if isinstance(value, str) and key not in _NUMERIC_ATOMS else value
                for key, value in atoms.items()}


logger_class = MaskingLogger
