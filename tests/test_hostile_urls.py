"""Every URL of the project answers hostile input with a clear answer (a page, a message, a 404),
never a server error.

The walk takes every pattern from the project's resolver, so a page added later is walked too.
For each, as each staff role (reception, clinician, the clinic lead, an admin) and as a stranger,
it asks with hostile values in every query parameter the view reads, and with hostile ids in the
path; for the clinic's own pages it also posts them in every form field. It runs on PostgreSQL:
a NUL character or a number past a bigint passes on SQLite and fails only there.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from outbox.models import Message
from patients.models import Intake
from programmes import links, ndi, screen
from programmes.models import Programme
from referrals.models import Referral
from referrals.services import draft_referral, mark_printed
from selfintake import links as self_intake_links
from selfintake.forms import CONTRACT_STEPS
from selfintake.models import Invitation
from tests.outbox.helpers import make_dead
from tests.patients.helpers import make_user
from tests.programmes.helpers import prescribe, self_care_intake
from tests.referrals.factories import make_destination
from tests.selfintake.helpers import invite, patient_with_email
from tests.selfintake.helpers import self_intake as self_intake_of
from tests.support.two_factor import sign_in
from triage.models import Case, Urgency

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

HUGE = "99999999999999999999"  # past a bigint (2**63 - 1)

# As each travels in a URL or a form body: percent-encoded, so that "%ff" reaches Django as the
# invalid UTF-8 byte it stands for.
HOSTILE: dict[str, str] = {
    "nul": "%00",
    "nul inside": "12%0034",
    "superscript two": "%C2%B2",
    "invalid UTF-8": "%ff%fe",
    "past a bigint": HUGE,
    "bigint edge": str(2**63),
    "integer edge": str(2**31),
    "negative": "-1",
    "negative past a bigint": "-" + HUGE,
    "Arabic-Indic digits": "%D9%A3%D9%A1",
    "traversal": "..%2F..%2Fetc%2Fpasswd",
    "very long": "x" * 5000,
    "JSON": "%7B%22a%22%3A%5B1%2Cnull%5D%7D",
    "right-to-left override": "%E2%80%AEevil",
    "far-off date": "9999-12-31",
    "first date": "0001-01-01",
    "impossible date": "2026-02-30",
    "cursor, time past datetime": f"5-{HUGE}-1",
    "cursor, id past a bigint": f"1-0-{HUGE}",
    "cursor, urgency past a bigint": f"{HUGE}-0-1",
    "another site": "https%3A%2F%2Fevil.example%2F",
    "scheme-relative": "%2F%2Fevil.example%2F",
}
# Ids in the path: the int converter takes only ASCII digits; the others reach the resolver and
# must come back 404.
HOSTILE_IDS: dict[str, str] = {
    "zero": "0",
    "past a bigint": HUGE,
    "bigint edge": str(2**63),
    "integer edge": str(2**31),
    "negative": "-1",
    "nul": "%00",
    "invalid UTF-8": "%ff",
    "superscript two": "%C2%B2",
    "Arabic-Indic digits": "%D9%A3",
    "traversal": "..%2F..%2F",
    "very long": "9" * 2000,
    "JSON": "%7B%7D",
}

# The query parameters each of the clinic's pages reads (admin pages: below).
QUERY_PARAMS: dict[str, tuple[str, ...]] = {
    "login": ("next",),
    "patients:patient_search": ("q",),
    "patients:intake_new": ("patient",),
    "triage:queue": ("urgency", "status", "mine", "overdue", "q", "after", "before"),
    "outbox:message_list": ("status",),
    "programmes:prescribe": ("template", "start"),
    "audit:index": ("q",),
    "audit:patient_access": ("start", "end", "format"),
    "audit:staff_activity": ("start", "end", "format"),
    "two_factor:verify": ("next",),
    "two_factor:setup": ("next",),
    "two_factor:backup_codes": ("next",),
    "audit:subject_access_index": ("q",),
    "examination:examination_new": ("corrects",),
    "triage:overrides": ("start", "end", "format"),
    "outcomes:dashboard": ("start", "end"),
    "outcomes:figure_csv": ("start", "end"),
}
ADMIN_QUERY_PARAMS = ("q", "o", "p", "all", "e", "_to_field", "_popup", "_changelist_filters")

# Pages that change things are posted to (with a savepoint rolled back after each request);
# the admin's and signing out are left to their GET (a hostile delete confirmation or a sign-out
# would change what the rest of the walk sees).
NOT_POSTED = ("admin:", "logout")


@dataclass
class World:
    """One of everything a URL can name, so that real pages are asked hostile questions."""

    case: Case
    referral: Referral
    programme: Programme
    message: Message
    # A patient's self-intake: a link still open, and an intake entered from another one.
    invitation: Invitation
    self_intake: Intake
    users: dict[str, User | None] = field(default_factory=dict)

    def form_params(self, name: str) -> tuple[str, ...]:
        """The form fields each page that takes a POST reads."""
        prg = f"prg{self.programme.pk}"
        exercises = [
            e.pk
            for phase in self.programme.phases.all()
            for e in phase.exercises.all()
            if phase.position == self.programme.current_phase
        ]
        formset = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
        dose = ("phase", "exercise", "keep", "sets", "reps", "hold_seconds", "load_kg")
        return {
            "login": ("username", "password", "next"),
            "two_factor:verify": ("code", "next"),
            "two_factor:setup": ("code", "next"),
            "patients:intake_new": ("given_name", "family_name", "date_of_birth", "nhs_number"),
            "triage:case_override": ("to_urgency", "reason"),
            "triage:case_discharge": ("advice",),
            "examination:examination_new": (
                "submission_token",
                "corrects",
                "correction_reason",
                "plan",
                "neurological__myotomes__C5__left",
                "range_of_movement__cervical__flexion",
                "range_of_movement__cervical__flexion__degrees",
                "orthopaedic_tests__spurling__left",
                "impression__category",
            ),
            "outbox:retry": ("status",),
            "referrals:referral_new": ("destination", "urgency"),
            "referrals:referral_edit": ("letter", "urgency"),
            "referrals:referral_action": ("next",),
            "programmes:prescribe": (
                "template",
                "start",
                "note",
                "clash_choice",
                "clash_note",
                *(f"ex-{name}" for name in formset),
                *(f"ex-0-{name}" for name in (*dose, "days_per_week")),
            ),
            "programmes:programme_resume": (f"{prg}-resume-note",),
            "programmes:programme_stop": (f"{prg}-stop-reason",),
            "programmes:programme_review": (f"{prg}-review-decision", f"{prg}-review-note"),
            "programmes:new_link": ("token",),
            "programmes:log_session": (
                "performed_on",
                "felt",
                "note",
                *(f"done_{pk}" for pk in exercises),
                *(f"load_{pk}" for pk in exercises),
            ),
            "programmes:check_in": (
                "pain",
                "sessions_done",
                "trauma_mechanism",
                *screen.SCREEN_FIELDS,
                *(f"ndi_{section.key}" for section in ndi.SECTIONS),
            ),
            "programmes:schedule": ("training_days", "reminder_time", "time_zone"),
            "selfintake:start": ("day", "month", "year"),
            "selfintake:step": (
                "go",
                "mechanism_shown",
                *(q.name for q in CONTRACT_STEPS[0].questions()),
            ),
            "outcomes:reviewed": ("note", "next"),
            "programmes:record_check_in": (
                "how",
                "pain",
                "sessions_done",
                "trauma_mechanism",
                *screen.SCREEN_FIELDS,
                *(f"ndi_{section.key}" for section in ndi.SECTIONS),
            ),
        }.get(name, ())


@pytest.fixture
def world(receptionist: User, clinician: User) -> World:
    reception = receptionist
    programme = prescribe(start=timezone.localdate())
    case = self_care_intake(entered_by=reception).assessment.case
    _used, self_intake = self_intake_of(reception)
    invitation, _link = invite(patient_with_email(email="open@example.org"), reception)
    referral = draft_referral(
        case_id=case.pk, destination_id=make_destination().pk, clinician=clinician
    )
    return World(
        case=case,
        referral=referral,
        programme=programme,
        message=make_dead(case_id=case.pk, due_at=timezone.now() - timedelta(hours=1)),
        invitation=invitation,
        self_intake=self_intake,
        users={
            "a stranger": None,
            "reception": reception,
            "clinician": clinician,
            "the clinic lead": make_user(role="clinic lead"),
            "an admin": make_user(role=None, is_staff=True, is_superuser=True),
        },
    )


# --- Walking the resolver ------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the route itself for the unnamed ones
    parts: tuple[str, ...]  # the route, or a regex of the admin's, piece by piece


def _routes(
    patterns: list[Any], parts: tuple[str, ...] = (), namespace: str = ""
) -> Iterator[Route]:
    for pattern in patterns:
        here = (*parts, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, here, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else "".join(here)
            yield Route(name=name, parts=here)


ROUTES = list(_routes(get_resolver().url_patterns))
_CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")


def _fill(route: Route, values: Callable[[str], str]) -> str:
    """The route as a path, each `<converter:name>` (or regex group) replaced by `values(name)`."""
    path = ""
    for part in route.parts:
        if part.startswith("^") or part.endswith("$"):
            part = _GROUP.sub(lambda m: values(m["name"]), part.strip("^$"))
        else:
            part = _CONVERTER.sub(lambda m: values(m["name"]), part)
        path += part
    return "/" + path


def _admin_model(route: Route) -> type | None:
    """The model an admin page is about: admin:triage_case_change is triage.Case."""
    if not route.name.startswith("admin:"):
        return None
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if route.name.startswith(prefix):
            return model
    if route.parts[-1] == "<path:object_id>/":  # the admin's unnamed redirect to the change page
        app_label, model_name = route.parts[-2].strip("/").split("/")
        return apps.get_model(app_label, model_name)
    return None


def _real_values(route: Route, world: World) -> Callable[[str], str]:
    """What each part of the path names, for real: ids of rows that exist, a genuine link."""
    model = _admin_model(route)
    by_name = {
        "pk": {
            "triage": world.case.pk,
            "referrals": world.referral.pk,
            "programmes": world.programme.pk,
            "outbox": world.message.pk,
        }.get(route.name.split(":")[0], world.case.pk),
        "case_id": world.case.pk,
        "action": "send",
        "token": links.unsubscribe_token(world.programme)
        if route.name in ("programmes:unsubscribe", "programmes:resubscribe")
        else links.page_token(world.programme),
        "week": 0,
        "code": links.handout_code(world.programme),
        "app_label": "triage",
        "url": "triage/nothing-here/",
        "content_type_id": ContentType.objects.get_for_model(Case).pk,
        "object_id": (model._default_manager.values_list("pk", flat=True).first() or 1)  # type: ignore[attr-defined]
        if model is not None
        else world.case.pk,
        "id": world.users["an admin"].pk,  # type: ignore[union-attr]
        "patient_id": world.case.patient_id,
        "user_id": world.users["reception"].pk,  # type: ignore[union-attr]
        # An exercise's picture, which need not exist: a missing file is a 404, not a crash.
        "name": "exercises/images/none.png",
        "exercise_id": world.programme.phases.first().exercises.first().exercise_id,  # type: ignore[union-attr]
        "kind": "image",
        # A self-intake: the open link, its first step, and an intake the patient entered.
        "link": self_intake_links.token(world.invitation),
        "step": CONTRACT_STEPS[0].slug,
        "intake_id": world.self_intake.pk,
        # The FHIR API (interop/): a resource type and id; without a token every call is a 401.
        "resource_type": "Patient",
        "resource_id": world.case.patient_id,
        "figure": "deadlines",
    }
    return lambda name: str(by_name[name])


def _query_params(route: Route, admin_user: User) -> tuple[str, ...]:
    if route.name in QUERY_PARAMS:
        return QUERY_PARAMS[route.name]
    model = _admin_model(route)
    if model is None:
        return ("next",) if route.name.startswith("admin:") else ()
    model_admin = admin.site._registry[model]
    names = list(ADMIN_QUERY_PARAMS)
    if route.name.endswith("_changelist"):
        request = RequestFactory().get("/")
        request.user = admin_user
        changelist = model_admin.get_changelist_instance(request)
        names += [name for spec in changelist.filter_specs for name in spec.expected_parameters()]
        if model_admin.date_hierarchy:
            names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    if route.name.endswith("_add"):
        names += [f.name for f in model._meta.concrete_fields]  # initial values, from the query
    return tuple(names)


@dataclass
class Asked:
    failures: list[str] = field(default_factory=list)
    count: int = 0

    def ask(self, client: Client, who: str, method: str, path: str, body: str = "") -> None:
        # Each request in a savepoint rolled back after it: every request sees the same world,
        # and one that fails in PostgreSQL leaves the next a usable transaction.
        with transaction.atomic():
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(path, body, content_type="application/x-www-form-urlencoded")
            transaction.set_rollback(True)
        self.count += 1
        if response.status_code >= 500:
            error = response.exc_info[1] if response.exc_info else None
            self.failures.append(
                f"{response.status_code} {method} {path[:120]} as {who}: {error!r:.200}"
            )


def _replacing(real: Callable[[str], str], name: str, value: str) -> Callable[[str], str]:
    """The real values, but `value` for `name`."""
    return lambda n: value if n == name else real(n)


def _body(names: tuple[str, ...], value: str) -> str:
    return "&".join(f"{name}={value}" for name in names)


@pytest.fixture
def quiet_request_log() -> Iterator[None]:
    """Thousands of refused requests, each a warning line: the failures below say what matters."""
    request_log = logging.getLogger("django.request")
    request_log.disabled = True
    yield
    request_log.disabled = False


@pytest.mark.usefixtures("quiet_request_log")
@pytest.mark.parametrize(
    "who", ["a stranger", "reception", "clinician", "the clinic lead", "an admin"]
)
def test_no_url_answers_hostile_input_with_a_server_error(world: World, who: str) -> None:
    # Given one of everything, and a member of staff in each role (or nobody signed in)
    user = world.users[who]
    client = Client(raise_request_exception=False)
    if user is not None:
        sign_in(client, user)
    admin_user = world.users["an admin"]
    assert admin_user is not None
    asked = Asked()

    # When every URL is asked with hostile values in what it reads
    for route in ROUTES:
        if route.name.startswith("admin:") and who != "an admin":
            # The admin sends everyone else to its login page before reading anything.
            asked.ask(client, who, "GET", _fill(route, _real_values(route, world)))
            continue
        real = _real_values(route, world)
        path = _fill(route, real)
        params = _query_params(route, admin_user)
        posted = world.form_params(route.name)
        post = not route.name.startswith(NOT_POSTED)
        for value in HOSTILE.values():
            if params:
                asked.ask(client, who, "GET", f"{path}?{_body(params, value)}")
            if post and posted:
                asked.ask(client, who, "POST", path, _body(posted, value))
        if route.name in QUERY_PARAMS:
            # One at a time too, so that no parameter hides behind another's refusal.
            for name in params:
                for value in HOSTILE.values():
                    asked.ask(client, who, "GET", f"{path}?{name}={value}")
        for name in {m["name"] for part in route.parts for m in _CONVERTER.finditer(part)} | {
            m["name"] for part in route.parts for m in _GROUP.finditer(part)
        }:
            for value in HOSTILE_IDS.values():
                hostile = _fill(route, _replacing(real, name, value))
                asked.ask(client, who, "GET", hostile)
                if post:
                    asked.ask(client, who, "POST", hostile)

    # Then none answers with a server error
    assert asked.count > 100
    assert not asked.failures, f"{len(asked.failures)} of {asked.count}:\n" + "\n".join(
        asked.failures
    )


# --- Where a referral action goes back to --------------------------------------------------------


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "javascript:alert(1)",
        "http://testserver/../evil",
        "/triage/\x00",
        " //evil.example/",
        "",
    ],
)
def test_a_referral_action_never_goes_back_to_another_site(
    clinician_client: Client, world: World, back: str
) -> None:
    response = clinician_client.post(
        reverse("referrals:referral_action", args=[world.referral.pk, "cancel"]), {"next": back}
    )

    assert response.status_code == 302
    assert response["Location"] == world.referral.get_absolute_url()


def test_a_referral_action_goes_back_to_the_page_it_came_from(
    clinician_client: Client, world: World
) -> None:
    back = world.case.get_absolute_url()
    response = clinician_client.post(
        reverse("referrals:referral_action", args=[world.referral.pk, "cancel"]), {"next": back}
    )

    assert response["Location"] == back


# --- A refused letter edit keeps the letter ------------------------------------------------------


def test_a_letter_edit_refused_because_the_referral_was_sent_meanwhile_keeps_the_letter(
    clinician_client: Client, world: World
) -> None:
    # Given the referral printed from another tab after the letter page was loaded
    mark_printed(referral_id=world.referral.pk)

    # When the clinician saves their edit of the letter
    response = clinician_client.post(
        reverse("referrals:referral_edit", args=[world.referral.pk]),
        {"urgency": Urgency.ROUTINE.value, "letter": "Dear colleague, my edited letter."},
    )

    # Then it is refused with why, and the letter as typed is still on the page
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not saved: Referral" in html and "cannot be edited." in html
    assert "Dear colleague, my edited letter." in html
    world.referral.refresh_from_db()
    assert world.referral.letter != "Dear colleague, my edited letter."


def test_a_letter_with_a_right_to_left_override_is_refused_beside_it(
    clinician_client: Client, world: World
) -> None:
    letter = "Dear colleague,\n\nPlease see \u202eMs Jones."
    response = clinician_client.post(
        reverse("referrals:referral_edit", args=[world.referral.pk]),
        {"urgency": Urgency.ROUTINE.value, "letter": letter},
    )

    assert response.status_code == 200
    assert "Remove the hidden text-direction character" in " ".join(
        response.context["form"].errors["letter"]
    )
    world.referral.refresh_from_db()
    assert "\u202e" not in world.referral.letter
