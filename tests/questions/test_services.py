"""Asking, answering and closing a patient's question: on the real database, asserting the rows,
the case's timeline entries, the audit and what the outbox was given."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.test import override_settings

from audit.models import AuditEvent
from outbox.models import Message
from outbox.services import queue_emails, send_messages
from patients.models import Patient
from programmes.models import Programme
from questions import services
from questions.models import QUESTION_MAX_CHARS, Question
from tests.questions.helpers import ask
from tests.support.clock import Clock
from triage.models import Case, CaseActivity

pytestmark = pytest.mark.django_db

TEXT = "Is it normal that my neck is stiff the morning after the rows?"
REPLY = "Yes: a little stiffness for a day is expected. Go lighter next time."


def test_a_question_is_stored_on_the_case_timeline_and_audited(programme: Programme) -> None:
    question = ask(programme, TEXT)

    assert (question.status, question.text, question.case_id, question.patient_id) == (
        Question.Status.OPEN,
        TEXT,
        programme.case_id,
        programme.patient_id,
    )
    activity = CaseActivity.objects.get(kind=CaseActivity.Kind.QUESTION)
    assert (activity.case_id, activity.question, activity.by) == (
        programme.case_id,
        question,
        None,
    )
    event = AuditEvent.objects.get(record=f"programme {programme.pk}, question {question.pk}")
    assert (event.action, event.actor_kind) == (
        AuditEvent.Action.CREATE,
        AuditEvent.ActorKind.PATIENT,
    )


def test_a_question_does_not_put_the_case_back_in_the_queue(programme: Programme) -> None:
    before = Case.objects.get(pk=programme.case_id).status
    ask(programme)
    assert Case.objects.get(pk=programme.case_id).status == before == Case.Status.CLOSED


def test_the_same_submission_twice_is_one_question(programme: Programme) -> None:
    token = uuid.uuid4()
    first = services.ask_clinic(programme_id=programme.pk, text=TEXT, submission_token=token)
    second = services.ask_clinic(programme_id=programme.pk, text=TEXT, submission_token=token)

    assert first.pk == second.pk
    assert Question.objects.count() == 1
    assert CaseActivity.objects.filter(kind=CaseActivity.Kind.QUESTION).count() == 1


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("   ", "Write your question"),
        ("x" * (QUESTION_MAX_CHARS + 1), "1001 characters long"),
    ],
)
def test_an_empty_or_too_long_question_is_refused_and_nothing_is_stored(
    programme: Programme, text: str, says: str
) -> None:
    with pytest.raises(services.QuestionRefused, match=says):
        ask(programme, text)
    assert not Question.objects.exists()
    assert not CaseActivity.objects.filter(kind=CaseActivity.Kind.QUESTION).exists()


@override_settings(QUESTIONS_MAX_OPEN=2)
def test_a_programme_has_at_most_the_limit_of_questions_waiting(
    programme: Programme, clinician: User
) -> None:
    first = ask(programme)
    ask(programme)
    with pytest.raises(services.QuestionRefused, match="2 questions waiting"):
        ask(programme)
    assert Question.objects.count() == 2

    services.answer_question(question_id=first.pk, clinician=clinician, reply=REPLY)
    ask(programme)  # one was answered: there is room again
    assert Question.objects.open().count() == 2


def test_a_reply_is_stored_on_the_timeline_audited_and_emailed_once(
    question: Question, clinician: User
) -> None:
    answered = services.answer_question(question_id=question.pk, clinician=clinician, reply=REPLY)

    assert (answered.status, answered.reply, answered.replied_by) == (
        Question.Status.ANSWERED,
        REPLY,
        clinician,
    )
    assert answered.replied_at is not None
    activity = CaseActivity.objects.get(kind=CaseActivity.Kind.QUESTION_REPLY)
    assert (activity.by, activity.question) == (clinician, question)
    change = AuditEvent.objects.get(record=f"question {question.pk}")
    assert change.actor == clinician
    assert change.details["changes"]["reply"] == {"old": None, "new": REPLY}

    [message] = Message.objects.filter(kind=Message.Kind.QUESTION_REPLY)
    assert (message.key, message.to_email, message.patient_id, message.case_id) == (
        f"q{question.pk}.reply",
        question.patient.email,
        question.patient_id,
        question.case_id,
    )
    # Queued again (a retried task, a repeated call): the same row, never a second email.
    queue_emails([services.reply_email(Question.objects.get(pk=question.pk))])
    assert Message.objects.filter(kind=Message.Kind.QUESTION_REPLY).count() == 1
    send_messages(ids=[message.pk])
    send_messages(ids=[message.pk])
    assert len(mail.outbox) == 1


def test_the_reply_email_carries_no_health_detail_and_links_to_the_page(
    question: Question, clinician: User
) -> None:
    services.answer_question(question_id=question.pk, clinician=clinician, reply=REPLY)
    message = Message.objects.get(kind=Message.Kind.QUESTION_REPLY)

    assert message.subject == f"A reply from {settings.CLINIC_NAME}"
    for body in (message.subject, message.body_text, message.body_html):
        assert "stiff" not in body and REPLY not in body and "neck" not in body.lower()
    assert f"/ask/#question-{question.pk}" in message.body_text
    assert "/p/" in message.body_html


def test_answering_twice_is_refused_and_says_who_answered(
    answered: Question, clinician: User
) -> None:
    with pytest.raises(services.QuestionRefused, match="Carl Cole has already answered"):
        services.answer_question(question_id=answered.pk, clinician=clinician, reply="Again")
    assert Message.objects.filter(kind=Message.Kind.QUESTION_REPLY).count() == 1


def test_an_empty_reply_is_refused(question: Question, clinician: User) -> None:
    with pytest.raises(services.QuestionRefused, match="Write your reply"):
        services.answer_question(question_id=question.pk, clinician=clinician, reply="  ")
    assert Question.objects.get(pk=question.pk).status == Question.Status.OPEN


def test_a_patient_who_did_not_agree_to_email_is_not_emailed(
    question: Question, clinician: User
) -> None:
    Patient.objects.filter(pk=question.patient_id).update(email_consent=False)
    services.answer_question(question_id=question.pk, clinician=clinician, reply=REPLY)
    assert not Message.objects.filter(kind=Message.Kind.QUESTION_REPLY).exists()


def test_closing_needs_a_note_and_sends_nothing(question: Question, clinician: User) -> None:
    with pytest.raises(services.QuestionRefused, match="how the question was dealt with"):
        services.close_question(question_id=question.pk, clinician=clinician, note="")

    closed = services.close_question(
        question_id=question.pk, clinician=clinician, note="Phoned her and talked it through."
    )
    assert (closed.status, closed.closed_by) == (Question.Status.CLOSED, clinician)
    activity = CaseActivity.objects.get(kind=CaseActivity.Kind.QUESTION_CLOSED)
    assert activity.note == "Phoned her and talked it through."
    assert not Message.objects.filter(kind=Message.Kind.QUESTION_REPLY).exists()
    with pytest.raises(services.QuestionRefused, match="closed"):
        services.answer_question(question_id=question.pk, clinician=clinician, reply=REPLY)


def test_the_reply_email_is_in_the_patients_language(question: Question, clinician: User) -> None:
    Patient.objects.filter(pk=question.patient_id).update(preferred_language="de")
    services.answer_question(question_id=question.pk, clinician=clinician, reply=REPLY)
    message = Message.objects.get(kind=Message.Kind.QUESTION_REPLY)
    assert '<html lang="de">' in message.body_html


def test_the_worklist_puts_open_questions_first_the_longest_waiting_first(
    programme: Programme, clinician: User, clock: Clock
) -> None:
    older = ask(programme)
    clock.advance(timedelta(hours=1))
    answered_one = ask(programme)
    clock.advance(timedelta(hours=1))
    newer = ask(programme)
    services.answer_question(question_id=answered_one.pk, clinician=clinician, reply=REPLY)

    assert list(Question.objects.worklist()) == [older, newer, answered_one]


# --- Telling the prescribing clinician ----------------------------------------------------------


def test_a_question_emails_the_prescribing_clinician_once_with_no_health_detail(
    programme: Programme, clinician: User
) -> None:
    token = uuid.uuid4()
    question = services.ask_clinic(programme_id=programme.pk, text=TEXT, submission_token=token)
    services.ask_clinic(programme_id=programme.pk, text=TEXT, submission_token=token)

    [message] = Message.objects.filter(kind=Message.Kind.QUESTION_ASKED)
    assert (message.key, message.to_email, message.recipient, message.patient_id) == (
        f"q{question.pk}.asked",
        clinician.email,
        clinician,
        programme.patient_id,
    )
    assert message.subject == f"A patient has sent a question — {settings.CLINIC_NAME}"
    patient = programme.patient
    for body in (message.subject, message.body_text, message.body_html):
        assert "stiff" not in body and "neck" not in body.lower()
        assert patient.family_name not in body and patient.given_name not in body
    assert f"/questions/{question.pk}/" in message.body_text


def test_a_prescriber_without_an_address_is_not_emailed_of_a_question(
    programme: Programme, clinician: User
) -> None:
    User.objects.filter(pk=clinician.pk).update(email="")
    ask(programme, TEXT)
    assert not Message.objects.filter(kind=Message.Kind.QUESTION_ASKED).exists()
