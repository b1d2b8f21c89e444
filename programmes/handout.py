"""The printed programme: a PDF handout for the patient (WeasyPrint, A4, large type), with each
exercise once (how to do it, its picture where the clinic uploaded one, its dose in every phase),
the week plan, the check-ins' dates, the safety-net advice and the clinic's details.

Clinicians print it for a patient who has no email (or has not agreed to it) from the case page;
a patient with email can download it from their page. A patient without email is told that the
clinic will ask the check-in questions (by phone or at a visit: staff enter the answers from the
case page) and, where the clinic allows it (`PROGRAMME_HANDOUT_LINK`), given a short link to type
to answer them on their own page. It reads the database and writes nothing: the views record who
saw it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from clinic import language as clinic_language
from programmes import emails, links, media
from programmes.models import Exercise, Programme, ProgrammeExercise


@dataclass
class PhaseDose:
    step: emails.PhaseDates
    item: ProgrammeExercise


@dataclass
class HandoutExercise:
    exercise: Exercise
    doses: list[PhaseDose] = field(default_factory=list)
    take_care: bool = False
    clash_notes: list[str] = field(default_factory=list)

    @property
    def image_url(self) -> str:
        return _image_url(self.exercise) if self.exercise.image else ""


def _image_url(exercise: Exercise) -> str:
    # Only the handout's own fetcher answers this scheme (see render_pdf).
    return f"exercise-image:{exercise.pk}"


def handout_exercises(week_plan: list[emails.PhaseDates]) -> list[HandoutExercise]:
    """Each exercise once, in the order the programme first asks for it, with its dose in
    every phase that has it."""
    found: dict[int, HandoutExercise] = {}
    for step in week_plan:
        for item in step.phase.exercises.all():
            entry = found.setdefault(item.exercise_id, HandoutExercise(exercise=item.exercise))
            entry.doses.append(PhaseDose(step=step, item=item))
            if item.clashes:
                entry.take_care = True
                if item.clash_note and item.clash_note not in entry.clash_notes:
                    entry.clash_notes.append(item.clash_note)
    return list(found.values())


@dataclass(frozen=True, slots=True)
class HandoutCheckIn:
    week: int
    day: date  # the day it opens, in the patient's time zone
    asks_ndi: bool


def handout_check_ins(programme: Programme) -> list[HandoutCheckIn]:
    return [
        HandoutCheckIn(
            week=c.week, day=c.due_at.astimezone(programme.tz).date(), asks_ndi=c.asks_ndi
        )
        for c in programme.check_ins.order_by("week")
    ]


def handout_context(programme: Programme) -> dict[str, Any]:
    phases = emails.programme_plan(programme)
    safety_net = programme.safety_net_shown  # in the handout's language
    plan = emails.week_plan(programme, phases)
    return {
        "programme": programme,
        "patient": programme.patient,
        "clinic": emails.clinic_details(),
        "week_plan": plan,
        "exercises": handout_exercises(plan),
        "days_text": emails.training_days_text(programme.training_days),
        "safety_net": safety_net,
        "safety_net_paragraphs": [
            part.strip() for part in safety_net.split("\n\n") if part.strip()
        ],
        "printed_on": timezone.localdate(),
        "check_ins": handout_check_ins(programme),
        "by_email": emails.can_email(programme.patient),
        # A short link to type from the paper, only where the clinic allows it (links.py).
        "short_link": links.handout_url(programme)
        if settings.PROGRAMME_HANDOUT_LINK and programme.is_live
        else "",
    }


def filename(programme: Programme) -> str:
    return f"programme-{programme.pk}.pdf"


def render_pdf(programme: Programme, language: str | None = None) -> bytes:
    """The handout as PDF, in `language` (the patient's own when not given: the clinician's
    print, clinic/language.py). Its pictures come from the exercise media storage; nothing
    else is fetched (no remote assets)."""
    with translation.override(language or clinic_language.for_patient(programme.patient)):
        return _render_pdf(programme)


def _render_pdf(programme: Programme) -> bytes:
    from weasyprint import HTML  # imported here: the system libraries load on first use
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    context = handout_context(programme)
    pictures = {
        _image_url(entry.exercise): entry.exercise.image.name
        for entry in context["exercises"]
        if entry.exercise.image
    }

    class PicturesOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            name = pictures.get(url)
            if name is None:
                raise ValueError(f"the handout loads no external resources ({url[:40]!r})")
            return URLFetcherResponse(
                url,
                body=media.read_bytes(name),
                headers={"Content-Type": media.content_type(name)},
            )

    html = render_to_string("programmes/handout_pdf.html", context)
    pdf: bytes = HTML(string=html, url_fetcher=PicturesOnly()).write_pdf()
    return pdf
