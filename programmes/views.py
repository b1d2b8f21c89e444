"""The clinician's programme pages: prescribe from a case (choose a template, then adjust its
doses with the caution clashes flagged), approve triage's suggestion from the queue, act on a
prescribed programme from the case page, and read the exercise library."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit import services as audit
from clinic.roles import Role, has_role, role_required
from clinic.text import text_problem
from programmes import check_ins, emails, handout, media, prescribing, reminders
from programmes.core.caution import ClashFound
from programmes.forms import (
    ChooseTemplateForm,
    PlannedExerciseForm,
    PlannedExerciseFormSet,
    PrescribeForm,
    RecordCheckInForm,
    ResumeForm,
    ReviewForm,
    StopForm,
    tomorrow,
)
from programmes.history import ProgrammeRefused
from programmes.models import (
    CheckIn,
    Exercise,
    Programme,
    ProgrammeTemplate,
    TemplateExercise,
    TemplatePhase,
)
from programmes.prescribing import PlannedExercise, PlannedPhase
from triage.models import Assessment, Case, Urgency
from triage.outcomes import patient_instruction


def _clinician(request: HttpRequest) -> User:
    # role_required has let only a signed-in clinician through.
    return cast(User, request.user)


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


# --- Prescribing ------------------------------------------------------------------------------


@dataclass(slots=True)
class ExerciseRow:
    form: PlannedExerciseForm
    planned: PlannedExercise
    clashes: tuple[ClashFound, ...]


@dataclass(slots=True)
class PhaseRows:
    phase: PlannedPhase
    rows: list[ExerciseRow]


@role_required(Role.CLINICIAN)
def prescribe(request: HttpRequest, case_id: int) -> HttpResponse:
    """Step 1 (GET): a template and a start date. Step 2 (GET with ?template=&start=): the
    template's doses to adjust, caution clashes flagged, and the note. POST: prescribe."""
    case = get_object_or_404(Case.objects.select_related("patient", "claimed_by"), pk=case_id)
    latest = prescribing.assessment_to_prescribe_from(case)
    # The intake's answers with the latest examination's findings: what the cautions read.
    answers = prescribing.caution_answers(case, latest)
    blockers = prescribing.prescription_blockers(case, latest)
    context: dict[str, Any] = {
        "case": case,
        "patient": case.patient,
        "blockers": blockers,
        "by_email": emails.can_email(case.patient),
        "live_programme": Programme.objects.live().filter(patient=case.patient).first(),
    }
    if request.method == "GET":
        audit.record_view(
            request=request, record=f"prescribing, case {case.pk}", patient=case.patient_id
        )

    if request.method == "POST":
        form = PrescribeForm(request.POST)
        valid = form.is_valid()
        template: ProgrammeTemplate | None = form.cleaned_data.get("template")
        if template is None:
            # No programme to adjust (taken out of the library meanwhile, or a post that did not
            # come from step 2): choose one again.
            return _step_one(
                request, context, case, latest, ChooseTemplateForm(request.POST), status=400
            )
        plan = prescribing.plan_from_template(template)
        formset, rows = _exercise_formset(plan, answers, data=request.POST)
        if any(row.clashes for phase in rows for row in phase.rows):
            form.check_clash_choice()
            valid = valid and not form.errors
        # Whatever is refused (the start date, a dose, the note, the service's own checks), the
        # page stays on step 2 with everything as the clinician left it and the error beside it.
        if formset.is_valid() and valid:
            if _rows_match(formset, plan):
                _apply(formset, plan, rows, form.cleaned_data)
                try:
                    programme = prescribing.prescribe_programme(
                        case_id=case.pk,
                        clinician=_clinician(request),
                        template_id=template.pk,
                        start_date=form.cleaned_data["start"],
                        plan=plan,
                        note=form.cleaned_data["note"],
                    )
                except ProgrammeRefused as exc:
                    form.add_error(None, str(exc))
                else:
                    return _prescribed(request, programme)
            else:
                form.add_error(
                    None, _("The programme changed in the library while you worked: start again.")
                )
        return _step_two(request, context, form, template, formset, rows, status=400)

    if "template" in request.GET or "start" in request.GET:
        choose = ChooseTemplateForm(request.GET)
        if not choose.is_valid():
            return _step_one(request, context, case, latest, choose, status=400)
        template = choose.cleaned_data["template"]
        plan = prescribing.plan_from_template(template)
        formset, rows = _exercise_formset(plan, answers)
        form = PrescribeForm(
            initial={"template": template.pk, "start": choose.cleaned_data["start"].isoformat()}
        )
        return _step_two(request, context, form, template, formset, rows)

    return _step_one(request, context, case, latest, None)


