"""The clinician's examination in Chromium at 1366 by 768: from a claimed case, "Record
examination"; a refused submit shows the error summary with the focus on it, each link taking the
focus to its field in sight; the section buttons answer the rest; a positive Hoffmann's sign with
gait ataxia raises the case to URGENT, and the case page shows the examination's assessment
beside the intake's, the positive findings highlighted and the imaging decision with its rule.
axe-core checks every page (tests/browser/axe.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from examination.models import Examination
from examination.seed import seed_test_library
from outbox.models import Message
from tests.browser.test_error_summary import IN_SIGHT
from tests.patients.helpers import PASSWORD, make_intake, make_user, patient_details
from tests.support.two_factor import sign_in_page
from triage.models import Case, Urgency

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clock"),
]

LAPTOP = {"width": 1366, "height": 768}


def choose(page: Page, name: str, value: str) -> None:
    """Tap an answer's button (the radio's label)."""
    radio = page.locator(f'input[name="{name}"][value="{value}"]')
    page.locator(f'label[for="{radio.get_attribute("id")}"]').click()


def fill_rest(page: Page, section: str, label: str) -> None:
    page.locator(f"#{section}").get_by_role("button", name=label).first.click()


def test_a_myelopathy_examination_raises_the_case_and_shows_the_imaging_decision(
    live_server, chromium: Browser
) -> None:
    seed_test_library()  # the migration's library is gone after an earlier transactional test
    cara = make_user(
        role="clinician",
        username="cara",
        first_name="Cara",
        last_name="Hale",
        email="cara@example.org",
    )
    intake = make_intake(
        entered_by=make_user(role="reception"),
        details=patient_details(given_name="Ivy", family_name="Marsh"),
        numbness_or_tingling_arms=True,
    )
    case = Case.objects.get(pk=intake.assessment.case_id)
    assert case.urgency == Urgency.ROUTINE

    context = chromium.new_context(viewport=LAPTOP, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in_page(page, live_server.url, cara, PASSWORD)
        page.goto(f"{live_server.url}{case.get_absolute_url()}")
        page.get_by_role("button", name="Claim this case").click()
        page.locator("#examinations").get_by_role("link", name="Record examination").click()
        expect(page.get_by_role("heading", name="Examination of Ivy Marsh")).to_be_visible()
        expect(page.locator(".is-invalid, [aria-invalid='true']")).to_have_count(0)

        # A refused submit: the summary takes the focus, its links lead to their fields.
        page.get_by_role("button", name="Record examination").click()
        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
        target = "id_neurological__myotomes__C5__left"
        link = summary.locator(f"a[href='#{target}']")
        expect(link).to_contain_text("C5 (elbow flexors), left: choose a grade")
        link.click()
        expect(page.locator(f"#{target}")).to_be_focused()
        page.wait_for_function(IN_SIGHT, arg=target)
        expect(page.locator(f"#{target}-error")).to_be_visible()

        # The findings: a few by hand, the rest with each section's buttons.
        page.locator("#id_observation").fill("Broad-based gait")
        fill_rest(page, "section-range-of-movement", "Unanswered: full, no pain")
        choose(page, "palpation__midline_cervical_tenderness", "absent")
        choose(page, "palpation__midline_thoracic_tenderness", "not_tested")
        fill_rest(page, "section-neurological", "Unanswered: 5 normal")
        page.locator("#section-neurological").get_by_role(
            "button", name="Unanswered: normal"
        ).click()
        page.locator("#section-neurological").get_by_role(
            "button", name="Unanswered: 2 normal"
        ).click()
        choose(page, "neurological__motor_deficit", "no_deficit")
        choose(page, "neurological__nystagmus", "absent")
        choose(page, "upper_motor_neurone__hoffmann__right", "positive")
        choose(page, "upper_motor_neurone__tandem_gait", "abnormal")
        fill_rest(page, "section-upper-motor-neurone", "Unanswered: negative")
        fill_rest(page, "section-canadian-c-spine", "Unanswered: not assessed")
        fill_rest(page, "section-orthopaedic-tests", "Unanswered: not done")
        choose(page, "orthopaedic_tests__spurling__left", "positive")
        choose(page, "impression__category", "suspected_myelopathy")
        page.locator("#id_plan").fill("Urgent MRI of the cervical spine; spinal team today")
        expect(page.locator("#id_range_of_movement__cervical__rotation_left")).to_have_value("full")
        page.get_by_role("button", name="Record examination").click()

        # The case page: raised, with the examination beside the intake.
        expect(page.get_by_text("Examination recorded; triage has read it")).to_be_visible()
        expect(page.locator("h1 + .urgency-badge")).to_have_text("Urgent")
        panel = page.locator("#examinations")
        expect(panel).to_contain_text("Intake triage")
        expect(panel).to_contain_text("UNILATERAL_ARM_NEURO_SYMPTOMS")
        expect(panel).to_contain_text("EXAM_MYELOPATHY_SIGNS")
        expect(panel.locator(".exam-imaging-decision")).to_have_text("MRI")
        expect(panel.locator(".exam-imaging")).to_contain_text("IMAGING_MRI_CORD")
        positives = panel.locator(".exam-positives .finding-positive")
        expect(positives).to_have_count(3)
        expect(positives.filter(has_text=re.compile("Hoffmann's sign, right"))).to_have_count(1)
        expect(positives.filter(has_text="Tandem gait")).to_have_count(1)
        expect(page.locator("#timeline")).to_contain_text("Examination")
    finally:
        context.close()

    examination = Examination.objects.get()
    assert examination.findings["observation"] == "Broad-based gait"
    assert examination.findings["upper_motor_neurone"]["babinski"] == {
        "left": "negative",
        "right": "negative",
    }
    case.refresh_from_db()
    assert case.urgency == Urgency.URGENT
    assert Message.objects.filter(case=case, kind=Message.Kind.CLINICIAN_ALERT).exists()


TABLET = {"width": 810, "height": 1080}  # a 10-inch tablet held upright

# Whether the page scrolls sideways, and whether each row's left and right answers sit side by
# side, both on the screen's width.
LAYOUT = """
() => {
  const wide = document.documentElement.scrollWidth > window.innerWidth + 1;
  const rows = [...document.querySelectorAll("table.exam-sided tbody tr")];
  const apart = rows.filter((row) => {
    const [left, right] = [...row.querySelectorAll("td")].map((td) => td.getBoundingClientRect());
    return Math.abs(left.top - right.top) > 2 || right.right > window.innerWidth;
  });
  const small = [...document.querySelectorAll(".exam-option, .exam-table select")].filter(
    (el) => el.getBoundingClientRect().height < 44
  );
  return {wide, apart: apart.length, small: small.length, rows: rows.length};
}
"""


def test_on_a_tablet_each_side_sits_beside_the_other_with_targets_for_a_finger(
    live_server, chromium: Browser
) -> None:
    seed_test_library()
    tess = make_user(role="clinician", username="tess", first_name="Tess", last_name="Iles")
    intake = make_intake(entered_by=make_user(role="reception"), details=patient_details())
    case = Case.objects.get(pk=intake.assessment.case_id)
    from triage.services import claim_case

    claim_case(case_id=case.pk, clinician=tess)
    context = chromium.new_context(viewport=TABLET, locale="en-GB", has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in_page(page, live_server.url, tess, PASSWORD)
        page.goto(f"{live_server.url}/examinations/cases/{case.pk}/new/")
        layout = page.evaluate(LAYOUT)
        assert layout["rows"] == 28  # myotomes, dermatomes, reflexes, signs
        assert layout == {"wide": False, "apart": 0, "small": 0, "rows": layout["rows"]}
        # A section folds away and opens again.
        summary = page.locator("#section-neurological > summary")
        summary.click()
        expect(page.locator("#id_neurological__myotomes__C5__left")).to_be_hidden()
        summary.click()
        expect(page.locator("#id_neurological__myotomes__C5__left")).to_be_visible()
    finally:
        context.close()


def test_on_a_tablet_the_imaging_aid_refers_for_mri_in_one_tap_and_the_clinician_sends_it(
    live_server, chromium: Browser
) -> None:
    import uuid

    from examination.services import record_examination
    from referrals.models import Destination, Referral
    from tests.examination.helpers import findings
    from triage.services import claim_case

    seed_test_library()
    # The migration's destinations are gone after an earlier transactional test, as its library.
    mri = Destination.objects.filter(kind=Destination.Kind.MRI).order_by("pk").first()
    mri = mri or Destination.objects.create(
        kind=Destination.Kind.MRI, name="Riverside MRI", email="mri@example.org"
    )
    tess = make_user(role="clinician", username="tess", first_name="Tess", last_name="Iles")
    intake = make_intake(
        entered_by=make_user(role="reception"),
        details=patient_details(given_name="Ivy", family_name="Marsh"),
    )
    case = Case.objects.get(pk=intake.assessment.case_id)
    claim_case(case_id=case.pk, clinician=tess)
    record_examination(
        case_id=case.pk,
        clinician=tess,
        findings=findings(
            {
                "upper_motor_neurone.hoffmann.right": "positive",
                "upper_motor_neurone.tandem_gait": "abnormal",
                "range_of_movement.cervical.rotation_left": {"degrees": 30, "pain": False},
                "range_of_movement.cervical.rotation_right": {"degrees": 70, "pain": False},
                "impression.category": "suspected_myelopathy",
            }
        ),
        submission_token=uuid.uuid4(),
    )
    prose = (
        "Hoffmann's sign positive on the right; tandem gait unsteady; active rotation 30° left, "
        "70° right"
    )
    context = chromium.new_context(viewport=TABLET, locale="en-GB", has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in_page(page, live_server.url, tess, PASSWORD)
        page.goto(f"{live_server.url}{case.get_absolute_url()}")
        aid = page.locator("#examinations .exam-imaging")
        expect(aid.locator(".exam-imaging-decision")).to_have_text("MRI")
        aid.get_by_role("link", name="Refer for MRI").tap()

        # The form, filled in from the aid: MRI, the rule, the findings.
        expect(page.get_by_role("heading", name="Refer Ivy Marsh")).to_be_visible()
        expect(page.locator("#id_destination")).to_have_value(str(mri.pk))
        request = page.locator("#imaging-request")
        expect(request).to_contain_text("Imaging asked for: MRI")
        expect(request).to_contain_text("IMAGING_MRI_CORD")
        expect(request).to_contain_text(prose)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.get_by_role("button", name="Write the letter").tap()

        # The draft, for the clinician to check before it goes.
        expect(page.get_by_text("Draft letter written")).to_be_visible()
        letter = page.locator("#id_letter")
        expect(letter).to_have_value(re.compile("I am asking for MRI"))
        expect(letter).to_have_value(re.compile(re.escape(prose)))
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    finally:
        context.close()

    referral = Referral.objects.get()
    assert (referral.destination, referral.status) == (mri, Referral.Status.DRAFT)
