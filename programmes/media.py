"""Exercise pictures and videos: where they are kept, what the admin accepts, and how they go out.

The files live in the `exercise_media` storage (settings.STORAGES: files under MEDIA_ROOT, or a
private S3-compatible bucket with MEDIA_STORAGE=s3). Nothing serves them openly: the patient's
page and the staff pages fetch them through views that check the patient's signed link or a
member of staff's sign-in, and the bytes are streamed from the storage by this module, so the
bucket needs no public access and the pages' Content-Security-Policy stays 'self'.
"""

from __future__ import annotations

import mimetypes
from typing import IO, Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import FileResponse, Http404
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _

IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
VIDEO_TYPES = {".mp4": "video/mp4", ".webm": "video/webm"}
# What Pillow calls each accepted picture format.
_IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}


class ExerciseMediaStorage(LazyObject):
    """settings.STORAGES["exercise_media"], looked up when first used (and again after the
    setting changes), as Django's default_storage is."""

    def _setup(self) -> None:
        self._wrapped = storages["exercise_media"]


_storage = ExerciseMediaStorage()


@receiver(setting_changed)
def _storages_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in ("STORAGES", "MEDIA_ROOT", "MEDIA_URL"):
        _storage._wrapped = empty  # type: ignore[assignment]  # LazyObject's own sentinel


def exercise_media_storage() -> Storage:
    """The exercise media storage (a callable, so migrations do not record the settings')."""
    return cast(Storage, _storage)


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.3g}"


def _is_new_upload(value: Any) -> bool:
    # A file already stored was checked when it was uploaded: re-reading it from the bucket on
    # every save of the exercise would be slow and tell nothing new.
    return not getattr(value, "_committed", True)


def _head(value: Any, length: int) -> bytes:
    value.seek(0)
    head = value.read(length)
    value.seek(0)
    return bytes(head)


def validate_exercise_image(value: Any) -> None:
    """A JPEG, PNG or WebP picture, no larger than EXERCISE_IMAGE_MAX_BYTES, that really is one."""
    if _extension(value.name) not in IMAGE_TYPES:
        raise ValidationError(_("Upload a JPEG, PNG or WebP picture."), code="image_type")
    if value.size > settings.EXERCISE_IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The picture is larger than %(mb)s MB."),
            params={"mb": _megabytes(settings.EXERCISE_IMAGE_MAX_BYTES)},
            code="image_size",
        )
    if not _is_new_upload(value):
        return
    from PIL import Image, UnidentifiedImageError

    try:
        value.seek(0)
        with Image.open(value) as image:
            found = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("This file is not a picture that can be read."), code="image_content"
        ) from exc
    finally:
        value.seek(0)
    if found not in _IMAGE_FORMATS:
        raise ValidationError(_("Upload a JPEG, PNG or WebP picture."), code="image_type")


def validate_exercise_video(value: Any) -> None:
    """An MP4 or WebM video, no larger than EXERCISE_VIDEO_MAX_BYTES, whose first bytes say so."""
    extension = _extension(value.name)
    if extension not in VIDEO_TYPES:
        raise ValidationError(_("Upload an MP4 or WebM video."), code="video_type")
    if value.size > settings.EXERCISE_VIDEO_MAX_BYTES:
        raise ValidationError(
            _("The video is larger than %(mb)s MB: keep it short."),
            params={"mb": _megabytes(settings.EXERCISE_VIDEO_MAX_BYTES)},
            code="video_size",
        )
    if not _is_new_upload(value):
        return
    head = _head(value, 64)
    # MP4 (ISO base media): a box of type "ftyp" first. WebM: an EBML header naming "webm".
    is_mp4 = head[4:8] == b"ftyp"
    is_webm = head[:4] == b"\x1a\x45\xdf\xa3" and b"webm" in head
    if not (is_mp4 if extension == ".mp4" else is_webm):
        raise ValidationError(
            _("This file is not an %(kind)s video.") % {"kind": extension[1:].upper()},
            code="video_content",
        )


def content_type(name: str) -> str:
    return (
        IMAGE_TYPES.get(_extension(name))
        or VIDEO_TYPES.get(_extension(name))
        or mimetypes.guess_type(name)[0]
        or "application/octet-stream"
    )


def open_file(name: str) -> IO[bytes]:
    try:
        return exercise_media_storage().open(name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("No such file") from exc


def file_response(name: str) -> FileResponse:
    """The stored file, streamed (from the disk or the bucket) with its own content type."""
    response = FileResponse(open_file(name), content_type=content_type(name))
    response["X-Content-Type-Options"] = "nosniff"
    return response


def read_bytes(name: str) -> bytes:
    with open_file(name) as stored:
        return stored.read()