def _prescribed(request: HttpRequest, programme: Programme) -> HttpResponse:
    """Back to the case, at the programme: a patient who has no email gets the handout."""
    if emails.can_email(programme.patient):
        messages.success(request, _("Programme prescribed; the email is on its way."))
        return redirect("triage:case_detail", pk=programme.case_id)
    messages.warning(
        request,
        _(
            "Programme prescribed. The patient has no email address (or has not agreed to "
            "email): print the handout for them (“Print handout” below)."
        ),
    )
    return _back(programme)


def _step_one(
    request: HttpRequest,
    context: dict[str, Any],
    case: Case,
    latest: Assessment | None,
    form: ChooseTemplateForm | None,
    *,
    status: int = 200,
) -> HttpResponse:
    suggestion = prescribing.suggestion_for(case, latest)
    templates = list(
        ProgrammeTemplate.objects.filter(active=True).prefetch_related(
            Prefetch("phases", queryset=TemplatePhase.objects.order_by("position"))
        )
    )
    suggested = next((t for t in templates if suggestion and t.slug == suggestion.template), None)
    if form is None:
        form = ChooseTemplateForm(
            initial={"template": suggested.pk if suggested else None, "start": tomorrow()}
        )
    chosen = form["template"].value()
    options = [
        {
            "template": template,
            "weeks": sum(phase.weeks for phase in template.phases.all()),
            "phases": list(template.phases.all()),
            "suggested": template is suggested,
            "checked": str(template.pk) == str(chosen),
        }
        for template in templates
    ]
    context |= {
        "step": 1,
        "form": form,
        "options": options,
        "suggestion": suggestion if suggested else None,
        "suggested": suggested,
    }
    return render(request, "programmes/prescribe.html", context, status=status)


def _step_two(
    request: HttpRequest,
    context: dict[str, Any],
    form: PrescribeForm,
    template: ProgrammeTemplate,
    formset: Any,
    rows: list[PhaseRows],
    *,
    status: int = 200,
) -> HttpResponse:
    context |= {
        "step": 2,
        "form": form,
        "template": template,
        "formset": formset,
        "phases": rows,
        "clash_groups": prescribing.clashes_by_exercise(
            [
                prescribing.ClashWarning(phase.phase.position, row.planned.exercise, row.clashes)
                for phase in rows
                for row in phase.rows
                if row.clashes
            ],
            [phase.phase for phase in rows],
        ),
        "start": form["start"].value(),
    }
    return render(request, "programmes/prescribe.html", context, status=status)


def _exercise_formset(
    plan: Sequence[PlannedPhase], answers: dict[str, Any], *, data: Any = None
) -> tuple[Any, list[PhaseRows]]:
    """The plan as one form per exercise (phase by phase), with each exercise's clashes."""
    warnings = {
        (warning.phase, warning.exercise.pk): warning.found
        for warning in prescribing.clash_warnings(plan, answers)
    }
    flat = [(phase, item) for phase in plan for item in phase.exercises]
    initial = [
        {
            "phase": phase.position,
            "exercise": item.exercise.pk,
            "keep": item.keep,
            "sets": item.sets,
            "reps": item.reps,
            "hold_seconds": item.hold_seconds,
            "load_kg": item.load_kg,
            "days_per_week": item.days_per_week,
        }
        for phase, item in flat
    ]
    formset = PlannedExerciseFormSet(
        data, initial=None if data is not None else initial, prefix="ex"
    )
    forms = list(formset.forms)
    rows: list[PhaseRows] = []
    n = 0
    for phase in plan:
        phase_rows = []
        for item in phase.exercises:
            if n < len(forms):
                phase_rows.append(
                    ExerciseRow(
                        form=forms[n],
                        planned=item,
                        clashes=warnings.get((phase.position, item.exercise.pk), ()),
                    )
                )
            n += 1
        rows.append(PhaseRows(phase=phase, rows=phase_rows))
    return formset, rows


