"""The patient's programme pages, through the test client as a patient opens them from an email:
no login, only the signed link."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from outbox.models import Message
from patients.models import Intake
from programmes import links, ndi, reminders, screen
from programmes.models import CheckIn, Programme, ProgrammeEvent, SessionExercise, SessionLog
from programmes.patient_views import FORM_BROKE_ADVICE
from tests.programmes.conftest import PATIENT_EMAIL
from tests.support.clock import Clock
from triage.models import Case, Urgency
from triage.outcomes import patient_instruction

pytestmark = pytest.mark.django_db


def current_exercises(programme: Programme) -> list[Any]:
    phase = programme.phases.get(position=programme.current_phase)
    return list(phase.exercises.select_related("exercise"))


def session_post(programme: Programme, **overrides: Any) -> dict[str, str]:
    data: dict[str, str] = {
        "performed_on": programme.local_today().isoformat(),
        "felt": SessionLog.Felt.RIGHT,
        "note": "",
    }
    for item in current_exercises(programme):
        data[f"done_{item.pk}"] = "on"
        if item.load_kg is not None:
            data[f"load_{item.pk}"] = str(item.load_kg)
    for name, value in overrides.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = str(value)
    return data


def check_in_post(check_in: CheckIn, **overrides: Any) -> dict[str, str]:
    """A complete check-in: pain 4 (as at the intake), every screen question "no"."""
    data: dict[str, str] = {"pain": "4"}
    if check_in.week:
        data["sessions_done"] = "3"
    if check_in.asks_ndi:
        for section in ndi.SECTIONS:
            data[f"ndi_{section.key}"] = "none" if section.optional else "1"
    data |= {question.field: "no" for question in screen.SCREEN_QUESTIONS}
    for name, value in overrides.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = str(value)
    return data


def check_in_path(programme: Programme, week: int) -> str:
    return reverse("programmes:check_in", args=[links.page_token(programme), week])


def expired_path(programme: Programme) -> str:
    # TimestampSigner stamps the token with time.time() as django.core.signing sees it.
    past = timezone.now() - settings.PROGRAMME_LINK_MAX_AGE - timedelta(days=1)
    with mock.patch("django.core.signing.time.time", return_value=past.timestamp()):
        return links.page_url(programme, absolute=False)


# --- The page -------------------------------------------------------------------------------


def test_page_opens_with_a_valid_link(client: Client, programme: Programme, page_path: str) -> None:
    response = client.get(page_path)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Hello Ada" in content
    assert programme.patient.family_name not in content
    assert programme.name in content
    for item in current_exercises(programme):
        assert item.exercise.name.replace("'", "&#x27;") in content
        assert item.dose in content
    assert "Call 999 or go to A&amp;E at once" in content  # the safety net, always
    assert "Starting questionnaire is ready" in content
    programme.refresh_from_db()
    assert programme.last_seen_at is not None


def test_page_is_neither_cached_nor_indexed(client: Client, page_path: str) -> None:
    response = client.get(page_path)

    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_page_has_no_staff_nav(client: Client, page_path: str) -> None:
    content = client.get(page_path).content.decode()

    assert "clinic-nav" not in content
    assert "Sign out" not in content
    assert reverse("triage:queue") not in content


def test_an_altered_link_is_a_404_page(client: Client, programme: Programme) -> None:
    token = links.page_token(programme)
    altered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    response = client.get(reverse("programmes:patient_page", args=[altered]))

    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]
    assert "Email me a new link" not in response.content.decode()


def test_an_expired_link_offers_a_new_one_by_email(client: Client, programme: Programme) -> None:
    path = expired_path(programme)

    response = client.get(path)

    assert response.status_code == 410
    content = response.content.decode()
    assert "Email me a new link" in content
    assert PATIENT_EMAIL not in content

    token = path.rstrip("/").rsplit("/", 1)[1]
    answer = client.post(reverse("programmes:new_link"), {"token": token})

    assert answer.status_code == 200
    assert "If the link was ours, a new one is on its way" in answer.content.decode()
    sent = Message.objects.filter(kind=Message.Kind.PROGRAMME_LINK)
    assert [m.to_email for m in sent] == [PATIENT_EMAIL]


def test_a_new_link_request_with_a_bad_token_says_the_same_and_sends_nothing(
    client: Client, programme: Programme
) -> None:
    response = client.post(reverse("programmes:new_link"), {"token": "not-a-token"})

    assert response.status_code == 200
    assert "If the link was ours, a new one is on its way" in response.content.decode()
    assert not Message.objects.filter(kind=Message.Kind.PROGRAMME_LINK).exists()


def test_a_new_link_request_needs_the_csrf_token(programme: Programme) -> None:
    client = Client(enforce_csrf_checks=True)
    token = expired_path(programme).rstrip("/").rsplit("/", 1)[1]

    response = client.post(reverse("programmes:new_link"), {"token": token})

    assert response.status_code == 403
    assert not Message.objects.filter(kind=Message.Kind.PROGRAMME_LINK).exists()


def test_a_revoked_link_stops_working(
    client: Client, programme: Programme, page_path: str, clinician: Any
) -> None:
    reminders.revoke_link(programme_id=programme.pk, clinician=clinician, send_new=False)

    response = client.get(page_path)

    assert response.status_code == 410
    assert "replaced" in response.content.decode()


def test_expired_link_cannot_log_a_session(client: Client, programme: Programme) -> None:
    path = expired_path(programme)
    token = path.rstrip("/").rsplit("/", 1)[1]

    response = client.post(reverse("programmes:log_session", args=[token]), session_post(programme))

    assert response.status_code == 410
    assert not SessionLog.objects.exists()


def test_page_query_count_stays_flat(
    client: Client, programme: Programme, page_path: str, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(30) as first:
        assert client.get(page_path).status_code == 200
    # Read now: every request clears the connection's query log.
    first_count = len(first.captured_queries)
    assert first_count > 0
    for _ in range(4):
        client.post(
            reverse("programmes:log_session", args=[links.page_token(programme)]),
            session_post(programme),
        )
    client.post(check_in_path(programme, 0), check_in_post(programme.check_ins.get(week=0)))

    with django_assert_max_num_queries(first_count):
        assert client.get(page_path).status_code == 200


# --- Logging a session ----------------------------------------------------------------------


def test_logging_a_session_creates_its_rows(
    client: Client, programme: Programme, page_path: str
) -> None:
    exercises = current_exercises(programme)

    response = client.post(
        reverse("programmes:log_session", args=[links.page_token(programme)]),
        session_post(programme, note="Felt good"),
    )

    assert response.status_code == 302
    session = SessionLog.objects.get(programme=programme)
    assert session.felt == SessionLog.Felt.RIGHT
    assert session.note == "Felt good"
    assert SessionExercise.objects.filter(session=session, done=True).count() == len(exercises)
    page = client.get(response["Location"])
    assert "logged. Thank you" in page.content.decode()


def test_a_session_where_form_broke_advises_a_lighter_weight(
    client: Client, programme: Programme
) -> None:
    response = client.post(
        reverse("programmes:log_session", args=[links.page_token(programme)]),
        session_post(programme, felt=SessionLog.Felt.FORM_BROKE),
        follow=True,
    )

    assert "drop the weight next time (one step lighter)" in response.content.decode()
    assert "one step lighter" in FORM_BROKE_ADVICE


def test_bad_session_input_keeps_the_answers_and_shows_errors(
    client: Client, programme: Programme
) -> None:
    tomorrow = programme.local_today() + timedelta(days=1)

    response = client.post(
        reverse("programmes:log_session", args=[links.page_token(programme)]),
        session_post(programme, performed_on=tomorrow.isoformat(), felt=None, note="Kept note"),
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "cannot be in the future" in content
    assert "Say how the session felt." in content
    assert "Kept note" in content
    assert tomorrow.isoformat() in content
    assert not SessionLog.objects.exists()


def test_a_session_with_nothing_ticked_is_refused(client: Client, programme: Programme) -> None:
    data = {
        key: value for key, value in session_post(programme).items() if not key.startswith("done_")
    }

    response = client.post(
        reverse("programmes:log_session", args=[links.page_token(programme)]), data
    )

    assert response.status_code == 400
    assert "Tick at least one exercise" in response.content.decode()


# --- Check-ins ------------------------------------------------------------------------------


def test_a_check_in_with_no_flags_and_pain_unchanged_completes_without_triage(
    client: Client, programme: Programme
) -> None:
    check_in = programme.check_ins.get(week=0)
    intakes = Intake.objects.count()

    response = client.post(check_in_path(programme, 0), check_in_post(check_in))

    assert response.status_code == 302
    check_in.refresh_from_db()
    assert check_in.completed_at is not None
    assert check_in.pain == 4
    assert check_in.ndi_answers is not None and check_in.ndi_answers["driving"] is None
    assert check_in.intake is None
    assert Intake.objects.count() == intakes
    programme.refresh_from_db()
    assert programme.status == Programme.Status.ACTIVE
    result = client.get(response["Location"])
    content = result.content.decode()
    assert "What happens next" in content
    assert "Call 999 now" not in content


def test_a_later_check_in_says_what_happens_next(client: Client, programme: Programme) -> None:
    client.post(check_in_path(programme, 0), check_in_post(programme.check_ins.get(week=0)))
    CheckIn.objects.filter(programme=programme, week=1).update(due_at=timezone.now())
    check_in = programme.check_ins.get(week=1)

    response = client.post(check_in_path(programme, 1), check_in_post(check_in, pain=3))

    assert response.status_code == 302
    check_in.refresh_from_db()
    assert check_in.outcome and check_in.outcome != CheckIn.Outcome.TRIAGE
    assert check_in.sessions_done == 3
    assert "What happens next" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("flags", "urgency"),
    [
        ({"bilateral_arm_symptoms": "yes"}, Urgency.URGENT),
        ({"bilateral_arm_symptoms": "yes", "progressive_limb_weakness": "yes"}, Urgency.EMERGENCY),
    ],
)
def test_a_check_in_with_a_new_red_flag_reopens_the_case(
    client: Client,
    programme: Programme,
    flags: dict[str, str],
    urgency: Urgency,
) -> None:
    check_in = programme.check_ins.get(week=0)

    response = client.post(check_in_path(programme, 0), check_in_post(check_in, **flags))

    assert response.status_code == 302
    check_in.refresh_from_db()
    assert check_in.outcome == CheckIn.Outcome.TRIAGE
    assert check_in.intake is not None
    assert check_in.intake.source == Intake.Source.CHECK_IN
    case = Case.objects.get(pk=programme.case_id)
    assert case.status == Case.Status.OPEN
    assert case.urgency == urgency
    programme.refresh_from_db()
    assert programme.status == Programme.Status.ON_HOLD
    # What the patient is told comes from the urgency (tests/programmes/test_patient_instruction.py).
    heading = str(patient_instruction(urgency.key, sla=urgency.sla).heading)
    result = client.get(response["Location"]).content.decode()
    assert heading in result
    page = client.get(reverse("programmes:patient_page", args=[links.page_token(programme)]))
    assert heading in page.content.decode()
    assert "Stop your exercises until a clinician has been in touch" in page.content.decode()
    assert "Log a session" not in page.content.decode()


def test_pain_worse_by_two_re_enters_triage(client: Client, programme: Programme) -> None:
    check_in = programme.check_ins.get(week=0)

    response = client.post(check_in_path(programme, 0), check_in_post(check_in, pain=6))

    check_in.refresh_from_db()
    assert check_in.outcome == CheckIn.Outcome.TRIAGE
    assert check_in.intake is not None
    assert check_in.intake.answers["pain_score_now"] == 6
    result = client.get(response["Location"]).content.decode()
    assert "Stop your exercises" in result


def test_a_missing_screen_answer_is_refused_and_the_answers_are_kept(
    client: Client, programme: Programme
) -> None:
    check_in = programme.check_ins.get(week=0)
    question = screen.SCREEN_QUESTIONS_BY_FIELD["hand_clumsiness"]

    response = client.post(
        check_in_path(programme, 0),
        check_in_post(check_in, hand_clumsiness=None, pain=5, numbness_or_tingling_arms="yes"),
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "Please answer yes or no: " in content
    assert question.question.split(",")[0] in content
    assert (
        'value="5" checked' in content
        or 'checked value="5"' in content
        or ('name="pain" value="5"' in content and "checked" in content)
    )
    assert 'name="numbness_or_tingling_arms" value="yes"' in content
    check_in.refresh_from_db()
    assert check_in.completed_at is None


def test_an_accident_needs_to_say_how_it_happened(client: Client, programme: Programme) -> None:
    check_in = programme.check_ins.get(week=0)

    response = client.post(
        check_in_path(programme, 0), check_in_post(check_in, recent_significant_trauma="yes")
    )

    assert response.status_code == 400
    assert "Please say how the fall or accident happened." in response.content.decode()


def test_a_check_in_not_yet_open_is_a_friendly_page(client: Client, programme: Programme) -> None:
    last = max(settings.PROGRAMME_CHECK_IN_WEEKS)

    response = client.get(check_in_path(programme, last))

    assert response.status_code == 409
    assert "opens on" in response.content.decode()


def test_an_answered_check_in_shows_its_result_not_the_form(
    client: Client, programme: Programme
) -> None:
    check_in = programme.check_ins.get(week=0)
    client.post(check_in_path(programme, 0), check_in_post(check_in))

    again = client.post(check_in_path(programme, 0), check_in_post(check_in, pain=9))

    assert again.status_code == 200
    assert "What happens next" in again.content.decode()
    check_in.refresh_from_db()
    assert check_in.pain == 4


# --- Choices --------------------------------------------------------------------------------


def test_the_patient_chooses_days_time_and_time_zone(client: Client, programme: Programme) -> None:
    response = client.post(
        reverse("programmes:schedule", args=[links.page_token(programme)]),
        {"training_days": ["1", "3", "5"], "reminder_time": "07:30", "time_zone": "Europe/Paris"},
    )

    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.training_days == [1, 3, 5]
    assert programme.reminder_time.strftime("%H:%M") == "07:30"
    assert programme.time_zone == "Europe/Paris"


def test_a_schedule_without_days_or_with_an_unknown_zone_is_refused(
    client: Client, programme: Programme
) -> None:
    response = client.post(
        reverse("programmes:schedule", args=[links.page_token(programme)]),
        {"reminder_time": "07:30", "time_zone": "Mars/Olympus_Mons"},
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "Choose at least one training day." in content
    assert "valid choice" in content or "from the list" in content


def test_pause_and_resume_reminders(client: Client, programme: Programme) -> None:
    token = links.page_token(programme)

    client.post(reverse("programmes:pause", args=[token]))
    programme.refresh_from_db()
    assert programme.reminders_paused
    assert programme.next_reminder_at is None

    client.post(reverse("programmes:resume", args=[token]))
    programme.refresh_from_db()
    assert not programme.reminders_paused


# --- Unsubscribing --------------------------------------------------------------------------


def unsubscribe_path(programme: Programme) -> str:
    return reverse("programmes:unsubscribe", args=[links.unsubscribe_token(programme)])


def one_click(client: Client, path: str) -> Any:
    """What a mail client sends for RFC 8058 one-click unsubscribe: no cookie, no CSRF token."""
    return client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )


@override_settings(CLINIC_PHONE="01632 960123")
def test_following_the_unsubscribe_link_changes_nothing(
    client: Client, programme: Programme
) -> None:
    """A mail scanner opens every link in an email: a GET must not stop the check-ins."""
    assert programme.next_reminder_at is not None
    reminders.queue_due_programme_emails(now=programme.next_reminder_at)
    reminder = Message.objects.get(kind=Message.Kind.PROGRAMME_REMINDER)

    response = client.get(unsubscribe_path(programme))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Nothing has changed yet" in content
    assert "red flags" in content and "Check-ins" in content  # what unsubscribing stops
    assert '<a href="tel:01632960123">01632 960123</a>' in content  # they can call the clinic
    assert f'action="{unsubscribe_path(programme)}"' in content and 'method="post"' in content
    assert links.page_token(programme) not in content
    assert "no-store" in response["Cache-Control"]
    programme.refresh_from_db()
    assert programme.unsubscribed_at is None
    assert programme.next_reminder_at is not None
    reminder.refresh_from_db()
    assert reminder.status == Message.Status.PENDING
    assert not programme.events.filter(kind=ProgrammeEvent.Kind.UNSUBSCRIBED).exists()


def test_the_button_stops_emails_at_once_and_says_so(client: Client, programme: Programme) -> None:
    assert programme.next_reminder_at is not None
    reminders.queue_due_programme_emails(now=programme.next_reminder_at)
    reminder = Message.objects.get(kind=Message.Kind.PROGRAMME_REMINDER)

    response = client.post(unsubscribe_path(programme), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "You will get no more reminder or check-in emails" in content
    assert "Undo" in content
    programme.refresh_from_db()
    assert programme.unsubscribed_at is not None
    reminder.refresh_from_db()
    assert reminder.status == Message.Status.CANCELLED

    first = programme.unsubscribed_at
    assert one_click(client, unsubscribe_path(programme)).status_code == 200
    programme.refresh_from_db()
    assert programme.unsubscribed_at == first
    assert programme.events.filter(kind=ProgrammeEvent.Kind.UNSUBSCRIBED).count() == 1
    # Once unsubscribed, the link's page offers to turn them back on.
    assert "already unsubscribed" in client.get(unsubscribe_path(programme)).content.decode()


def test_the_patient_s_page_leads_to_what_unsubscribing_stops_first(
    client: Client, programme: Programme, page_path: str
) -> None:
    html = client.get(page_path).content.decode()

    assert f'href="{unsubscribe_path(programme)}"' in html  # the explanation, then the button
    assert f'action="{unsubscribe_path(programme)}"' not in html


def test_an_unsubscribe_is_recorded_and_audited_as_the_patient_s(
    programme: Programme, clock: Clock
) -> None:
    one_click(Client(enforce_csrf_checks=True), unsubscribe_path(programme))

    event = programme.events.get(kind=ProgrammeEvent.Kind.UNSUBSCRIBED)
    assert (event.by_id, event.by_patient, event.at) == (None, True, clock.now)
    audited = AuditEvent.objects.filter(
        patient_id=programme.patient_id,
        actor_kind=AuditEvent.ActorKind.PATIENT,
        record=f"programme {programme.pk}",
        at=clock.now,
    )
    assert audited.exists()
    assert audited.get().actor_id is None


def test_one_click_unsubscribe_post_needs_no_csrf_token(programme: Programme) -> None:
    response = one_click(Client(enforce_csrf_checks=True), unsubscribe_path(programme))

    assert response.status_code == 200
    programme.refresh_from_db()
    assert programme.unsubscribed_at is not None


def test_undo_needs_the_page_s_csrf_token(programme: Programme) -> None:
    client = Client(enforce_csrf_checks=True)
    one_click(client, unsubscribe_path(programme))

    undo = reverse("programmes:resubscribe", args=[links.unsubscribe_token(programme)])

    assert client.post(undo).status_code == 403
    programme.refresh_from_db()
    assert programme.unsubscribed_at is not None


def test_undo_turns_emails_back_on(client: Client, programme: Programme) -> None:
    one_click(client, unsubscribe_path(programme))

    response = client.post(
        reverse("programmes:resubscribe", args=[links.unsubscribe_token(programme)])
    )

    assert response.status_code == 200
    programme.refresh_from_db()
    assert programme.unsubscribed_at is None
    assert programme.next_reminder_at is not None


def test_revoking_the_links_ends_the_unsubscribe_link_too(
    client: Client, programme: Programme, clinician: User
) -> None:
    old = unsubscribe_path(programme)
    reminders.revoke_link(programme_id=programme.pk, clinician=clinician, send_new=False)
    programme.refresh_from_db()

    for response in (client.get(old), one_click(client, old)):
        assert response.status_code == 410
        assert "the clinic has replaced your links" in response.content.decode()
    assert client.post(old.rstrip("/") + "/undo/").status_code == 410
    programme.refresh_from_db()
    assert programme.unsubscribed_at is None

    # The new link (in the new link's email) works.
    assert one_click(client, unsubscribe_path(programme)).status_code == 200
    programme.refresh_from_db()
    assert programme.unsubscribed_at is not None


def test_an_unsubscribe_link_made_before_links_had_versions_works_until_a_revoke(
    client: Client, programme: Programme, clinician: User
) -> None:
    legacy = signing.Signer(salt="programmes.unsubscribe").sign_object(
        {"p": programme.pk}, compress=True
    )
    path = reverse("programmes:unsubscribe", args=[legacy])
    assert client.get(path).status_code == 200

    reminders.revoke_link(programme_id=programme.pk, clinician=clinician, send_new=False)

    assert one_click(client, path).status_code == 410
    programme.refresh_from_db()
    assert programme.unsubscribed_at is None


def test_an_invalid_unsubscribe_link_is_a_404_page(client: Client, programme: Programme) -> None:
    bad = signing.Signer(salt="something-else").sign_object({"p": programme.pk})

    response = client.get(reverse("programmes:unsubscribe", args=[bad]))

    assert response.status_code == 404
    programme.refresh_from_db()
    assert programme.unsubscribed_at is None


def test_the_unsubscribe_link_does_not_open_the_page(client: Client, programme: Programme) -> None:
    token = links.unsubscribe_token(programme)

    response = client.get(reverse("programmes:patient_page", args=[token]))

    assert response.status_code == 404


@override_settings(CLINIC_PHONE="01632 960 555", CLINIC_ADDRESS="2 Mill Lane|Riverside|RV2 2BB")
def test_every_patient_page_says_how_to_reach_the_clinic(
    client: Client, programme: Programme, page_path: str
) -> None:
    for path in (
        page_path,
        check_in_path(programme, 0),
        reverse("programmes:check_in", args=["x", 0]),
    ):
        html = client.get(path).content.decode()
        assert "2 Mill Lane, Riverside, RV2 2BB" in html, path
        assert 'href="tel:01632960555"' in html and "01632 960 555" in html, path
