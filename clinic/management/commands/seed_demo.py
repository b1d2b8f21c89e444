"""Fill a demo installation: three staff logins and a queue of realistic intakes (clinic/demo.py),
two patients on a programme (one of them reads hers in German), and two examined cases
(examination/demo.py).

Every intake goes through `submit_intake`, so its assessment and case are what the rule set really
says. Running the command again adds nothing: logins are found by username and intakes by their
submission token, which is derived from the demo patient.
"""

from __future__ import annotations

from base64 import b32decode
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.demo import LOGINS, PATIENTS, DemoLogin
from clinic.models import StaffProfile
from examination.demo import seed_demo_examinations
from patients.models import Intake
from patients.services import submit_intake
from psychosocial.demo import seed_example_tool
from triage.models import Case, DutySlot, Urgency
from triage.rules import Answers

DEMO_AUTHENTICATOR = "Demo authenticator"


class Command(BaseCommand):
    help = (
        "Create the demo logins (with known passwords) and a queue of demo intakes. "
        "Runs only with DEBUG on, unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run with DEBUG off too. The logins have published passwords: never on a "
            "database that holds real patients.",
        )

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates logins with published passwords, so it runs only with "
                "DEBUG=true. Use --force to seed a non-DEBUG installation that holds no real "
                "patients."
            )
        with transaction.atomic():
            users = {login.username: ensure_demo_login(login) for login in LOGINS}
            now = timezone.now()
            added = seed_demo_intakes(entered_by=users["reception"], now=now)
            for demo_programme in DEMO_PROGRAMMES:
                seed_demo_programme(clinician=users["clinician"], now=now, demo=demo_programme)
            seed_demo_examinations(
                clinician=users["clinician"],
                tokens={patient.key: patient.submission_token for patient in PATIENTS},
            )
            seed_example_tool()  # inactive, placeholder wording: we hold no licence
        already = len(PATIENTS) - added
        self.stdout.write(
            f"Demo intakes: {added} added, {already} already there ({len(PATIENTS)} patients)."
        )
        self.stdout.write("Demo logins (username / password / authenticator key):")
        for login in LOGINS:
            self.stdout.write(
                f"  {login.username:<10} / {login.password:<15} / {login.totp_secret}  {login.does}"
            )
        german = german_demo_page_url()
        if german:
            # Demo data only: a patient's link is otherwise only ever in their own emails.
            self.stdout.write(
                "The German demo patient's programme page (a fresh link each run, valid "
                f"{settings.PROGRAMME_LINK_MAX_AGE.days} days):\n  {german}"
            )


def ensure_demo_login(login: DemoLogin) -> User:
    """The demo user, created or brought back to its role and published password."""
    user, _ = User.objects.get_or_create(username=login.username)
    changed = not user.check_password(login.password)
    if changed:
        user.set_password(login.password)
    if user.is_superuser != login.superuser or user.is_staff != login.superuser:
        user.is_superuser = user.is_staff = login.superuser
        changed = True
    if not user.is_active:
        user.is_active = changed = True
    if login.email and user.email != login.email:
        user.email, changed = login.email, True
    if login.first_name and not (user.first_name or user.last_name):
        user.first_name, user.last_name, changed = login.first_name, login.last_name, True
    if changed:
        user.save()
    for role in (login.role, *login.also):
        if role is not None:
            user.groups.add(Group.objects.get(name=role))
    ensure_demo_authenticator(user=user, secret=login.totp_secret)
    if login.profile is not None and not StaffProfile.objects.filter(user=user).exists():
        profession, body, number = login.profile
        StaffProfile.objects.create(
            user=user, profession=profession, registration_body=body, registration_number=number
        )
    if login.on_duty_all_week and not DutySlot.objects.filter(clinician=user).exists():
        # An end at the start runs round the clock (triage.models.DutySlot).
        DutySlot.objects.bulk_create(
            DutySlot(clinician=user, weekday=day, starts=time(0), ends=time(0)) for day in range(7)
        )
    return user


def ensure_demo_authenticator(*, user: User, secret: str) -> None:
    """The demo login's second factor: an authenticator with the published key (a reset one is
    set up again), so that every demo role signs in with a code (clinic/two_factor/)."""
    key = b32decode(secret).hex()
    device = TOTPDevice.objects.filter(user=user, name=DEMO_AUTHENTICATOR).first()
    if device is None:
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(user=user, name=DEMO_AUTHENTICATOR, key=key, confirmed=True)
    elif device.key != key or not device.confirmed:
        device.key, device.confirmed = key, True
        device.save(update_fields=["key", "confirmed"])


def seed_demo_intakes(*, entered_by: User, now: datetime) -> int:
    """Submit every demo patient's intake not yet made; the number added."""
    today = timezone.localdate(now)
    made = set(
        Intake.objects.filter(
            submission_token__in=[p.submission_token for p in PATIENTS]
        ).values_list("submission_token", flat=True)
    )
    added = 0
    for patient in PATIENTS:
        if patient.submission_token in made:
            continue
        intake = submit_intake(
            details=patient.details(today),
            answers=Answers.from_mapping(patient.complete_answers()),
            entered_by=entered_by,
            submission_token=patient.submission_token,
            source=Intake.Source.DEMO,
        )
        move_demo_case_back_in_time(intake=intake, waited=patient.waited, now=now)
        added += 1
    return added


