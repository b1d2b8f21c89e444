"""The patient's self-intake pages, reached by the emailed link with no login (phone first).

The patient first gives their date of birth; nothing of theirs is shown before it matches. Then
one section of the intake per screen, with "Step 3 of 7", forward and back and "finish later"
without losing anything (every answer sent is kept in the link's draft, as typed), the answers
to check, and sending them. Every step is an ordinary form POST, so it all works without
JavaScript (static/selfintake/selfintake.js only shows "how did it happen" at once after a yes).

After sending, the patient is told what to do by the urgency, in the words every patient page
uses (triage.outcomes.patient_instruction): for an EMERGENCY, a screen with nothing but "call
999 now". A link that no longer works (expired, used, replaced) says so and offers to ask the
clinic for a new one. The pages carry the patient pages' headers (programmes.patient_views
.patient_view: not cached, not indexed, no referrer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from audit import services as audit
from audit.models import AuditEvent
from clinic import language
from clinic.views import clinic_phone
from governance.active import NotSignedOff
from programmes.patient_views import patient_view
from psychosocial.intake import Questionnaire, active_questionnaire
from selfintake import forms as steps
from selfintake import links, services
from selfintake.models import Invitation
from triage.models import Assessment, Case, Urgency
from triage.outcomes import patient_instruction, safety_net_lists

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

GO_NEXT, GO_BACK, GO_LATER = "next", "back", "later"


def _render(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    context = {"clinic_name": settings.CLINIC_NAME, "clinic_phone": clinic_phone()} | (
        context or {}
    )
    return render(request, template, context, status=status)


def _in_patient_language(request: HttpRequest, invitation: Invitation | None) -> None:
    """The rest of the request in the language of the invitation's patient (clinic/language.py)."""
    if invitation is not None:
        language.use_on_patient_page(request, invitation.patient)


def _link_problem(request: HttpRequest, problem: links.LinkProblem, link: str) -> HttpResponse:
    known = problem.invitation is not None
    _in_patient_language(request, problem.invitation)
    return _render(
        request,
        "selfintake/patient/link_problem.html",
        {"problem": str(problem), "known": known, "kind": problem.kind, "link": link},
        status=410 if known else 404,
    )


def _open(request: HttpRequest, link: str) -> Invitation | HttpResponse:
    """The open invitation of the link, confirmed on this browser; else the page to show."""
    try:
        invitation = links.invitation_for(link)
    except links.LinkProblem as problem:
        if (
            problem.kind == "used"
            and problem.invitation is not None
            and links.is_confirmed(request, problem.invitation)
        ):
            return redirect("selfintake:done", link=link)
        return _link_problem(request, problem, link)
    _in_patient_language(request, invitation)
    if not links.is_confirmed(request, invitation):
        return redirect("selfintake:start", link=link)
    return invitation


def _confirmed(response: HttpResponseBase, invitation: Invitation, link: str) -> HttpResponseBase:
    links.confirm_on(response, invitation, link)  # another SELF_INTAKE_IDLE from now
    return response


def _steps(questionnaire: Questionnaire | None) -> tuple[steps.Step, ...]:
    return steps.steps_for(questionnaire)


def _first_unfinished(
    invitation: Invitation, typed: dict[str, str], questionnaire: Questionnaire | None
) -> steps.Step | None:
    patient = invitation.patient
    today = timezone.localdate()
    for step in _steps(questionnaire):
        form = steps.step_form(
            step, typed, questionnaire=questionnaire, born=patient.date_of_birth, today=today
        )
        if not form.is_valid() or form.asks_mechanism:
            return step
    return None


@patient_view
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, link: str) -> HttpResponseBase:
    """The date of birth first; once it matches, on to the first step not yet answered."""
    try:
        invitation = links.invitation_for(link)
    except links.LinkProblem as problem:
        if (
            problem.kind == "used"
            and problem.invitation is not None
            and links.is_confirmed(request, problem.invitation)
        ):
            return redirect("selfintake:done", link=link)
        return _link_problem(request, problem, link)
    _in_patient_language(request, invitation)
    now = timezone.now()
    if request.method == "GET" and links.is_confirmed(request, invitation):
        return _resume(invitation, link)
    form = steps.DateOfBirthForm(request.POST if request.method == "POST" else None)
    wrong = False
    if invitation.is_paused(now):
        return _paused(request, invitation, link)
    if request.method == "POST" and form.is_valid():
        answer = services.check_date_of_birth(
            invitation_id=invitation.pk, born=form.cleaned_data["date_of_birth"], request=request
        )
        if answer.right:
            return _confirmed(_resume(invitation, link), invitation, link)
        if answer.ended:
            return _link_problem(
                request, links.LinkProblem(_too_many_tries(), invitation, "retired"), link
            )
        if answer.paused_until is not None:
            invitation.paused_until = answer.paused_until
            return _paused(request, invitation, link)
        wrong = True
        form = steps.DateOfBirthForm(request.POST)
        form.is_valid()
        form.add_error(
            "day",
            gettext(
                "That date of birth does not match the clinic's record. Check it and try again."
            ),
        )
    return _render(
        request,
        "selfintake/patient/start.html",
        {"form": form, "link": link, "wrong": wrong, "expires_at": invitation.expires_at},
        status=400 if request.method == "POST" else 200,
    )


