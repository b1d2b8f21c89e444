"""A patient answers their own intake on a 375-pixel phone in Chromium, from the link reception
emailed them, with one answer an emergency; the clinician on duty is alerted by email through the
outbox within seconds.

The whole way is real: reception sends the link from the patient's search row; a Celery worker
on the test's own queue (real Redis, the test's PostgreSQL) delivers it to an SMTP sink, whose
message the link is read from; the patient gives their date of birth, goes through every step
(the injury question's follow-up shown by the page's script after a yes, a refused step put
right, back and forward), checks their answers and sends them; the full-screen "call 999 now"
is shown; and the worker delivers the clinician's alert to the sink. axe-core checks every page.
"""

from __future__ import annotations

import re
import time

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from clinic.roles import Role
from outbox.models import Message
from patients.models import Intake
from selfintake.forms import CONTRACT_STEPS, MECHANISM
from tests.browser.test_programme_page import PHONE, fits_the_screen, phone_page
from tests.integration.outbox_stack import (
    OutboxStack,
    outbox_stack_fixture,  # noqa: F401 - the outbox_stack fixture
    staff,
)
from tests.patients.helpers import PASSWORD, make_user
from tests.selfintake.helpers import BORN, patient_with_email
from tests.support.smtp_sink import SmtpSink
from tests.support.two_factor import sign_in_page
from triage.models import Urgency
from triage.outcomes import patient_instruction

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),  # the worker and the live server see committed rows
]

LINK = re.compile(r"https?://\S+/p/i/[^/\s]+/")
ALERT_WITHIN_SECONDS = 10.0


def answer_no_to_everything_but(page: Page, step_slug: str, **yes: str) -> None:
    """Every question of the step on the screen answered: no, or the value given."""
    step = next(s for s in CONTRACT_STEPS if s.slug == step_slug)
    for question in step.questions():
        if question.name == MECHANISM:
            continue
        if question.kind is bool:
            page.check(f"input[name='{question.name}'][value='{yes.get(question.name, 'no')}']")


