"""Exercise pictures and videos: the admin uploads them (type, size and alt text checked), the
patient's page shows them through the patient's own link, staff through their sign-in, and no
open address serves them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from programmes import links
from programmes.models import Exercise, Programme
from tests.patients.helpers import make_user
from tests.programmes.media_helpers import MP4, WEBM, picture, use_media_folder, with_media
from tests.support.two_factor import sign_in

pytestmark = pytest.mark.django_db

ALT = "Lying on the back, chin tucked, head resting on a folded towel"


@pytest.fixture(autouse=True)
def media_folder(settings: Any, tmp_path: Path) -> Path:
    use_media_folder(settings, tmp_path)
    return tmp_path


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    sign_in(client, User.objects.create_superuser("libby", "libby@example.org", "x-long-pw-1"))
    return client


def _admin_post(client: Client, exercise: Exercise, **files: Any) -> Any:
    url = reverse("admin:programmes_exercise_change", args=[exercise.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data: dict[str, Any] = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("caution_tags", "image", "video")
    }
    data["caution_tags"] = exercise.caution_tags
    data["per_side"] = "on" if exercise.per_side else ""
    data["active"] = "on"
    return client.post(url, data | files)


def _errors(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 200, "the admin accepted what it should refuse"
    return {
        name: list(errors) for name, errors in response.context["adminform"].form.errors.items()
    }


def test_the_admin_uploads_a_picture_with_its_description_and_a_video(
    superuser_client: Client, media_folder: Path
) -> None:
    exercise = Exercise.objects.get(slug="chin-nod-lying")

    response = _admin_post(
        superuser_client,
        exercise,
        image=SimpleUploadedFile("chin-nod.webp", picture("WEBP"), content_type="image/webp"),
        image_alt=ALT,
        video=SimpleUploadedFile("chin-nod.webm", WEBM, content_type="video/webm"),
    )

    assert response.status_code == 302, _errors(response)
    exercise.refresh_from_db()
    assert exercise.image_alt == ALT
    assert (media_folder / exercise.image.name).read_bytes()[:4] == b"RIFF"
    assert (media_folder / exercise.video.name).read_bytes() == WEBM
    # The change page links the files to the staff view, which a superuser may open.
    page = superuser_client.get(reverse("admin:programmes_exercise_change", args=[exercise.pk]))
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert exercise.image.url in html
    shown = superuser_client.get(exercise.image.url)
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/webp"


@pytest.mark.parametrize(
    ("files", "field", "words"),
    [
        ({"image": ("a.png", picture("PNG"))}, "image_alt", "Describe the picture"),
        ({"image": ("a.gif", picture("GIF")), "image_alt": ALT}, "image", "JPEG, PNG or WebP"),
        ({"image": ("a.png", b"not a picture at all"), "image_alt": ALT}, "image", "not a picture"),
        ({"image": ("a.png", picture("GIF")), "image_alt": ALT}, "image", "JPEG, PNG or WebP"),
        ({"image": ("a.png", picture("PNG", (400, 400))), "image_alt": ALT}, "image", "larger"),
        ({"video": ("a.mov", MP4)}, "video", "MP4 or WebM"),
        ({"video": ("a.mp4", WEBM)}, "video", "not an MP4"),
        ({"video": ("a.webm", MP4)}, "video", "not an WEBM"),
        ({"video": ("a.mp4", MP4 + b"\0" * 2048)}, "video", "keep it short"),
    ],
    ids=[
        "picture-without-alt",
        "gif",
        "text-named-png",
        "gif-named-png",
        "too-large-picture",
        "mov",
        "webm-named-mp4",
        "mp4-named-webm",
        "too-long-video",
    ],
)
def test_the_admin_refuses_media_of_the_wrong_type_size_or_without_alt_text(
    superuser_client: Client, settings: Any, files: dict[str, Any], field: str, words: str
) -> None:
    settings.EXERCISE_IMAGE_MAX_BYTES = 200_000
    settings.EXERCISE_VIDEO_MAX_BYTES = 1024
    exercise = Exercise.objects.get(slug="chin-nod-lying")
    uploads = {
        name: SimpleUploadedFile(value[0], value[1]) if isinstance(value, tuple) else value
        for name, value in files.items()
    }

    errors = _errors(_admin_post(superuser_client, exercise, **uploads))

    assert words in " ".join(errors.get(field, [])), errors
    exercise.refresh_from_db()
    assert not exercise.image and not exercise.video


def test_the_database_refuses_a_picture_without_alt_text() -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Exercise.objects.filter(slug="band-row").update(image="images/x.png", image_alt="")


def test_the_patient_page_shows_the_picture_and_video_through_the_patient_s_link(
    client: Client, programme: Programme, page_path: str
) -> None:
    item = programme.phases.get(position=1).exercises.select_related("exercise").first()
    assert item is not None
    exercise = with_media(item.exercise)
    token = links.page_token(programme)

    html = client.get(page_path).content.decode()

    image_url = reverse("programmes:patient_media", args=[token, exercise.pk, "image"])
    video_url = reverse("programmes:patient_media", args=[token, exercise.pk, "video"])
    assert f'src="{image_url}" alt="{exercise.image_alt}"' in html
    assert f'src="{video_url}"' in html
    image = client.get(image_url)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert image["Cache-Control"] == "no-store"
    assert b"".join(image.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    video = client.get(video_url)
    assert video["Content-Type"] == "video/mp4"
    assert b"".join(video.streaming_content) == MP4


def test_a_patient_link_opens_only_its_own_programme_s_media(
    client: Client, programme: Programme
) -> None:
    token = links.page_token(programme)
    elsewhere = with_media(
        Exercise.objects.exclude(prescribed__phase__programme=programme).first()  # type: ignore[arg-type]
    )

    # An exercise the programme does not have, a kind that is not one, a forged link.
    for url in (
        reverse("programmes:patient_media", args=[token, elsewhere.pk, "image"]),
        reverse("programmes:patient_media", args=[token, elsewhere.pk, "source"]),
        reverse("programmes:patient_media", args=[token + "x", elsewhere.pk, "image"]),
    ):
        assert client.get(url).status_code == 404, url


def test_staff_media_need_a_clinician_or_an_admin_and_name_an_exercise_s_file(
    clinician_client: Client, receptionist: User
) -> None:
    exercise = with_media(Exercise.objects.get(slug="band-row"))
    url = exercise.image.url
    assert url.startswith("/programmes/media/")

    assert clinician_client.get(url).status_code == 200
    assert Client().get(url).status_code == 302  # to the sign-in page
    reception = Client()
    sign_in(reception, receptionist)
    assert reception.get(url).status_code == 403
    # A file in the folder that no exercise names is not served, nor a path out of the folder.
    assert clinician_client.get("/programmes/media/images/other.png").status_code == 404
    assert clinician_client.get("/programmes/media/../settings.py").status_code == 404
    # Nothing answers at an open /media/ address.
    assert clinician_client.get("/media/" + exercise.image.name).status_code == 404
    nobody = Client()
    sign_in(nobody, make_user(role=None))
    assert nobody.get(url).status_code == 403