def _too_many_tries() -> str:
    return gettext(
        "This link no longer works: the date of birth was entered wrongly too many times."
    )


def _paused(request: HttpRequest, invitation: Invitation, link: str) -> HttpResponse:
    return _render(
        request,
        "selfintake/patient/paused.html",
        {"paused_until": invitation.paused_until, "link": link},
        status=429,
    )


def _resume(invitation: Invitation, link: str) -> HttpResponse:
    """Back where the patient left off: the first step not answered yet, else their answers."""
    questionnaire = active_questionnaire()
    typed = services.typed_answers(invitation)
    step = _first_unfinished(invitation, typed, questionnaire)
    if step is None:
        return redirect("selfintake:answers", link=link)
    return redirect("selfintake:step", link=link, step=step.slug)


def _step_context(
    invitation: Invitation,
    link: str,
    step: steps.Step,
    form: steps.StepForm,
    every: tuple[steps.Step, ...],
) -> dict[str, Any]:
    position = every.index(step) + 1
    return {
        "link": link,
        "step": step,
        "form": form,
        "position": position,
        # The answers page is a step too: "Step 7 of 7" is checking them.
        "total": len(every) + 1,
        "given_name": invitation.patient.given_name,
        "expires_at": invitation.expires_at,
        "first": position == 1,
    }


def _step_named(slug: str, every: tuple[steps.Step, ...]) -> steps.Step:
    found = next((s for s in every if s.slug == slug), None)
    if found is None:
        raise Http404("No such step")
    return found


@patient_view
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, link: str, step: str) -> HttpResponseBase:
    opened = _open(request, link)
    if isinstance(opened, HttpResponse):
        return opened
    invitation = opened
    questionnaire = active_questionnaire()
    every = _steps(questionnaire)
    current = _step_named(step, every)
    patient = invitation.patient
    kwargs: dict[str, Any] = {
        "step": current,
        "questionnaire": questionnaire,
        "born": patient.date_of_birth,
        "today": timezone.localdate(),
    }
    if request.method == "GET":
        typed = services.typed_answers(invitation)
        form = steps.StepForm(initial=typed, **kwargs)
        context = _step_context(invitation, link, current, form, every)
        return _confirmed(
            _render(request, "selfintake/patient/step.html", context), invitation, link
        )
    form = steps.StepForm(request.POST, **kwargs)
    go = request.POST.get("go", GO_NEXT)
    # Whatever the button, what was typed is kept: back, later and a refused answer lose nothing.
    services.save_answers(invitation_id=invitation.pk, typed=form.typed(), step=current)
    index = every.index(current)
    if go == GO_BACK:
        target = (
            reverse("selfintake:step", args=[link, every[index - 1].slug])
            if index > 0
            else reverse("selfintake:start", args=[link])
        )
        return _confirmed(redirect(target), invitation, link)
    if go == GO_LATER:
        return _confirmed(redirect("selfintake:saved", link=link), invitation, link)
    if form.is_valid() and not form.asks_mechanism:
        target = (
            reverse("selfintake:step", args=[link, every[index + 1].slug])
            if index + 1 < len(every)
            else reverse("selfintake:answers", args=[link])
        )
        return _confirmed(redirect(target), invitation, link)
    context = _step_context(invitation, link, current, form, every)
    # A yes to the injury question, on a screen that did not yet show how it happened: one more
    # question, not a mistake.
    status = 200 if form.asks_mechanism and not form.errors else 400
    return _confirmed(
        _render(request, "selfintake/patient/step.html", context, status=status),
        invitation,
        link,
    )


def _answers_context(invitation: Invitation, link: str) -> dict[str, Any]:
    questionnaire = active_questionnaire()
    typed = services.typed_answers(invitation)
    every = _steps(questionnaire)
    patient = invitation.patient
    today = timezone.localdate()
    sections = []
    for each in every:
        form = steps.step_form(
            each, typed, questionnaire=questionnaire, born=patient.date_of_birth, today=today
        )
        complete = form.is_valid() and not form.asks_mechanism
        rows: list[tuple[StrOrPromise, StrOrPromise]] = []
        if each.section is None and questionnaire is not None:
            for item in questionnaire.questions:
                value = typed.get(item.field, "")
                label = next((o.label for o in item.options if o.value == value), "")
                rows.append((item.wording, label))
        else:
            for question in each.questions():
                if question.name == steps.MECHANISM and typed.get(steps.TRAUMA_QUESTION) != "yes":
                    continue
                value = typed.get(question.name, "")
                rows.append(
                    (
                        steps.wording.PATIENT_QUESTIONS[question.name].text,
                        steps.display_answer(question.name, value) if value else "",
                    )
                )
        sections.append({"step": each, "rows": rows, "complete": complete})
    return {
        "link": link,
        "sections": sections,
        "complete": all(s["complete"] for s in sections),
        "position": len(every) + 1,
        "total": len(every) + 1,
        "given_name": patient.given_name,
        "expires_at": invitation.expires_at,
        "last_step": every[-1],
    }