@dataclass(frozen=True, kw_only=True)
class DemoProgramme:
    """A demo patient some days into a programme, with sessions logged and the check-ins answered
    (week, pain, the NDI's answer to every section or None where the week does not ask it,
    sessions done or None at the start)."""

    patient: str  # DemoPatient.key
    template: str  # ProgrammeTemplate.slug
    days_ago: int
    sessions_days_ago: tuple[int, ...]
    check_ins: tuple[tuple[int, int, int | None, int | None], ...]


DEMO_PROGRAMMES = (
    DemoProgramme(
        patient="desk-worker-chronic-neck-on-programme",
        template="upper-back-kettlebell-foundations",
        days_ago=10,
        sessions_days_ago=(9, 7, 5, 2),
        check_ins=((0, 5, 2, None), (1, 4, None, 3)),
    ),
    # The German patient journey: her emails, page, check-ins and handout are in German.
    DemoProgramme(
        patient="german-speaking-developer-on-programme",
        template="desk-posture-mobility",
        days_ago=8,
        sessions_days_ago=(8, 7, 6, 4, 3, 1),
        check_ins=((0, 5, 1, None), (1, 4, None, 5)),
    ),
)
GERMAN_DEMO_PATIENT = "german-speaking-developer-on-programme"


def german_demo_page_url() -> str:
    """A fresh link to the German demo patient's programme page, once she has one."""
    from programmes import links
    from programmes.models import Programme

    demo = next(p for p in PATIENTS if p.key == GERMAN_DEMO_PATIENT)
    programme = (
        Programme.objects.filter(patient__intakes__submission_token=demo.submission_token)
        .live()
        .first()
    )
    return links.page_url(programme) if programme is not None else ""


def seed_demo_programme(*, clinician: User, now: datetime, demo: DemoProgramme) -> None:
    """One demo patient `days_ago` into a programme: prescribed through the service, then moved
    back in time (as the demo cases are), with sessions logged and the starting and week-1
    check-ins answered, so the case page has a chart to show."""
    from programmes import check_ins, ndi, prescribing, reminders, screen
    from programmes.models import CheckIn, Programme, ProgrammeExercise, ProgrammeTemplate

    patient = next(p for p in PATIENTS if p.key == demo.patient)
    intake = Intake.objects.filter(submission_token=patient.submission_token).first()
    if intake is None or Programme.objects.filter(patient=intake.patient).exists():
        return
    programme = prescribing.prescribe_programme(
        case_id=intake.assessment.case_id,
        clinician=clinician,
        template_id=ProgrammeTemplate.objects.get(slug=demo.template).pk,
        start_date=timezone.localdate(now),
    )
    back = timedelta(days=demo.days_ago)
    Programme.objects.filter(pk=programme.pk).update(
        start_date=programme.start_date - back,
        phase_started_on=programme.phase_started_on - back,
        prescribed_at=programme.prescribed_at - back,
    )
    for check_in in CheckIn.objects.filter(programme=programme):
        CheckIn.objects.filter(pk=check_in.pk).update(due_at=check_in.due_at - back)
    programme.refresh_from_db()
    reminders.choose_schedule(
        programme_id=programme.pk,
        training_days=programme.training_days,
        reminder_time=programme.reminder_time,
        time_zone=programme.time_zone,
    )
    items = list(ProgrammeExercise.objects.filter(phase__programme=programme, phase__position=1))
    for days_ago in demo.sessions_days_ago:
        check_ins.log_session(
            programme_id=programme.pk,
            performed_on=timezone.localdate(now) - timedelta(days=days_ago),
            felt="right",
            exercises=[
                check_ins.LoggedExercise(exercise_id=item.pk, done=True, load_kg=item.load_kg)
                for item in items
            ],
        )
    no_flags = dict.fromkeys(screen.SCREEN_FIELDS, False)
    for week, pain, ndi_level, sessions_done in demo.check_ins:
        check_ins.complete_check_in(
            programme_id=programme.pk,
            week=week,
            pain=pain,
            sessions_done=sessions_done,
            ndi_answers=(
                {section.key: ndi_level for section in ndi.SECTIONS}
                if ndi_level is not None
                else None
            ),
            screen_answers=no_flags,
            now=now,
        )


def move_demo_case_back_in_time(*, intake: Intake, waited: timedelta, now: datetime) -> None:
    """Demo data only: the case has waited `waited` in the queue, its deadline moved with it.

    The clock is the one thing demo data may move. The assessment keeps the time it was made
    (assessments are never edited; PostgreSQL refuses to); only the case's place in the queue
    and its deadline, recomputed from the SLA of its urgency, move.
    """
    case = Case.objects.only("urgency").get(assessments__intake=intake)
    opened_at = now - waited
    Case.objects.filter(pk=case.pk).update(
        opened_at=opened_at, due_at=opened_at + Urgency(case.urgency).sla
    )
