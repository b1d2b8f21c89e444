"""A German-speaking patient's whole journey, walked in Chromium on a 375-pixel phone with the
German catalogue compiled: their self-intake link from the email, the date of birth, every step
to the end, and the full-screen "call 999 now"; a second German patient whose answers are
ROUTINE; the emails they receive, read from the real SMTP sink a Celery worker delivers to (the
subjects without health detail); the programme page, a session logged and the starting
questionnaire answered; the printed handout's text. axe-core checks every page
(tests/browser/conftest.py).

What the pages say is held against the German catalogue's own msgstr (never English written
here), and every page is searched for English left behind: any sentence of the catalogue whose
English msgid shows on a German page is a word the machinery missed.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.signals import setting_changed
from playwright.sync_api import Browser, Page, expect

from outbox.models import Message
from outbox.services import queue_emails
from patients.models import Intake, Language, Patient
from programmes import emails
from programmes.core.library_de import GERMAN
from programmes.links import page_url
from programmes.models import Programme
from programmes.ndi import SECTIONS
from selfintake.forms import CONTRACT_STEPS, MECHANISM
from tests.browser.test_german_patient import fits_the_screen, german_programme, phone_page
from tests.browser.test_programme_page import answer_screen
from tests.integration.outbox_stack import (
    OutboxStack,
    outbox_stack_fixture,  # noqa: F401 - the outbox_stack fixture
)
from tests.patients.helpers import make_user
from tests.selfintake.helpers import BORN, invite, patient_with_email
from tests.support.smtp_sink import Received, SmtpSink
from tests.test_catalogue import CATALOGUE, Entry, read_po
from triage.models import Urgency

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+/p/i/[^/\s]+/")
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w*\}|<")


def answer_step(page: Page, slug: str, **yes: str) -> None:
    """Answer self-intake step `slug` on `page`: a neck pain for ten days at 4/10, "no" to
    every question but those in `yes` (their value), the mechanism left to its own question."""
    step = next(s for s in CONTRACT_STEPS if s.slug == slug)
    if slug == "pain":
        page.check("input[name='pain_region'][value='neck']")
        page.fill("input[name='duration_days']", "10")
        page.check("input[name='pain_score_now'][value='4']")
    for question in step.questions():
        if question.kind is bool and question.name != MECHANISM:
            page.check(f"input[name='{question.name}'][value='{yes.get(question.name, 'no')}']")


# --- The catalogue -------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def german_catalogue() -> Iterator[None]:
    """The German catalogue compiled (`.mo` files are built, never committed: make install),
    and this process's translations read afresh, as a change of LOCALE_PATHS makes Django do."""
    compiled = CATALOGUE.with_suffix(".mo")
    if not compiled.exists() or compiled.stat().st_mtime < CATALOGUE.stat().st_mtime:
        partial = compiled.with_name(f"django.mo.{os.getpid()}")
        subprocess.run(["msgfmt", "--check", "-o", str(partial), str(CATALOGUE)], check=True)
        os.replace(partial, compiled)  # another process never reads half a file
    _forget_translations()
    yield
    _forget_translations()


def _forget_translations() -> None:
    # Django's own receiver of this signal drops the catalogues it has read (django.test.signals).
    setting_changed.send(
        sender=type(settings), setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=True
    )


ENTRIES: list[Entry] = [e for e in read_po(CATALOGUE.read_text(encoding="utf-8")) if e.msgid]
_BY_ID = {(e.msgctxt, e.msgid): e for e in ENTRIES}


def de(msgid: str, context: str | None = None, **values: object) -> str:
    """The catalogue's German for `msgid`, its placeholders filled from `values`."""
    entry = _BY_ID[(context, msgid)]
    german = entry.msgstr[0]
    assert german and german != msgid, f"{msgid!r} has no German of its own"
    return german % values if values else german


# Whole sentences of four words or more whose German differs: shown on a German page, their
# English is text the translation machinery missed.
SENTENCES = [
    e.msgid
    for e in ENTRIES
    if e.msgid_plural is None
    and len(e.msgid.split()) >= 4
    and not PLACEHOLDER.search(e.msgid)
    and e.msgstr.get(0)
    and e.msgstr[0] != e.msgid
]


def english_left(text: str) -> list[str]:
    flat = " ".join(text.split())
    return [sentence for sentence in SENTENCES if sentence in flat]


def is_german(page: Page) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert english_left(page.locator("body").inner_text()) == [], page.url
    assert fits_the_screen(page), page.url


