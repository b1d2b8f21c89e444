"""The referral letter carries the case's latest examination: its relevant findings in prose and
the reasons of the exam rules that set an urgency, in the draft and in the PDF; a case never
examined has none. The imaging decision aid's one-click referral: the form opens filled in (the
imaging destination of the modality the aid asks for, the urgency, the findings), the draft asks
for that imaging with the aid's rule, and the clinician still checks and sends it."""

from __future__ import annotations

import html
import re
import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from examination.models import Examination
from examination.services import record_examination
from referrals import services
from referrals.models import Destination, Referral
from tests.examination.helpers import findings, make_case
from tests.referrals.test_letters import pdf_text
from triage.models import Case
from triage.services import claim_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

MYELOPATHY = {
    "upper_motor_neurone.hoffmann.right": "positive",
    "upper_motor_neurone.tandem_gait": "abnormal",
    "range_of_movement.cervical.rotation_left": {"degrees": 30, "pain": False},
    "range_of_movement.cervical.rotation_right": {"degrees": 70, "pain": False},
    "impression.category": "suspected_myelopathy",
}
PROSE = (
    "Hoffmann's sign positive on the right; tandem gait unsteady; active rotation 30° left, "
    "70° right"
)
SHUNT = {
    "pain_region": "neck",
    "recent_significant_trauma": True,
    "trauma_mechanism": "simple_rear_end_collision",
    "duration_days": 2,
}


def examined(clinician: User, changes: dict, **answers) -> tuple[Case, Examination]:
    case = make_case(**answers)
    claim_case(case_id=case.pk, clinician=clinician)
    examination = record_examination(
        case_id=case.pk,
        clinician=clinician,
        findings=findings(changes),
        submission_token=uuid.uuid4(),
    )
    return case, examination


def imaging_destination(kind: str) -> Destination:
    return Destination.objects.filter(kind=kind, active=True).order_by("pk").first()


def test_a_letter_for_an_examined_case_carries_the_findings_in_prose(clinician: User) -> None:
    case, _examination = examined(clinician, MYELOPATHY)

    referral = services.draft_referral(
        case_id=case.pk, destination_id=imaging_destination("gp").pk, clinician=clinician
    )

    assert re.search(rf"On examination on \d+ \w+ \d{{4}}: {re.escape(PROSE)}\.", referral.letter)
    assert "Working impression: suspected myelopathy." in referral.letter
    # Why: the exam rule that raised the case, beside the intake's.
    assert "Upper motor neurone signs on examination" in referral.letter
    assert PROSE in pdf_text(referral)


def test_a_letter_for_a_case_never_examined_has_no_findings(clinician: User) -> None:
    case = make_case()
    referral = services.draft_referral(
        case_id=case.pk, destination_id=imaging_destination("gp").pk, clinician=clinician
    )
    assert "On examination" not in referral.letter
    assert "Working impression" not in referral.letter
    assert "On examination" not in pdf_text(referral)


def test_the_letter_reads_the_latest_examination_a_correction_included(clinician: User) -> None:
    case, first = examined(clinician, {"upper_motor_neurone.clonus.left": "positive"})
    record_examination(
        case_id=case.pk,
        clinician=clinician,
        findings=findings({"upper_motor_neurone.clonus.right": "positive"}),
        corrects_id=first.pk,
        correction_reason="Clonus was on the right",
    )
    letter = services.draft_referral(
        case_id=case.pk, destination_id=imaging_destination("gp").pk, clinician=clinician
    ).letter
    assert "Sustained clonus on the right" in letter
    assert "clonus on the left" not in letter


def test_an_imaging_draft_asks_for_the_modality_with_the_aids_rule(clinician: User) -> None:
    case, examination = examined(clinician, MYELOPATHY)

    referral = services.draft_referral(
        case_id=case.pk,
        destination_id=imaging_destination("mri").pk,
        clinician=clinician,
        imaging_examination_id=examination.pk,
    )

    assert referral.status == Referral.Status.DRAFT  # the clinician still sends it
    assert "I am asking for MRI: Suspected myelopathy or cord compression" in referral.letter
    assert "IMAGING_MRI_CORD" in referral.letter
    assert PROSE in referral.letter
    event = AuditEvent.objects.get(record=f"referral {referral.pk}")
    assert event.details["changes"]["imaging asked for"] == {
        "old": None,
        "new": f"examination {examination.pk}",
    }


def test_an_imaging_draft_is_refused_for_an_examination_that_asks_for_none(
    clinician: User,
) -> None:
    case, examination = examined(clinician, {})  # unremarkable: the aid says no imaging
    with pytest.raises(services.ReferralError, match="does not ask for imaging"):
        services.draft_referral(
            case_id=case.pk,
            destination_id=imaging_destination("mri").pk,
            clinician=clinician,
            imaging_examination_id=examination.pk,
        )
    assert not Referral.objects.exists()


# --- The pages -----------------------------------------------------------------------------


def test_the_case_page_offers_the_imaging_referral_and_the_form_opens_filled_in(
    clinician: User, clinician_client: Client
) -> None:
    case, examination = examined(clinician, MYELOPATHY)
    new = reverse("referrals:referral_new", args=[case.pk])

    page = clinician_client.get(case.get_absolute_url()).content.decode()
    assert f'href="{new}?imaging={examination.pk}"' in page
    assert "Refer for MRI" in page

    response = clinician_client.get(f"{new}?imaging={examination.pk}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["destination"].value() == imaging_destination("mri").pk
    assert form["imaging"].value() == examination.pk
    body = html.unescape(response.content.decode())
    assert "Imaging asked for: MRI" in body and "IMAGING_MRI_CORD" in body
    assert PROSE in body

    posted = clinician_client.post(
        new,
        {
            "destination": imaging_destination("mri").pk,
            "urgency": form["urgency"].value(),
            "imaging": examination.pk,
        },
    )
    referral = Referral.objects.get()
    assert posted.status_code == 302 and posted["Location"] == referral.get_absolute_url()
    assert "I am asking for MRI" in referral.letter and PROSE in referral.letter
    assert referral.status == Referral.Status.DRAFT


def test_a_neck_the_c_spine_rule_sends_for_imaging_is_referred_for_an_x_ray(
    clinician: User, clinician_client: Client
) -> None:
    case, examination = examined(
        clinician,
        {
            "palpation.midline_cervical_tenderness": "present",
            "canadian_c_spine.sitting_position": "present",
        },
        **SHUNT,
    )
    response = clinician_client.get(
        reverse("referrals:referral_new", args=[case.pk]) + f"?imaging={examination.pk}"
    )
    assert response.context["form"]["destination"].value() == imaging_destination("xray").pk
    assert "Imaging asked for: X-ray" in response.content.decode()


def test_no_imaging_button_where_the_aid_asks_for_none_and_a_hand_made_link_is_a_404(
    clinician: User, clinician_client: Client
) -> None:
    case, examination = examined(clinician, {})
    page = clinician_client.get(case.get_absolute_url()).content.decode()
    assert "?imaging=" not in page
    new = reverse("referrals:referral_new", args=[case.pk])
    assert clinician_client.get(f"{new}?imaging={examination.pk}").status_code == 404
    other, theirs = examined(clinician, MYELOPATHY)
    assert clinician_client.get(f"{new}?imaging={theirs.pk}").status_code == 404
    assert clinician_client.get(f"{new}?imaging=x1").status_code == 404
    assert other.pk != case.pk
