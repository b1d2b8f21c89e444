"""The emails a programme sends its patient, built for the outbox: the programme email, the
training-day reminder, the check-in and a fresh link. Building one reads the database but writes
nothing; the services queue them (`outbox.services.queue_emails`) in their own transactions.

The week plan (`programme_plan`, `week_plan`) lives here too: the email, the patient's page and
the printed handout show the same dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import translation
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext

from clinic import language
from clinic.views import clinic_phone
from outbox.models import Message
from outbox.services import Email, Recipient
from programmes import links
from programmes.models import CheckIn, Programme, ProgrammeExercise, ProgrammePhase

if TYPE_CHECKING:
    from patients.models import Patient


def clinic_details() -> dict[str, Any]:
    """The clinic's name, address lines and phone, as every patient email's footer and the
    handout show them (the patient pages' footer: clinic.views.clinic_details)."""
    phone = clinic_phone()
    return {
        "name": settings.CLINIC_NAME,
        "phone": phone["shown"],
        "phone_dial": phone["dial"],
        "address_lines": [
            line.strip() for line in settings.CLINIC_ADDRESS.split("|") if line.strip()
        ],
    }


def can_email(patient: Patient) -> bool:
    """Whether the programme may go to the patient by email: an address, and their agreement.
    Otherwise the clinic prints the handout for them (programmes/handout.py)."""
    return bool(patient.email) and patient.email_consent


def patient_context(programme: Programme, unsubscribe_url: str | None = None) -> dict[str, Any]:
    patient = programme.patient
    return {
        "clinic_name": settings.CLINIC_NAME,
        "clinic": clinic_details(),
        "given_name": patient.given_name,
        "programme": programme,
        "page_url": links.page_url(programme),
        "unsubscribe_url": unsubscribe_url or links.unsubscribe_url(programme),
        "link_days": settings.PROGRAMME_LINK_MAX_AGE.days,
    }


def recipient(programme: Programme) -> Recipient:
    return Recipient(email=programme.patient.email, name=programme.patient.full_name)


def headers(programme: Programme, unsubscribe_url: str | None = None) -> dict[str, str]:
    # RFC 8058 one-click unsubscribe: mail clients show an unsubscribe button that POSTs here.
    return {
        "List-Unsubscribe": f"<{unsubscribe_url or links.unsubscribe_url(programme)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def training_days_text(days: Sequence[int]) -> str:
    """The training days in the active language: "Monday, Wednesday and Friday" (the weekday
    names are Django's own, Monday is 0)."""
    words = [str(WEEKDAYS[day]) for day in sorted(set(days))]
    if not words:
        return gettext("no days")
    if len(words) == 1:
        return words[0]
    # Translators: the last two of a list of weekdays, e.g. "Monday, Wednesday and Friday".
    return gettext("%(days)s and %(last)s") % {"days": ", ".join(words[:-1]), "last": words[-1]}


def programme_plan(programme: Programme) -> list[ProgrammePhase]:
    """The phases with their exercises, for the email and the page (two queries: the phases,
    then their exercises joined to the library's)."""
    return list(
        programme.phases.order_by("position").prefetch_related(
            Prefetch("exercises", queryset=ProgrammeExercise.objects.select_related("exercise"))
        )
    )


@dataclass(frozen=True)
class PhaseDates:
    phase: ProgrammePhase
    starts: date
    ends: date
    current: bool
    done: bool
    first_week: int  # of the programme, counted from its start date
    last_week: int


def week_plan(programme: Programme, phases: list[ProgrammePhase]) -> list[PhaseDates]:
    """Each phase with its dates: the current one from when it began, those after it following
    on, those before it as planned from the start date."""
    plan = []
    cursor = programme.start_date
    for phase in phases:
        current = phase.position == programme.current_phase
        if current:
            cursor = programme.phase_started_on
        ends = cursor + timedelta(weeks=phase.weeks) - timedelta(days=1)
        plan.append(
            PhaseDates(
                phase=phase,
                starts=cursor,
                ends=ends,
                current=current,
                done=phase.position < programme.current_phase,
                first_week=max(programme.week_number(cursor), 1),
                last_week=max(programme.week_number(ends), 1),
            )
        )
        cursor = ends + timedelta(days=1)
    return plan


def programme_emails(programme: Programme) -> list[Email]:
    """The programme email, or none for a patient the clinic may not email (they have the
    printed handout)."""
    return [programme_email(programme)] if can_email(programme.patient) else []


def programme_email(programme: Programme) -> Email:
    """The week plan and each exercise's dose as one line, the safety-net advice, the clinic's
    details and the link: how to do each exercise is on the page (and the handout), once."""
    with translation.override(language.for_patient(programme.patient)):
        return _programme_email(programme)


def _programme_email(programme: Programme) -> Email:
    phases = programme_plan(programme)
    return Email(
        language=translation.get_language(),
        key=f"prg{programme.pk}.programme",
        kind=Message.Kind.PROGRAMME,
        to=recipient(programme),
        template="programme",
        context=patient_context(programme)
        | {
            "phases": phases,
            "week_plan": week_plan(programme, phases),
            "days_text": training_days_text(programme.training_days),
            "safety_net": programme.safety_net,
        },
        patient_id=programme.patient_id,
        case_id=programme.case_id,
        headers=headers(programme),
    )


def reminder_email(programme: Programme, due: datetime) -> Email:
    with translation.override(language.for_patient(programme.patient)):
        return _reminder_email(programme, due)


def _reminder_email(programme: Programme, due: datetime) -> Email:
    day = due.astimezone(programme.tz).date()
    current = next(iter(getattr(programme, "current_phases", [])), None)
    unsubscribe = links.unsubscribe_url(programme)
    return Email(
        language=translation.get_language(),
        key=f"prg{programme.pk}.rem.{day:%Y%m%d}",
        kind=Message.Kind.PROGRAMME_REMINDER,
        to=recipient(programme),
        template="programme_reminder",
        context=patient_context(programme, unsubscribe)
        | {
            "day": day,
            "exercises": list(current.exercises.all()) if current else [],
            "week": programme.week_number(day),
        },
        patient_id=programme.patient_id,
        headers=headers(programme, unsubscribe),
    )


def check_in_email(check_in: CheckIn) -> Email:
    programme = check_in.programme
    with translation.override(language.for_patient(programme.patient)):
        return _check_in_email(check_in, programme)


def _check_in_email(check_in: CheckIn, programme: Programme) -> Email:
    return Email(
        language=translation.get_language(),
        key=f"prg{programme.pk}.ci.w{check_in.week}",
        kind=Message.Kind.CHECK_IN,
        to=recipient(programme),
        template="check_in",
        context=patient_context(programme) | {"check_in": check_in},
        patient_id=programme.patient_id,
        headers=headers(programme),
    )


def link_email(programme: Programme, key: str) -> Email:
    return Email(
        language=language.for_patient(programme.patient),
        key=key,
        kind=Message.Kind.PROGRAMME_LINK,
        to=recipient(programme),
        template="programme_link",
        context=patient_context(programme),
        patient_id=programme.patient_id,
    )
