"""Every page and state a patient can reach, walked on a 375-pixel phone in their language, and
every word of it read for the other language (tests/browser/reading.py): a German-speaking
patient must meet no English left behind (nor an English date or decimal point), and an English
patient no German.

The self-intake, as a new patient meets it: reception's invitation, delivered by a Celery worker
to an SMTP sink; the date of birth (empty, impossible, not matching); every step, each first sent
unanswered, the pain step with a number out of range, the accident question's follow-up shown by
the page's script; back and forward; save and finish later, and carrying on; the answers; the
emergency's full screen, with the clinician on duty alerted within seconds; the link used, and a
new one asked for; an expired link, and a new one asked for; and the result pages of URGENT,
SOON, ROUTINE and SELF_CARE answers.

The programme: its page; a session refused (a day in the future, nothing ticked, no feeling) and
logged; the starting questionnaire with the NDI refused and answered; the week-1 check-in refused
(a count out of range, an accident without how) and answered with a red flag; the page on hold;
the ask-the-clinic form refused, sent, and answered; unsubscribing and undoing it; the language
switch; the handout (pdftotext); an expired page link and a new one asked for. Then every email
the patient was sent: subject, text part and HTML part.

The German catalogue is compiled for these tests as for the German journey
(tests/browser/test_german_journey.py). READING_DUMP=<folder> keeps every text read.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize, expect

from clinic.roles import Role
from outbox.models import Message
from outbox.services import queue_emails
from patients.models import Intake, Language
from programmes import emails
from programmes.links import page_token as programme_token
from programmes.links import page_url
from programmes.models import Programme
from programmes.ndi import SECTIONS
from programmes.screen import SCREEN_QUESTIONS
from questions import services as questions
from questions.models import Question
from selfintake.forms import CONTRACT_STEPS
from tests.browser.reading import Reader
from tests.browser.test_german_journey import (  # german_catalogue: compiled, read
    answer_step,
    german_catalogue,  # noqa: F401
)
from tests.browser.test_german_patient import fits_the_screen
from tests.integration.outbox_stack import (
    OutboxStack,
    outbox_stack_fixture,  # noqa: F401 - the outbox_stack fixture
    staff,
)
from tests.patients.helpers import make_intake, make_user, patient_details
from tests.programmes.helpers import prescribe
from tests.selfintake.helpers import BORN, fill_draft, invite, patient_with_email, start_path
from tests.support.clock import Clock
from tests.support.smtp_sink import Received, SmtpSink
from triage.models import Urgency

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),  # the worker and the live server see committed rows
]

LINK = re.compile(r"https?://\S+/p/i/[^/\s]+/")
ALERT_WITHIN_SECONDS = 10.0
PHONE = ViewportSize(width=375, height=812)

# Each language as a patient speaks it, the browser's locale, and a name of its own.
SPOKEN = {
    "de": (Language.GERMAN, "de-DE", ("Greta", "Gärtner")),
    "en": (Language.ENGLISH, "en-GB", ("Nora", "Quennell")),
}
LANGUAGES = [pytest.param("de", id="german"), pytest.param("en", id="english")]


def phone(chromium: Browser, locale: str) -> Page:
    context = chromium.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale=locale
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def email_reader(chromium: Browser) -> Page:
    """A page for an email's HTML, as Chromium shows it: outside axe-core's watch, which checks
    pages a browser opens (an email's HTML is not one: a mail client shows it in its own)."""
    browser = getattr(chromium, "_browser", chromium)  # tests/browser/axe.py's CheckedBrowser
    return browser.new_context(locale="en-GB").new_page()


def read(reader: Reader, name: str, page: Page) -> None:
    reader.page(name, page)
    if not fits_the_screen(page):
        reader.found.append(f"{name}: wider than the phone's screen ({page.url})")


def continue_(page: Page) -> None:
    page.locator("button[name='go'][value='next']").click()


def refused(page: Page) -> None:
    expect(page.locator("#error-summary")).to_be_focused()


def email_of(received: Received) -> tuple[str, str, str]:
    subject = str(make_header(decode_header(received.subject))).strip()
    return subject, received.body("plain"), received.body("html")


def date_of_birth(page: Page, day: int, month: int, year: int) -> None:
    page.fill("input[name='day']", str(day))
    page.fill("input[name='month']", str(month))
    page.fill("input[name='year']", str(year))
    page.locator("form.date-of-birth-form button[type='submit']").click()


def confirmed(page: Page, start: str) -> None:
    page.goto(start)
    date_of_birth(page, BORN.day, BORN.month, BORN.year)


@pytest.fixture
def live(live_server) -> Iterator[str]:  # type: ignore[no-untyped-def]
    yield live_server.url


# --- The self-intake ---------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.parametrize("spoken", LANGUAGES)
def test_every_self_intake_page_and_state_is_in_the_patients_language(
    spoken: str, live: str, chromium: Browser, outbox_stack: OutboxStack, clock: Clock
) -> None:
    language, locale, (given, family) = SPOKEN[spoken]
    reader = Reader(spoken, proper=(given, family))
    staff("olu", Role.CLINICIAN, email="olu@clinic.example", on_duty=True)
    reception = make_user(role="reception")
    patient = patient_with_email(
        given_name=given, family_name=family, email="first@example.org", preferred_language=language
    )

    with SmtpSink() as sink:
        outbox_stack.start_worker(sink)
        invite(patient, reception)
        [invitation] = sink.wait_for(1)
        reader_page = email_reader(chromium)
        reader.emails("invitation email", *email_of(invitation), page=reader_page)
        link = LINK.search(invitation.body("plain"))
        assert link is not None
        start = link.group(0).replace(settings.SITE_URL, live)

        page = phone(chromium, locale)
        page.goto(start)
        read(reader, "start", page)
        page.locator("form.date-of-birth-form button[type='submit']").click()
        refused(page)
        read(reader, "start: nothing given", page)
        date_of_birth(page, 31, 2, BORN.year)
        refused(page)
        read(reader, "start: no such day", page)
        date_of_birth(page, BORN.day + 1, BORN.month, BORN.year)
        refused(page)
        read(reader, "start: not the date of birth", page)
        date_of_birth(page, BORN.day, BORN.month, BORN.year)

        # Each step first sent unanswered; the pain step also with a number out of range.
        for position, step in enumerate(CONTRACT_STEPS, start=1):
            expect(page.locator("button[name='go'][value='next']")).to_be_visible()
            read(reader, f"step {position} {step.slug}", page)
            continue_(page)
            refused(page)
            read(reader, f"step {position} {step.slug}: unanswered", page)
            if step.slug == "pain":
                answer_step(page, "pain")
                page.fill("input[name='duration_days']", "-3")
                continue_(page)
                refused(page)
                read(reader, "step 1 pain: days out of range", page)
                page.fill("input[name='duration_days']", "200000")
                continue_(page)
                refused(page)
                read(reader, "step 1 pain: days too many", page)
            if step.slug == "injury":
                page.check("input[name='recent_significant_trauma'][value='yes']")
                expect(page.locator("#trauma-mechanism")).to_be_visible()
                read(reader, "step 2 injury: how it happened shown", page)
                continue_(page)
                refused(page)
                read(reader, "step 2 injury: how it happened not said", page)
            if step.slug == "health":
                # Save and finish later, then carry on where it was left.
                page.locator("button[name='go'][value='later']").click()
                read(reader, "saved to finish later", page)
                page.locator("main a.btn-primary").click()
                expect(page.locator("button[name='go'][value='next']")).to_be_visible()
                read(reader, "carried on", page)
            answer_step(page, step.slug, bladder_or_bowel_change="yes")
            if step.slug == "head-chest":
                # Back and forward lose nothing.
                page.locator("button[name='go'][value='back']").click()
                read(reader, "step 4 nerves, come back to", page)
                continue_(page)
                read(reader, "step 5 head-chest, forward again", page)
                answer_step(page, step.slug)
            continue_(page)

        read(reader, "answers to check", page)
        page.locator("button[data-send-once]").click()
        sent_at = time.monotonic()
        expect(page.locator("#instruction-emergency")).to_be_visible()
        read(reader, "result: EMERGENCY", page)

        # The clinician on duty is alerted within seconds of the emergency.
        received = sink.wait_for(2, timeout=ALERT_WITHIN_SECONDS)
        alerted_in = time.monotonic() - sent_at
        alerts = [r for r in received if r.to == ("olu@clinic.example",)]
        assert len(alerts) == 1 and alerted_in < ALERT_WITHIN_SECONDS, alerted_in
        assert Intake.objects.get(patient=patient).assessment.urgency == Urgency.EMERGENCY

    # The link used, opened elsewhere; a new one asked for.
    elsewhere = phone(chromium, locale)
    elsewhere.goto(start)
    read(reader, "link used", elsewhere)
    elsewhere.locator("main form button[type='submit']").click()
    read(reader, "link used: new one asked for", elsewhere)
    elsewhere.context.close()
    page.context.close()

    # The other results, each a patient of their own whose answers wait in the draft.
    for urgency, yes in (
        (Urgency.URGENT, {"fever_or_chills": "yes"}),
        (Urgency.SOON, {"unexplained_weight_loss": "yes"}),
        (Urgency.ROUTINE, {"numbness_or_tingling_arms": "yes"}),
        (Urgency.SELF_CARE, {"previous_similar_episodes": "yes"}),
    ):
        other = patient_with_email(
            given_name=given,
            family_name=family,
            email=f"{urgency.key.lower()}@example.org",
            preferred_language=language,
        )
        invitation_row, link_token = invite(other, reception)
        fill_draft(invitation_row, **yes)
        page = phone(chromium, locale)
        confirmed(page, live + start_path(link_token))
        page.locator("button[data-send-once]").click()
        expect(page.locator(f"[data-urgency='{urgency.key}']")).to_be_visible()
        read(reader, f"result: {urgency.key}", page)
        assert Intake.objects.get(patient=other).assessment.urgency == urgency
        page.context.close()

    # An expired link, and a new one asked for.
    late = patient_with_email(
        given_name=given, family_name=family, email="late@example.org", preferred_language=language
    )
    _row, late_link = invite(late, reception)
    clock.advance(settings.SELF_INTAKE_LINK_MAX_AGE + timedelta(minutes=1))
    page = phone(chromium, locale)
    page.goto(live + start_path(late_link))
    read(reader, "link expired", page)
    page.locator("main form button[type='submit']").click()
    read(reader, "link expired: new one asked for", page)
    page.context.close()

    # Every email a patient was sent (the outbox rows), beside the one read from the sink.
    for message in Message.objects.filter(to_email__endswith="@example.org"):
        reader.emails(
            f"email {message.kind} to {message.to_email}",
            message.subject,
            message.body_text,
            message.body_html,
            page=reader_page,
        )
    reader_page.context.close()
    assert reader.found == [], reader.report()


# --- The programme -----------------------------------------------------------------------------


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def answer_check_in(page: Page, **yes: str) -> None:
    page.check("input[name='pain'][value='4']")
    if page.locator("input[name='sessions_done']").count():
        page.fill("input[name='sessions_done']", "3")
    for section in SECTIONS:
        if page.locator(f"input[name='ndi_{section.key}']").count():
            page.check(f"input[name='ndi_{section.key}'][value='1']")
    for question in SCREEN_QUESTIONS:
        page.check(f"input[name='{question.field}'][value='{yes.get(question.field, 'no')}']")


def send_check_in(page: Page) -> None:
    page.locator("main form button[type='submit']").last.click()


@pytest.mark.postgres
@pytest.mark.parametrize("spoken", LANGUAGES)
def test_every_programme_page_and_state_is_in_the_patients_language(
    spoken: str, live: str, chromium: Browser, clock: Clock, tmp_path: Path
) -> None:
    language, locale, (given, family) = SPOKEN[spoken]
    reader = Reader(spoken, proper=(given, family))
    intake = make_intake(
        entered_by=make_user(role="reception"),
        details=patient_details(
            given_name=given,
            family_name=family,
            email="patient@example.org",
            email_consent=True,
            preferred_language=language,
        ),
        duration_days=42,
        pain_score_now=5,
    )
    programme: Programme = prescribe(intake=intake, start=timezone.localdate())
    token = programme_token(programme)
    url = live + page_url(programme, absolute=False)
    today = timezone.localdate()

    page = phone(chromium, locale)
    page.goto(url)
    read(reader, "programme page", page)

    # A session refused three ways, then logged, then one that hurt.
    session = page.locator(f"form[action$='/{token}/session/']")
    page.fill("input[name='performed_on']", (today + timedelta(days=3)).isoformat())
    for box in session.locator("input[type='checkbox'][name^='done_']").all():
        box.uncheck()
    session.locator("button[type='submit']").click()
    refused(page)
    read(reader, "session: a day to come, nothing ticked, no feeling", page)
    page.fill("input[name='performed_on']", (today - timedelta(days=3)).isoformat())
    session.locator("button[type='submit']").click()
    refused(page)
    read(reader, "session: before the programme started", page)
    page.fill("input[name='performed_on']", today.isoformat())
    for box in session.locator("input[type='checkbox'][name^='done_']").all():
        box.check()
    page.check("input[name='felt'][value='right']")
    session.locator("button[type='submit']").click()
    read(reader, "session logged", page)
    page.check("input[name='felt'][value='painful']")
    session.locator("button[type='submit']").click()
    read(reader, "session logged: it hurt", page)

    # The schedule refused: no training day.
    schedule = page.locator(f"form[action$='/{token}/schedule/']")
    for box in schedule.locator("input[type='checkbox']").all():
        box.uncheck()
    schedule.locator("button[type='submit']").click()
    refused(page)
    read(reader, "schedule: no training day", page)

    # A check-in not open yet.
    page.goto(f"{url}check-in/1/")
    read(reader, "week-1 check-in, not open yet", page)

    # The starting questionnaire: the NDI and the screen, refused, then answered.
    page.goto(f"{url}check-in/0/")
    read(reader, "starting questionnaire", page)
    send_check_in(page)
    refused(page)
    read(reader, "starting questionnaire: unanswered", page)
    answer_check_in(page)
    send_check_in(page)
    read(reader, "starting questionnaire: thank you", page)

    # Asking the clinic: refused empty, sent, answered.
    page.goto(f"{url}ask/")
    read(reader, "ask the clinic", page)
    page.locator("main form button[type='submit']").click()
    refused(page)
    read(reader, "ask the clinic: nothing written", page)
    asked = {"de": "Darf ich die Übungen auch abends machen?", "en": "May I exercise at night?"}
    page.fill("textarea[name='text']", asked[spoken])
    page.locator("main form button[type='submit']").click()
    read(reader, "ask the clinic: sent", page)
    questions.answer_question(
        question_id=Question.objects.get(programme=programme).pk,
        clinician=make_user(role="clinician"),
        reply="Ja, gerne." if spoken == "de" else "Yes, any time of day.",
    )
    page.goto(f"{url}ask/")
    read(reader, "ask the clinic: answered", page)

    # Unsubscribing, and undoing it.
    page.goto(url)
    page.locator("a[href*='/p/u/']").click()
    read(reader, "unsubscribe", page)
    page.locator("main form button.btn-danger").click()
    read(reader, "unsubscribed", page)
    page.locator("main form button[type='submit']").click()
    read(reader, "subscribed again", page)

    # The language switch: the other language, then back.
    page.goto(url)
    other = Reader("en" if spoken == "de" else "de", proper=reader.proper)
    page.locator("header button[name='language']").click()
    read(other, "programme page, switched", page)
    page.locator("header button[name='language']").click()
    read(reader, "programme page, switched back", page)

    # The handout, from the page's link.
    href = page.locator("a[href$='/handout/']").first.get_attribute("href")
    assert href is not None
    response = page.request.get(live + href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    reader.text("handout (PDF)", pdf_text(response.body(), tmp_path))

    # A week on: the week-1 check-in's email and a reminder; the check-in refused (a count out
    # of range, an accident without how), then a red flag answered; the page on hold.
    clock.advance(timedelta(days=7))
    week = programme.check_ins.get(week=1)
    queue_emails([emails.check_in_email(week), emails.reminder_email(programme, timezone.now())])
    page.goto(f"{url}check-in/1/")
    read(reader, "week-1 check-in", page)
    answer_check_in(page, recent_significant_trauma="yes")
    page.fill("input[name='sessions_done']", "999")
    send_check_in(page)
    refused(page)
    read(reader, "week-1 check-in: sessions out of range, no how", page)
    answer_check_in(page, fever_or_chills="yes")
    send_check_in(page)
    read(reader, "week-1 check-in: a red flag", page)
    page.goto(url)
    read(reader, "programme page, on hold", page)

    # The link expired, and a new one asked for.
    clock.advance(settings.PROGRAMME_LINK_MAX_AGE + timedelta(days=1))
    page.goto(url)
    read(reader, "programme link expired", page)
    page.locator("main form button[type='submit']").click()
    read(reader, "programme link expired: new one asked for", page)

    page.context.close()
    mail = email_reader(chromium)
    for message in Message.objects.filter(to_email=programme.patient.email):
        reader.emails(
            f"email {message.kind}",
            message.subject,
            message.body_text,
            message.body_html,
            page=mail,
        )
    mail.context.close()
    found = reader.found + other.found
    assert found == [], f"{len(found)} findings:\n" + "\n".join(found)