def _rows_match(formset: Any, plan: Sequence[PlannedPhase]) -> bool:
    expected = [(phase.position, item.exercise.pk) for phase in plan for item in phase.exercises]
    # An empty extra form (a management form that claims more rows than were sent) has no
    # cleaned data: it matches nothing.
    posted = [
        (form.cleaned_data.get("phase"), form.cleaned_data.get("exercise")) for form in formset
    ]
    return posted == expected


def _apply(
    formset: Any, plan: Sequence[PlannedPhase], rows: list[PhaseRows], choices: Mapping[str, Any]
) -> None:
    """The clinician's choices, onto the plan: each row's keep and dose, then the one choice for
    the exercises that clash (remove them all, or keep those still ticked with one note)."""
    items = [item for phase in plan for item in phase.exercises]
    for item, form in zip(items, formset, strict=True):
        data = form.cleaned_data
        item.keep = bool(data["keep"])
        item.sets = data["sets"]
        item.reps = data["reps"]
        item.hold_seconds = data["hold_seconds"]
        item.load_kg = data["load_kg"]
        item.days_per_week = data["days_per_week"]
    for phase in rows:
        for row in phase.rows:
            if not row.clashes:
                continue
            if choices.get("clash_choice") == "remove":
                row.planned.keep = False
            else:
                row.planned.clash_note = choices.get("clash_note") or ""


@require_POST
@role_required(Role.CLINICIAN)
def approve_suggestion(request: HttpRequest, case_id: int) -> HttpResponse:
    """The queue's one-step approval of triage's suggestion, as it stands, from tomorrow."""
    try:
        programme = prescribing.approve_suggested_programme(
            case_id=case_id, clinician=_clinician(request)
        )
    except Case.DoesNotExist:
        raise Http404("No such case") from None
    except ProgrammeRefused as exc:
        messages.error(request, _("Not prescribed: %(reason)s") % {"reason": exc})
        return redirect("programmes:prescribe", case_id=case_id)
    if not emails.can_email(programme.patient):
        return _prescribed(request, programme)
    messages.success(
        request,
        _("%(programme)s prescribed to %(patient)s, starting %(start)s; the email is on its way.")
        % {
            "programme": programme.name,
            "patient": programme.patient.full_name,
            "start": date_format(programme.start_date, "D d M"),
        },
    )
    return redirect("triage:queue")


# --- Acting on a programme (from the case page) -----------------------------------------------


def _programme_or_404(pk: int) -> Programme:
    return get_object_or_404(Programme.objects.only("pk", "case_id"), pk=pk)


def _back(programme: Programme) -> HttpResponse:
    url = reverse("triage:case_detail", args=[programme.case_id])
    return redirect(f"{url}#programme-{programme.pk}")


ProgrammeForm = ResumeForm | StopForm | ReviewForm


def _form_errors(form: Any) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _case_page_again(
    request: HttpRequest,
    programme: Programme,
    form: ProgrammeForm,
    *,
    not_done: str,
    refused: ProgrammeRefused | None = None,
) -> HttpResponse:
    """The case page with this programme's form as the clinician filled it in: what was wrong
    at the top ("Not resumed: ...") and beside the form, so that a refused note or reason is
    never lost to a redirect. `not_done` is "Not resumed: %(why)s" or its like."""
    # Imported here: triage's views import the programme panel (programmes.panels), which
    # imports nothing of this module; importing them at the top would be a cycle all the same.
    from triage.views import render_case_page

    if refused is not None:
        form.add_error(None, str(refused))
    messages.error(request, not_done % {"why": _form_errors(form)})
    return render_case_page(
        request,
        programme.case_id,
        panel_state={"programmes": {programme.pk: form}},
        status=400 if refused is None else 409,
    )


