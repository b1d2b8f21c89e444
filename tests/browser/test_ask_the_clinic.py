"""Ask the clinic, in Chromium: the patient opens their programme page on a phone, asks whether
an ache is normal (told first, and again after sending, that a message is not the red-flag
screen), a clinician answers from the Questions worklist at a desk, and the patient reads the
reply on their page from the link in the email. axe-core checks every page on the way."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, expect

from outbox.models import Message
from outbox.services import send_messages
from programmes.links import page_url
from questions.models import Question
from tests.patients.helpers import PASSWORD, make_user
from tests.programmes.helpers import prescribe
from tests.support.two_factor import sign_in_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clock"),
]

PHONE = {"width": 375, "height": 812}
TEXT = "Is it normal that my upper back aches the day after the kettlebell rows?"
REPLY = "Yes: a mild ache for a day or two is expected. Keep the same weight next week."


def test_the_patient_asks_the_clinician_replies_and_the_patient_reads_it(
    live_server, chromium: Browser
) -> None:
    cara = make_user(
        role="clinician", username="cara", first_name="Cara", last_name="Hale", email="c@ex.org"
    )
    programme = prescribe(by=cara, start=timezone.localdate())

    phone = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB")
    patient = phone.new_page()
    patient.set_default_timeout(10_000)
    desk = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    clinician = desk.new_page()
    clinician.set_default_timeout(10_000)
    try:
        # The patient, from their programme page.
        patient.goto(live_server.url + page_url(programme, absolute=False))
        patient.get_by_role("link", name="Ask the clinic a question").click()
        expect(patient.get_by_role("heading", level=1)).to_have_text("Ask the clinic")
        before = patient.locator("#before-sending")
        expect(before).to_be_visible()
        expect(before).to_contain_text("A message is not for anything urgent")
        expect(before.get_by_role("link", name=re.compile("Answer the"))).to_be_visible()

        # Too long first: refused beside the field, with what was typed kept.
        long_text = TEXT + " " + "x" * 1000
        patient.get_by_label("Your question to the clinic").fill(long_text)
        patient.get_by_role("button", name="Send my question").click()
        expect(patient.locator("#error-summary")).to_be_focused()
        expect(patient.locator("#error-summary")).to_contain_text("characters long")
        expect(patient.get_by_label("Your question to the clinic")).to_have_value(long_text)
        assert not Question.objects.exists()

        patient.get_by_label("Your question to the clinic").fill(TEXT)
        patient.get_by_role("button", name="Send my question").click()
        expect(patient.get_by_role("heading", name="Your question is sent")).to_be_visible()
        after = patient.locator("#after-sending")
        expect(after).to_be_visible()
        expect(after).to_contain_text("A message is not for anything urgent")
        expect(patient.locator(".patient-question")).to_contain_text(TEXT)
        question = Question.objects.get()

        # The clinician, from the queue.
        sign_in_page(clinician, live_server.url, cara, PASSWORD)
        clinician.goto(f"{live_server.url}/triage/queue/")
        clinician.get_by_role("link", name="Questions from patients").click()
        waiting = clinician.locator(".questions-waiting")
        expect(waiting).to_contain_text(programme.patient.full_name)
        waiting.get_by_role("link", name=f"Question {question.pk}").click()
        expect(clinician.locator(".question-text")).to_contain_text(TEXT)
        clinician.get_by_label("Your reply to the patient").fill(REPLY)
        clinician.get_by_role("button", name="Send the reply").click()
        expect(clinician.get_by_role("status").first).to_contain_text("Your reply is on")
        expect(clinician.locator(".question-reply")).to_contain_text(REPLY)

        # The email says only that there is a reply; its link opens the page with it.
        [message] = Message.objects.filter(kind=Message.Kind.QUESTION_REPLY)
        assert message.subject == f"A reply from {settings.CLINIC_NAME}"
        assert REPLY not in message.body_text
        send_messages(ids=[message.pk])
        link = re.search(r"/p/\S+/ask/#question-\d+", message.body_text)
        assert link is not None
        patient.goto(live_server.url + link.group(0))
        expect(patient.locator(f"#question-{question.pk}")).to_contain_text(REPLY)
        expect(patient.locator(f"#question-{question.pk}")).to_contain_text("Cara Hale replied")
    finally:
        phone.close()
        desk.close()
