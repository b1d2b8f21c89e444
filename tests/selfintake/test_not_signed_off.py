"""A patient sends their self-intake while no signed-off rule set is chosen (production): nothing
is lost (the draft stays, the link still works), and the page tells them, in their words, to
phone the clinic and to call 999 for any emergency sign. Once a rule set is chosen, the same link
sends the same answers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from governance import active, services
from patients.models import Intake
from selfintake.models import Draft, Invitation
from tests.patients.helpers import make_user
from tests.programmes.test_patient_wording import assert_written_to_the_patient
from tests.selfintake.helpers import (
    answer_every_step,
    answers_path,
    confirm,
    done_path,
    invite,
    patient_with_email,
)
from tests.test_database_down import page_text
from triage.outcomes import SAFETY_NET_999

pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture(autouse=True)
def production(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRIAGE_UNSIGNED_RULESET_ALLOWED = False
    active.forget()  # read the clinic's choice for real: none is chosen


def test_sending_without_a_signed_off_rule_set_keeps_the_draft_and_tells_the_patient_to_phone(
    client: Client, receptionist: User
) -> None:
    invitation, link = invite(patient_with_email(), receptionist)
    assert confirm(client, link).status_code == 302
    answer_every_step(client, link, chest_pain="yes")
    kept = Draft.objects.get(invitation=invitation).answers

    response = client.post(answers_path(link))

    assert response.status_code == 503
    text = page_text(response)
    assert "Your answers are kept" in text
    assert "The clinic cannot take your answers right now" in text
    assert "Your link still works" in text
    assert "phone the clinic on 01632 960000" in text
    assert str(SAFETY_NET_999[0]) in text
    assert_written_to_the_patient("self-intake not taken", text)
    assert not Intake.objects.exists()
    assert Draft.objects.get(invitation=invitation).answers == kept
    invitation.refresh_from_db()
    assert invitation.intake_id is None and invitation.submitted_at is None
    # The link still opens the answers to send.
    assert client.get(answers_path(link)).status_code == 200

    # Once the clinical safety officer signs a rule set off and chooses it, the same send works.
    officer = make_user(role="clinical safety officer")
    trial = services.run_trial("2026.1", by=officer)
    services.sign_off(
        version="2026.1", trial=trial, reason="Read it", lowered_reviewed=True, by=officer
    )
    services.choose(version="2026.1", reason="Go live", by=officer)
    active.forget()

    sent = client.post(answers_path(link))

    assert sent["Location"] == done_path(link)
    intake = Invitation.objects.get().intake
    assert intake is not None and intake.assessment.ruleset == "2026.1"
    assert not Draft.objects.exists()
