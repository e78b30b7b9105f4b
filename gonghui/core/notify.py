"""Notifications: the in-app inbox always, plus pluggable channels (SMS, WeChat later).

The policy, the same in every module: call ``notify(user, title, body)`` *inside* the transaction of
the change it reports — the inbox row commits or rolls back with the change, so nobody is told of
something that did not happen — and never wrap it in ``transaction.on_commit`` yourself: channels
that leave the system (SMS) are sent by ``notify`` after the commit. The SMS backend is chosen by the
SMS_BACKEND setting; the default writes to the log (with the phone masked) so that development
and demo systems never send real messages.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from gonghui.lib.masking import mask_phone

from .models import Notification

logger = logging.getLogger("gonghui.notify")


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LoggingSmsBackend:
    """Development backend: logs the message with the phone masked."""

    sent: list[tuple[str, str]] = []  # kept in memory for tests; never includes the log

    def send(self, phone: str, text: str) -> None:
        LoggingSmsBackend.sent.append((phone, text))
        logger.info("SMS to %s: %s", mask_phone(phone), text)


def sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(phone: str, text: str) -> None:
    """Send a text message through the configured backend, after the current transaction commits."""
    transaction.on_commit(lambda: sms_backend().send(phone, text))


def notify(user: Any, title: str, body: str = "", *, url: str = "", sms: bool = False) -> Notification:
    """Put a message in the user's inbox; with ``sms`` also text it when the SMS channel is on."""
    note = Notification.objects.create(recipient=user, title=title[:120], body=body, url=url)
    if sms and "sms" in settings.NOTIFICATION_CHANNELS and getattr(user, "phone", None):
        send_sms(user.phone, f"【工会】{title}")
    return note
