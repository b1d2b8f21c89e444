"""The programme forms refused: prescribing (both steps, the dose rows included), and the
patient's session log, choices and check-in. Each shows the one error summary with a link to
every refused input; none marks a field invalid before it is sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programmes import links
from programmes.models import Programme, ProgrammeTemplate
from tests.programmes.helpers import DESK, self_care_intake
from tests.programmes.test_clinician_pages import _post_data, _prescribe_url, _step_two
from tests.programmes.test_patient_pages import check_in_path, check_in_post, session_post
from tests.support.error_summary import has_summary, invalid_fields, summary_links

pytestmark = pytest.mark.django_db


def _fresh(content: bytes) -> bool:
    return invalid_fields(content) == [] and not has_summary(content)


def test_step_one_without_a_programme_links_to_the_first_option(clinician_client: Client) -> None:
    case = self_care_intake().assessment.case
    assert _fresh(clinician_client.get(_prescribe_url(case)).content)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()

    response = clinician_client.get(_prescribe_url(case), {"template": "", "start": yesterday})

    assert response.status_code == 400
    assert summary_links(response.content) == [
        ("id_template_0", "Choose a programme."),
        ("id_start", "The start date is in the past."),
    ]


def test_step_two_links_to_the_dose_that_was_refused(clinician_client: Client) -> None:
    case = self_care_intake().assessment.case
    step_two = _step_two(clinician_client, case, DESK)
    assert _fresh(step_two.content)
    first = step_two.context["formset"].forms[0]
    data = _post_data(step_two, note="Go gently.")
    data[first.add_prefix("sets")] = "0"

    response = clinician_client.post(_prescribe_url(case), data)

    assert response.status_code == 400
    [(target, text)] = summary_links(response.content)
    assert target == first["sets"].id_for_label
    assert text.startswith("Sets: ")
    assert "Go gently." in response.content.decode()
    assert not Programme.objects.exists()


def test_a_start_refused_on_step_two_links_to_its_input(clinician_client: Client) -> None:
    case = self_care_intake().assessment.case
    data = _post_data(_step_two(clinician_client, case, DESK))
    data["start"] = (timezone.localdate() - timedelta(days=1)).isoformat()

    response = clinician_client.post(_prescribe_url(case), data)

    assert summary_links(response.content) == [("id_start", "The start date is in the past.")]
    assert ProgrammeTemplate.objects.filter(pk=int(data["template"])).exists()


def test_a_refused_session_log_links_to_each_answer(client: Client, programme: Programme) -> None:
    page = reverse("programmes:patient_page", args=[links.page_token(programme)])
    assert _fresh(client.get(page).content)
    tomorrow = programme.local_today() + timedelta(days=1)

    response = client.post(
        reverse("programmes:log_session", args=[links.page_token(programme)]),
        session_post(programme, performed_on=tomorrow.isoformat(), felt=None, note="Kept"),
    )

    assert response.status_code == 400
    targets = [target for target, _ in summary_links(response.content)]
    assert targets == ["id_performed_on", "id_felt_0"]
    assert "Kept" in response.content.decode()


def test_refused_choices_link_to_the_days(client: Client, programme: Programme) -> None:
    response = client.post(
        reverse("programmes:schedule", args=[links.page_token(programme)]),
        {"reminder_time": "07:30", "time_zone": "Europe/London"},
    )

    assert response.status_code == 400
    assert summary_links(response.content) == [
        ("id_training_days_0", "Choose at least one training day.")
    ]


def test_a_refused_check_in_links_to_the_unanswered_question(
    client: Client, programme: Programme
) -> None:
    check_in = programme.check_ins.get(week=0)
    assert _fresh(client.get(check_in_path(programme, 0)).content)

    response = client.post(
        check_in_path(programme, 0), check_in_post(check_in, hand_clumsiness=None, pain=5)
    )

    assert response.status_code == 400
    [(target, text)] = summary_links(response.content)
    assert target == "id_hand_clumsiness_0"
    assert text.startswith("Please answer yes or no")


def test_stopping_a_programme_without_a_reason_links_to_the_reason(
    clinician_client: Client, programme: Programme
) -> None:
    response = clinician_client.post(
        reverse("programmes:programme_stop", args=[programme.pk]),
        {f"prg{programme.pk}-stop-reason": ""},
    )

    [(target, _)] = summary_links(response.content)
    assert target == f"id_prg{programme.pk}-stop-reason"
