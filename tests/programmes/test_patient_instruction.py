"""One instruction per urgency, everywhere a patient is told what to do after triage.

The expected words come from the urgency (triage.outcomes.patient_instruction), never from the
page: for check-in answers that the real rule engine grades at each level, the check-in's result
page and the programme page while it is on hold; for an intake at each level, what reception's
outcome page says to tell the patient; and the pages shown while the database is down. Each page
shows exactly its urgency's heading, what to do now and what to do if it gets worse, and no
sentence of another urgency's, so that two pages can never disagree.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from patients.models import Intake
from programmes import links, prescribing, screen
from programmes.models import Programme, ProgrammeTemplate
from programmes.seed import seed_library
from tests.patients.helpers import make_intake, make_user, patient_details
from tests.programmes.conftest import PATIENT_EMAIL, TEMPLATE_SLUG
from tests.programmes.test_check_in_database_down import _csrf
from tests.programmes.test_patient_pages import check_in_path, check_in_post
from tests.support.two_factor import sign_in
from tests.test_database_down import database_down, page_text
from triage.models import Urgency
from triage.outcomes import URGENCY_KEYS, PatientInstruction, patient_instruction
from triage.rules import Answers
from triage.rules import Urgency as RuleUrgency
from triage.services import current_ruleset

pytestmark = pytest.mark.django_db

# Check-in answers (the screen's "yes" answers, and pain now against 4 at the start) that the rules
# grade at each level for the programme fixture's patient. The test checks the grade with the
# real engine before it checks a word.
CHECK_IN_AT: dict[str, dict[str, str]] = {
    "EMERGENCY": {"bilateral_arm_symptoms": "yes", "progressive_limb_weakness": "yes"},
    "URGENT": {"bilateral_arm_symptoms": "yes"},
    "SOON": {"unexplained_weight_loss": "yes"},
    "ROUTINE": {"numbness_or_tingling_arms": "yes"},
    "SELF_CARE": {"pain": "6"},  # worse by 2: back to triage, and no rule fires
}
# Reception intakes at each level (as tests/patients/test_intake_outcome.py has them).
INTAKE_AT: dict[str, dict[str, bool]] = {
    "EMERGENCY": {"bladder_or_bowel_change": True},
    "URGENT": {"chest_pain": True},
    "SOON": {"unexplained_weight_loss": True},
    "ROUTINE": {"night_pain_unrelieved_by_rest": True},
    "SELF_CARE": {},
}


def instruction(key: str) -> PatientInstruction:
    return patient_instruction(key, sla=settings.TRIAGE_SLA[key])


def assert_tells_only(text: str, key: str) -> None:
    """`text` (a page as read) says urgency `key`'s instruction in full, and no sentence of any
    other urgency's."""
    mine = instruction(key)
    for part in mine.texts:
        assert part in text, f"{key}: missing {part!r}"
    for other in URGENCY_KEYS:
        if other == key:
            continue
        for part in instruction(other).texts:
            if part not in mine.texts:
                assert part not in text, f"{key} page says {other}'s {part!r}"


# --- The words themselves -------------------------------------------------------------------


def test_every_urgency_of_the_rule_engine_has_a_patient_instruction() -> None:
    assert set(URGENCY_KEYS) == {level.name for level in RuleUrgency}
    for key in URGENCY_KEYS:
        assert all(instruction(key).texts), key


def test_no_two_urgencies_share_a_sentence() -> None:
    seen: dict[str, str] = {}
    for key in URGENCY_KEYS:
        for part in instruction(key).texts:
            assert part not in seen, f"{key} and {seen.get(part)} both say {part!r}"
            seen[part] = key


def test_an_emergency_is_999_now_never_a_wait_for_the_clinic() -> None:
    words = " ".join(instruction("EMERGENCY").texts)
    assert "Call 999 now" in words
    assert "Do not drive yourself" in words
    assert "Do not wait for the clinic" in words
    assert not instruction("EMERGENCY").safety_net


def test_urgent_is_the_clinics_call_today_with_999_and_111_if_it_gets_worse() -> None:
    urgent = instruction("URGENT")
    assert "today" in str(urgent.heading)
    assert "within 4 hours" in str(urgent.now)  # the clinic's deadline (settings.TRIAGE_SLA)
    assert "999" in str(urgent.if_worse) and "NHS 111" in str(urgent.if_worse)
    assert urgent.safety_net


@pytest.mark.parametrize("key", ["SOON", "ROUTINE", "SELF_CARE"])
def test_the_other_levels_say_what_happens_next_and_when(key: str) -> None:
    words = " ".join(instruction(key).texts)
    assert "999" in words
    assert "Call 999 now" not in words
    assert instruction(key).safety_net


# --- The check-in's result page and the programme page ---------------------------------------


