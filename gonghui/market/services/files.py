"""Uploaded files of the market: service evidence (images or PDF). Provider and offering photos go
through the photo kit (``gonghui.core.photos``).

The type is decided by the file's first bytes, not by its name or the browser's claim; the size is
capped; the stored name is random (the original name is kept apart, for display only).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage
from django.utils import timezone

from gonghui.core.errors import ValidationFailed
from gonghui.lib.uploads import sniff_content_type

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024

IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
PDF_TYPES = {"application/pdf": "pdf"}
# What browsers and apps send for a file they cannot name: the sniffed type decides.
NEUTRAL_CLAIMS = {"", "application/octet-stream", "binary/octet-stream"}


@dataclass(frozen=True)
class CheckedFile:
    file: Any
    mime: str
    ext: str
    original_name: str


def sniff(head: bytes) -> str:
    """The MIME type of a file from its first bytes, or "" when it is none of the known kinds."""
    return sniff_content_type(head) or ""


def check_upload(file: Any, *, field: str, allowed: dict[str, str], max_bytes: int, what: str) -> CheckedFile:
    """Check an uploaded file's size and type. Raises ValidationFailed with a message on ``field``."""
    size = getattr(file, "size", None) or 0
    if size <= 0:
        raise ValidationFailed(f"{what}是空文件", detail={field: f"{what}是空文件"})
    if size > max_bytes:
        limit = max_bytes // (1024 * 1024)
        raise ValidationFailed(f"{what}不能超过{limit}MB", detail={field: f"文件不能超过{limit}MB"})
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    mime = sniff(head)
    claimed = (getattr(file, "content_type", "") or "").split(";")[0].strip().lower()
    kinds = "图片或PDF文件" if "application/pdf" in allowed else "图片（JPG、PNG、GIF、WEBP）"
    if mime not in allowed or (claimed not in NEUTRAL_CLAIMS and claimed != mime
                               and not (claimed == "image/jpg" and mime == "image/jpeg")):
        raise ValidationFailed(f"{what}只能是{kinds}", detail={field: f"只能上传{kinds}"})
    name = (getattr(file, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1][:120]
    return CheckedFile(file=file, mime=mime, ext=allowed[mime], original_name=name)


def store(checked: CheckedFile, *, folder: str) -> str:
    """Save under MEDIA_ROOT/market/<folder>/YYYY/MM/ with a random name; returns the storage name."""
    now = timezone.localtime()
    path = f"market/{folder}/{now:%Y/%m}/{uuid.uuid4().hex}.{checked.ext}"
    return default_storage.save(path, checked.file)


def check_evidence(file: Any) -> CheckedFile:
    return check_upload(file, field="evidence", allowed={**IMAGE_TYPES, **PDF_TYPES}, max_bytes=MAX_EVIDENCE_BYTES,
                        what="服务凭证")
