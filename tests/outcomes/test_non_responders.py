"""Non-responders: a patient who keeps to the programme (75% of sessions) without the clinically
important change by week 4 is flagged once to the prescriber, by the daily beat task; the flag
shows on the case page and in the clinician's list of programmes to review, and is reviewed once.
Programmes are prescribed through the service at a fixed instant; the check-ins' answers are
written as the check-in service leaves them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from outbox.models import Message
from outcomes import non_responders, tasks
from outcomes.models import NonResponderFlag
from programmes.models import Programme
from tests.programmes.helpers import prescribe, self_care_intake
from tests.support.clock import Clock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

Weeks = dict[int, tuple[int, int | None, int | None]]  # week -> (pain, done, planned)


def _answer(programme: Programme, weeks: Weeks, *, ndi: dict[int, str] | None = None) -> None:
    for check_in in programme.check_ins.all():
        if check_in.week not in weeks:
            continue
        pain, done, planned = weeks[check_in.week]
        check_in.completed_at = check_in.due_at
        check_in.pain, check_in.sessions_done, check_in.sessions_planned = pain, done, planned
        if ndi and check_in.week in ndi:
            check_in.ndi_points = Decimal(ndi[check_in.week])
        check_in.save()


@pytest.fixture
def prescriber(db: None) -> User:
    from tests.programmes.helpers import clinician

    return clinician(username="pat", email="pat@example.org")


def _programme(prescriber: User, clock: Clock, **answers: object) -> Programme:
    return prescribe(
        by=prescriber,
        intake=self_care_intake(**answers),  # type: ignore[arg-type]
        start=clock.now.date() + timedelta(days=1),
    )


# The intake's pain is 5; the starting questionnaire says 5 too.
KEEPS_TO_IT_NO_BETTER: Weeks = {0: (5, None, None), 1: (5, 3, 3), 2: (4, 2, 3), 4: (4, 4, 6)}


def test_a_patient_keeping_to_it_without_improving_is_flagged_once(
    prescriber: User, clock: Clock
) -> None:
    programme = _programme(prescriber, clock)
    _answer(programme, KEEPS_TO_IT_NO_BETTER)  # 9 of 12 sessions (75%); pain 5 -> 4
    clock.advance(timedelta(weeks=5))

    made = non_responders.flag_non_responders()
    again = non_responders.flag_non_responders()
    tasks.flag_non_responders.apply()  # the beat entry's task, run again: still one

    assert [f.programme_id for f in made] == [programme.pk]
    assert again == []
    flag = NonResponderFlag.objects.get()
    assert (flag.clinician, flag.case_id, flag.week) == (prescriber, programme.case_id, 4)
    assert (flag.sessions_done, flag.sessions_planned, flag.baseline_pain, flag.pain) == (
        9,
        12,
        5,
        4,
    )
    email = Message.objects.get(kind=Message.Kind.PROGRAMME_REVIEW, to_email="pat@example.org")
    assert "programme" in email.subject.lower() and "pain" not in email.subject.lower()
    assert (
        AuditEvent.objects.filter(
            record__startswith=f"programme {programme.pk}, non-responder flag"
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    ("weeks", "ndi", "why"),
    [
        ({0: (5, None, None), 1: (5, 2, 3), 2: (5, 2, 3), 4: (5, 4, 6)}, None, "8 of 12: 67%"),
        ({0: (5, None, None), 1: (4, 3, 3), 2: (4, 3, 3), 4: (3, 6, 6)}, None, "pain 5 -> 3"),
        (KEEPS_TO_IT_NO_BETTER, {0: "20.0", 4: "15.0"}, "NDI 20 -> 15"),
        ({0: (5, None, None), 1: (5, 3, 3), 2: (5, 3, 3)}, None, "week 4 unanswered"),
    ],
)
def test_no_flag_when_the_patient_is_not_keeping_to_it_or_is_better(
    prescriber: User, clock: Clock, weeks: Weeks, ndi: dict[int, str] | None, why: str
) -> None:
    programme = _programme(prescriber, clock)
    _answer(programme, weeks, ndi=ndi)
    clock.advance(timedelta(weeks=5))

    assert non_responders.flag_non_responders() == [], why


def test_the_start_is_the_lower_of_the_intake_and_the_starting_questionnaire(
    prescriber: User, clock: Clock
) -> None:
    # Intake pain 7, starting questionnaire 4: pain 3 at week 4 is only 1 better than 4.
    programme = _programme(prescriber, clock, pain_score_now=7)
    _answer(programme, {0: (4, None, None), 1: (4, 3, 3), 2: (3, 3, 3), 4: (3, 6, 6)})
    clock.advance(timedelta(weeks=5))

    [flag] = non_responders.flag_non_responders()
    assert (flag.baseline_pain, flag.pain) == (4, 3)


def test_a_check_in_long_past_is_not_flagged_when_the_check_first_runs(
    prescriber: User, clock: Clock
) -> None:
    programme = _programme(prescriber, clock)
    _answer(programme, KEEPS_TO_IT_NO_BETTER)
    clock.advance(timedelta(weeks=4) + non_responders.LOOKBACK + timedelta(days=2))

    assert non_responders.flag_non_responders() == []


def test_the_rule_is_the_clinics_to_set(prescriber: User, clock: Clock, settings: object) -> None:
    programme = _programme(prescriber, clock)
    _answer(programme, KEEPS_TO_IT_NO_BETTER)
    clock.advance(timedelta(weeks=5))

    settings.NON_RESPONDER_MIN_ADHERENCE_PERCENT = 80  # type: ignore[attr-defined]
    assert non_responders.flag_non_responders() == []
    settings.NON_RESPONDER_MIN_ADHERENCE_PERCENT = 75  # type: ignore[attr-defined]
    assert [f.programme_id for f in non_responders.flag_non_responders()] == [programme.pk]


def test_the_beat_entry_runs_daily() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["outcomes-flag-non-responders"]
    assert entry["task"] == "outcomes.flag_non_responders"
    assert entry["schedule"] == 86400.0


def test_the_flag_shows_on_the_case_page_and_the_review_list_and_is_reviewed_once(
    prescriber: User, clock: Clock
) -> None:
    from tests.support.two_factor import sign_in

    programme = _programme(prescriber, clock)
    _answer(programme, KEEPS_TO_IT_NO_BETTER)
    clock.advance(timedelta(weeks=5))
    [flag] = non_responders.flag_non_responders()
    client = sign_in(Client(), prescriber)

    case_page = client.get(reverse("triage:case_detail", args=[programme.case_id]))
    assert f'id="non-responder-{flag.pk}"' in case_page.content.decode()
    assert "Not improving: review the programme" in case_page.content.decode()
    listed = client.get(reverse("outcomes:review"))
    html = listed.content.decode()
    assert 'id="review-mine"' in html and programme.patient.full_name in html
    assert AuditEvent.objects.filter(
        actor=prescriber, record="programmes to review", patient=programme.patient
    ).exists()

    url = reverse("outcomes:reviewed", args=[flag.pk])
    assert client.post(url, {"note": "Refer for imaging"}).status_code == 302
    assert client.post(url, {"note": "Second press"}).status_code == 302
    flag.refresh_from_db()
    assert (flag.reviewed_by, flag.review_note) == (prescriber, "Refer for imaging")
    assert "Nothing to review." in client.get(reverse("outcomes:review")).content.decode()
    assert client.post(reverse("outcomes:reviewed", args=[flag.pk + 1000])).status_code == 404


def test_reception_and_the_lead_cannot_open_the_review_list(
    reception_client: Client, lead_client: Client
) -> None:
    assert reception_client.get(reverse("outcomes:review")).status_code == 403
    assert lead_client.get(reverse("outcomes:review")).status_code == 403
