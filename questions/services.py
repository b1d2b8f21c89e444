"""Every write about a patient's question: asking it, answering it, closing it.

The patient asks from their programme page (a signed link, no login); a clinician answers from
the questions worklist. Each write is one transaction with its case-timeline entry (written by
triage, which owns a case's activities), its audit row and its email through the outbox: for a
question, to the prescribing clinician; for a reply, to the patient. Either says only that there
is something to read, behind a sign-in or the patient's signed link: no health detail travels
by email.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from audit import services as audit
from audit.models import AuditEvent
from clinic import language
from outbox.models import Message
from outbox.services import Email, Recipient, queue_emails
from programmes import emails as programme_emails
from programmes import links
from programmes.history import lock_programme
from questions.models import QUESTION_MAX_CHARS, REPLY_MAX_CHARS, Question
from triage import services as triage

if TYPE_CHECKING:
    from programmes.models import Programme


# What an empty question, reply or closing is told: the forms say it too, before the service does.
NO_QUESTION = gettext_lazy("Write your question to the clinic.")
NO_REPLY = gettext_lazy("Write your reply to the patient.")
NO_CLOSE_NOTE = gettext_lazy("Say how the question was dealt with, e.g. by phone.")


class QuestionRefused(Exception):
    """The question, reply or closing cannot be stored as asked; the message says why, in words
    for the person who typed it."""


def ask_clinic(*, programme_id: int, text: str, submission_token: uuid.UUID) -> Question:
    """The patient's question from their programme page, on the case's timeline and in the
    clinicians' worklist, with an email to the prescribing clinician. The same submission token twice (a double click, a browser retry)
    gives back the first question. Refused when the text is empty or too long, or when the
    programme already has QUESTIONS_MAX_OPEN questions waiting for a reply."""
    try:
        return _ask_clinic(programme_id=programme_id, text=text, token=submission_token)
    except IntegrityError:
        # Two submits of one form raced past each other's check: the first one stands.
        existing = Question.objects.filter(submission_token=submission_token).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def _ask_clinic(*, programme_id: int, text: str, token: uuid.UUID) -> Question:
    # The programme's row lock puts a double submit in line: the second finds the first.
    programme = lock_programme(programme_id)
    existing = Question.objects.filter(submission_token=token).first()
    if existing is not None:
        if existing.programme_id != programme.pk:
            raise QuestionRefused(gettext("This form was already used. Please send it again."))
        return existing
    text = text.strip()
    if not text:
        raise QuestionRefused(str(NO_QUESTION))
    if len(text) > QUESTION_MAX_CHARS:
        raise QuestionRefused(too_long(len(text), QUESTION_MAX_CHARS))
    waiting = Question.objects.filter(programme=programme, status=Question.Status.OPEN).count()
    if waiting >= settings.QUESTIONS_MAX_OPEN:
        raise QuestionRefused(too_many_waiting(settings.QUESTIONS_MAX_OPEN))
    now = timezone.now()
    question = Question.objects.create(
        programme=programme,
        patient_id=programme.patient_id,
        case_id=programme.case_id,
        text=text,
        asked_at=now,
        submission_token=token,
    )
    triage.record_patient_question(question=question)
    audit.record_change(
        by=None,
        by_patient=True,
        record=f"programme {programme.pk}, question {question.pk}",
        patient=programme.patient_id,
        changes={"question": (None, text)},
        action=AuditEvent.Action.CREATE,
    )
    asked = asked_email(question)
    if asked is not None:
        queue_emails([asked])
    return question


def too_long(length: int, limit: int) -> str:
    return gettext(
        "Your message is %(length)d characters long. Keep it to %(limit)d characters or fewer."
    ) % {"length": length, "limit": limit}


def too_many_waiting(limit: int) -> str:
    return gettext(
        "You already have %(limit)d questions waiting for the clinic's reply. You can send "
        "another once the clinic has replied. If it cannot wait, phone the clinic."
    ) % {"limit": limit}


def answer_question(*, question_id: int, clinician: User, reply: str) -> Question:
    """The clinician's reply: on the patient's page at once, on the case's timeline, and an email
    (when the patient has agreed to email) that says there is a reply and links to the page,
    queued once whatever happens next."""
    return _deal_with(
        question_id=question_id,
        clinician=clinician,
        text=reply,
        empty=str(NO_REPLY),
        status=Question.Status.ANSWERED,
        text_field="reply",
        by_field="replied_by",
        at_field="replied_at",
        change_name="reply",
        timeline=triage.record_question_reply,
    )


def close_question(*, question_id: int, clinician: User, note: str) -> Question:
    """Close a question without a written reply (the clinician phoned the patient, or saw them),
    with why. No email goes: the patient's page says the clinic has dealt with it."""
    return _deal_with(
        question_id=question_id,
        clinician=clinician,
        text=note,
        empty=str(NO_CLOSE_NOTE),
        status=Question.Status.CLOSED,
        text_field="close_note",
        by_field="closed_by",
        at_field="closed_at",
        change_name="how it was dealt with",
        timeline=triage.record_question_closed,
    )