@patient_view
@require_http_methods(["GET", "POST"])
def answers(request: HttpRequest, link: str) -> HttpResponseBase:
    """Every answer to look over, each section with a link to change it; then send them."""
    opened = _open(request, link)
    if isinstance(opened, HttpResponse):
        return opened
    invitation = opened
    if request.method == "GET":
        context = _answers_context(invitation, link)
        return _confirmed(
            _render(request, "selfintake/patient/answers.html", context), invitation, link
        )
    questionnaire = active_questionnaire()
    try:
        services.submit_self_intake(invitation_id=invitation.pk, questionnaire=questionnaire)
    except steps.Incomplete as incomplete:
        # The first step not complete, with its questions marked as when it was sent.
        patient = invitation.patient
        form = steps.step_form(
            incomplete.step,
            services.typed_answers(invitation),
            questionnaire=questionnaire,
            born=patient.date_of_birth,
            today=timezone.localdate(),
        )
        form.is_valid()
        if form.asks_mechanism:
            form.add_error(
                steps.MECHANISM,
                gettext("Choose how it happened: “%(question)s”")
                % {"question": steps.wording.PATIENT_QUESTIONS[steps.MECHANISM].text},
            )
        context = _step_context(invitation, link, incomplete.step, form, _steps(questionnaire))
        return _confirmed(
            _render(request, "selfintake/patient/step.html", context, status=400),
            invitation,
            link,
        )
    except links.LinkProblem:
        return redirect("selfintake:start", link=link)
    except NotSignedOff:
        # Nothing saved (the transaction rolled back): the draft and the link are as they were.
        # Staff see why on every page and in the monitoring problems (health/services.py).
        return _confirmed(
            _render(
                request,
                "selfintake/patient/not_taken.html",
                {"link": link} | safety_net_lists(),
                status=503,
            ),
            invitation,
            link,
        )
    return _confirmed(redirect("selfintake:done", link=link), invitation, link)


@patient_view
@require_http_methods(["GET"])
def saved(request: HttpRequest, link: str) -> HttpResponseBase:
    """ "Finish later": the answers are kept until the link expires."""
    opened = _open(request, link)
    if isinstance(opened, HttpResponse):
        return opened
    return _render(
        request, "selfintake/patient/saved.html", {"link": link, "expires_at": opened.expires_at}
    )


@patient_view
@require_http_methods(["GET"])
def done(request: HttpRequest, link: str) -> HttpResponseBase:
    """What to do now, by the urgency the answers were triaged at: only on the browser that
    sent them (anyone else with the link is told it was used)."""
    invitation = links.genuine_invitation(link)
    _in_patient_language(request, invitation)
    if invitation is None:
        return _link_problem(request, links.LinkProblem(gettext("This link is not valid.")), link)
    if invitation.intake_id is None:
        return redirect("selfintake:start", link=link)
    if not links.is_confirmed(request, invitation):
        return _link_problem(
            request,
            links.LinkProblem(
                gettext("This link has already been used: your answers reached the clinic."),
                invitation,
                "used",
            ),
            link,
        )
    assessment = (
        Assessment.objects.select_related("case").filter(intake_id=invitation.intake_id).first()
    )
    audit.record_view(
        request=request,
        record=f"intake {invitation.intake_id} outcome",
        patient=invitation.patient_id,
        by_patient=True,
        action=AuditEvent.Action.VIEW,
    )
    told = _told(assessment)
    instruction = patient_instruction(told.key, sla=told.sla)
    template = (
        "selfintake/patient/emergency.html"
        if instruction.key == "EMERGENCY"
        else "selfintake/patient/done.html"
    )
    return _render(
        request,
        template,
        {"instruction": instruction, "link": link, "given_name": invitation.patient.given_name}
        | safety_net_lists(),
    )


def _told(assessment: Assessment | None) -> Urgency:
    """The urgency the patient is told about: this intake's, or their open case's if that is
    higher (an earlier intake already waits at it), as reception's outcome page does. An intake
    with no triage result is told to phone, as an URGENT one is."""
    if assessment is None:
        return Urgency.URGENT
    urgency = Urgency(assessment.urgency)
    case = assessment.case
    if case.status == Case.Status.OPEN and Urgency(case.urgency) > urgency:
        return Urgency(case.urgency)
    return urgency


@patient_view
@require_POST
def new_link(request: HttpRequest, link: str) -> HttpResponse:
    """Ask the clinic for a new link. The answer is the same for any link, genuine or not, so it
    tells a stranger nothing."""
    invitation = links.genuine_invitation(link)
    _in_patient_language(request, invitation)
    if invitation is not None and not invitation.is_open(timezone.now()):
        services.request_new_link(invitation_id=invitation.pk, request=request)
    return _render(request, "selfintake/patient/new_link_asked.html", {"link": link})
