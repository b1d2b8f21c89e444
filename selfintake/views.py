"""Reception's and clinicians' self-intake pages: sending a patient their link, the list of links
(the patients who asked for a new one first), and a self-entered intake's answers to go through
with the patient at the visit, recording that they were checked."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit import services as audit
from clinic import language
from clinic.roles import Role, role_required
from patients.forms import display_answer
from patients.models import Intake, Patient
from selfintake import services
from selfintake.forms import InviteForm
from selfintake.models import AnswersCheck, Invitation
from triage.models import Assessment
from triage.rules import QUESTIONS
from triage.rules.contract import SECTIONS

LIST_LIMIT = 100


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@require_http_methods(["GET", "POST"])
@role_required(Role.RECEPTION, Role.CLINICIAN)
def invite(request: HttpRequest, patient_id: int) -> HttpResponse:
    """Send the patient a self-intake link (a new one replaces the last), or say why not."""
    patient = get_object_or_404(Patient, pk=patient_id)
    form = InviteForm(request.POST or None, initial={"language": language.for_patient(patient)})
    if request.method == "POST":
        try:
            invitation = services.invite_patient(
                patient_id=patient.pk,
                by=request.user,  # type: ignore[arg-type]
                language=form.cleaned_data["language"] if form.is_valid() else None,
            )
        except services.CannotInvite as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                gettext("Link sent to %(email)s. It works until %(until)s, once.")
                % {
                    "email": invitation.email,
                    "until": date_format(
                        timezone.localtime(invitation.expires_at), "DATETIME_FORMAT"
                    ),
                },
            )
        return redirect("selfintake:invite", patient_id=patient.pk)
    audit.record_view(
        request=request, record=f"patient {patient.pk} self-intake links", patient=patient
    )
    invitations = list(patient.self_intake_invitations.select_related("sent_by", "intake")[:10])
    now = timezone.now()
    return render(
        request,
        "selfintake/invite.html",
        {
            "patient": patient,
            "form": form,
            "problem": services.why_no_link(patient),
            "invitations": [_row(i, now) for i in invitations],
            "live": next((i for i in invitations if i.is_open(now)), None),
        },
    )


def _row(invitation: Invitation, now: Any) -> dict[str, Any]:
    if invitation.submitted_at is not None:
        status = gettext("Answered")
    elif invitation.retired_at is not None:
        status = invitation.get_retired_because_display()
    elif invitation.is_expired(now):
        status = gettext("Expired")
    elif invitation.is_paused(now):
        status = gettext("Paused after wrong dates of birth")
    elif invitation.first_opened_at is not None:
        status = gettext("Opened, not answered yet")
    else:
        status = gettext("Sent, not opened yet")
    return {
        "invitation": invitation,
        "status": status,
        "sent_by": _name(invitation.sent_by),
        "asked_again": invitation.new_link_requested_at is not None,
    }


@require_GET
@role_required(Role.RECEPTION, Role.CLINICIAN)
def self_intakes(request: HttpRequest) -> HttpResponse:
    """The patients who asked for a new link, the self-entered intakes to check with the
    patient, and the links waiting for an answer."""
    now = timezone.now()
    asked = list(
        Invitation.objects.asking_for_a_new_link()
        .select_related("patient")
        .order_by("-new_link_requested_at")[:LIST_LIMIT]
    )
    to_check = list(
        Intake.objects.filter(source=Intake.Source.SELF, answers_check__isnull=True)
        .select_related("patient")
        .order_by("-created_at")[:LIST_LIMIT]
    )
    waiting = list(
        Invitation.objects.open_at(now)
        .select_related("patient", "sent_by")
        .order_by("-created_at")[:LIST_LIMIT]
    )
    shown = (
        {i.patient_id for i in asked}
        | {i.patient_id for i in to_check}
        | {i.patient_id for i in waiting}
    )
    if shown:
        audit.record_search(request=request, query="self-intake list", patients=sorted(shown))
    return render(
        request,
        "selfintake/list.html",
        {
            "asked": asked,
            "to_check": to_check,
            "waiting": [_row(i, now) for i in waiting],
            "limit": LIST_LIMIT,
        },
    )


def answer_sections(intake: Intake) -> list[dict[str, Any]]:
    """The answers grouped as reception's form asks them, in reception's words (staff read
    them with the patient), each as the patient gave it."""
    sections = []
    for section in SECTIONS:
        rows = [
            {
                "name": q.name,
                "question": q.question,
                "answer": display_answer(q.name, intake.answers.get(q.name)),
            }
            for q in QUESTIONS
            if q.section == section and q.name in intake.answers
        ]
        if rows:
            sections.append({"title": section, "rows": rows})
    return sections


@require_GET
@role_required(Role.RECEPTION, Role.CLINICIAN)
def intake_answers(request: HttpRequest, intake_id: int) -> HttpResponse:
    """A self-entered intake's answers, to go through with the patient, and whether (by whom,
    when) that was done."""
    intake = get_object_or_404(
        Intake.objects.select_related("patient"), pk=intake_id, source=Intake.Source.SELF
    )
    audit.record_view(request=request, record=f"intake {intake.pk}", patient=intake.patient_id)
    check = AnswersCheck.objects.filter(intake=intake).select_related("checked_by").first()
    assessment = Assessment.objects.filter(intake=intake).first()
    return render(
        request,
        "selfintake/intake_answers.html",
        {
            "intake": intake,
            "patient": intake.patient,
            "sections": answer_sections(intake),
            "check": check,
            "checked_by": _name(check.checked_by) if check else "",
            "assessment": assessment,
            "age_today": intake.patient.age_on(timezone.localdate()),
        },
    )


@require_POST
@role_required(Role.RECEPTION, Role.CLINICIAN)
def answers_checked(request: HttpRequest, intake_id: int) -> HttpResponse:
    intake = get_object_or_404(Intake, pk=intake_id, source=Intake.Source.SELF)
    try:
        services.record_answers_checked(
            intake_id=intake.pk,
            by=request.user,  # type: ignore[arg-type]
            request=request,
        )
    except services.AlreadyChecked as exc:
        messages.info(
            request,
            gettext("These answers were already checked, by %(name)s.")
            % {"name": _name(exc.check.checked_by)},
        )
    else:
        messages.success(request, gettext("Recorded: the answers were checked with the patient."))
    return redirect("selfintake:intake", intake_id=intake.pk)