@transaction.atomic
def _deal_with(
    *,
    question_id: int,
    clinician: User,
    text: str,
    empty: str,
    status: Question.Status,
    text_field: str,
    by_field: str,
    at_field: str,
    change_name: str,
    timeline: Callable[..., object],
) -> Question:
    """The one path of a reply and of a closing: an open question, the clinician's words within
    the limit, the new status with who and when, the timeline entry and the audit row in the
    same transaction; a reply's email is queued in it too."""
    question = _lock_question(question_id)
    _refuse_unless_open(question)
    text = text.strip()
    if not text:
        raise QuestionRefused(empty)
    if len(text) > REPLY_MAX_CHARS:
        raise QuestionRefused(too_long(len(text), REPLY_MAX_CHARS))
    question.status = status
    setattr(question, text_field, text)
    setattr(question, by_field, clinician)
    setattr(question, at_field, timezone.now())
    question.save(update_fields=["status", text_field, by_field, at_field, "updated_at"])
    timeline(question=question, clinician=clinician)
    audit.record_change(
        by=clinician,
        record=f"question {question.pk}",
        patient=question.patient_id,
        changes={
            "status": (Question.Status.OPEN.label, status.label),
            change_name: (None, text),
        },
    )
    if status == Question.Status.ANSWERED and reply_goes_by_email(question):
        queue_emails([reply_email(question)])
    return question


def _lock_question(question_id: int) -> Question:
    return (
        Question.objects.select_for_update(of=("self",))
        .select_related("patient", "programme", "replied_by", "closed_by")
        .get(pk=question_id)
    )


def _refuse_unless_open(question: Question) -> None:
    if question.status == Question.Status.ANSWERED and question.replied_by is not None:
        raise QuestionRefused(
            gettext("%(name)s has already answered this question.")
            % {"name": question.replied_by.get_full_name() or question.replied_by.get_username()}
        )
    if question.status != Question.Status.OPEN:
        raise QuestionRefused(gettext("This question is closed; there is nothing to answer."))


def reply_goes_by_email(question: Question) -> bool:
    """Whether the patient is emailed that there is a reply: an address, their agreement, and
    they have not unsubscribed from the programme's emails. Otherwise they see it on their page
    the next time they open it (the clinician is told so, and may phone)."""
    return (
        programme_emails.can_email(question.patient) and question.programme.unsubscribed_at is None
    )


def page_url(programme: Programme) -> str:
    """The patient's questions page, by a fresh signed link."""
    return settings.SITE_URL + reverse("questions:ask", args=[links.page_token(programme)])


def reply_email(question: Question) -> Email:
    """The email that says "the clinic has replied", with a link to the page: the reply is read there, behind the
    signed link, never in the email; the subject names only the clinic."""
    programme = question.programme
    context = programme_emails.patient_context(programme) | {
        "questions_url": f"{page_url(programme)}#{question.anchor}",
    }
    return Email(
        language=language.for_patient(question.patient),
        key=f"q{question.pk}.reply",
        kind=Message.Kind.QUESTION_REPLY,
        to=programme_emails.recipient(programme),
        template="question_reply",
        context=context,
        patient_id=question.patient_id,
        case_id=question.case_id,
    )


def asked_email(question: Question) -> Email | None:
    """The email that tells the prescribing clinician a patient has sent a question, with a link
    to its page (sign-in required): no patient detail in it, as in every email to staff. None
    when the clinician has no address: the worklist and the count in the menu still show it."""
    clinician = question.programme.prescribed_by
    if not clinician.email or not clinician.is_active:
        return None
    return Email(
        key=f"q{question.pk}.asked",
        kind=Message.Kind.QUESTION_ASKED,
        to=Recipient(email=clinician.email, name=clinician.get_full_name(), user_id=clinician.pk),
        template="question_asked",
        context={
            "clinic_name": settings.CLINIC_NAME,
            "recipient_name": clinician.get_full_name() or clinician.get_username(),
            "question_url": settings.SITE_URL + question.get_absolute_url(),
        },
        patient_id=question.patient_id,
        case_id=question.case_id,
    )
