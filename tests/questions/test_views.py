"""The patient's "Ask the clinic" page by its signed link, and the clinicians' worklist and
question page, through the test client as each opens them."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from outbox.models import Message
from outbox.services import send_messages
from programmes import links, prescribing
from programmes.models import Programme, ProgrammeTemplate
from questions import services
from questions.models import QUESTION_MAX_CHARS, Question
from tests.patients.helpers import make_intake, make_user, patient_details
from tests.questions.helpers import ask
from tests.support.error_summary import summary_links
from tests.support.two_factor import sign_in

pytestmark = pytest.mark.django_db

TEXT = "Is it normal that my upper back aches after the carries?"
REPLY = "Yes, a mild ache for a day is expected. Keep the weight the same next week."


def ask_path(programme: Programme) -> str:
    return reverse("questions:ask", args=[links.page_token(programme)])


def expired_ask_path(programme: Programme) -> str:
    past = timezone.now() - settings.PROGRAMME_LINK_MAX_AGE - timedelta(days=1)
    with mock.patch("django.core.signing.time.time", return_value=past.timestamp()):
        return ask_path(programme)


def post(client: Client, path: str, text: str = TEXT, token: str | None = None) -> object:
    return client.post(path, {"text": text, "submission_token": token or str(uuid.uuid4())})


def test_the_programme_page_offers_to_ask_the_clinic(client: Client, programme: Programme) -> None:
    page = client.get(links.page_url(programme, absolute=False)).content.decode()
    assert ask_path(programme) in page


def test_the_page_says_a_message_is_not_for_red_flags_before_sending(
    client: Client, programme: Programme
) -> None:
    response = client.get(ask_path(programme))
    page = response.content.decode()

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert "A message is not for anything urgent" in page
    assert 'id="before-sending"' in page
    assert "Call 999" in page
    # The starting questionnaire is open (the programme starts today): the page offers it.
    assert reverse("programmes:check_in", args=[links.page_token(programme), 0]) in page
    assert AuditEvent.objects.filter(
        record=f"programme {programme.pk} questions",
        actor_kind=AuditEvent.ActorKind.PATIENT,
        action=AuditEvent.Action.VIEW,
    ).exists()


def test_the_patient_sends_a_question_and_is_told_again_after_sending(
    client: Client, programme: Programme
) -> None:
    response = post(client, ask_path(programme))
    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"?sent={question.pk}#sent")

    page = client.get(response["Location"]).content.decode()
    assert "Your question is sent" in page
    assert 'id="after-sending"' in page
    assert "A message is not for anything urgent" in page
    assert TEXT in page
    assert "Waiting for a reply" in page


def test_a_double_submit_makes_one_question(client: Client, programme: Programme) -> None:
    token = str(uuid.uuid4())
    post(client, ask_path(programme), token=token)
    post(client, ask_path(programme), token=token)
    assert Question.objects.count() == 1


def test_a_too_long_question_is_refused_beside_its_field_and_kept(
    client: Client, programme: Programme
) -> None:
    text = "My neck " + "x" * QUESTION_MAX_CHARS
    response = post(client, ask_path(programme), text=text)
    page = response.content.decode()

    assert response.status_code == 400
    assert "There is a problem" in page
    [(target, message)] = summary_links(response.content)
    assert target == "id_text"
    assert f"Your message is {len(text)} characters long" in message
    assert text in page  # nothing the patient wrote is lost
    assert not Question.objects.exists()


def test_the_limit_of_waiting_questions_is_said_plainly(
    client: Client, programme: Programme, settings: object
) -> None:
    settings.QUESTIONS_MAX_OPEN = 1  # type: ignore[attr-defined]
    ask(programme)
    assert "Wait for a reply first" in client.get(ask_path(programme)).content.decode()

    response = post(client, ask_path(programme))
    assert response.status_code == 400
    assert "You already have 1 questions waiting" in response.content.decode()
    assert Question.objects.count() == 1


def test_an_expired_link_is_refused_and_takes_no_question(
    client: Client, programme: Programme
) -> None:
    path = expired_ask_path(programme)
    assert client.get(path).status_code == 410
    response = post(client, path)
    assert response.status_code == 410
    assert "This link has expired." in response.content.decode()
    assert not Question.objects.exists()


def test_a_made_up_link_is_refused(client: Client) -> None:
    assert client.get(reverse("questions:ask", args=["not-a-link"])).status_code == 404


def test_another_patients_link_cannot_see_the_question(
    client: Client, programme: Programme, clinician: User, receptionist: User
) -> None:
    ask(programme, TEXT)
    other_intake = make_intake(
        entered_by=receptionist,
        details=patient_details(
            given_name="Grace", family_name="Hopper", email="grace@example.org", email_consent=True
        ),
    )
    other = prescribing.prescribe_programme(
        case_id=other_intake.assessment.case_id,
        clinician=clinician,
        template_id=ProgrammeTemplate.objects.get(slug=programme.template.slug).pk,
        start_date=timezone.localdate(),
    )

    page = client.get(ask_path(other)).content.decode()
    assert TEXT not in page
    assert "You have not sent the clinic a question yet." in page


# --- The clinicians' side -----------------------------------------------------------------------


def test_the_worklist_is_behind_login_and_the_clinician_role(client: Client) -> None:
    url = reverse("questions:worklist")
    assert client.get(url)["Location"] == f"{reverse('login')}?next={url}"
    sign_in(client, make_user(role="reception"))
    assert client.get(url).status_code == 403


def test_the_question_page_is_behind_the_clinician_role(client: Client, question: Question) -> None:
    url = reverse("questions:question_detail", args=[question.pk])
    assert client.get(url).status_code == 302
    sign_in(client, make_user(role="reception"))
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "reply", "reply": REPLY}).status_code == 403
    assert Question.objects.get(pk=question.pk).status == Question.Status.OPEN


def test_the_worklist_lists_waiting_questions_without_their_text(
    clinician_client: Client, question: Question
) -> None:
    page = clinician_client.get(reverse("questions:worklist")).content.decode()
    assert reverse("questions:question_detail", args=[question.pk]) in page
    assert question.patient.full_name in page
    assert question.text not in page  # read on its own page, where the reading is recorded


def test_the_worklist_costs_the_same_queries_however_many_questions(
    clinician_client: Client, programme: Programme, settings: object
) -> None:
    settings.QUESTIONS_MAX_OPEN = 10  # type: ignore[attr-defined]
    ask(programme)
    clinician_client.get(reverse("questions:worklist"))  # the session and roles, once
    with CaptureQueriesContext(connection) as one:
        clinician_client.get(reverse("questions:worklist"))
    for _ in range(4):
        ask(programme)
    with CaptureQueriesContext(connection) as five:
        clinician_client.get(reverse("questions:worklist"))
    assert len(five) == len(one)


def test_the_queue_links_to_the_questions(clinician_client: Client) -> None:
    page = clinician_client.get(reverse("triage:queue")).content.decode()
    assert reverse("questions:worklist") in page


def test_the_clinician_reads_and_answers_and_the_patient_sees_the_reply(
    clinician_client: Client, clinician: User, question: Question
) -> None:
    url = reverse("questions:question_detail", args=[question.pk])
    page = clinician_client.get(url).content.decode()
    assert question.text in page
    assert AuditEvent.objects.filter(
        record=f"question {question.pk}", actor=clinician, action=AuditEvent.Action.VIEW
    ).exists()

    response = clinician_client.post(url, {"action": "reply", "reply": REPLY})
    assert response.status_code == 302
    answered = Question.objects.get(pk=question.pk)
    assert (answered.status, answered.reply, answered.replied_by) == (
        Question.Status.ANSWERED,
        REPLY,
        clinician,
    )
    assert AuditEvent.objects.filter(
        record=f"question {question.pk}", actor=clinician, action=AuditEvent.Action.CHANGE
    ).exists()

    # The email goes once through the outbox, says only that there is a reply, and links to
    # the page where it is.
    [message] = Message.objects.filter(kind=Message.Kind.QUESTION_REPLY)
    send_messages(ids=[message.pk])
    send_messages(ids=[message.pk])
    [email] = mail.outbox
    assert email.subject == f"A reply from {settings.CLINIC_NAME}"
    assert REPLY not in email.body and question.text not in email.body
    link = re.search(r"https?://\S+/p/(\S+)/ask/#question-\d+", email.body)
    assert link is not None

    patient_page = Client().get(f"/p/{link.group(1)}/ask/").content.decode()
    assert REPLY in patient_page
    assert "Carl Cole replied" in patient_page


def test_a_second_answer_is_refused_with_what_was_written_kept(
    clinician_client: Client, answered: Question
) -> None:
    url = reverse("questions:question_detail", args=[answered.pk])
    # The page shows the reply; a stale tab that posts another is told who answered.
    response = clinician_client.post(url, {"action": "reply", "reply": "A second reply"})
    assert response.status_code == 400
    assert "has already answered this question" in response.content.decode()
    assert Message.objects.filter(kind=Message.Kind.QUESTION_REPLY).count() == 1


def test_an_empty_reply_is_refused_beside_its_field(
    clinician_client: Client, question: Question
) -> None:
    url = reverse("questions:question_detail", args=[question.pk])
    response = clinician_client.post(url, {"action": "reply", "reply": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert summary_links(response.content) == [("id_reply", "Write your reply to the patient.")]


def test_closing_a_question_records_how_and_the_patient_page_says_so(
    clinician_client: Client, question: Question, programme: Programme
) -> None:
    url = reverse("questions:question_detail", args=[question.pk])
    response = clinician_client.post(url, {"action": "close", "note": "Phoned, all fine."})
    assert response.status_code == 302
    assert Question.objects.get(pk=question.pk).status == Question.Status.CLOSED
    page = Client().get(ask_path(programme)).content.decode()
    assert "The clinic dealt with this question" in page
    assert "Phoned, all fine." not in page  # the clinic's note is for the record


def test_the_case_page_lists_the_question_and_its_timeline_entries(
    clinician_client: Client, answered: Question
) -> None:
    page = clinician_client.get(
        reverse("triage:case_detail", args=[answered.case_id])
    ).content.decode()
    assert 'id="questions"' in page
    assert reverse("questions:question_detail", args=[answered.pk]) in page
    assert 'data-kind="question"' in page
    assert 'data-kind="question_reply"' in page


# --- The count in the menu ---------------------------------------------------------------------

WAITING_COUNT = re.compile(r'questions-waiting-count">(\d+)<')


def test_the_menu_counts_the_questions_waiting_for_a_clinician(
    clinician_client: Client, clinician: User, programme: Programme, settings: object
) -> None:
    settings.QUESTIONS_MAX_OPEN = 10  # type: ignore[attr-defined]
    page = clinician_client.get(reverse("triage:queue")).content.decode()
    assert WAITING_COUNT.search(page) is None  # nothing waiting: no badge

    first = ask(programme)
    ask(programme)
    page = clinician_client.get(reverse("patients:patient_search")).content.decode()
    assert WAITING_COUNT.findall(page) == ["2"]

    services.answer_question(question_id=first.pk, clinician=clinician, reply="Yes, that is fine.")
    page = clinician_client.get(reverse("patients:patient_search")).content.decode()
    assert WAITING_COUNT.findall(page) == ["1"]


def test_reception_sees_no_count_of_questions(
    reception_client: Client, programme: Programme
) -> None:
    ask(programme)
    page = reception_client.get(reverse("patients:patient_search")).content.decode()
    assert "questions-waiting-count" not in page
