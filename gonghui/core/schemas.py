from datetime import datetime
from uuid import UUID

from ninja import Schema


class NotificationOut(Schema):
    uuid: UUID
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class AuditOut(Schema):
    created_at: datetime
    user_label: str
    role: str
    union_name: str
    action: str
    object_type: str
    object_key: str
    object_label: str
    result: str
    ip: str | None
    detail: dict


class ImageOut(Schema):
    """A photo in several widths (``core.photos.Photo``): ``urls`` maps each width to its URL."""

    width: int
    height: int
    src: str
    srcset: str
    urls: dict[str, str]
