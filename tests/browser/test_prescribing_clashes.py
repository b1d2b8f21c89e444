"""Prescribing in Chromium with caution clashes: one block per exercise listing all its clashes in
words, and one choice that removes every clashing exercise (axe-core checks each page)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, expect

from clinic.roles import Role
from programmes.models import ProgrammeExercise, ProgrammeTemplate
from programmes.seed import seed_library
from tests.patients.helpers import PASSWORD, make_user
from tests.programmes.helpers import KETTLEBELL, self_care_intake
from tests.support.two_factor import sign_in_page

FLEXION = {"kettlebell-one-arm-row", "kettlebell-reverse-fly", "kettlebell-single-arm-deadlift"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clock"),
]


def test_clashes_are_grouped_by_exercise_and_removed_with_one_choice(
    live_server, chromium: Browser
) -> None:
    seed_library()  # the migration's library is gone after an earlier transactional test
    clinician = make_user(role=Role.CLINICIAN, first_name="Carl", last_name="Clinician")
    case = self_care_intake(osteoporosis=True, long_term_steroids=True).assessment.case
    template = ProgrammeTemplate.objects.get(slug=KETTLEBELL)
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in_page(page, live_server.url, clinician, PASSWORD)
        start = (timezone.localdate() + timedelta(days=1)).isoformat()
        url = reverse("programmes:prescribe", args=[case.pk])
        page.goto(f"{live_server.url}{url}?template={template.pk}&start={start}")

        cautions = page.locator("#cautions")
        expect(cautions.get_by_role("heading")).to_contain_text(
            "3 exercises clash with the patient's answers"
        )
        blocks = cautions.locator(".exercise-clashes")
        expect(blocks).to_have_count(3)
        row = page.locator("#clashes-kettlebell-one-arm-row")
        expect(row).to_contain_text("One-arm kettlebell row")
        expect(row).to_contain_text("phase 1, phase 2, phase 3")
        expect(row.locator("li")).to_have_count(2)
        expect(row).to_contain_text(
            "loaded bending of the spine \u00d7 osteoporosis or a fragility fracture"
        )
        expect(row).to_contain_text("loaded bending of the spine \u00d7 long-term steroid use")
        expect(cautions).not_to_contain_text("loaded_spinal_flexion")

        page.get_by_label("Remove every exercise that clashes").check()
        page.get_by_role("button", name="Prescribe and email the programme").click()
        page.wait_for_url(lambda address: "/prescribe/" not in address)

        kept = ProgrammeExercise.objects.filter(phase__programme__case=case)
        assert kept.exists()
        assert not kept.filter(exercise__slug__in=FLEXION).exists()
    finally:
        context.close()