# --- The self-intake -----------------------------------------------------------------------


def german_patient(given: str, family: str, email: str) -> Patient:
    return patient_with_email(
        given_name=given, family_name=family, email=email, preferred_language=Language.GERMAN
    )


def invitation_link(received: Received, live_server_url: str) -> str:
    link = LINK.search(received.body("plain"))
    assert link is not None
    return link.group(0).replace(settings.SITE_URL, live_server_url)


def the_invitation_is_german(received: Received, patient: Patient) -> None:
    subject = str(make_header(decode_header(received.subject))).strip()
    assert received.to == (patient.email,)
    assert subject == de(
        "Your questions before your visit — %(clinic)s", clinic=settings.CLINIC_NAME
    )
    for private in (patient.family_name, "999", "EMERGENCY", "Notfall"):
        assert private not in subject
    assert '<html lang="de">' in received.body("html")
    assert english_left(received.body("plain")) == []
    assert english_left(received.body("html")) == []


def confirm_date_of_birth(page: Page, start: str, patient: Patient) -> None:
    page.goto(start)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        de("Your questions before your visit")
    )
    expect(page.locator("main")).not_to_contain_text(patient.given_name)
    is_german(page)
    # A wrong day is refused beside the question, in German; the right one opens the steps.
    page.get_by_label(de("Day"), exact=True).fill(str(BORN.day + 1))
    page.get_by_label(de("Month"), exact=True).fill(str(BORN.month))
    page.get_by_label(de("Year"), exact=True).fill(str(BORN.year))
    page.get_by_role("button", name=de("Continue")).click()
    expect(page.locator("#error-summary")).to_be_focused()
    is_german(page)
    page.get_by_label(de("Day"), exact=True).fill(str(BORN.day))
    page.get_by_role("button", name=de("Continue")).click()


def answer_every_step(page: Page, **yes: str) -> None:
    """Each step on the screen answered: no to every yes/no question but those in `yes`; then
    the answers checked and sent."""
    total = len(CONTRACT_STEPS) + 1
    for position, step in enumerate(CONTRACT_STEPS, start=1):
        expect(
            page.get_by_text(de("Step %(position)s of %(total)s", position=position, total=total))
        ).to_be_visible()
        answer_step(page, step.slug, **yes)
        is_german(page)
        page.get_by_role("button", name=de("Continue")).click()
    expect(
        page.get_by_text(de("Step %(position)s of %(total)s", position=total, total=total))
    ).to_be_visible()
    is_german(page)
    page.get_by_role("button", name=de("Send my answers")).click()


def opened_from_the_invitation(
    patient: Patient, live_server, chromium: Browser, outbox_stack: OutboxStack
) -> Page:
    """Reception invites `patient`; the worker delivers the invitation to the SMTP sink, it is
    German, and its link opens on a phone past the date-of-birth check."""
    reception: User = make_user(role="reception")
    with SmtpSink() as sink:
        outbox_stack.start_worker(sink)
        invite(patient, reception)
        [invitation] = sink.wait_for(1)
    the_invitation_is_german(invitation, patient)
    page = phone_page(chromium)
    confirm_date_of_birth(page, invitation_link(invitation, live_server.url), patient)
    return page


@pytest.mark.postgres
@pytest.mark.redis
def test_a_german_patients_self_intake_is_german_to_the_end_and_an_emergency_says_call_999(
    live_server, chromium: Browser, outbox_stack: OutboxStack
) -> None:
    greta = german_patient("Greta", "Gärtner", "greta@example.org")
    page = opened_from_the_invitation(greta, live_server, chromium, outbox_stack)
    answer_every_step(page, bladder_or_bowel_change="yes")

    # Nothing but what to do now, in German: call 999, not to drive, the number to dial.
    screen = page.locator("#instruction-emergency")
    expect(page.get_by_role("heading", level=1)).to_have_text(de("Call 999 now"))
    expect(screen).to_contain_text(
        de(
            "What you told us needs emergency care. Call 999 now, or go straight to A&E. Do not "
            "drive yourself: ask someone to take you. Do not wait for the clinic to contact you."
        )
    )
    expect(screen).to_contain_text(
        de("If you are waiting for an ambulance and you feel worse, call 999 again.")
    )
    expect(page.get_by_role("link", name=de("Call 999"))).to_have_attribute("href", "tel:999")
    is_german(page)
    page.context.close()
    assert Intake.objects.get(patient=greta).assessment.urgency == Urgency.EMERGENCY


