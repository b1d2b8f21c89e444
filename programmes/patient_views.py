"""The patient's own pages, reached by a signed link with no login: their programme, logging a
session, check-ins, their choices, and unsubscribing.

Every page carries health data and may be opened on a shared device: none is cached or indexed,
and none sends the link (which is the key) on to another site as a referrer.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit import services as audit
from clinic import language as clinic_language
from clinic.views import clinic_phone
from governance.active import NotSignedOff
from programmes import check_ins, emails, links, media, reminders
from programmes import handout as programme_handout
from programmes.history import ProgrammeRefused
from programmes.models import (
    CheckIn,
    Exercise,
    Programme,
    ProgrammeEvent,
    SessionLog,
)
from programmes.patient_forms import CheckInForm, NewLinkForm, ScheduleForm, SessionForm
from triage.models import Assessment, Urgency
from triage.outcomes import PatientInstruction, patient_instruction, safety_net_lists

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

View = Callable[..., HttpResponseBase]

FORM_BROKE_ADVICE = _(
    "Your form broke: drop the weight next time (one step lighter) and keep the movement clean."
)
PAINFUL_ADVICE = _(
    "It hurt more than usual: stop the exercise that hurt. If the pain is clearly worse "
    "tomorrow, or spreads down an arm, stop the exercises and contact the clinic."
)
OUTCOME_WORDS: dict[str, StrOrPromise] = {
    CheckIn.Outcome.NEXT_PHASE: _(
        "Well done: you have moved on to the next phase of your programme. Its exercises are on "
        "your page."
    ),
    CheckIn.Outcome.ADD_LOAD: _(
        "Good progress: go up one step in weight for the exercises with a weight. Your new "
        "weights are on your page."
    ),
    CheckIn.Outcome.HOLD: _("Keep going with the same exercises and the same weights."),
    CheckIn.Outcome.REDUCE_LOAD: _(
        "Drop the weight one step for the exercises with a weight, and keep the movement clean. "
        "Your new weights are on your page."
    ),
    CheckIn.Outcome.ASK_CLINICIAN: _(
        "Your clinician will review your progress before you move on. Keep going with the same "
        "exercises and weights until then."
    ),
}
START_WORDS = _("This gives the clinic your starting point. Start your exercises as planned.")

log = logging.getLogger(__name__)


def _render(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    context = {"clinic_name": settings.CLINIC_NAME} | (context or {})
    return render(request, template, context, status=status)


def _day(day: date) -> str:
    return date_format(day, gettext("l j F"))


def patient_view(view: View) -> View:
    """No login (the signed link is the key), and nothing cached, indexed or leaked."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # The language switched to on this browser, until the view knows its patient.
        clinic_language.use_on_patient_page(request)
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        # The link never leaves the site in a Referer header. Not "no-referrer": with it a
        # browser sends "Origin: null" on the page's own forms, and CSRF refuses them.
        response["Referrer-Policy"] = "same-origin"
        return response

    return login_not_required(wrapped)


def _link_problem(request: HttpRequest, problem: links.LinkProblem, token: str) -> HttpResponse:
    known = problem.programme is not None
    return _render(
        request,
        "programmes/patient/link_problem.html",
        {"problem": str(problem), "known": known, "form": NewLinkForm(initial={"token": token})},
        status=410 if known else 404,
    )


def _resolve(request: HttpRequest, token: str) -> Programme | HttpResponse:
    """The programme of the link, the rest of the request in its patient's language; else the
    page that says what is wrong with the link."""
    try:
        programme = links.programme_for_page(token)
    except links.LinkProblem as problem:
        clinic_language.use_on_patient_page(
            request, problem.programme.patient if problem.programme else None
        )
        return _link_problem(request, problem, token)
    clinic_language.use_on_patient_page(request, programme.patient)
    return programme


def _sessions_since_last_check_in(programme: Programme, check_ins: list[CheckIn]) -> int:
    answered = [c.completed_at for c in check_ins if c.completed_at is not None]
    since = max(answered) if answered else programme.prescribed_at
    return programme.sessions.filter(created_at__gt=since).count()


