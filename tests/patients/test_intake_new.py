"""The reception intake page, through the test client, as the roles that use it and those refused."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.templatetags.error_summary import form_error_links
from patients.models import Intake, Patient
from tests.patients.helpers import (
    BAD_CHECK_DIGIT_NHS_NUMBER,
    OTHER_VALID_NHS_NUMBER,
    VALID_NHS_NUMBER,
    intake_post,
    make_intake,
    make_user,
    patient_details,
)
from tests.support.two_factor import sign_in
from triage.models import Assessment, Case, Urgency
from triage.rules.contract import QUESTIONS_BY_NAME

URL = reverse("patients:intake_new")

pytestmark = pytest.mark.django_db


def _nothing_saved() -> bool:
    return not (
        Patient.objects.exists()
        or Intake.objects.exists()
        or Assessment.objects.exists()
        or Case.objects.exists()
    )


def _checked(html: str, name: str, value: str) -> bool:
    """Whether the radio `name`=`value` is checked in the rendered form."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return " checked" in tag
    raise AssertionError(f"no radio {name}={value} on the page")


# --- Who may open it ----------------------------------------------------------------------


def test_anonymous_user_is_sent_to_login(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_without_a_role_are_refused(client: Client) -> None:
    sign_in(client, make_user(role=None))
    assert client.get(URL).status_code == 403
    assert client.post(URL, intake_post()).status_code == 403
    assert _nothing_saved()


def test_reception_sees_the_form_in_its_sections(reception_client: Client) -> None:
    response = reception_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for section in (
        "The patient",
        "The pain",
        "Injury",
        "Medical history",
        "Nerve symptoms",
        "Heart, lungs and head",
        "Joints and stiffness",
        "Wellbeing",
    ):
        assert f"<legend>{section}</legend>" in html
    assert QUESTIONS_BY_NAME["saddle_anaesthesia"].question in html
    assert 'name="submission_token"' in html
    assert reverse("logout") in html


def test_clinician_may_enter_an_intake_too(clinician_client: Client) -> None:
    assert clinician_client.get(URL).status_code == 200


def test_no_yes_no_question_starts_answered(reception_client: Client) -> None:
    html = reception_client.get(URL).content.decode()
    for question in QUESTIONS_BY_NAME.values():
        if question.kind is bool:
            assert not _checked(html, question.name, "yes")
            assert not _checked(html, question.name, "no")
    assert "psychosocial_risk_category" not in html  # computed, never chosen (psychosocial/)


def test_each_form_shown_gets_its_own_submission_token(reception_client: Client) -> None:
    first = reception_client.get(URL).context["form"].initial["submission_token"]
    second = reception_client.get(URL).context["form"].initial["submission_token"]
    assert first != second


def test_the_page_loads_no_script_or_style_from_another_site(reception_client: Client) -> None:
    html = reception_client.get(URL).content.decode()
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "bootstrap/css/bootstrap.min.css" in html
    assert "clinic/intake.js" in html


# --- A good submission --------------------------------------------------------------------


def test_valid_intake_creates_patient_intake_assessment_and_case_then_shows_outcome(
    reception_client: Client, reception: User, valid_post: dict[str, str]
) -> None:
    response = reception_client.post(URL, valid_post)

    intake = Intake.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:intake_outcome", args=[intake.pk])
    assert Patient.objects.count() == 1
    assert Assessment.objects.filter(intake=intake).count() == 1
    assert Case.objects.filter(patient=intake.patient).count() == 1
    assert intake.entered_by == reception
    assert str(intake.submission_token) == valid_post["submission_token"]
    assert intake.contract_version == "intake/1"


def test_stored_answers_are_the_contract_with_age_and_sex_from_the_patient(
    reception_client: Client, valid_post: dict[str, str]
) -> None:
    reception_client.post(URL, valid_post)

    intake = Intake.objects.get()
    assert set(intake.answers) == set(QUESTIONS_BY_NAME)
    assert intake.answers["sex"] == "F"
    assert intake.answers["age"] == intake.patient.age_on(timezone.localdate(intake.created_at))
    assert intake.answers["previous_similar_episodes"] is True
    assert intake.answers["onset_sudden"] is False
    assert intake.answers["pain_score_now"] == 4
    assert intake.answers["duration_days"] == 10


def test_patient_details_are_stored_as_given(reception_client: Client) -> None:
    reception_client.post(
        URL,
        intake_post(
            given_name="  Mary ",
            family_name="O'Neill",
            nhs_number="943 476 5919",
            preferred_language="cy",
            email_consent="yes",
            email="mary@example.com",
        ),
    )
    patient = Patient.objects.get()
    assert (patient.given_name, patient.family_name) == ("Mary", "O'Neill")
    assert patient.nhs_number == VALID_NHS_NUMBER
    assert patient.preferred_language == "cy"
    assert patient.email_consent is True


def test_an_emergency_answer_queues_an_emergency_case(reception_client: Client) -> None:
    reception_client.post(URL, intake_post(bladder_or_bowel_change="yes"))
    assert Case.objects.get().urgency == Urgency.EMERGENCY


def test_the_same_submission_twice_creates_one_intake(
    reception_client: Client, valid_post: dict[str, str]
) -> None:
    first = reception_client.post(URL, valid_post)
    second = reception_client.post(URL, valid_post)

    assert Intake.objects.count() == 1
    assert Assessment.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_returning_patient_with_the_same_nhs_number_is_reused(reception_client: Client) -> None:
    reception_client.post(URL, intake_post(nhs_number=VALID_NHS_NUMBER))
    reception_client.post(URL, intake_post(nhs_number=VALID_NHS_NUMBER, given_name="GRACE"))

    patient = Patient.objects.get()
    assert patient.intakes.count() == 2


def test_returning_patient_with_the_same_name_and_birthday_is_reused(
    reception_client: Client,
) -> None:
    reception_client.post(URL, intake_post(given_name="Grace", family_name="Hopper"))
    reception_client.post(URL, intake_post(given_name="grace", family_name="HOPPER"))

    assert Patient.objects.count() == 1
    assert Intake.objects.count() == 2


def test_same_name_and_birthday_with_another_nhs_number_is_another_patient(
    reception_client: Client,
) -> None:
    reception_client.post(URL, intake_post(nhs_number=VALID_NHS_NUMBER))
    reception_client.post(URL, intake_post(nhs_number=OTHER_VALID_NHS_NUMBER))
    assert Patient.objects.count() == 2


def test_returning_patient_link_fills_in_their_details_but_no_answers(
    reception_client: Client, reception: User
) -> None:
    intake = make_intake(
        entered_by=reception,
        details=patient_details(given_name="Ivy", family_name="Ives", nhs_number=VALID_NHS_NUMBER),
        chest_pain=True,
    )
    response = reception_client.get(URL, {"patient": intake.patient.pk})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Ivy"' in html and 'value="Ives"' in html
    assert 'value="943 476 5919"' in html
    assert "Returning patient" in html
    assert not _checked(html, "chest_pain", "yes")
    assert not _checked(html, "chest_pain", "no")


def test_returning_patient_link_to_nobody_is_not_found(reception_client: Client) -> None:
    assert reception_client.get(URL, {"patient": 999999}).status_code == 404


# --- Mistakes are sent back, with everything kept ------------------------------------------


def test_missing_yes_no_answer_is_sent_back_naming_the_question_and_nothing_is_saved(
    reception_client: Client,
) -> None:
    data = intake_post(chest_pain=None, bladder_or_bowel_change="yes", duration_days="12")

    response = reception_client.post(URL, data)

    html = response.content.decode()
    question = QUESTIONS_BY_NAME["chest_pain"].question
    assert response.status_code == 200
    assert _nothing_saved()
    assert f"Answer yes or no: “{question}”" in html
    # The summary at the top links to the question...
    assert 'id="error-summary"' in html
    assert f'<a href="#id_chest_pain_0">Answer yes or no: “{question}”</a>' in html
    # ...and the message also sits beside the question itself.
    beside = html[html.index('id="div_id_chest_pain"') :]
    beside = beside[: beside.index('id="div_id_chest_pressure_radiating_to_arm_or_jaw"')]
    assert "Answer yes or no" in beside
    # Every answer already given is still there.
    assert _checked(html, "bladder_or_bowel_change", "yes")
    assert _checked(html, "shortness_of_breath", "no")
    assert _checked(html, "pain_region", "neck")
    assert 'value="12"' in html
    assert 'value="Grace"' in html
    assert f'value="{data["submission_token"]}"' in html


def test_every_missing_answer_is_listed_in_the_summary(reception_client: Client) -> None:
    response = reception_client.post(URL, {"given_name": "Grace"})

    summary = form_error_links(response.context["form"])
    anchors = [link.anchor for link in summary]
    assert response.status_code == 200
    assert "id_family_name" in anchors
    assert "id_pain_region_0" in anchors  # a radio group: its first option
    assert "id_psychosocial_risk_category" not in anchors  # computed, never asked
    assert "id_given_name" not in anchors
    assert "id_trauma_mechanism" not in anchors  # asked only after a yes
    assert _nothing_saved()


def test_nhs_number_with_a_wrong_check_digit_is_refused(reception_client: Client) -> None:
    response = reception_client.post(URL, intake_post(nhs_number=BAD_CHECK_DIGIT_NHS_NUMBER))

    assert response.status_code == 200
    assert "This NHS number&#x27;s check digit is wrong — please re-check it" in (
        response.content.decode()
    )
    assert _nothing_saved()


def test_nhs_number_that_is_not_ten_digits_is_refused(reception_client: Client) -> None:
    response = reception_client.post(URL, intake_post(nhs_number="12345"))
    assert response.context["form"].errors["nhs_number"]
    assert _nothing_saved()


def test_injury_without_how_it_happened_is_sent_back(reception_client: Client) -> None:
    response = reception_client.post(
        URL, intake_post(recent_significant_trauma="yes", trauma_mechanism="")
    )

    assert response.status_code == 200
    assert "Choose how the injury happened" in response.content.decode()
    assert _checked(response.content.decode(), "recent_significant_trauma", "yes")
    assert _nothing_saved()


def test_injury_with_how_it_happened_is_stored(reception_client: Client) -> None:
    reception_client.post(
        URL,
        intake_post(
            recent_significant_trauma="yes",
            trauma_mechanism="fall_from_height_over_1m_or_5_stairs",
        ),
    )
    intake = Intake.objects.get()
    assert intake.answers["trauma_mechanism"] == "fall_from_height_over_1m_or_5_stairs"
    assert intake.assessment.urgency == Urgency.EMERGENCY


def test_no_injury_stores_mechanism_none(reception_client: Client) -> None:
    reception_client.post(URL, intake_post(recent_significant_trauma="no", trauma_mechanism=""))
    assert Intake.objects.get().answers["trauma_mechanism"] == "none"


@pytest.mark.parametrize(
    "mechanism", ["fall_from_height_over_1m_or_5_stairs", "contact_sport_collision"]
)
def test_an_injury_chosen_beside_no_injury_is_refused_not_dropped(
    reception_client: Client, mechanism: str
) -> None:
    """Stored as "none" before: a dangerous fall triaged SELF_CARE where the rules say EMERGENCY."""
    response = reception_client.post(
        URL, intake_post(recent_significant_trauma="no", trauma_mechanism=mechanism)
    )
    assert response.status_code == 200
    assert "answer Yes to the injury question" in str(response.context["form"].errors)
    assert _nothing_saved()


def test_pain_score_outside_0_to_10_is_refused(reception_client: Client) -> None:
    response = reception_client.post(URL, intake_post(pain_score_now="11"))
    assert "pain_score_now" in response.context["form"].errors
    assert _nothing_saved()


def test_negative_duration_is_refused(reception_client: Client) -> None:
    response = reception_client.post(URL, intake_post(duration_days="-1"))
    assert "duration_days" in response.context["form"].errors
    assert _nothing_saved()


def test_email_consent_without_an_email_address_is_sent_back(reception_client: Client) -> None:
    response = reception_client.post(URL, intake_post(email_consent="yes", email=""))
    assert "Enter the patient&#x27;s email address" in response.content.decode()
    assert _nothing_saved()


def test_only_get_and_post_are_allowed(reception_client: Client) -> None:
    assert reception_client.put(URL).status_code == 405
