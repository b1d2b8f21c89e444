"""Forms people can finish, in Chromium: before the first submit no field is marked invalid; a
refused submit shows the error summary ("There is a problem") with the focus on it, each of its
links puts the focus on its field (a radio group's first option) in sight, clear of the sticky
navigation and of a sticky submit bar, and nothing already entered is lost. One test per form
family: the reception intake, the case page, a referral, prescribing, the patient's pages, the
password change and the audit reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from programmes.links import page_url
from programmes.seed import seed_library
from referrals.models import Destination
from tests.patients.helpers import PASSWORD, make_intake, make_user, patient_details
from tests.programmes.helpers import prescribe, self_care_intake
from tests.support.two_factor import sign_in_page
from triage.rules import QUESTIONS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clock"),
]

# Whether the element is wholly in the viewport, below every sticky bar at the top (the
# navigation) and above every one at the bottom (the intake's submit bar).
IN_SIGHT = """
(id) => {
  const box = document.getElementById(id).getBoundingClientRect();
  let top = 0, bottom = window.innerHeight;
  for (const bar of document.querySelectorAll(".sticky-top, .form-actions")) {
    const r = bar.getBoundingClientRect();
    if (getComputedStyle(bar).position !== "sticky" || r.height === 0) continue;
    if (r.top <= 1) top = Math.max(top, r.bottom); else bottom = Math.min(bottom, r.top);
  }
  return box.top >= top && box.bottom <= bottom && box.height > 0;
}
"""

# Scroll so that the element's foot is just above the window's, behind the intake's submit bar.
BEHIND_THE_BAR = """
(id) => {
  const box = document.getElementById(id).getBoundingClientRect();
  window.scrollBy({top: box.bottom - window.innerHeight + 20, behavior: "instant"});
}
"""

MARKED_INVALID = ".is-invalid, [aria-invalid='true'], .was-validated"


def nothing_marked_invalid(page: Page) -> None:
    expect(page.locator(MARKED_INVALID)).to_have_count(0)
    expect(page.locator("#error-summary")).to_have_count(0)


def summary_leads_to(page: Page, target: str, text: str, *, focused: bool = True) -> None:
    """The summary has the focus (as the page opened: `focused`); its link to `target` says
    `text` and focuses that field, in sight."""
    summary = page.locator("#error-summary")
    if focused:
        expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    link = summary.locator(f"a[href='#{target}']")
    expect(link).to_contain_text(text)
    link.click()
    expect(page.locator(f"#{target}")).to_be_focused()
    page.wait_for_function(IN_SIGHT, arg=target)  # the scroll may be smooth


def test_the_intake_form(live_server, page: Page) -> None:
    rita = make_user(role="reception", username="rita")
    sign_in_page(page, live_server.url, rita, PASSWORD)
    page.goto(live_server.url + reverse("patients:intake_new"))

    # Nothing is red before the first submit: not the days since the episode began either.
    nothing_marked_invalid(page)
    days, name = page.locator("#id_duration_days"), page.locator("#id_given_name")
    assert days.evaluate("e => getComputedStyle(e).borderColor") == name.evaluate(
        "e => getComputedStyle(e).borderColor"
    )

    # Given reception answers everything but the days and the chest pain question...
    page.fill("#id_given_name", "Ellen")
    page.fill("#id_family_name", "Ward")
    page.fill("#id_date_of_birth", "1961-09-14")
    page.check("#id_sex_0")
    page.check("#id_email_consent_1")
    page.check("#id_pain_region_0")
    page.check("#id_pain_score_now_4")
    for question in QUESTIONS:
        if question.kind is bool and question.name != "chest_pain":
            page.check(f"#id_{question.name}_1")
    page.click("#intake-form button[type=submit]")

    # ...the summary takes the focus and leads to each, clear of the sticky submit bar.
    summary_leads_to(page, "id_chest_pain_0", "Answer yes or no")
    page.locator("#error-summary a[href='#id_duration_days']").click()
    expect(days).to_be_focused()
    page.wait_for_function(IN_SIGHT, arg="id_duration_days")
    expect(days).to_have_attribute("aria-invalid", "true")
    expect(days).to_have_attribute("aria-describedby", "id_duration_days_error")
    expect(page.locator("#id_duration_days_error")).to_contain_text("Enter a whole number")
    # A field reached from the keyboard is never left under the submit bar either: one that sits
    # just behind it when it takes the focus is brought out.
    target = "id_" + [q.name for q in QUESTIONS if q.kind is bool][-3] + "_0"
    page.evaluate(BEHIND_THE_BAR, target)
    assert not page.evaluate(IN_SIGHT, target)
    page.focus(f"#{target}")
    page.wait_for_function(IN_SIGHT, arg=target)
    # Nothing entered is lost.
    expect(page.locator("#id_given_name")).to_have_value("Ellen")
    expect(page.locator("#id_pain_score_now_4")).to_be_checked()
    expect(page.locator("#id_family_name")).to_have_value("Ward")

    # A new intake after the refused one starts unmarked.
    page.goto(live_server.url + reverse("patients:intake_new"))
    nothing_marked_invalid(page)


def test_the_case_page(live_server, page: Page) -> None:
    carl = make_user(role="clinician", username="carl")
    case = make_intake(
        entered_by=make_user(role="reception"), details=patient_details(given_name="Pat")
    ).assessment.case
    sign_in_page(page, live_server.url, carl, PASSWORD)
    page.goto(live_server.url + reverse("triage:case_detail", args=[case.pk]))
    nothing_marked_invalid(page)

    [urgent] = page.select_option("#id_to_urgency", label="Urgent")
    page.get_by_role("button", name="Override the urgency").click()

    summary_leads_to(page, "id_reason", "Raising the urgency needs a note")
    expect(page.locator("#id_to_urgency")).to_have_value(urgent)

    page.fill("#id_advice", " ")
    page.get_by_role("button", name="Discharge and close the case").click()
    summary_leads_to(page, "id_advice", "This field is required")


def test_a_referral(live_server, page: Page) -> None:
    carl = make_user(role="clinician", username="carl")
    case = make_intake(entered_by=make_user(role="reception"), chest_pain=True).assessment.case
    Destination.objects.create(
        kind=Destination.Kind.MRI, name="Imaging", email="imaging@example.org", address="1 Road"
    )
    sign_in_page(page, live_server.url, carl, PASSWORD)
    page.goto(live_server.url + reverse("referrals:referral_new", args=[case.pk]))
    nothing_marked_invalid(page)
    urgency = page.locator("#id_urgency").input_value()

    page.get_by_role("button", name="Write the letter").click()

    summary_leads_to(page, "id_destination", "This field is required")
    expect(page.locator("#id_urgency")).to_have_value(urgency)


def test_prescribing(live_server, page: Page) -> None:
    seed_library()  # the migration's library is gone after an earlier transactional test
    carl = make_user(role="clinician", username="carl")
    case = self_care_intake(duration_days=3).assessment.case
    sign_in_page(page, live_server.url, carl, PASSWORD)
    page.goto(live_server.url + reverse("programmes:prescribe", args=[case.pk]))
    nothing_marked_invalid(page)
    page.locator("input[name=template]:checked").evaluate("e => { e.checked = false; }")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    page.fill("#id_start", yesterday)

    page.get_by_role("button", name="Next: check the exercises").click()

    summary_leads_to(page, "id_template_0", "Choose a programme")
    summary_leads_to(page, "id_start", "The start date is in the past", focused=False)
    expect(page.locator("#id_start")).to_have_value(yesterday)


def test_the_patient_pages(live_server, page: Page) -> None:
    programme = prescribe(start=timezone.localdate())
    page.goto(live_server.url + page_url(programme, absolute=False))
    nothing_marked_invalid(page)
    page.fill("#id_note", "Felt fine")

    page.get_by_role("button", name="Save this session").click()

    summary_leads_to(page, "id_felt_0", "")
    expect(page.locator("#id_note")).to_have_value("Felt fine")

    page.get_by_role("link", name="Answer the").first.click()
    nothing_marked_invalid(page)
    page.check("input[name=pain][value='3']")
    page.get_by_role("button", name="Send my answers").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    first = summary.locator("a").first
    target = (first.get_attribute("href") or "#")[1:]
    summary_leads_to(page, target, first.inner_text())
    expect(page.locator("input[name=pain][value='3']")).to_be_checked()


def test_the_password_change(live_server, page: Page) -> None:
    rita = make_user(role="reception", username="rita")
    sign_in_page(page, live_server.url, rita, PASSWORD)
    page.goto(live_server.url + reverse("password_change"))
    nothing_marked_invalid(page)
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", "short")

    page.get_by_role("button", name="Change password").click()

    summary_leads_to(page, "id_new_password2", "")
    expect(page.locator("#error-summary")).to_contain_text("Your password was not changed.")


def test_an_audit_report(live_server, page: Page) -> None:
    lead = make_user(role="clinic lead", username="lena")
    sign_in_page(page, live_server.url, lead, PASSWORD)
    page.goto(live_server.url + reverse("audit:staff_activity", args=[lead.pk]))
    nothing_marked_invalid(page)
    page.fill("#id_start", "2026-03-02")
    page.fill("#id_end", "2026-03-01")

    page.get_by_role("button", name="Show").click()

    summary_leads_to(page, "id_start", "The start of the period is after its end")
    expect(page.locator("#id_end")).to_have_value("2026-03-01")