@pytest.mark.parametrize("key", list(CHECK_IN_AT))
def test_a_check_in_graded_at_each_level_tells_the_patient_that_levels_instruction(
    client: Client, programme: Programme, key: str
) -> None:
    check_in = programme.check_ins.get(week=0)

    response = client.post(check_in_path(programme, 0), check_in_post(check_in, **CHECK_IN_AT[key]))

    assert response.status_code == 302
    intake = Intake.objects.get(source=Intake.Source.CHECK_IN)
    graded = current_ruleset().evaluate(Answers.from_mapping(intake.answers)).urgency
    assert graded.name == key, "the table's answers are graded at their level by the rules"
    assert Urgency(intake.assessment.urgency).key == key

    result = client.get(response["Location"])
    assert_tells_only(page_text(result), key)
    page = client.get(reverse("programmes:patient_page", args=[links.page_token(programme)]))
    text = page_text(page)
    assert_tells_only(text, key)
    assert "Log a session" not in text


def test_a_check_in_with_nothing_to_triage_tells_no_urgency(
    client: Client, programme: Programme
) -> None:
    check_in = programme.check_ins.get(week=0)
    response = client.post(check_in_path(programme, 0), check_in_post(check_in))
    text = page_text(client.get(response["Location"]))
    assert "What happens next" in text
    for key in URGENCY_KEYS:
        for part in instruction(key).texts:
            assert part not in text


# --- Reception's outcome page: what to tell the patient --------------------------------------


@pytest.mark.parametrize("key", list(INTAKE_AT))
def test_reception_tells_the_patient_the_same_words_for_each_level(key: str) -> None:
    reception = make_user(role="reception")
    client = Client()
    sign_in(client, reception)
    intake = make_intake(entered_by=reception, **INTAKE_AT[key])
    assert Urgency(intake.assessment.urgency).key == key

    response = client.get(reverse("patients:intake_outcome", args=[intake.pk]))

    assert response.status_code == 200
    assert_tells_only(page_text(response), key)


# --- While the database is down --------------------------------------------------------------


@pytest.fixture
def flushed_programme(clock: Any) -> Programme:
    seed_library()
    intake = make_intake(
        entered_by=make_user(role="reception"),
        details=patient_details(given_name="Ada", email=PATIENT_EMAIL, email_consent=True),
    )
    return prescribing.prescribe_programme(
        case_id=intake.assessment.case.pk,
        clinician=make_user(role="clinician", email="c@example.org"),
        template_id=ProgrammeTemplate.objects.get(slug=TEMPLATE_SLUG).pk,
        start_date=timezone.localdate(),
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_emergency_on_the_screen_alone_gets_the_emergency_instruction_while_down(
    flushed_programme: Programme,
) -> None:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    path = check_in_path(flushed_programme, 0)
    data = check_in_post(flushed_programme.check_ins.get(week=0), **CHECK_IN_AT["EMERGENCY"])
    data["csrfmiddlewaretoken"] = _csrf(client, path)

    with database_down():
        response = client.post(path, data)

    assert response.status_code == 503
    text = page_text(response)
    assert "Your answers have not been sent" in text
    assert_tells_only(text, "EMERGENCY")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_lesser_red_flag_while_down_says_phone_the_clinic_and_no_urgency_s_words(
    flushed_programme: Programme,
) -> None:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    path = check_in_path(flushed_programme, 0)
    data = check_in_post(flushed_programme.check_ins.get(week=0), **CHECK_IN_AT["URGENT"])
    data["csrfmiddlewaretoken"] = _csrf(client, path)

    with database_down():
        response = client.post(path, data)

    text = page_text(response)
    # Nothing reached the clinic, so nobody will call: the patient phones the clinic today.
    assert "phone the clinic today" in text
    for key in URGENCY_KEYS:
        for part in instruction(key).texts:
            assert part not in text, f"{key}: {part!r}"


def test_the_screens_floor_is_never_above_what_the_full_intake_grades() -> None:
    """The floor the offline page uses: the screen alone on an empty background is graded no
    higher than the same screen on the real previous intake."""
    from tests.rules.answers import mapping

    for yes in CHECK_IN_AT.values():
        flags = {field: value == "yes" for field, value in yes.items() if field != "pain"}
        answers = {q.field: flags.get(q.field, False) for q in screen.SCREEN_QUESTIONS}
        floor = screen.screen_alone_answers(answers, pain_now=4, trauma_mechanism=None)
        full = screen.reentry_answers(
            previous=mapping(age=60),
            screen=answers,
            pain_now=4,
            age_now=60,
            days_since_previous=0,
            baseline_pain=4,
        )
        ruleset = current_ruleset()
        assert ruleset.evaluate(Answers.from_mapping(floor)).urgency <= (
            ruleset.evaluate(Answers.from_mapping(full)).urgency
        )
