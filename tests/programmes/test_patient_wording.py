"""Patient text is written to the patient: second person, plain words, no citations, no staff words.

Every page a patient opens from their link (their programme, a check-in and its result at each
kind of outcome, the closed, broken-link, new-link and unsubscribe pages), the pages they get
while the database is down, and every email the clinic sends them, rendered as they receive it,
are scanned for a source citation (NICE, CG95, NG59, "et al.", "(2017)", "[S12]") and for
wording written about the patient rather than to them ("keeps them awake", "the patient"). The
sources stay in code comments and in the data fields staff see (programmes/core/library.py's sources,
the rules' `source`).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outbox.models import Message
from programmes import links, reminders
from programmes.models import CheckIn, Programme
from tests.programmes.test_check_in_database_down import _csrf
from tests.programmes.test_patient_instruction import CHECK_IN_AT, flushed_programme  # noqa: F401
from tests.programmes.test_patient_pages import check_in_path, check_in_post
from tests.test_database_down import database_down, page_text

pytestmark = pytest.mark.django_db

CITATIONS = (
    r"\bNICE\b",
    r"\bCG\d+",
    r"\bNG\d+",
    r"\bet al\b",
    r"\(\d{4}\)",
    r"\[S\d+\]",
    r"\bCKS\b",
    r"\bJOSPT\b",
    r"\bIFOMPT\b",
    r"\bCochrane\b",
    r"\bdoi\b",
)
# Wording about the patient, as staff write it, instead of to them; and the clinic's own jargon.
STAFF_WORDS = (
    r"\bthe patient\b",
    r"\bpatient's\b",
    r"\b(?:keeps|stops|wakes) them\b",
    r"\btheir (?:pain|GP|answers|symptoms|referral|exercises|usual)\b",
    r"\bthey (?:were told|have heard)\b",
    r"\bsafety-net\b",
    r"\bsaddle\b",
    r"\breception\b",
    r"\btriage\b",
    r"\bweak flag\b",
    r"\burgency\b",
)


def problems(text: str) -> list[str]:
    return [
        match.group(0)
        for pattern in (*CITATIONS, *STAFF_WORDS)
        for match in re.finditer(pattern, text, flags=re.IGNORECASE)
    ]


def assert_written_to_the_patient(what: str, text: str) -> None:
    found = problems(text)
    assert not found, f"{what}: {found}"


def page_path(programme: Programme) -> str:
    return reverse("programmes:patient_page", args=[links.page_token(programme)])


def test_the_scan_catches_what_it_looks_for() -> None:
    assert problems("Chest pain (NICE CG95), keeps them awake at night, Vernon et al. (1991)")
    assert not problems("Call 999 if your pain keeps you awake at night.")


@pytest.mark.parametrize("key", [*CHECK_IN_AT, None])
def test_every_page_a_patient_opens_is_written_to_them(
    client: Client, programme: Programme, key: str | None
) -> None:
    pages: dict[str, Any] = {
        "programme page": client.get(page_path(programme)),
        "check-in form (with the neck questionnaire)": client.get(check_in_path(programme, 0)),
        "check-in not open yet": client.get(check_in_path(programme, 6)),
        "broken link": client.get(reverse("programmes:patient_page", args=["not-a-link"])),
        "new link sent": client.post(reverse("programmes:new_link"), {"token": "not-a-link"}),
        "unsubscribe": client.get(
            reverse("programmes:unsubscribe", args=[links.unsubscribe_token(programme)])
        ),
    }
    check_in = programme.check_ins.get(week=0)
    answers = CHECK_IN_AT[key] if key else {}
    sent = client.post(check_in_path(programme, 0), check_in_post(check_in, **answers))
    pages["check-in result"] = client.get(sent["Location"])
    pages["programme page after the check-in"] = client.get(page_path(programme))
    unsubscribe = reverse("programmes:unsubscribe", args=[links.unsubscribe_token(programme)])
    pages["unsubscribed"] = client.post(unsubscribe, {"List-Unsubscribe": "One-Click"})

    for what, response in pages.items():
        assert response.status_code < 500, what
        assert_written_to_the_patient(f"{key}: {what}", page_text(response))


def test_every_email_a_patient_gets_is_written_to_them(programme: Programme) -> None:
    reminders.queue_due_programme_emails(now=programme.next_reminder_at)
    CheckIn.objects.filter(programme=programme).update(due_at=timezone.now())
    reminders.queue_due_programme_emails(now=timezone.now())
    reminders.send_new_link(programme_id=programme.pk)
    sent = Message.objects.filter(to_email=programme.patient.email)
    kinds = set(sent.values_list("kind", flat=True))
    assert {Message.Kind.PROGRAMME, Message.Kind.PROGRAMME_REMINDER} <= kinds, kinds

    for message in sent:
        for part, text in (
            ("subject", message.subject),
            ("text", message.body_text),
            ("html", re.sub(r"<[^>]+>", " ", message.body_html)),
        ):
            assert_written_to_the_patient(f"{message.kind} email {part}", text)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_pages_while_the_database_is_down_are_written_to_the_patient(
    flushed_programme: Programme,  # noqa: F811
) -> None:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    path = check_in_path(flushed_programme, 0)
    data = check_in_post(flushed_programme.check_ins.get(week=0), **CHECK_IN_AT["URGENT"])
    data["csrfmiddlewaretoken"] = _csrf(client, path)

    with database_down():
        check_in = client.post(path, data)
        page = client.get(page_path(flushed_programme))

    assert check_in.status_code == page.status_code == 503
    assert_written_to_the_patient("check-in while down", page_text(check_in))
    assert_written_to_the_patient("page while down", page_text(page))
