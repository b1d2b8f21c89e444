"""The patient's self-intake pages through the test client, as a patient with the emailed link
and no login: the date of birth first, one section a screen with its progress, back and forward
and "finish later" losing nothing, errors named beside their question under the one error
summary, the outcome by urgency in patient_instruction's words, and a link that no longer works
saying so and offering to ask the clinic for a new one."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from patients.models import Intake
from selfintake import links
from selfintake.forms import CONTRACT_STEPS, MECHANISM_SHOWN
from selfintake.models import Draft, Invitation
from tests.programmes.test_patient_wording import assert_written_to_the_patient
from tests.psychosocial.helpers import item_post, make_tool
from tests.selfintake.helpers import (
    BORN,
    answer_every_step,
    answers_path,
    confirm,
    dob_post,
    done_path,
    invite,
    patient_with_email,
    start_path,
    step_path,
    step_post,
)
from tests.support.clock import Clock
from tests.support.error_summary import has_summary, invalid_fields, summary_links
from tests.test_database_down import page_text
from triage.models import Urgency
from triage.outcomes import patient_instruction

# On the test's clock: links expire, confirmations lapse, whatever the hour the run reaches them.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.usefixtures("clock")]

PAIN, INJURY = CONTRACT_STEPS[0], CONTRACT_STEPS[1]


@pytest.fixture
def invited(receptionist: User) -> tuple[Invitation, str]:
    return invite(patient_with_email(given_name="Ada", family_name="Lovelace"), receptionist)


@pytest.fixture
def link(invited: tuple[Invitation, str]) -> str:
    return invited[1]


def opened(client: Client, link: str) -> Client:
    response = confirm(client, link)
    assert response.status_code == 302
    return client


def text(response) -> str:  # type: ignore[no-untyped-def]
    return page_text(response)


def instruction(key: str):  # type: ignore[no-untyped-def]
    urgency = Urgency[key]
    return patient_instruction(key, sla=urgency.sla)


# --- Who the patient is -----------------------------------------------------------------------


def test_the_link_asks_the_date_of_birth_first_and_shows_nothing_of_the_patient(
    client: Client, link: str
) -> None:
    response = client.get(start_path(link))

    assert response.status_code == 200
    page = text(response)
    assert "date of birth" in page
    for secret in ("Ada", "Lovelace", "ada@example.org", "1985"):
        assert secret not in page
    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"
    # Any step of it, before the date of birth: back to the question.
    assert client.get(step_path(link, "pain"))["Location"] == start_path(link)
    assert client.get(answers_path(link))["Location"] == start_path(link)


def test_a_wrong_date_of_birth_is_refused_beside_the_question_and_audited(
    client: Client, link: str, invited: tuple[Invitation, str]
) -> None:
    response = client.post(start_path(link), dob_post(date(1985, 3, 15)))

    assert response.status_code == 400
    assert "does not match the clinic's record" in text(response)
    assert summary_links(response.content)  # the one error summary
    assert 'value="15"' in response.content.decode()  # what was typed stays
    assert links.COOKIE not in response.cookies
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.LOGIN_FAILED, patient=invited[0].patient
    ).exists()


def test_wrong_dates_of_birth_pause_the_link(client: Client, link: str) -> None:
    for _ in range(settings.SELF_INTAKE_TRIES_BEFORE_PAUSE - 1):
        assert client.post(start_path(link), dob_post(date(2000, 1, 1))).status_code == 400

    response = client.post(start_path(link), dob_post(date(2000, 1, 1)))

    assert response.status_code == 429
    assert "paused until" in text(response)
    assert client.post(start_path(link), dob_post()).status_code == 429  # even the right one


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"day": "", "month": "3", "year": "1985"}, "Enter the day you were born"),
        ({"day": "30", "month": "2", "year": "1985"}, "That date does not exist"),
        ({"day": "1", "month": "13", "year": "1985"}, "Enter the month you were born"),
        ({"day": "1", "month": "1", "year": "eighty"}, "Enter the year you were born"),
    ],
)
def test_a_date_that_is_not_one_is_named_and_not_counted_as_a_try(
    client: Client, link: str, invited: tuple[Invitation, str], post: dict[str, str], message: str
) -> None:
    response = client.post(start_path(link), post)

    assert response.status_code == 400
    assert message in text(response)
    invited[0].refresh_from_db()
    assert invited[0].wrong_answers == 0


def test_the_right_date_opens_the_first_step_and_marks_only_this_browser(
    client: Client, link: str
) -> None:
    response = confirm(client, link)

    assert response["Location"] == step_path(link, "pain")
    cookie = response.cookies[links.COOKIE]
    assert cookie["httponly"] and cookie["path"] == start_path(link)
    assert client.get(step_path(link, "pain")).status_code == 200
    assert Client().get(step_path(link, "pain"))["Location"] == start_path(link)


# --- The steps --------------------------------------------------------------------------------


def test_each_step_is_one_section_with_its_progress(client: Client, link: str) -> None:
    opened(client, link)

    for position, step in enumerate(CONTRACT_STEPS, start=1):
        response = client.get(step_path(link, step.slug))
        page = text(response)
        assert f"Step {position} of {len(CONTRACT_STEPS) + 1}" in page
        assert str(step.title) in page
        assert f'<progress class="w-100" max="7" value="{position}"' in response.content.decode()
        for question in step.questions():
            assert f'name="{question.name}"' in response.content.decode()
    assert "Step 7 of 7" in text(client.get(answers_path(link)))


def test_no_answer_is_chosen_before_the_patient_chooses(client: Client, link: str) -> None:
    opened(client, link)
    for step in CONTRACT_STEPS:
        html = client.get(step_path(link, step.slug)).content.decode()
        assert " checked" not in html
        assert not invalid_fields(html)


def test_the_questions_are_the_patients_words_not_receptions(client: Client, link: str) -> None:
    opened(client, link)
    html = client.get(step_path(link, "nerves")).content.decode()

    assert (
        "Do you have numbness around your bottom, your genitals or the inside of your thighs?"
        in html
    )
    assert "toilet paper" in html  # the example beside a medical question
    assert "Numbness around the back passage" not in html  # reception's wording


def test_a_refused_step_names_each_question_beside_it_and_keeps_every_answer(
    client: Client, link: str
) -> None:
    opened(client, link)
    post = step_post(PAIN, duration_days="lots", pain_score_now="7")
    del post["onset_sudden"]

    response = client.post(step_path(link, "pain"), post)

    assert response.status_code == 400
    assert [anchor for anchor, _m in summary_links(response.content)] == [
        "id_duration_days",
        "id_onset_sudden_0",
    ]
    html = response.content.decode()
    assert "Enter the number of days as a whole number" in html
    assert "Choose yes or no: “Did your pain come on suddenly, within seconds or minutes?”" in html
    assert re.search(r'value="7"\s+id="id_pain_score_now_7"\s+checked', html) or re.search(
        r'name="pain_score_now" value="7"[^>]*checked', html
    )
    assert 'value="lots"' in html
    # Kept on the server too: leaving and coming back finds them.
    assert Draft.objects.get().answers["pain_score_now"] == "7"


def test_a_pain_longer_than_the_patients_life_is_refused(client: Client, link: str) -> None:
    opened(client, link)
    days = (timezone.localdate() - BORN).days + 400

    response = client.post(step_path(link, "pain"), step_post(PAIN, duration_days=str(days)))

    assert response.status_code == 400
    assert "before you were born" in text(response)


def test_forward_and_back_lose_nothing(client: Client, link: str) -> None:
    opened(client, link)
    response = client.post(step_path(link, "pain"), step_post(PAIN, pain_score_now="8"))
    assert response["Location"] == step_path(link, "injury")

    # Back from the injury step, half answered: kept, and the pain step shows its answers.
    response = client.post(
        step_path(link, "injury"), {"go": "back", "recent_significant_trauma": "no"}
    )
    assert response["Location"] == step_path(link, "pain")
    html = client.get(step_path(link, "pain")).content.decode()
    assert re.search(r'name="pain_score_now" value="8"[^>]*checked', html)
    html = client.get(step_path(link, "injury")).content.decode()
    assert re.search(r'name="recent_significant_trauma" value="no"[^>]*checked', html)


def test_finish_later_keeps_the_answers_until_the_link_expires(client: Client, link: str) -> None:
    opened(client, link)
    client.post(step_path(link, "pain"), step_post(PAIN))
    response = client.post(step_path(link, "injury"), {"go": "later"})
    assert response["Location"] == reverse_saved(link)
    assert "Your answers are saved" in text(client.get(reverse_saved(link)))

    # Another day, another browser: the date of birth again, then on from where they left off.
    later = Client()
    response = confirm(later, link)
    assert response["Location"] == step_path(link, "injury")
    assert re.search(
        r'name="pain_score_now" value="4"[^>]*checked',
        later.get(step_path(link, "pain")).content.decode(),
    )


def reverse_saved(link: str) -> str:
    from django.urls import reverse

    return reverse("selfintake:saved", args=[link])


def test_a_confirmed_browser_stays_confirmed_only_while_it_is_in_use(
    client: Client, link: str, clock: Clock
) -> None:
    opened(client, link)
    clock.advance(settings.SELF_INTAKE_IDLE - timedelta(minutes=1))
    assert client.get(step_path(link, "pain")).status_code == 200  # and that renews it
    clock.advance(settings.SELF_INTAKE_IDLE - timedelta(minutes=1))
    assert client.get(step_path(link, "injury")).status_code == 200

    clock.advance(settings.SELF_INTAKE_IDLE + timedelta(minutes=1))

    assert client.get(step_path(link, "pain"))["Location"] == start_path(link)


def test_no_such_step_is_not_found(client: Client, link: str) -> None:
    opened(client, link)
    assert client.get(step_path(link, "wellbeing")).status_code == 404  # no questionnaire
    assert client.get(step_path(link, "nothing")).status_code == 404


# --- The injury question ----------------------------------------------------------------------


def test_how_it_happened_is_asked_only_after_a_yes_even_without_javascript(
    client: Client, link: str
) -> None:
    opened(client, link)
    html = client.get(step_path(link, "injury")).content.decode()
    assert re.search(r'id="trauma-mechanism"[^>]*hidden', html)

    # A yes sent from a screen that did not show the question (no JavaScript): asked, not refused.
    response = client.post(
        step_path(link, "injury"), {"recent_significant_trauma": "yes", MECHANISM_SHOWN: "0"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert not has_summary(response.content)
    assert "please tell us how it happened" in html
    assert not re.search(r'id="trauma-mechanism"[^>]*hidden', html)
    assert f'name="{MECHANISM_SHOWN}" value="1"' in html

    # Sent again without choosing: now a refusal, named beside the question.
    response = client.post(
        step_path(link, "injury"), {"recent_significant_trauma": "yes", MECHANISM_SHOWN: "1"}
    )
    assert response.status_code == 400
    assert [a for a, _m in summary_links(response.content)] == ["id_trauma_mechanism_0"]

    response = client.post(
        step_path(link, "injury"),
        {
            "recent_significant_trauma": "yes",
            MECHANISM_SHOWN: "1",
            "trauma_mechanism": "axial_load_diving_or_head_impact",
        },
    )
    assert response["Location"] == step_path(link, "health")


# --- Sending, and what the patient is told ----------------------------------------------------


def send(client: Client, link: str, **answers: str):  # type: ignore[no-untyped-def]
    opened(client, link)
    answer_every_step(client, link, **answers)
    return client.post(answers_path(link))


def test_the_answers_page_shows_each_answer_in_the_patients_words_to_change(
    client: Client, link: str
) -> None:
    opened(client, link)
    answer_every_step(client, link, pain_region="shoulder_blades")

    response = client.get(answers_path(link))

    page = text(response)
    assert "Between or around my shoulder blades" in page
    assert "How did your fall, collision or accident happen?" not in page  # not asked after a no
    assert "Not answered" not in page
    for step in CONTRACT_STEPS:
        assert f'href="{step_path(link, step.slug)}"' in response.content.decode()


def test_an_unanswered_question_stops_the_send_at_its_step_with_the_error_beside_it(
    client: Client, link: str
) -> None:
    opened(client, link)
    answer_every_step(client, link)
    draft = Draft.objects.get()
    del draft.answers["coughing_blood"]
    draft.save()
    assert "Not answered" in text(client.get(answers_path(link)))

    response = client.post(answers_path(link))

    assert response.status_code == 400
    assert [a for a, _m in summary_links(response.content)] == ["id_coughing_blood_0"]
    assert "Head, chest and breathing" in text(response)
    assert not Intake.objects.exists()


def test_an_emergency_is_a_full_screen_call_999_now(client: Client, link: str) -> None:
    response = send(client, link, bladder_or_bowel_change="yes")

    assert response["Location"] == done_path(link)
    response = client.get(done_path(link))
    emergency = instruction("EMERGENCY")
    page = text(response)
    assert str(emergency.heading) in page and str(emergency.now) in page
    assert "Do not drive yourself" in page
    html = response.content.decode()
    main = html.split("<main")[1].split("</main>")[0]
    assert re.findall(r'href="([^"]+)"', main) == ["tel:999"]  # nothing else to do on it
    assert Intake.objects.get().assessment.urgency == Urgency.EMERGENCY


def test_urgent_says_the_clinic_calls_today_and_what_to_do_if_it_gets_worse(
    client: Client, link: str
) -> None:
    send(client, link, hand_clumsiness="yes")
    assert Intake.objects.get().assessment.urgency == Urgency.URGENT

    page = text(client.get(done_path(link)))

    urgent = instruction("URGENT")
    assert str(urgent.heading) in page and str(urgent.now) in page and str(urgent.if_worse) in page
    assert "Call 999 or go to A&E at once if any of these start" in page


def test_self_care_says_what_happens_next(client: Client, link: str) -> None:
    send(client, link)
    assert Intake.objects.get().assessment.urgency == Urgency.SELF_CARE

    page = text(client.get(done_path(link)))

    care = instruction("SELF_CARE")
    assert str(care.heading) in page and str(care.now) in page
    assert "go through your answers with you" in page


def test_sending_twice_or_coming_back_makes_one_intake(client: Client, link: str) -> None:
    send(client, link, chest_pain="yes")

    again = client.post(answers_path(link))  # a double click, the back button and send again

    assert again["Location"] == done_path(link)
    assert Intake.objects.count() == 1
    # The back button to a step: this browser sees its outcome again.
    assert client.get(step_path(link, "joints"))["Location"] == done_path(link)
    assert client.get(start_path(link))["Location"] == done_path(link)


def test_a_used_link_in_another_browser_says_so_and_shows_nothing(
    client: Client, link: str
) -> None:
    send(client, link, chest_pain="yes")
    other = Client()

    for path in (start_path(link), done_path(link), step_path(link, "pain")):
        response = other.get(path)
        assert response.status_code == 410
        page = text(response)
        assert "already been used" in page
        assert "Ask the clinic for a new link" in page
        assert "999 now" not in page and "Ada" not in page


def test_an_expired_link_says_so_and_asks_the_clinic_for_a_new_one(
    client: Client, link: str, invited: tuple[Invitation, str], clock: Clock
) -> None:
    opened(client, link)
    clock.advance(settings.SELF_INTAKE_LINK_MAX_AGE)

    response = client.get(step_path(link, "pain"))
    assert response.status_code == 410
    assert "This link has expired" in text(response)

    response = client.post(reverse_new_link(link))
    assert response.status_code == 200
    assert "Your request is with the clinic" in text(response)
    invited[0].refresh_from_db()
    assert invited[0].new_link_requested_at is not None


def test_a_link_not_ours_asks_for_nothing(client: Client) -> None:
    response = client.get(start_path("not-a-link"))
    assert response.status_code == 404
    assert "Ask the clinic for a new link" not in text(response)

    response = client.post(reverse_new_link("not-a-link"))
    assert response.status_code == 200  # the same answer as for a genuine one
    assert not Invitation.objects.filter(new_link_requested_at__isnull=False).exists()


def test_an_open_link_is_not_asked_again(client: Client, link: str) -> None:
    client.post(reverse_new_link(link))
    assert not Invitation.objects.filter(new_link_requested_at__isnull=False).exists()


def reverse_new_link(link: str) -> str:
    from django.urls import reverse

    return reverse("selfintake:new_link", args=[link])


# --- The questionnaire ------------------------------------------------------------------------


def test_the_clinics_questionnaire_is_a_step_of_its_own(client: Client, link: str) -> None:
    make_tool()
    opened(client, link)
    answer_every_step(client, link)

    response = client.get(step_path(link, "wellbeing"))
    assert "Step 7 of 8" in text(response)
    assert "Made-up item 1" in text(response)
    response = client.post(step_path(link, "wellbeing"), item_post("no", "no", "no", "1"))
    assert response["Location"] == answers_path(link)

    client.post(answers_path(link))

    intake = Intake.objects.get()
    assert intake.answers["psychosocial_risk_category"] == "low"
    assert intake.psychosocial_screen is not None


def test_a_posted_risk_category_is_not_taken(client: Client, link: str) -> None:
    opened(client, link)
    answer_every_step(client, link, psychosocial_risk_category="high")
    client.post(answers_path(link))
    assert Intake.objects.get().answers["psychosocial_risk_category"] == "not_assessed"


# --- Words ------------------------------------------------------------------------------------


def test_every_page_is_written_to_the_patient(
    client: Client, receptionist: User, clock: Clock
) -> None:
    seen: dict[str, str] = {}
    for urgency, answers in {
        "emergency": {"bladder_or_bowel_change": "yes"},
        "urgent": {"hand_clumsiness": "yes"},
        "self care": {},
    }.items():
        browser = Client()
        _invitation, link = invite(
            patient_with_email(email=f"{urgency[:3]}@example.org"), receptionist
        )
        seen[f"{urgency}: start"] = text(browser.get(start_path(link)))
        seen[f"{urgency}: wrong"] = text(browser.post(start_path(link), dob_post(date(1990, 1, 1))))
        opened(browser, link)
        for step in CONTRACT_STEPS:
            seen[f"{urgency}: {step.slug}"] = text(browser.get(step_path(link, step.slug)))
            seen[f"{urgency}: {step.slug} refused"] = text(
                browser.post(step_path(link, step.slug), {"go": "next"})
            )
        answer_every_step(browser, link, **answers)
        seen[f"{urgency}: answers"] = text(browser.get(answers_path(link)))
        seen[f"{urgency}: saved"] = text(browser.get(reverse_saved(link)))
        browser.post(answers_path(link))
        seen[f"{urgency}: done"] = text(browser.get(done_path(link)))
        seen[f"{urgency}: used"] = text(Client().get(start_path(link)))
        seen[f"{urgency}: asked"] = text(Client().post(reverse_new_link(link)))
    _invitation, link = invite(patient_with_email(email="late@example.org"), receptionist)
    for _ in range(settings.SELF_INTAKE_TRIES_BEFORE_PAUSE):
        paused = Client().post(start_path(link), dob_post(date(1990, 1, 1)))
    seen["paused"] = text(paused)
    clock.advance(settings.SELF_INTAKE_LINK_MAX_AGE)
    seen["expired"] = text(Client().get(start_path(link)))
    seen["not ours"] = text(Client().get(start_path("nope")))

    for what, page in seen.items():
        assert_written_to_the_patient(what, page)


@pytest.mark.parametrize("value", ["\x00", "12\x0034", "\u202eevil", "9" * 500])
def test_an_answer_no_question_takes_is_refused_not_kept(
    client: Client, link: str, value: str
) -> None:
    opened(client, link)

    response = client.post(step_path(link, "pain"), step_post(PAIN, duration_days=value))

    assert response.status_code == 400
    assert "duration_days" not in Draft.objects.get().answers
    assert Draft.objects.get().answers["pain_region"] == "neck"
