"""Exercise pictures and videos in Chromium (axe-core checks every page): the admin uploads a
picture with its description and a video on the exercise's page; the patient's page on a phone
shows both, loaded under the Content-Security-Policy through the patient's own link."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from programmes.links import page_url
from programmes.models import Exercise
from tests.browser.test_programme_page import phone_page
from tests.patients.helpers import PASSWORD, make_user
from tests.programmes.helpers import prescribe
from tests.programmes.media_helpers import MP4, picture, use_media_folder
from tests.support.two_factor import sign_in_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clock"),
]

ALT = "Standing, a band held at chest height, elbows pulled back past the ribs"


def test_the_admin_uploads_a_picture_and_a_video_and_the_patient_s_page_shows_them(
    live_server: Any, chromium: Browser, settings: Any, tmp_path: Path
) -> None:
    use_media_folder(settings, tmp_path)
    programme = prescribe(start=timezone.localdate())
    item = programme.phases.get(position=1).exercises.select_related("exercise").first()
    assert item is not None
    exercise = item.exercise
    (tmp_path / "upload").mkdir()
    image, video = tmp_path / "upload" / "row.png", tmp_path / "upload" / "row.mp4"
    image.write_bytes(picture())
    video.write_bytes(MP4)

    # The admin, on the exercise's page (axe-core checks its labels): the description is required.
    admin = make_user(role=None, username="root", is_staff=True, is_superuser=True)
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in_page(page, live_server.url, admin, PASSWORD)
    page.goto(f"{live_server.url}/admin/programmes/exercise/{exercise.pk}/change/")
    page.locator("#id_image").set_input_files(str(image))
    page.locator("#id_video").set_input_files(str(video))
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".errornote")).to_be_visible()  # no description yet
    page.locator("#id_image").set_input_files(str(image))
    page.locator("#id_video").set_input_files(str(video))
    page.locator("#id_image_alt").fill(ALT)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    exercise.refresh_from_db()
    assert exercise.image and exercise.video and exercise.image_alt == ALT
    context.close()

    # The patient, on their phone: the picture loads (the policy lets it in) and the video has
    # its controls and the note that the steps say the same.
    patient = phone_page(chromium)
    patient.goto(live_server.url + page_url(programme, absolute=False))
    shown = patient.get_by_role("img", name=ALT)
    expect(shown).to_be_visible()
    assert shown.evaluate("img => img.complete && img.naturalWidth > 0")
    clip = patient.locator("figure.exercise-video video")
    expect(clip).to_have_attribute("controls", "")
    expect(patient.locator("figure.exercise-video figcaption")).to_contain_text("without sound")
    patient.context.close()


def test_an_exercise_without_media_shows_neither(live_server: Any, chromium: Browser) -> None:
    programme = prescribe(start=timezone.localdate())
    assert not Exercise.objects.exclude(image="").exists()
    patient = phone_page(chromium)
    patient.goto(live_server.url + page_url(programme, absolute=False))
    expect(patient.get_by_role("heading", level=1)).to_contain_text("Hello")
    expect(patient.locator("img.exercise-picture")).to_have_count(0)
    expect(patient.locator("video")).to_have_count(0)
    patient.context.close()
