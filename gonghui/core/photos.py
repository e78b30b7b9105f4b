"""Photos on pages, the same way in every module: a model field, a form field, storage and serving.

- ``PhotoField`` (model): a JSON column holding where the renditions are and the upright size, read
  back as a ``Photo`` (``photo.src``, ``photo.srcset``, ``photo.width``/``height``) or None.
- ``PhotoUpload`` (form): a file input whose ``clean()`` runs ``gonghui.lib.images.process``; the
  cleaned value is a ``Processed`` (renditions in memory) or None, bad files get a Chinese error.
- ``photo_store(processed, folder=…)`` writes the renditions under MEDIA_ROOT/photos/<folder>/
  with a random name and returns the ``Photo`` to assign; ``photo_replace(instance, field, processed)``
  does it for a saved row and deletes the previous files once the transaction commits.
- ``photo_file`` (view, ``/photos/<folder>/<name>``) serves them, cacheable for a year: the names
  are random and never reused, so a new upload is a new URL.
- ``{% load photos %}{% photo obj.photo alt=… sizes=… tone=… %}`` renders the ``<img>`` (lazy,
  ``srcset``, width/height so nothing shifts) or a coloured placeholder when there is none.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse

from gonghui.lib import images

NAME = re.compile(r"^[0-9a-f]{32}-(\d{2,5})\.(webp|jpg)$")
FOLDER = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
CONTENT_TYPES = {"webp": "image/webp", "jpg": "image/jpeg"}


@dataclass(frozen=True)
class Photo:
    """A stored photo: ``folder``/``key`` name its files ``<key>-<width>.<ext>``; ``width``×``height`` upright."""

    folder: str
    key: str
    ext: str
    width: int
    height: int
    widths: tuple[int, ...]

    def url(self, width: int) -> str:
        return reverse("core:photo", args=[self.folder, f"{self.key}-{width}.{self.ext}"])

    @property
    def src(self) -> str:
        """The middle rendition: what a browser that ignores srcset shows."""
        return self.url(self.widths[len(self.widths) // 2])

    @property
    def srcset(self) -> str:
        return ", ".join(f"{self.url(w)} {w}w" for w in self.widths)

    @property
    def urls(self) -> dict[str, str]:
        """Width (as a string, for JSON) → URL: what the API exposes."""
        return {str(w): self.url(w) for w in self.widths}

    def height_at(self, width: int) -> int:
        return max(1, round(self.height * width / self.width))

    def storage_names(self) -> list[str]:
        return [f"photos/{self.folder}/{self.key}-{w}.{self.ext}" for w in self.widths]

    def as_json(self) -> dict[str, Any]:
        return {"folder": self.folder, "key": self.key, "ext": self.ext, "w": self.width, "h": self.height,
                "widths": list(self.widths)}

    @classmethod
    def from_json(cls, value: Any) -> Photo | None:
        if not isinstance(value, dict) or not value.get("key"):
            return None
        return cls(folder=value["folder"], key=value["key"], ext=value["ext"], width=int(value["w"]),
                   height=int(value["h"]), widths=tuple(int(w) for w in value["widths"]))


class PhotoField(models.JSONField):
    """A photo of the row (nullable): the database keeps the JSON manifest, Python sees a ``Photo``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        for key, default in (("null", True), ("blank", True), ("editable", False)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Photo | None:
        return Photo.from_json(super().from_db_value(value, expression, connection))

    def to_python(self, value: Any) -> Photo | None:
        if value is None or isinstance(value, Photo):
            return value
        return Photo.from_json(super().to_python(value))

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Photo):
            value = value.as_json()
        return super().get_prep_value(value)

    def value_to_string(self, obj: models.Model) -> Any:
        value = self.value_from_object(obj)
        return value.as_json() if isinstance(value, Photo) else value


def photo_store(processed: images.Processed, *, folder: str) -> Photo:
    """Write every rendition of ``processed`` to storage under photos/<folder>/; returns the Photo."""
    assert FOLDER.match(folder), folder
    key = uuid.uuid4().hex
    photo = Photo(folder=folder, key=key, ext=processed.ext, width=processed.width, height=processed.height,
                  widths=tuple(r.width for r in processed.renditions))
    written: list[str] = []
    try:
        for rendition, name in zip(processed.renditions, photo.storage_names(), strict=True):
            written.append(default_storage.save(name, ContentFile(rendition.content)))
    except Exception:
        for name in written:
            default_storage.delete(name)
        raise
    return photo


def photo_delete_files(photo: Photo | None) -> None:
    """Delete a photo's files once the current transaction commits (at once outside one)."""
    if photo is None:
        return
    names = photo.storage_names()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])


def photo_replace(instance: models.Model, field: str, processed: images.Processed | None, *,
                  remove: bool = False) -> bool:
    """Give a saved row a new photo (or none, with ``remove``) and save that one column.

    Preconditions: called inside the caller's transaction, after the caller's access checks. The old
    files go once it commits; if it rolls back, the new files stay unreferenced under a random name
    nobody was given (harmless, like an abandoned upload). Returns whether anything changed.
    """
    if processed is None and not remove:
        return False
    old = getattr(instance, field)
    new = photo_store(processed, folder=_folder(instance)) if processed is not None else None
    setattr(instance, field, new)
    type(instance)._default_manager.filter(pk=instance.pk).update(**{field: new})
    photo_delete_files(old)
    return old != new


def _folder(instance: models.Model) -> str:
    return f"{instance._meta.app_label}-{instance._meta.model_name}"


class PhotoUpload(forms.FileField):
    """A photo input: the cleaned value is a ``Processed`` ready for ``photo_store``, or None."""

    def __init__(self, *args: Any, widths: tuple[int, ...] = images.WIDTHS, fmt: str = "webp",
                 max_bytes: int = images.MAX_BYTES, **kwargs: Any) -> None:
        self.widths, self.fmt, self.max_bytes = widths, fmt, max_bytes
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "照片")
        kwargs.setdefault("help_text", f"JPG、PNG 或 WebP，不超过{max_bytes // 1024 // 1024}MB；"
                                       "上传后自动裁成多种尺寸并去除拍摄位置等信息")
        # photos.js turns the input into a picker with a preview and shrinks the photo before upload
        kwargs.setdefault("widget", forms.FileInput(attrs={
            "accept": "image/jpeg,image/png,image/webp", "data-photo-picker": "", "data-photo-max": str(max_bytes)}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> images.Processed | None:
        upload = super().clean(data, initial)
        if not upload or not hasattr(upload, "read"):
            return None
        if (getattr(upload, "size", 0) or 0) > self.max_bytes:
            raise forms.ValidationError(f"图片不能超过{self.max_bytes // 1024 // 1024}MB", code="too_large")
        upload.seek(0)
        content = upload.read()
        try:
            return images.process(content, widths=self.widths, fmt=self.fmt, max_bytes=self.max_bytes)
        except images.ImageRejected as error:
            raise forms.ValidationError(str(error), code="bad_image") from error


def photo_file(request: HttpRequest, folder: str, name: str) -> HttpResponse:
    """One rendition, public and cacheable: photos are catalogue pictures, names are random and fixed."""
    match = NAME.match(name)
    if not FOLDER.match(folder) or match is None:
        raise Http404()
    path = f"photos/{folder}/{name}"
    if not default_storage.exists(path):
        raise Http404()
    response = FileResponse(default_storage.open(path, "rb"), content_type=CONTENT_TYPES[match.group(2)])
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
