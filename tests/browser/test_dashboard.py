"""The clinician's queue in Chromium: an emergency entered at reception shows up on an open
dashboard by itself, and when two clinicians claim the same case, one wins and the other is
told who has it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from patients.models import Intake
from tests.browser.test_reception_intake import NO, YES, _answer
from tests.patients.helpers import PASSWORD, make_intake, make_user, patient_details
from tests.support.two_factor import sign_in_page
from triage.models import Urgency
from triage.rules import QUESTIONS

SHOWN_WITHIN = timedelta(seconds=5.5)  # 5 s promised, with half a second for the browser


@pytest.fixture
def contexts(chromium: Browser) -> Iterator[list[BrowserContext]]:
    """Browser contexts (one per person, each with its own cookies), closed afterwards."""
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def _sign_in(contexts: list[BrowserContext], chromium: Browser, url: str, username: str) -> Page:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    contexts.append(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in_page(page, url, User.objects.get(username=username), PASSWORD)
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_emergency_appears_on_an_open_dashboard_without_a_reload(
    live_server, chromium: Browser, contexts: list[BrowserContext]
) -> None:
    make_user(role="clinician", username="cara", first_name="Cara", last_name="Hale")
    make_user(role="reception", username="rita", first_name="Rita", last_name="Reed")
    name = "Nora Quennell"

    # Given a clinician has the queue open, and it does not list the patient yet...
    clinician = _sign_in(contexts, chromium, live_server.url, "cara")
    clinician.goto(f"{live_server.url}/triage/queue/")
    queue = clinician.locator("#queue")
    expect(queue).to_be_visible()
    expect(queue).not_to_contain_text(name)
    clinician.evaluate("window.__marker = 1")

    # ...when a receptionist, at another computer, enters an emergency intake...
    reception = _sign_in(contexts, chromium, live_server.url, "rita")
    expect(reception.get_by_role("heading", name="New intake")).to_be_visible()
    reception.fill("#id_given_name", "Nora")
    reception.fill("#id_family_name", "Quennell")
    reception.fill("#id_date_of_birth", "1958-04-02")
    reception.check("#id_sex_0")
    reception.fill("#id_phone", "01632 960 124")
    _answer(reception, "email_consent", NO)
    reception.check("#id_pain_region_4")  # lower back
    reception.fill("#id_duration_days", "2")
    reception.check("#id_pain_score_now_6")
    for question in QUESTIONS:
        if question.kind is bool:
            _answer(reception, question.name, NO)
    _answer(reception, "bladder_or_bowel_change", YES)
    _answer(reception, "previous_similar_episodes", YES)
    reception.click("#intake-form button[type=submit]")
    expect(reception.get_by_role("heading", name=f"Triage outcome for {name}")).to_be_visible()
    intake = Intake.objects.select_related("assessment").get()
    assert intake.assessment.urgency == Urgency.EMERGENCY

    # ...then the clinician's queue lists the patient within 5 s of the save, without a reload.
    left = intake.created_at + SHOWN_WITHIN - timezone.now()
    assert left > timedelta(0), "the intake took too long to come back from the form"
    expect(queue).to_contain_text(name, timeout=left.total_seconds() * 1000)
    assert clinician.evaluate("window.__marker") == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_two_clinicians_claiming_the_same_case_one_wins(
    live_server, chromium: Browser, contexts: list[BrowserContext]
) -> None:
    make_user(role="clinician", username="cara", first_name="Cara", last_name="Hale")
    make_user(role="clinician", username="dev", first_name="Dev", last_name="Okafor")
    receptionist = make_user(role="reception", username="rita")
    intake = make_intake(
        entered_by=receptionist,
        details=patient_details(given_name="Ivy", family_name="Marsh"),
        bladder_or_bowel_change=True,
    )
    case_url = f"{live_server.url}/triage/cases/{intake.assessment.case.pk}/"

    # Given both clinicians have the case open, unclaimed...
    first = _sign_in(contexts, chromium, live_server.url, "cara")
    second = _sign_in(contexts, chromium, live_server.url, "dev")
    for page in (first, second):
        page.goto(case_url)
        expect(page.locator("#case-claim")).to_contain_text("Not claimed yet")
    claim = "Claim this case"

    # ...when the first claims it, the case is hers...
    first.get_by_role("button", name=claim).click()
    expect(first.locator("#case-claim")).to_contain_text("Claimed by Cara Hale (you)")
    expect(first.get_by_role("button", name=claim)).to_have_count(0)

    # ...and when the second, whose page still offers the button, claims it too...
    expect(second.get_by_role("button", name=claim)).to_be_visible()
    second.get_by_role("button", name=claim).click()

    # ...he is told who has it, and the case stays hers.
    expect(second.get_by_text("Cara Hale has already claimed this case")).to_be_visible()
    expect(second.locator("#case-claim")).to_contain_text("Claimed by Cara Hale")
    expect(second.locator("#case-claim")).not_to_contain_text("(you)")
    case = intake.assessment.case
    case.refresh_from_db()
    assert case.claimed_by is not None
    assert case.claimed_by.username == "cara"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_queue_leaves_no_patient_page_in_the_browsers_storage(
    live_server, chromium: Browser, contexts: list[BrowserContext]
) -> None:
    """htmx keeps the pages it pushed into history in the browser's storage unless told not to
    (its history cache): a patient's name would outlive the page and its no-store header."""
    make_user(role="clinician", username="cara", first_name="Cara", last_name="Hale")
    reception = make_user(role="reception", username="rita")
    make_intake(entered_by=reception, details=patient_details(given_name="Wilhelmina"))
    clinician = _sign_in(contexts, chromium, live_server.url, "cara")
    clinician.goto(f"{live_server.url}/triage/queue/")
    expect(clinician.locator("#queue")).to_contain_text("Wilhelmina")

    clinician.fill("#queue-search", "Wilhelmina")  # a filter pushes the queue into history
    clinician.wait_for_url(lambda address: "q=Wilhelmina" in address)
    clinician.get_by_role("link", name="Wilhelmina", exact=False).first.click()
    clinician.wait_for_url(lambda address: "/triage/cases/" in address)
    clinician.go_back()
    expect(clinician.locator("#queue")).to_contain_text("Wilhelmina")

    stored: dict[str, str] = clinician.evaluate(
        "() => Object.fromEntries([...Object.entries(sessionStorage), "
        "...Object.entries(localStorage)])"
    )
    # htmx keeps the address it is at (the browser's history has it anyway), never a page.
    assert "htmx-history-cache" not in stored, stored
    assert not [key for key, value in stored.items() if "<" in value], stored