def _page(
    request: HttpRequest,
    programme: Programme,
    token: str,
    *,
    session_form: SessionForm | None = None,
    schedule_form: ScheduleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    phases = emails.programme_plan(programme)
    current = next((p for p in phases if p.position == programme.current_phase), None)
    exercises = list(current.exercises.all()) if current else []
    today = programme.local_today()
    every_check_in = list(programme.check_ins.all())
    open_check_in = check_ins.open_check_in(programme)
    start_questionnaire = next((c for c in every_check_in if c.week == 0), None)
    if session_form is None:
        session_form = SessionForm(exercises=exercises, today=today, starts=programme.start_date)
    if schedule_form is None:
        schedule_form = ScheduleForm(
            initial={
                "training_days": programme.training_days,
                "reminder_time": programme.reminder_time,
                "time_zone": programme.time_zone,
            }
        )
    schedule_chosen = programme.events.filter(kind=ProgrammeEvent.Kind.SCHEDULE_CHANGED).exists()
    recent_sessions = list(programme.sessions.all()[:5])
    context = {
        "programme": programme,
        "token": token,
        "given_name": programme.patient.given_name,
        "clinic_name": settings.CLINIC_NAME,
        "today": today,
        "week": programme.week_number(today),
        "total_weeks": sum(p.weeks for p in phases),
        "current": current,
        "exercises": exercises,
        "week_plan": emails.week_plan(programme, phases),
        "days_text": emails.training_days_text(programme.training_days),
        "open_check_in": open_check_in,
        "start_questionnaire": start_questionnaire,
        "answered": [c for c in every_check_in if c.completed_at is not None],
        "recent_sessions": recent_sessions,
        "session_form": session_form,
        "schedule_form": schedule_form,
        "schedule_chosen": schedule_chosen,
        "on_hold": programme.status == Programme.Status.ON_HOLD,
        "ended": not programme.is_live,
        "unsubscribe_token": links.unsubscribe_token(programme),
        "instruction": _hold_instruction(programme, every_check_in),
    } | safety_net_lists()
    return _render(request, "programmes/patient/patient_page.html", context, status=status)


def _hold_instruction(programme: Programme, check_ins: list[CheckIn]) -> PatientInstruction | None:
    """While a check-in holds the programme, what its triage told the patient to do: the same
    words as the check-in's result page."""
    if programme.status != Programme.Status.ON_HOLD:
        return None
    triaged = [c for c in check_ins if c.outcome == CheckIn.Outcome.TRIAGE and c.intake_id]
    latest = max(triaged, key=lambda c: c.week, default=None)
    if latest is None or latest.intake_id is None:
        return None
    urgency = Assessment.objects.filter(intake_id=latest.intake_id).values_list(
        "urgency", flat=True
    )
    return instruction_for(Urgency(urgency[0])) if urgency else None


@patient_view
@require_GET
def patient_page(request: HttpRequest, token: str) -> HttpResponse:
    programme = _resolve(request, token)
    if isinstance(programme, HttpResponse):
        return programme
    reminders.record_page_visit(programme)
    audit.record_view(
        request=request,
        record=f"programme {programme.pk}",
        patient=programme.patient_id,
        by_patient=True,
    )
    return _page(request, programme, token)


@patient_view
@require_GET
def handout(request: HttpRequest, token: str) -> HttpResponse:
    """The patient's programme as a PDF to print or keep."""
    programme = _resolve(request, token)
    if isinstance(programme, HttpResponse):
        return programme
    audit.record_view(
        request=request,
        record=f"programme {programme.pk} handout",
        patient=programme.patient_id,
        by_patient=True,
    )
    response = HttpResponse(
        programme_handout.render_pdf(programme, translation.get_language()),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'inline; filename="{programme_handout.filename(programme)}"'
    return response


@patient_view
@require_GET
def exercise_media(
    request: HttpRequest, token: str, exercise_id: int, kind: str
) -> HttpResponseBase:
    """The picture or video of an exercise in the patient's programme (no other)."""
    programme = _resolve(request, token)
    if isinstance(programme, HttpResponse):
        return programme
    if kind not in ("image", "video"):
        raise Http404("No such file")
    exercise = Exercise.objects.filter(
        pk=exercise_id, prescribed__phase__programme=programme
    ).first()
    stored = getattr(exercise, kind) if exercise is not None else None
    if not stored:
        raise Http404("No such file")
    return media.file_response(stored.name)


@patient_view
@require_POST
def log_session(request: HttpRequest, token: str) -> HttpResponse:
    programme = _resolve(request, token)
    if isinstance(programme, HttpResponse):
        return programme
    if programme.status != Programme.Status.ACTIVE:
        messages.warning(
            request, gettext("Sessions cannot be logged now: see the notice on your page.")
        )
        return redirect("programmes:patient_page", token=token)
    exercises = list(
        programme.phases.get(position=programme.current_phase)
        .exercises.select_related("exercise")
        .all()
    )
    form = SessionForm(
        request.POST,
        exercises=exercises,
        today=programme.local_today(),
        starts=programme.start_date,
    )
    if form.is_valid():
        try:
            session = check_ins.log_session(
                programme_id=programme.pk,
                performed_on=form.cleaned_data["performed_on"],
                felt=form.cleaned_data["felt"],
                exercises=form.logged(),
                note=form.cleaned_data["note"],
            )
        except ProgrammeRefused as exc:
            form.add_error(None, str(exc))
        else:
            text = gettext("Session on %(day)s logged. Thank you.") % {
                "day": _day(session.performed_on)
            }
            if session.felt == SessionLog.Felt.FORM_BROKE:
                messages.warning(request, f"{text} {FORM_BROKE_ADVICE}")
            elif session.felt == SessionLog.Felt.PAINFUL:
                messages.warning(request, f"{text} {PAINFUL_ADVICE}")
            else:
                messages.success(request, text)
            return redirect("programmes:patient_page", token=token)
    return _page(request, programme, token, session_form=form, status=400)


@patient_view
@require_POST
def schedule(request: HttpRequest, token: str) -> HttpResponse:
    programme = _resolve(request, token)
    if isinstance(programme, HttpResponse):
        return programme
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            reminders.choose_schedule(
                programme_id=programme.pk,
                training_days=form.cleaned_data["training_days"],
                reminder_time=form.cleaned_data["reminder_time"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except ProgrammeRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, gettext("Your choices are saved. Reminders follow them from now.")
            )
            return redirect("programmes:patient_page", token=token)
    return _page(request, programme, token, schedule_form=form, status=400)


@patient_view
@require_POST
def pause(request: HttpRequest, token: str) -> HttpResponse:
    programme = _resolve(request, token)
    if isinstance(programme, HttpResponse):
        return programme
    reminders.pause_reminders(programme_id=programme.pk)
    messages.success(request, gettext("Reminders are paused. Check-in emails still come."))
    return redirect("programmes:patient_page", token=token)


@patient_view
@require_POST
def resume(request: HttpRequest, token: str) -> HttpResponse:
    programme = _resolve(request, token)
    if isinstance(programme, HttpResponse):
        return programme
    reminders.resume_reminders(programme_id=programme.pk)
    messages.success(request, gettext("Reminders are back on."))
    return redirect("programmes:patient_page", token=token)


def _check_in_closed(
    request: HttpRequest, programme: Programme, token: str, reason: str, status: int = 409
) -> HttpResponse:
    return _render(
        request,
        "programmes/patient/check_in_closed.html",
        {"programme": programme, "token": token, "reason": reason},
        status=status,
    )


@patient_view
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, token: str, week: int) -> HttpResponse:
    programme = _resolve(request, token)
    if isinstance(programme, HttpResponse):
        return programme
    every_check_in = list(programme.check_ins.all())
    found = next((c for c in every_check_in if c.week == week), None)
    if found is None:
        return _check_in_closed(
            request, programme, token, gettext("There is no such check-in."), 404
        )
    if found.completed_at is not None:
        return _check_in_result(request, programme, token, found)
    if not programme.is_live:
        return _check_in_closed(request, programme, token, gettext("This programme has ended."))
    if found.due_at > timezone.now() + settings.PROGRAMME_CHECK_IN_EARLY:
        return _check_in_closed(
            request,
            programme,
            token,
            gettext("This check-in opens on %(day)s. We will email you when it is ready.")
            % {"day": _day(found.due_at.astimezone(programme.tz).date())},
        )
    if request.method == "POST":
        form = CheckInForm(request.POST, check_in=found)
        if form.is_valid():
            try:
                check_ins.complete_check_in(
                    programme_id=programme.pk,
                    week=week,
                    pain=form.cleaned_data["pain"],
                    sessions_done=form.cleaned_data.get("sessions_done"),
                    ndi_answers=form.ndi_answers(),
                    screen_answers=form.screen_answers(),
                    trauma_mechanism=form.trauma_mechanism_answer(),
                )
            except check_ins.CheckInClosed as exc:
                return _check_in_closed(request, programme, token, str(exc))
            except NotSignedOff:
                # Nothing saved (the transaction rolled back); every answer stays in the form.
                # Staff see why on every page and in the monitoring problems.
                return _render(
                    request,
                    "programmes/patient/check_in.html",
                    {
                        "programme": programme,
                        "token": token,
                        "check_in": found,
                        "form": form,
                        "not_taken": True,
                        "clinic_phone": clinic_phone(),
                    }
                    | safety_net_lists(),
                    status=503,
                )
            except ProgrammeRefused as exc:
                form.add_error(None, str(exc))
            except ValueError as exc:
                # The form let through what the service refuses (a bug, not the patient's doing):
                # nothing was saved, the answers stay in the form, and the patient reads a
                # sentence of their own language rather than the service's English.
                # Its text names the question, never the answer; still, no health data in logs.
                log.error(
                    "check-in %s of programme %s refused by the service (%s)",
                    week,
                    programme.pk,
                    type(exc).__name__,
                )
                form.add_error(
                    None,
                    gettext(
                        "Your answers could not be saved as they are. Please check each one and "
                        "send them again, or phone the clinic."
                    ),
                )
            else:
                # The result is read back from the database on the GET.
                return redirect("programmes:check_in", token=token, week=week)
        status = 400
    else:
        form = CheckInForm(
            check_in=found,
            initial={"sessions_done": _sessions_since_last_check_in(programme, every_check_in)},
        )
        status = 200
    return _render(
        request,
        "programmes/patient/check_in.html",
        {"programme": programme, "token": token, "check_in": found, "form": form},
        status=status,
    )


def _check_in_result(
    request: HttpRequest, programme: Programme, token: str, found: CheckIn
) -> HttpResponse:
    instruction: PatientInstruction | None = None
    if found.outcome == CheckIn.Outcome.TRIAGE and found.intake_id is not None:
        found = CheckIn.objects.select_related("intake__assessment").get(pk=found.pk)
        assert found.intake is not None
        instruction = instruction_for(Urgency(found.intake.assessment.urgency))
    return _render(
        request,
        "programmes/patient/check_in_result.html",
        {
            "programme": programme,
            "token": token,
            "check_in": found,
            "instruction": instruction,
            "outcome_words": OUTCOME_WORDS.get(found.outcome, START_WORDS),
        }
        | safety_net_lists(),
    )


def instruction_for(urgency: Urgency) -> PatientInstruction:
    """What the patient does after triage at `urgency`, with the clinic's deadline for it."""
    return patient_instruction(urgency.key, sla=urgency.sla)


@patient_view
# The signed link is the protection here, not a CSRF token: RFC 8058 mail clients POST
# "List-Unsubscribe=One-Click" from outside any page of ours, so they carry none.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET changes nothing: a page saying what unsubscribing stops, with a button (a mail
    scanner that follows every link must not end a patient's check-ins and their red-flag
    screen). POST, from that button or from the mail client's one-click: emails stop at once."""
    try:
        programme = links.programme_for_unsubscribe(token)
    except links.LinkProblem as problem:
        return _unsubscribe_problem(request, problem)
    clinic_language.use_on_patient_page(request, programme.patient)
    if request.method == "GET":
        return _render(
            request,
            "programmes/patient/unsubscribe.html",
            {
                "token": token,
                "already": programme.unsubscribed_at is not None,
                "clinic_phone": clinic_phone(),
            },
        )
    reminders.unsubscribe(programme_id=programme.pk)
    return _render(
        request,
        "programmes/patient/unsubscribed.html",
        {"token": token, "unsubscribed": True, "clinic_phone": clinic_phone()},
    )


@patient_view
@require_POST
def resubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Emails back on, through the unsubscribe link (which opens nothing else)."""
    try:
        programme = links.programme_for_unsubscribe(token)
    except links.LinkProblem as problem:
        return _unsubscribe_problem(request, problem)
    clinic_language.use_on_patient_page(request, programme.patient)
    reminders.resubscribe(programme_id=programme.pk)
    return _render(
        request,
        "programmes/patient/unsubscribed.html",
        {"token": token, "unsubscribed": False, "clinic_phone": clinic_phone()},
    )


def _unsubscribe_problem(request: HttpRequest, problem: links.LinkProblem) -> HttpResponse:
    """A link that stops nothing: not ours (404), or revoked by the clinic (410)."""
    if problem.programme is not None:
        clinic_language.use_on_patient_page(request, problem.programme.patient)
    return _render(
        request,
        "programmes/patient/unsubscribed.html",
        {"problem": str(problem), "clinic_phone": clinic_phone()},
        status=410 if problem.programme is not None else 404,
    )


@patient_view
@require_GET
def handout_link(request: HttpRequest, code: str) -> HttpResponse:
    """The short link printed on the handout (programmes/links.py): on to the patient's page,
    with a fresh signed link, which records the visit as the page always does."""
    try:
        programme = links.programme_for_handout_code(code)
    except links.LinkProblem as problem:
        return _render(
            request,
            "programmes/patient/link_problem.html",
            {"problem": str(problem), "known": False, "typed": True},
            status=410 if problem.programme is not None else 404,
        )
    return redirect(links.page_url(programme, absolute=False))


@patient_view
@require_POST
def new_link(request: HttpRequest) -> HttpResponse:
    """A fresh link to the address on file. The answer is the same whatever the token, so it
    tells a stranger nothing."""
    form = NewLinkForm(request.POST)
    if form.is_valid():
        token = form.cleaned_data["token"]
        programme: Programme | None
        try:
            programme = links.programme_for_page(token)
        except links.LinkProblem as problem:
            programme = problem.programme
        if programme is not None:
            reminders.send_new_link(programme_id=programme.pk)
    return _render(request, "programmes/patient/new_link_sent.html")