@require_POST
@role_required(Role.CLINICIAN)
def programme_resume(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme_or_404(pk)
    form = ResumeForm.for_programme(pk, request.POST)
    not_done = _("Not resumed: %(why)s")
    if not form.is_valid():
        return _case_page_again(request, programme, form, not_done=not_done)
    try:
        check_ins.resume_programme(
            programme_id=pk, clinician=_clinician(request), note=form.cleaned_data["note"]
        )
    except ProgrammeRefused as exc:
        return _case_page_again(request, programme, form, not_done=not_done, refused=exc)
    messages.success(request, _("The programme has resumed; reminders start again."))
    return _back(programme)


@require_POST
@role_required(Role.CLINICIAN)
def programme_stop(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme_or_404(pk)
    form = StopForm.for_programme(pk, request.POST)
    not_done = _("Not stopped: %(why)s")
    if not form.is_valid():
        return _case_page_again(request, programme, form, not_done=not_done)
    try:
        check_ins.stop_programme(
            programme_id=pk, clinician=_clinician(request), reason=form.cleaned_data["reason"]
        )
    except ProgrammeRefused as exc:
        return _case_page_again(request, programme, form, not_done=not_done, refused=exc)
    messages.success(request, _("The programme is stopped; no more reminders or check-ins."))
    return _back(programme)


@require_POST
@role_required(Role.CLINICIAN)
def programme_revoke_link(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme_or_404(pk)
    revoked = reminders.revoke_link(programme_id=pk, clinician=_clinician(request), send_new=True)
    if emails.can_email(revoked.patient):
        messages.success(
            request,
            _(
                "Every earlier link to the patient's page is revoked; a new one is on its way to "
                "the address on file."
            ),
        )
    else:
        messages.warning(
            request,
            _(
                "Every earlier link to the patient's page is revoked. No new link was emailed: "
                "the patient has no email address or has not agreed to email. Tell them their "
                "old link no longer works (by phone or at their next visit); the printed handout "
                "(“Print handout” below) needs no link."
            ),
        )
    return _back(programme)


@require_POST
@role_required(Role.CLINICIAN)
def programme_review(request: HttpRequest, pk: int) -> HttpResponse:
    programme = _programme_or_404(pk)
    form = ReviewForm.for_programme(pk, request.POST)
    not_done = _("Not reviewed: %(why)s")
    if not form.is_valid():
        return _case_page_again(request, programme, form, not_done=not_done)
    try:
        check_ins.review_progression(
            programme_id=pk,
            clinician=_clinician(request),
            move_on=form.cleaned_data["decision"] == "move_on",
            note=form.cleaned_data["note"],
        )
    except ProgrammeRefused as exc:
        return _case_page_again(request, programme, form, not_done=not_done, refused=exc)
    messages.success(request, _("Progression reviewed."))
    return _back(programme)


@require_http_methods(["GET", "POST"])
@role_required(Role.CLINICIAN)
def record_check_in(request: HttpRequest, pk: int, week: int) -> HttpResponse:
    """A check-in asked by phone or at a visit (a patient without email, or one who rang) and
    entered for the patient through the same service as the patient's own: a worse pain or a
    new red flag goes back to triage exactly as theirs would. The check-in, its history line and
    any intake it goes back to triage as record who entered it, and how."""
    programme = get_object_or_404(Programme.objects.select_related("patient"), pk=pk)
    found = programme.check_ins.filter(week=week).first()
    if found is None:
        raise Http404("No such check-in")
    closed = _closed_for_recording(programme, found)
    if closed:
        messages.error(request, closed)
        return _back(programme)
    if request.method == "POST":
        form = RecordCheckInForm(request.POST, check_in=found)
        if form.is_valid():
            try:
                result = check_ins.complete_check_in(
                    programme_id=programme.pk,
                    week=week,
                    pain=form.cleaned_data["pain"],
                    sessions_done=form.cleaned_data.get("sessions_done"),
                    ndi_answers=form.ndi_answers(),
                    screen_answers=form.screen_answers(),
                    trauma_mechanism=form.trauma_mechanism_answer(),
                    entered_by=_clinician(request),
                    entered_how=form.cleaned_data["how"],
                )
            except check_ins.CheckInClosed as exc:
                messages.error(request, str(exc))
                return _back(programme)
            except (ProgrammeRefused, ValueError) as exc:
                form.add_error(None, str(exc))
            else:
                _say_what_follows(request, result)
                return _back(programme)
        status = 400
    else:
        audit.record_view(
            request=request,
            record=f"programme {programme.pk} check-in, week {week}",
            patient=programme.patient_id,
        )
        form = RecordCheckInForm(check_in=found)
        status = 200
    return render(
        request,
        "programmes/record_check_in.html",
        {"programme": programme, "patient": programme.patient, "check_in": found, "form": form},
        status=status,
    )


def _closed_for_recording(programme: Programme, found: CheckIn) -> str:
    """Why this check-in cannot be entered now, in the service's terms; empty if it can."""
    if found.completed_at is not None:
        return _("That check-in is already answered.")
    if not programme.is_live:
        return _("The programme has ended; its check-ins can no longer be answered.")
    if found.due_at > timezone.now() + settings.PROGRAMME_CHECK_IN_EARLY:
        return _("That check-in opens on %(day)s.") % {
            "day": date_format(found.due_at.astimezone(programme.tz).date(), "l j F")
        }
    return ""


def _say_what_follows(request: HttpRequest, result: check_ins.CheckInResult) -> None:
    """What the member of staff tells the patient they are speaking to: when the answers went
    back to triage, the patient's own instruction for the urgency (triage.outcomes)."""
    if result.urgency is None:
        messages.success(request, _("Check-in recorded for the patient."))
        return
    urgency = Urgency(result.urgency)
    instruction = patient_instruction(urgency.key, sla=urgency.sla)
    messages.warning(
        request,
        _(
            "Check-in recorded: the answers went back to triage at %(urgency)s and the "
            "programme is on hold. Tell the patient now: %(heading)s. %(now)s"
        )
        % {
            "urgency": urgency.label,
            "heading": instruction.heading,
            "now": instruction.now,
        },
    )


# --- The printed handout and the exercise media ----------------------------------------------


@require_GET
@role_required(Role.CLINICIAN)
def programme_handout(request: HttpRequest, pk: int) -> HttpResponse:
    """The patient's programme as a PDF to print (for a patient without email, or on request):
    a read of their record, recorded as one."""
    programme = get_object_or_404(Programme.objects.select_related("patient", "template"), pk=pk)
    audit.record_view(
        request=request, record=f"programme {programme.pk} handout", patient=programme.patient_id
    )
    return pdf_response(handout.render_pdf(programme), handout.filename(programme))


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def exercise_media(request: HttpRequest, name: str) -> FileResponse:
    """An exercise's picture or video for staff (the admin's preview, the library): signed in
    (LoginRequiredMiddleware) as a clinician or an admin. Only files an exercise names."""
    if not (has_role(request.user, Role.CLINICIAN) or request.user.is_staff):
        raise PermissionDenied
    # A stored file's name is plain text; one with a control character (a NUL, which PostgreSQL
    # refuses to compare) names no file.
    if (
        text_problem(name)
        or not Exercise.objects.filter(models.Q(image=name) | models.Q(video=name)).exists()
    ):
        raise Http404("No such file")
    response = media.file_response(name)
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- The library ------------------------------------------------------------------------------


@require_GET
@role_required(Role.CLINICIAN)
def library(request: HttpRequest) -> HttpResponse:
    """The exercise library and the templates, read-only (edited in the Django admin)."""
    exercises = list(Exercise.objects.filter(active=True).order_by("category", "name"))
    templates = list(
        ProgrammeTemplate.objects.filter(active=True).prefetch_related(
            Prefetch(
                "phases",
                queryset=TemplatePhase.objects.order_by("position").prefetch_related(
                    Prefetch(
                        "exercises",
                        queryset=TemplateExercise.objects.select_related("exercise"),
                    )
                ),
            )
        )
    )
    return render(
        request,
        "programmes/library.html",
        {"exercises": exercises, "templates": templates},
    )
