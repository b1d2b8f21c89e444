"""No patient link, name, NHS number, email address or search term in any log line.

The journey test captures every record at DEBUG while a patient goes from reception's form to
their programme pages and emails, and formats each through the filters settings.LOGGING attaches.
The unit tests read the filter and gunicorn's access log on their own.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from celery.signals import after_setup_logger, after_setup_task_logger
from celery.utils.dispatch import Signal
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from gunicorn.config import Config
from gunicorn.util import load_class

from clinic.gunicorn_logging import RedactingLogger
from clinic.logging import RedactPatientData, redact
from outbox.models import Message
from outbox.services import send_messages
from patients.models import Intake
from programmes import links
from programmes.models import ProgrammeTemplate
from programmes.prescribing import prescribe_programme
from programmes.seed import seed_library
from tests.patients.helpers import VALID_NHS_NUMBER, intake_post, make_user
from tests.support.two_factor import sign_in
from tests.test_compose import command, compose, dockerfile_instructions

GIVEN_NAME = "Zebedee"
FAMILY_NAME = "Quixotic"
EMAIL = "zebedee.quixotic@example.org"
SEARCH_TERM = "Quixotic"
LOGGERS = (
    "",
    "django",
    "django.request",
    "django.server",
    "celery",
    "outbox",
    "programmes",
    "triage",
    "patients",
)


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def configured_filters() -> list[logging.Filter]:
    """The filters settings.LOGGING puts on the console handler, as configured."""
    handlers = [h for h in logging.getLogger().handlers if h.filters]
    assert handlers, "settings.LOGGING gives the root's handler its filters"
    filters = handlers[0].filters
    assert any(isinstance(f, RedactPatientData) for f in filters)
    return [f for f in filters if isinstance(f, logging.Filter)]


@pytest.fixture
def log_lines() -> Iterator[tuple[Capture, Capture]]:
    """(raw, redacted): every record at DEBUG, before and after the configured filters."""
    raw, redacted = Capture(), Capture()
    for log_filter in configured_filters():
        redacted.addFilter(log_filter)
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in LOGGERS}
    root.handlers.insert(0, raw)  # before any filter rewrites the record
    root.addHandler(redacted)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield raw, redacted
    finally:
        root.removeHandler(raw)
        root.removeHandler(redacted)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


@pytest.mark.django_db
def test_a_patient_journey_logs_no_link_name_nhs_number_email_or_search_term(
    log_lines: tuple[Capture, Capture], settings: Any
) -> None:
    raw, redacted = log_lines
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    reception, clinician = Client(), Client()
    sign_in(reception, make_user(role="reception"))
    clinician_user = make_user(role="clinician", email="clinician@example.org")
    sign_in(clinician, clinician_user)

    # Reception enters the patient, then finds them again.
    post = intake_post(
        given_name=GIVEN_NAME, family_name=FAMILY_NAME, nhs_number=VALID_NHS_NUMBER, email=EMAIL
    )
    assert reception.post(reverse("patients:intake_new"), post).status_code == 302
    intake = Intake.objects.get(patient__family_name=FAMILY_NAME)
    assert reception.get(reverse("patients:intake_outcome", args=[intake.pk])).status_code == 200
    assert reception.get(reverse("patients:patient_search"), {"q": SEARCH_TERM}).status_code == 200
    assert (
        reception.get(reverse("patients:patient_search"), {"q": VALID_NHS_NUMBER}).status_code
        == 200
    )

    # A clinician finds the case, opens it and prescribes a programme.
    case = intake.assessment.case
    assert clinician.get(reverse("triage:queue"), {"q": SEARCH_TERM}).status_code == 200
    assert clinician.get(reverse("triage:case_detail", args=[case.pk])).status_code == 200
    assert clinician.get(reverse("programmes:prescribe", args=[case.pk])).status_code == 200
    seed_library()
    programme = prescribe_programme(
        case_id=case.pk,
        clinician=clinician_user,
        template_id=ProgrammeTemplate.objects.get(slug="upper-back-kettlebell-foundations").pk,
        start_date=timezone.localdate(),
    )

    # The emails go out.
    ids = list(
        Message.objects.filter(due_at__lte=timezone.now() + timedelta(minutes=1)).values_list(
            "pk", flat=True
        )
    )
    assert ids
    assert send_messages(ids=ids) == []
    assert any(EMAIL in " ".join(message.to) for message in mail.outbox)
    assert clinician.get(reverse("outbox:message_list")).status_code == 200

    # The patient opens their pages by link: one check-in not open yet (409), one altered link (404).
    token = links.page_token(programme)
    patient = Client()
    assert patient.get(reverse("programmes:patient_page", args=[token])).status_code == 200
    last_week = max(settings.PROGRAMME_CHECK_IN_WEEKS)
    closed = reverse("programmes:check_in", args=[token, last_week])
    assert patient.get(closed, {"from": SEARCH_TERM}).status_code == 409
    altered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert patient.get(reverse("programmes:patient_page", args=[altered])).status_code == 404
    unsubscribe = links.unsubscribe_token(programme)
    assert patient.get(reverse("programmes:unsubscribe", args=[unsubscribe])).status_code == 200

    # The journey did reach the request logger with the link in it: the filter had work to do.
    assert any(token in line for line in raw.lines), raw.lines
    assert any("Conflict: /p/[link]/check-in/" in line for line in redacted.lines)
    secrets = [token, altered, unsubscribe, GIVEN_NAME, FAMILY_NAME, VALID_NHS_NUMBER, EMAIL]
    for line in redacted.lines:
        for secret in secrets:
            assert secret.lower() not in line.lower(), line


# --- The filter -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Conflict: /p/.eJx:1abc:sig/check-in/2/", "Conflict: /p/[link]/check-in/2/"),
        ("Not Found: /p/abc/", "Not Found: /p/[link]/"),
        (
            "https://clinic.example.org/p/abc:def/session/",
            "https://clinic.example.org/p/[link]/session/",
        ),
        ("/p/u/abc:def/undo/", "/p/[link]/undo/"),
        ("/p/i/eyJpIjo1fQ:sig/pain/", "/p/[link]/pain/"),  # a self-intake link
        ("/p/r/eyJyIjo1fQ:sig/", "/p/[link]/"),  # a self-referral's confirmation link
        (
            '"GET /patients/?q=Zebedee+Quixotic HTTP/1.1" 200',
            '"GET /patients/?[redacted] HTTP/1.1" 200',
        ),
        ("/triage/queue/?q=9434765919&page=2", "/triage/queue/?[redacted]"),
        ("/p/abc/?x=1", "/p/[link]/?[redacted]"),
        ("/p/new-link/", "/p/new-link/"),
        (
            "outbox: message 12 attempt 2 failed (SMTPServerDisconnected)",
            "outbox: message 12 attempt 2 failed (SMTPServerDisconnected)",
        ),
        ("Is the broker up? yes", "Is the broker up? yes"),
    ],
)
def test_redact_replaces_links_and_query_strings(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_the_filter_redacts_a_record_formatted_from_its_arguments() -> None:
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "%s: %s", ("Conflict", "/p/tok:en/"), None
    )

    assert RedactPatientData().filter(record) is True
    assert record.getMessage() == "Conflict: /p/[link]/"
    assert record.args == ()


def test_a_record_whose_arguments_do_not_fit_is_kept_without_them() -> None:
    record = logging.LogRecord(
        "x", logging.WARNING, __file__, 1, "%s: %s %d", ("Conflict", "/p/tok:en/"), None
    )

    assert RedactPatientData().filter(record) is True
    assert record.getMessage().startswith("%s: %s %d [arguments")
    assert record.args == ()


def test_the_filter_redacts_a_traceback() -> None:
    try:
        raise ValueError("bad path /p/tok:en/?q=Quixotic")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())

    RedactPatientData().filter(record)
    text = logging.Formatter().format(record)

    assert "tok:en" not in text and "Quixotic" not in text
    assert "/p/[link]/?[redacted]" in text


# --- gunicorn's access log ------------------------------------------------------------------


def test_gunicorn_access_log_redacts_path_query_and_referer() -> None:
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set(
        "access_log_format",
        '%(h)s "%(r)s" %(s)s %(U)s %(q)s "%(f)s" %({query_string}e)s %({referer}i)s',
    )
    logger = RedactingLogger(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/p/tok:en/check-in/2/?q=Quixotic",
        "PATH_INFO": "/p/tok:en/check-in/2/",
        "QUERY_STRING": "q=Quixotic",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": "https://clinic.example.org/patients/?q=Quixotic",
    }
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    response = SimpleNamespace(status="409 Conflict", sent=12, headers=[])

    capture = Capture()
    capture.setFormatter(logging.Formatter("%(message)s"))
    logger.access_log.addHandler(capture)
    try:
        logger.access(response, request, environ, timedelta(milliseconds=5))
    finally:
        logger.access_log.removeHandler(capture)

    (line,) = capture.lines
    assert "tok:en" not in line and "Quixotic" not in line, line
    assert line.startswith('10.0.0.1 "GET /p/[link]/check-in/2/?[redacted] HTTP/1.1" 409 ')
    assert all(
        any(isinstance(f, RedactPatientData) for f in handler.filters)
        for handler in logger.error_log.handlers + logger.access_log.handlers
    )


def test_the_container_starts_gunicorn_with_the_redacting_logger() -> None:
    flag = "--logger-class=clinic.gunicorn_logging.RedactingLogger"
    (cmd,) = [args for keyword, args in dockerfile_instructions() if keyword == "CMD"]

    assert flag in json.loads(cmd)
    assert flag in command(compose()["services"]["web"])
    assert load_class(flag.partition("=")[2], section="gunicorn.loggers") is RedactingLogger


@pytest.mark.parametrize("signal", [after_setup_logger, after_setup_task_logger])
def test_a_celery_workers_log_handlers_get_the_filter(signal: Signal) -> None:
    logger = logging.Logger("worker-under-test")
    capture = Capture()
    logger.addHandler(capture)

    signal.send(
        sender=None, logger=logger, loglevel=logging.INFO, logfile=None, format="", colorize=False
    )
    logger.warning("rendering %s failed", "https://clinic.example.org/p/tok:en/?q=Quixotic")

    assert capture.lines == [
        "WARNING worker-under-test rendering https://clinic.example.org/p/[link]/?[redacted] failed"
    ]
