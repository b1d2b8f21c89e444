"""The examination page through the test client, as the clinician who holds the case and as the
roles that must be refused: the form opens from a claimed case, a refused submit shows the one
error summary with each error beside its field and every answer kept, a good one records the
examination once (a double submit too), and the case page shows it with the exam assessment
beside the intake's, the positive findings highlighted and the imaging decision with its rule."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from examination.forms import ExaminationForm
from examination.models import Examination
from tests.examination.helpers import findings, make_case
from tests.rules.exam_findings import ortho
from tests.support.two_factor import sign_in
from triage.models import Case, Urgency
from triage.services import claim_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

HOFFMANN_AND_GAIT_ATAXIA = {
    "upper_motor_neurone.hoffmann.right": "positive",
    "upper_motor_neurone.tandem_gait": "abnormal",
}


def every_test_not_done() -> list[dict[str, Any]]:
    from examination.models import OrthopaedicTest

    return [
        {"test": t.code, "side": side, "result": "not_done"}
        for t in OrthopaedicTest.objects.active()
        for side in (("left", "right") if t.needs_side else (None,))
    ]


def post_body(changes: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """What the browser posts for these findings (every library test answered)."""
    mapping = findings({"orthopaedic_tests": every_test_not_done(), **(changes or {})})
    body = {
        key: value
        for key, value in ExaminationForm.initial_from(mapping).items()
        if value is not None
    }
    return body | {"submission_token": str(uuid.uuid4())} | extra


def url(case: Case) -> str:
    return reverse("examination:examination_new", args=[case.pk])


@pytest.fixture
def case(clinician: User) -> Case:
    found = make_case(numbness_or_tingling_arms=True)
    claim_case(case_id=found.pk, clinician=clinician)
    return found


def test_the_form_opens_from_a_claimed_case_with_nothing_marked_and_is_audited(
    clinician_client: Client, clinician: User, case: Case
) -> None:
    response = clinician_client.get(url(case))
    assert response.status_code == 200
    page = response.content.decode()
    for section in (
        "Active range of movement",
        "Neurological screen",
        "Upper motor neurone signs",
        "Canadian C-Spine Rule",
        "Orthopaedic tests",
        "Impression and plan",
    ):
        assert section in page
    assert "Spurling&#x27;s test" in page and "How it is done" in page
    assert "is-invalid" not in page and 'id="error-summary"' not in page
    assert "checked" not in page  # no finding answered for the clinician
    event = AuditEvent.objects.get(actor=clinician, action=AuditEvent.Action.VIEW)
    assert event.patient_id == case.patient_id
    assert event.page == "examination:examination_new"


def test_the_case_page_offers_the_form_to_the_holder(clinician_client: Client, case: Case) -> None:
    page = clinician_client.get(reverse("triage:case_detail", args=[case.pk])).content.decode()
    assert url(case) in page and "Record examination" in page


def test_a_case_nobody_holds_sends_the_clinician_back_to_claim_it(
    clinician_client: Client,
) -> None:
    unclaimed = make_case()
    response = clinician_client.get(url(unclaimed))
    assert response.status_code == 302
    assert response["Location"] == reverse("triage:case_detail", args=[unclaimed.pk])
    page = clinician_client.get(response["Location"]).content.decode()
    assert "Claim this case before recording an examination." in page
    assert url(unclaimed) not in page


@pytest.mark.parametrize("role", ["reception", "clinic lead"])
def test_other_roles_are_refused(role: str, case: Case) -> None:
    from tests.patients.helpers import make_user

    client = sign_in(Client(), make_user(role=role))
    assert client.get(url(case)).status_code == 403
    assert client.post(url(case), post_body()).status_code == 403


def test_signed_out_is_sent_to_sign_in(client: Client, case: Case) -> None:
    response = client.get(url(case))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_good_submit_records_the_examination_and_the_case_page_shows_it(
    clinician_client: Client, clinician: User, case: Case
) -> None:
    body = post_body(
        {
            **HOFFMANN_AND_GAIT_ATAXIA,
            "orthopaedic_tests": [
                ortho("spurling", side="left"),
                *every_test_not_done()[2:],
                {"test": "spurling", "side": "right", "result": "negative"},
            ],
        }
    )
    response = clinician_client.post(url(case), body)

    assert response.status_code == 302, response.content.decode()[:3000]
    (examination,) = Examination.objects.all()
    assert response["Location"].endswith(f"#examination-{examination.pk}")
    assert examination.findings["upper_motor_neurone"]["hoffmann"]["right"] == "positive"
    case.refresh_from_db()
    assert case.urgency == Urgency.URGENT
    page = clinician_client.get(reverse("triage:case_detail", args=[case.pk])).content.decode()
    panel = page[page.index('id="examinations"') :]
    assert "Examination triage" in panel and "Intake triage" in panel
    assert "EXAM_MYELOPATHY_SIGNS" in panel and "UNILATERAL_ARM_NEURO_SYMPTOMS" in panel
    assert 'Imaging: <strong class="exam-imaging-decision">MRI</strong>' in panel
    assert "IMAGING_MRI_CORD" in panel
    positives = re.findall(r'<li class="finding-positive">(.*?)</li>', panel)
    assert any("Hoffmann" in p and "right" in p for p in positives)
    assert any("Tandem gait" in p for p in positives)
    assert any("Spurling" in p and "left" in p for p in positives)
    assert not any("Spurling" in p and "right" in p for p in positives)
    assert f'id="timeline-examination-{examination.pk}"' in page


def test_a_double_submit_makes_one_examination(clinician_client: Client, case: Case) -> None:
    body = post_body()
    first = clinician_client.post(url(case), body)
    second = clinician_client.post(url(case), body)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Examination.objects.count() == 1


def test_a_refused_submit_has_the_one_summary_errors_beside_fields_and_keeps_every_answer(
    clinician_client: Client, case: Case
) -> None:
    body = post_body(HOFFMANN_AND_GAIT_ATAXIA)
    del body["neurological__myotomes__C6__left"]
    del body["upper_motor_neurone__babinski__right"]
    body["range_of_movement__cervical__rotation_left__degrees"] = "130"
    body["plan"] = "   "

    response = clinician_client.post(url(case), body)

    assert response.status_code == 400
    page = response.content.decode()
    assert page.count('id="error-summary"') == 1 and "There is a problem" in page
    summary = page[
        page.index('id="error-summary"') : page.index("</ul>", page.index('id="error-summary"'))
    ]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    anchors = {anchor for anchor, _text in links}
    assert anchors == {
        "id_neurological__myotomes__C6__left",
        "id_upper_motor_neurone__babinski__right_0",
        "id_range_of_movement__cervical__rotation_left__degrees",
        "id_plan",
    }
    for anchor in anchors:
        assert f'id="{anchor}"' in page, anchor
    assert "C6 (wrist extensors), left: choose a grade" in summary
    assert "Babinski (plantar response), right: choose positive, negative or not tested" in summary
    # Each message beside its field too, tied to it for screen readers.
    assert 'id="id_neurological__myotomes__C6__left-error"' in page
    assert 'aria-describedby="id_neurological__myotomes__C6__left-error"' in page
    # Nothing entered is lost.
    assert re.search(
        r'value="positive" id="id_upper_motor_neurone__hoffmann__right_0" checked', page
    )
    assert 'value="130"' in page
    assert re.search(
        r'<option value="5" selected>5 normal power</option>',
        page[page.index('id="id_neurological__myotomes__C5__left"') :],
    )
    assert not Examination.objects.exists()


def test_a_weakness_not_placed_in_time_is_refused_beside_the_motor_deficit(
    clinician_client: Client, case: Case
) -> None:
    body = post_body({"neurological.myotomes.C7.right": 3})
    response = clinician_client.post(url(case), body)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_neurological__motor_deficit_0"' in page
    assert "say whether the weakness is long-standing, new or progressing" in page


def test_degrees_chosen_need_the_degrees_and_a_movement_needs_its_pain(
    clinician_client: Client, case: Case
) -> None:
    body = post_body()
    body["range_of_movement__thoracic__flexion__degrees"] = ""
    del body["range_of_movement__cervical__extension__pain"]
    page = clinician_client.post(url(case), body).content.decode()
    assert "Thoracic flexion: enter the degrees measured" in page
    assert "Cervical extension: did it hurt? Answer yes or no" in page


def test_a_submit_after_another_clinician_took_the_case_keeps_every_answer(
    clinician_client: Client, case: Case, clinician: User
) -> None:
    from tests.patients.helpers import make_user
    from triage.services import release_case

    release_case(case_id=case.pk, clinician=clinician)
    claim_case(case_id=case.pk, clinician=make_user(role="clinician", first_name="Dana"))
    body = post_body({"plan": "Refer for MRI"})
    response = clinician_client.post(url(case), body)
    assert response.status_code == 409
    page = response.content.decode()
    assert "There is a problem" in page and "has already claimed this case" in page
    assert "Refer for MRI" in page
    assert not Examination.objects.exists()


def test_a_correction_starts_from_what_was_recorded_and_names_it(
    clinician_client: Client, case: Case
) -> None:
    clinician_client.post(url(case), post_body({"upper_motor_neurone.hoffmann.left": "positive"}))
    wrong = Examination.objects.get()
    page = clinician_client.get(reverse("triage:case_detail", args=[case.pk])).content.decode()
    assert f"{url(case)}?corrects={wrong.pk}" in page

    form = clinician_client.get(f"{url(case)}?corrects={wrong.pk}").content.decode()
    assert "What does this correct?" in form
    assert re.search(
        r'value="positive" id="id_upper_motor_neurone__hoffmann__left_0" checked', form
    )

    refused = clinician_client.post(url(case), post_body(corrects=str(wrong.pk)))
    assert refused.status_code == 400
    assert "Say what this correction corrects" in refused.content.decode()
    done = clinician_client.post(
        url(case), post_body(corrects=str(wrong.pk), correction_reason="Hoffmann's was right")
    )
    assert done.status_code == 302
    right = Examination.objects.exclude(pk=wrong.pk).get()
    assert right.corrects == wrong and right.correction_reason == "Hoffmann's was right"
    page = clinician_client.get(reverse("triage:case_detail", args=[case.pk])).content.decode()
    assert "Corrected by the examination of" in page
    assert f"?corrects={wrong.pk}" not in page


def test_a_correction_of_an_examination_of_another_case_is_a_404(
    clinician_client: Client, case: Case, clinician: User
) -> None:
    other = make_case()
    claim_case(case_id=other.pk, clinician=clinician)
    clinician_client.post(url(other), post_body())
    elsewhere = Examination.objects.get()
    assert clinician_client.get(f"{url(case)}?corrects={elsewhere.pk}").status_code == 404
    assert clinician_client.get(f"{url(case)}?corrects=%C2%B2").status_code == 404