def test_a_patient_answers_on_a_phone_and_the_emergency_alerts_the_clinician(
    live_server, chromium: Browser, outbox_stack: OutboxStack
) -> None:
    staff("olu", Role.CLINICIAN, email="olu@clinic.example", on_duty=True)
    rita = make_user(role="reception", username="rita", first_name="Rita", last_name="Reed")
    patient_with_email(given_name="Nora", family_name="Quennell", email="nora@example.org")

    with SmtpSink() as sink:
        outbox_stack.start_worker(sink)

        # Reception sends the link from the patient's row in Find a patient.
        desk = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
        reception = desk.new_page()
        reception.set_default_timeout(10_000)
        try:
            sign_in_page(reception, live_server.url, rita, PASSWORD)
            reception.goto(f"{live_server.url}/patients/?q=Quennell")
            reception.get_by_role("link", name="Self-intake link for Nora Quennell").click()
            reception.get_by_role("button", name="Send the link").click()
            expect(reception.get_by_role("status").first).to_contain_text(
                "Link sent to nora@example.org"
            )
        finally:
            desk.close()

        [invitation_email] = sink.wait_for(1)
        assert invitation_email.to == ("nora@example.org",)
        assert "Quennell" not in invitation_email.subject
        link = LINK.search(invitation_email.body("plain"))
        assert link is not None
        start = link.group(0).replace(settings.SITE_URL, live_server.url)

        page = phone_page(chromium)
        page.goto(start)

        # Nothing of hers before her date of birth; a wrong one is refused beside the question.
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Your questions before your visit"
        )
        expect(page.locator("main")).not_to_contain_text("Nora")
        assert fits_the_screen(page)
        page.get_by_label("Day").fill(str(BORN.day + 1))
        page.get_by_label("Month").fill(str(BORN.month))
        page.get_by_label("Year").fill(str(BORN.year))
        page.get_by_role("button", name="Continue").click()
        expect(page.locator("#error-summary")).to_be_focused()
        page.get_by_label("Day").fill(str(BORN.day))
        page.get_by_role("button", name="Continue").click()

        # Step 1: the pain. Sent half answered first: the error summary names what is missing.
        expect(page.get_by_text("Step 1 of 7")).to_be_visible()
        page.get_by_label("My neck").check()
        page.get_by_role("button", name="Continue").click()
        expect(page.locator("#error-summary")).to_be_focused()
        expect(page.locator("#error-summary")).to_contain_text(
            "How many days ago did your pain start?"
        )
        expect(page.get_by_label("My neck")).to_be_checked()  # kept
        page.get_by_label("How many days ago did your pain start?").fill("3")
        page.check("input[name='pain_score_now'][value='6']")
        answer_no_to_everything_but(page, "pain", previous_similar_episodes="yes")
        assert fits_the_screen(page)
        page.get_by_role("button", name="Continue").click()

        # Step 2: a yes to an accident shows how it happened at once; then a no hides it again.
        expect(page.get_by_text("Step 2 of 7")).to_be_visible()
        how = page.locator("#trauma-mechanism")
        expect(how).to_be_hidden()
        page.check("input[name='recent_significant_trauma'][value='yes']")
        expect(how).to_be_visible()
        page.check("input[name='recent_significant_trauma'][value='no']")
        expect(how).to_be_hidden()
        page.get_by_role("button", name="Continue").click()

        # Back and forward lose nothing.
        expect(page.get_by_text("Step 3 of 7")).to_be_visible()
        page.get_by_role("button", name="Back").click()
        expect(page.get_by_text("Step 2 of 7")).to_be_visible()
        expect(page.locator("input[name='recent_significant_trauma'][value='no']")).to_be_checked()
        page.get_by_role("button", name="Continue").click()

        answer_no_to_everything_but(page, "health")
        page.get_by_role("button", name="Continue").click()
        # Step 4: the one emergency answer.
        expect(page.get_by_text("Step 4 of 7")).to_be_visible()
        answer_no_to_everything_but(page, "nerves", bladder_or_bowel_change="yes")
        assert fits_the_screen(page)
        page.get_by_role("button", name="Continue").click()
        answer_no_to_everything_but(page, "head-chest")
        page.get_by_role("button", name="Continue").click()
        answer_no_to_everything_but(page, "joints")
        page.get_by_role("button", name="Continue").click()

        # Step 7: her answers, then send.
        expect(page.get_by_text("Step 7 of 7")).to_be_visible()
        expect(page.locator("main")).to_contain_text("My neck")
        assert fits_the_screen(page)
        page.get_by_role("button", name="Send my answers").click()
        sent_at = time.monotonic()

        emergency = patient_instruction("EMERGENCY", sla=Urgency.EMERGENCY.sla)
        expect(page.get_by_role("heading", level=1)).to_have_text(str(emergency.heading))
        expect(page.locator("#instruction-emergency")).to_contain_text("Do not drive yourself")
        expect(page.get_by_role("link", name="Call 999")).to_have_attribute("href", "tel:999")
        assert fits_the_screen(page)
        viewport = page.viewport_size
        assert viewport is not None and viewport["width"] == PHONE["width"]
        page.context.close()

        # The clinician on duty is alerted through the outbox, with no health detail.
        received = sink.wait_for(2, timeout=ALERT_WITHIN_SECONDS)
        alerted_in = time.monotonic() - sent_at
        [alert] = [r for r in received if r.to == ("olu@clinic.example",)]
        assert alerted_in < ALERT_WITHIN_SECONDS
        intake = Intake.objects.get()
        assert (intake.source, intake.entered_by_id) == (Intake.Source.SELF, None)
        assert intake.assessment.urgency == Urgency.EMERGENCY
        case_url = f"{settings.SITE_URL}/triage/cases/{intake.assessment.case_id}/"
        assert case_url in alert.body("plain")
        for word in ("bladder", "bowel", "Quennell", "EMERGENCY", "999"):
            assert word not in alert.subject
        assert Message.objects.get(kind=Message.Kind.CLINICIAN_ALERT).status == Message.Status.SENT
