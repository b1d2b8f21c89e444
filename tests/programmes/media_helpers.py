"""Files to upload as exercise media: a real picture (drawn with Pillow), the first bytes of real
MP4 and WebM files, and the exercise storage pointed at a folder of the test's own."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from programmes.models import Exercise


def picture(kind: str = "PNG", size: tuple[int, int] = (240, 160)) -> bytes:
    """A picture of noise (which no format squeezes small), as `kind` makes it."""
    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, format=kind)
    return out.getvalue()


# An ISO base media file starts with its "ftyp" box; a WebM file with an EBML header naming it.
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 64


def use_media_folder(settings: Any, folder: Path) -> None:
    """The exercise media storage as the embedded set-up has it, in `folder`."""
    settings.STORAGES = settings.STORAGES | {
        "exercise_media": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder, "base_url": settings.MEDIA_URL},
        }
    }


def with_media(exercise: Exercise, *, image: bool = True, video: bool = True) -> Exercise:
    if image:
        exercise.image.save(
            "band-row.png", SimpleUploadedFile("band-row.png", picture()), save=False
        )
        exercise.image_alt = "Standing, a band held at chest height, elbows pulled back"
    if video:
        exercise.video.save("band-row.mp4", SimpleUploadedFile("band-row.mp4", MP4), save=False)
    exercise.save()
    return exercise
