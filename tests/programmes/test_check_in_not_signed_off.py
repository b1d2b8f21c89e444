"""A check-in that goes back to triage while no signed-off rule set is chosen (production):
nothing is saved, every answer stays in the form, and the patient is told, in their words, to
phone the clinic and to call 999 for any emergency sign."""

from __future__ import annotations

import pytest
from django.test import Client

from governance import active
from programmes.models import CheckIn, Programme
from tests.programmes.test_patient_pages import check_in_path, check_in_post
from tests.programmes.test_patient_wording import assert_written_to_the_patient
from tests.test_database_down import checked_value, page_text
from triage.models import Case
from triage.outcomes import SAFETY_NET_999

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

FLAG = "progressive_limb_weakness"


def test_a_red_flag_check_in_without_a_signed_off_rule_set_keeps_every_answer(
    client: Client, programme: Programme, settings
) -> None:  # type: ignore[no-untyped-def]
    # Given a programme prescribed, then production with no signed-off rule set chosen,
    settings.TRIAGE_UNSIGNED_RULESET_ALLOWED = False
    active.forget()
    path = check_in_path(programme, 0)
    cases = Case.objects.count()

    response = client.post(
        path, check_in_post(programme.check_ins.get(week=0), pain="7", **{FLAG: "yes"})
    )

    assert response.status_code == 503
    text = page_text(response)
    assert "The clinic cannot take your answers right now" in text
    assert "Your answers are kept below" in text
    assert "phone the clinic on 01632 960000" in text
    assert str(SAFETY_NET_999[0]) in text
    assert_written_to_the_patient("check-in not taken", text)
    assert checked_value(response, "pain") == "7"
    assert checked_value(response, FLAG) == "yes"
    check_in = programme.check_ins.get(week=0)
    assert check_in.completed_at is None and check_in.outcome == ""
    assert Case.objects.count() == cases
    assert not CheckIn.objects.filter(intake__isnull=False).exists()


def test_a_check_in_the_service_refuses_after_the_form_took_it_keeps_every_answer_in_words(
    client: Client, programme: Programme, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    """A form that lets through what the service refuses is a bug: the patient is not shown the
    service's English ("... was not answered"), but a sentence of their own, with every answer
    kept and nothing saved; the log names the check-in, not the answer."""
    from programmes import check_ins

    def refuses(**kwargs: object) -> None:
        raise ValueError(f"{FLAG} must be true or false, not 'sometimes'")

    monkeypatch.setattr(check_ins, "complete_check_in", refuses)
    path = check_in_path(programme, 0)

    response = client.post(
        path, check_in_post(programme.check_ins.get(week=0), pain="7", **{FLAG: "yes"})
    )

    assert response.status_code == 400  # as any refused form
    text = page_text(response)
    assert "Your answers could not be saved as they are" in text
    assert "must be true or false" not in text and FLAG not in text
    assert checked_value(response, "pain") == "7"
    assert checked_value(response, FLAG) == "yes"
    assert programme.check_ins.get(week=0).completed_at is None
    assert "sometimes" not in caplog.text and "refused by the service" in caplog.text