@pytest.mark.postgres
@pytest.mark.redis
def test_a_second_german_patient_whose_answers_are_routine_is_told_what_happens_next(
    live_server, chromium: Browser, outbox_stack: OutboxStack
) -> None:
    jonas = german_patient("Jonas", "Vogelsang", "jonas@example.org")
    page = opened_from_the_invitation(jonas, live_server, chromium, outbox_stack)
    # Pins and needles in one arm: probable radiculopathy, ROUTINE.
    answer_every_step(page, numbness_or_tingling_arms="yes")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        de("Thank you, %(name)s: your answers are with the clinic", name="Jonas")
    )
    instruction = page.locator("#instruction-routine")
    expect(instruction).to_contain_text(de("The clinic will offer you an appointment"))
    expect(instruction).to_contain_text(
        de(
            "If it gets worse while you wait, contact the clinic: they may see you sooner. Call "
            "999 if any of the signs below start."
        )
    )
    expect(page.get_by_role("heading", name=de("At your visit"))).to_be_visible()
    is_german(page)
    page.context.close()
    assert Intake.objects.get(patient=jonas).assessment.urgency == Urgency.ROUTINE


# --- The programme -------------------------------------------------------------------------


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.usefixtures("clock")
def test_a_german_patients_programme_emails_page_session_check_in_and_handout_are_german(
    live_server, chromium: Browser, tmp_path: Path
) -> None:
    programme: Programme = german_programme()
    patient = programme.patient

    # The programme email and a week's check-in email: German, and no health in the subjects.
    programme_email = Message.objects.get(kind=Message.Kind.PROGRAMME, patient=patient)
    assert programme_email.subject == de(
        "Your home programme from %(clinic)s", clinic=settings.CLINIC_NAME
    )
    week = programme.check_ins.filter(week__gt=0).order_by("week").first()
    assert week is not None
    (check_in_email,) = queue_emails([emails.check_in_email(week)])
    assert check_in_email.subject == de(
        "Your check-in is ready — %(clinic)s", clinic=settings.CLINIC_NAME
    )
    for message in (programme_email, check_in_email):
        assert '<html lang="de">' in message.body_html
        assert english_left(message.body_text) == []
        for private in (patient.family_name, "Nacken", "neck", "Schmerz", "pain"):
            assert private not in message.subject

    first = programme.phases.get(position=1).exercises.select_related("exercise").first()
    assert first is not None
    page = phone_page(chromium)
    page.goto(live_server.url + page_url(programme, absolute=False))
    expect(page.get_by_role("heading", level=1)).to_have_text(de("Hello %(name)s", name="Greta"))
    expect(page.get_by_text(GERMAN[first.exercise.slug].name).first).to_be_visible()
    is_german(page)

    # A session logged: thanked in German.
    page.check("input[name='felt'][value='right']")
    page.get_by_role("button", name=de("Save this session")).click()
    thanked = de("Session on %(day)s logged. Thank you.").split("%(day)s")
    expect(page.get_by_role("status").first).to_contain_text(thanked[0])
    expect(page.get_by_role("status").first).to_contain_text(thanked[1].strip())
    is_german(page)
    assert programme.sessions.count() == 1

    # The starting questionnaire: pain, the NDI, the screen; its answer page in German.
    page.locator("a[href$='/check-in/0/']").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(de("Starting questionnaire"))
    is_german(page)
    page.check("input[name='pain'][value='4']")
    for section in SECTIONS:
        page.check(f"input[name='ndi_{section.key}'][value='1']")
    answer_screen(page)
    page.get_by_role("button", name=de("Send my answers")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        de("%(title)s: thank you", title=de("Starting questionnaire"))
    )
    expect(page.get_by_role("heading", name=de("What happens next"))).to_be_visible()
    is_german(page)
    assert programme.check_ins.get(week=0).pain == 4

    # The handout, from the page's link: a PDF whose text is German.
    page.goto(live_server.url + page_url(programme, absolute=False))
    href = page.get_by_role("link", name=de("Your programme to print (PDF)")).get_attribute("href")
    assert href is not None
    response = page.request.get(live_server.url + href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body(), tmp_path)
    flat = " ".join(text.split())
    for german in (
        de("Your home-exercise programme"),
        de("Your week plan"),
        de("Your check-ins"),
        GERMAN[first.exercise.slug].name,
    ):
        assert " ".join(german.split()) in flat, german
    assert english_left(text) == []
    page.context.close()
