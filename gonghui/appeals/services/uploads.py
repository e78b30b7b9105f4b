"""Photos and documents of a ticket: size-limited and typed by their first bytes, never by the
name or the Content-Type the client sent.

Accepted: JPEG, PNG, GIF, WebP and HEIC photos, and PDF documents. A file is stored under a random
name with the extension of its sniffed type and served only through the gated download view.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile

from gonghui.core.errors import ValidationFailed
from gonghui.lib.uploads import sniff_content_type

from ..models import Attachment, Stage, Ticket

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_FILES = 9
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic"})
ALLOWED_TYPES = IMAGE_TYPES | {"application/pdf"}

def max_bytes() -> int:
    return int(getattr(settings, "APPEALS_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))


def max_files() -> int:
    return int(getattr(settings, "APPEALS_MAX_FILES", DEFAULT_MAX_FILES))


def sniff(head: bytes) -> str | None:
    """The content type that the leading bytes prove, or None for anything not accepted."""
    return sniff_content_type(head)


@dataclass(frozen=True)
class Upload:
    """A checked file, read into memory (at most ``max_bytes()``), ready to store."""

    name: str
    content_type: str
    data: bytes

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES


def _display_name(raw: str, content_type: str) -> str:
    """A safe label for the file: the base name without control characters, at most 120 characters."""
    base = os.path.basename((raw or "").replace("\\", "/"))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    stem, _ = os.path.splitext(base)
    stem = stem[:100] or "附件"
    from ..models import EXTENSIONS

    return stem + EXTENSIONS.get(content_type, "")


def check_upload(file: IO[bytes] | Any, *, name: str = "") -> Upload:
    """Read and check one uploaded file. Raises ValidationFailed (too big, empty, wrong type)."""
    limit = max_bytes()
    data = file.read(limit + 1)
    label = name or getattr(file, "name", "") or "附件"
    if len(data) > limit:
        raise ValidationFailed(f"文件「{os.path.basename(label)[:40]}」超过{limit // 1024 // 1024}MB，请压缩后再上传",
                               code="file_too_large", detail={"files": "文件过大"})
    if not data:
        raise ValidationFailed("上传的文件是空的", detail={"files": "空文件"})
    content_type = sniff(data[:16])
    if content_type is None:
        raise ValidationFailed(f"文件「{os.path.basename(label)[:40]}」不是图片或PDF，只能上传照片（JPG、PNG、GIF、"
                               "WebP、HEIC）或PDF文件", code="file_type", detail={"files": "文件类型不支持"})
    return Upload(name=_display_name(label, content_type), content_type=content_type, data=data)


def check_uploads(files: list[Any], *, already: int = 0) -> list[Upload]:
    if already + len(files) > max_files():
        raise ValidationFailed(f"每个工单最多上传{max_files()}个文件", code="too_many_files",
                               detail={"files": "文件过多"})
    return [check_upload(f) for f in files]


def store(ticket: Ticket, uploads: list[Upload], *, stage: str = Stage.INTAKE, actor: Any = None) -> list[Attachment]:
    """Save checked uploads as the ticket's attachments. Preconditions: inside the caller's transaction."""
    saved: list[Attachment] = []
    try:
        for upload in uploads:
            attachment = Attachment(ticket=ticket, stage=stage, content_type=upload.content_type,
                                    size=len(upload.data), name=upload.name,
                                    uploaded_by=actor if getattr(actor, "pk", None) else None)
            attachment.file.save("upload", ContentFile(upload.data), save=False)
            attachment.save()
            saved.append(attachment)
    except Exception:
        for attachment in saved:  # the transaction will roll the rows back; remove their files too
            attachment.file.delete(save=False)
        raise
    return saved
