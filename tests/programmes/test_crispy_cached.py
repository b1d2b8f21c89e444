"""`{% crispy_cached %}` (clinic/templatetags/crispy_cached.py) gives exactly what `{% crispy %}`
gives, for every form that opts in, whatever was kept before: the same markup with each request's
own values, a new render when anything the markup shows changes, and nothing kept for a bound
form or a returning patient's."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.middleware import csrf as django_csrf
from django.middleware.csrf import get_token
from django.template import RequestContext, Template
from django.test import RequestFactory

from clinic.templatetags import crispy_cached
from patients.forms import UNAVAILABLE, IntakeForm
from patients.models import Patient
from programmes.models import Exercise, Programme
from programmes.patient_forms import CheckInForm, ScheduleForm, SessionForm
from tests.psychosocial.helpers import make_tool

CACHED = Template("{% load crispy_cached %}{% crispy_cached form %}")
PLAIN = Template("{% load crispy_forms_tags %}{% crispy form %}")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_kept() -> None:
    crispy_cached.clear()


def both(form_factory: object) -> tuple[str, str]:
    """The cached render (of one new form) and the plain one (of another, built alike), each
    in a request's context as a view renders it (with the session's CSRF token)."""
    assert callable(form_factory)
    request = RequestFactory().get("/")
    cached = CACHED.render(RequestContext(request, {"form": form_factory()}))
    plain = PLAIN.render(RequestContext(request, {"form": form_factory()}))
    return unmasked(request, cached), unmasked(request, plain)


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def unmasked(request: HttpRequest, markup: str) -> str:
    """The markup with each CSRF token (masked afresh by every {% csrf_token %}) checked to be
    the request's own, and written as one word."""

    def check(match: re.Match[str]) -> str:
        # (Django's own unmasking; the stubs leave out its private names.)
        unmask = django_csrf._unmask_cipher_token  # type: ignore[attr-defined]
        assert unmask(match.group(1)) == request.META["CSRF_COOKIE"]
        return 'name="csrfmiddlewaretoken" value="(the request\'s)"'

    return CSRF_INPUT.sub(check, markup)


def kept_count() -> int:
    return len(crispy_cached._kept)


def intake(token: uuid.UUID, **kwargs: object) -> IntakeForm:
    return IntakeForm(initial={"submission_token": token}, **kwargs)  # type: ignore[arg-type]


def test_the_empty_intake_form_is_kept_once_and_carries_each_requests_own_token() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    cached, plain = both(lambda: intake(first))
    assert cached == plain
    assert kept_count() == 1
    again, plain_again = both(lambda: intake(second))
    assert again == plain_again  # from what was kept: the same markup, the new token
    assert kept_count() == 1
    assert str(second) in again and str(first) not in again
    assert again.count(str(second)) == 1


def test_each_request_gets_its_own_csrf_token(rf: RequestFactory) -> None:
    """Crispy writes {% csrf_token %} into a POST form: what is kept must not carry the first
    request's token to the next session (every browser submit would be refused)."""
    token = uuid.uuid4()
    secrets = []
    for _ in range(2):
        request = rf.get("/patients/intakes/new/")
        get_token(request)
        cached = CACHED.render(RequestContext(request, {"form": intake(token)}))
        assert len(CSRF_INPUT.findall(cached)) == 1
        # unmasked() checks that the token is this request's
        plain = PLAIN.render(RequestContext(request, {"form": intake(token)}))
        assert unmasked(request, cached) == unmasked(request, plain)
        secrets.append(request.META["CSRF_COOKIE"])
    assert secrets[0] != secrets[1]
    assert kept_count() == 1


def test_the_intake_form_follows_the_clinics_questionnaire() -> None:
    token = uuid.uuid4()
    without, _ = both(lambda: intake(token, questionnaire=None))
    tool = make_tool()
    with_tool, plain = both(lambda: intake(token))
    assert with_tool == plain
    assert with_tool != without
    assert tool.name in with_tool and "not assessed" in without
    # A new version of the tool (its wording edited in the admin) is a new render.
    tool.version = "test-2"
    tool.save()
    newer, plain = both(lambda: intake(token))
    assert newer == plain and "test-2" in newer
    down, plain = both(lambda: intake(token, questionnaire=UNAVAILABLE))
    assert down == plain and "database is unavailable" in down


def test_a_returning_patients_form_is_not_kept(receptionist: User) -> None:
    patient = Patient.objects.create(
        given_name="Grace", family_name="Hopper", date_of_birth=date(1960, 12, 9), sex="F"
    )
    initial = {"submission_token": uuid.uuid4(), **IntakeForm.initial_for(patient)}
    cached, plain = both(lambda: IntakeForm(initial=initial))
    assert cached == plain and "Hopper" in cached
    assert kept_count() == 0


def test_a_bound_form_is_never_kept() -> None:
    data = {"submission_token": str(uuid.uuid4()), "given_name": "Ada"}
    cached, plain = both(lambda: IntakeForm(data))
    assert cached == plain and "is-invalid" in cached
    assert kept_count() == 0
    # and the empty form after it is clean (nothing of the refused one leaks into what is kept)
    token = uuid.uuid4()
    fresh, plain = both(lambda: intake(token))
    assert fresh == plain and "is-invalid" not in fresh


def session_form(programme: Programme, today: date) -> SessionForm:
    phase = programme.phases.order_by("position").first()
    assert phase is not None
    exercises = list(phase.exercises.select_related("exercise"))
    return SessionForm(exercises=exercises, today=today, starts=programme.start_date)


def test_a_patients_session_form_is_kept_by_its_exercises_and_days(programme: Programme) -> None:
    today = programme.start_date
    cached, plain = both(lambda: session_form(programme, today))
    assert cached == plain
    # The next day (another default day, another latest day) is another render.
    tomorrow = date.fromordinal(today.toordinal() + 1)
    later, plain = both(lambda: session_form(programme, tomorrow))
    assert later == plain and later != cached
    # An exercise renamed in the admin shows at once.
    phase = programme.phases.order_by("position").first()
    item = phase.exercises.first() if phase else None
    assert item is not None
    Exercise.objects.filter(pk=item.exercise_id).update(name="Renamed row")
    renamed, plain = both(lambda: session_form(programme, today))
    assert renamed == plain and "Renamed row" in renamed


def test_the_schedule_and_check_in_forms_are_the_same_markup(programme: Programme) -> None:
    def schedule() -> ScheduleForm:
        return ScheduleForm(
            initial={
                "training_days": programme.training_days,
                "reminder_time": programme.reminder_time,
                "time_zone": programme.time_zone,
            }
        )

    cached, plain = both(schedule)
    assert cached == plain
    programme.time_zone = "Europe/Berlin"
    other, plain = both(schedule)
    assert other == plain and other != cached
    for check_in in programme.check_ins.all():
        cached, plain = both(lambda: CheckInForm(check_in=check_in))  # noqa: B023
        assert cached == plain
