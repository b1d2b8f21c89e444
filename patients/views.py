"""Reception's pages: a new intake, its triage outcome, and finding a patient."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audit import services as audit
from clinic.params import parse_id
from clinic.roles import Role, has_role, role_required
from governance.active import NotSignedOff
from patients.forms import IntakeForm, PatientSearchForm
from patients.models import Intake, Patient
from patients.nhs import format_nhs_number
from patients.services import IdentityChoice, NeedsConfirmation, submit_intake
from triage.models import Assessment, Urgency
from triage.outcomes import fired_rules, outcome_for, patient_instruction, safety_net_lists

SEARCH_LIMIT = 50


@require_http_methods(["GET", "POST"])
@role_required(Role.RECEPTION, Role.CLINICIAN)
def intake_new(request: HttpRequest) -> HttpResponse:
    returning = _returning_patient(request)
    if request.method == "POST":
        form = IntakeForm(request.POST)
        if form.is_valid():
            details, answers = form.to_service_input()
            confirmation = form.confirmation()
            try:
                intake = submit_intake(
                    details=details,
                    answers=answers,
                    entered_by=request.user,  # type: ignore[arg-type]
                    submission_token=form.cleaned_data["submission_token"],
                    confirmation=confirmation,
                    psychosocial_screen=form.psychosocial_screen,
                )
            except NeedsConfirmation as question:
                form.ask(question)
            except NotSignedOff as refused:
                # Nothing saved (the transaction rolled back); every answer stays in the form.
                form.add_error(
                    None,
                    _(
                        "Not saved: no signed-off rule set is chosen, so the answers cannot be "
                        "triaged (%(why)s). Have a clinician see the patient now; for any "
                        "emergency sign, call 999."
                    )
                    % {"why": refused},
                )
            else:
                if confirmation.identity == IdentityChoice.DIFFERENT_PATIENT:
                    messages.warning(
                        request,
                        gettext(
                            "The NHS number %(number)s was not recorded for this patient: it "
                            "belongs to another patient on file. Check it with the patient."
                        )
                        % {"number": format_nhs_number(details.nhs_number)},
                    )
                return redirect("patients:intake_outcome", pk=intake.pk)
    else:
        initial: dict[str, Any] = {"submission_token": uuid.uuid4()}
        if returning is not None:
            initial |= IntakeForm.initial_for(returning)
        form = IntakeForm(initial=initial)
    return render(
        request, "patients/intake_new.html", {"form": form, "returning_patient": returning}
    )


def _returning_patient(request: HttpRequest) -> Patient | None:
    patient_id = request.GET.get("patient", "")
    if not patient_id:
        return None
    return get_object_or_404(Patient, pk=parse_id(patient_id))


@require_GET
@role_required(Role.RECEPTION, Role.CLINICIAN)
def intake_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    """What reception does now. Reception sees only the intakes they entered; clinicians, all."""
    intakes = Intake.objects.select_related("patient", "entered_by")
    if not has_role(request.user, Role.CLINICIAN):
        intakes = intakes.filter(entered_by=request.user.pk)
    intake = get_object_or_404(intakes, pk=pk)
    audit.record_view(request=request, record=f"intake {intake.pk}", patient=intake.patient_id)
    assessment = (
        Assessment.objects.select_related("case").filter(intake=intake).first()
    )  # one query, and an intake that was never triaged shows as such rather than failing
    context: dict[str, Any] = {"intake": intake, "patient": intake.patient, "assessment": None}
    if assessment is not None:
        urgency = Urgency(assessment.urgency)
        case = assessment.case
        case_urgency = Urgency(case.urgency)
        rules, weak_flags = fired_rules(assessment.rules)
        # A returning patient may already wait at a higher urgency: that is what they need.
        case_is_more_urgent = case.status == case.Status.OPEN and case_urgency > urgency
        told = case_urgency if case_is_more_urgent else urgency
        context |= {
            "assessment": assessment,
            "urgency": urgency,
            "outcome": outcome_for(urgency.key, sla=urgency.sla),
            "rules": rules,
            "weak_flags": weak_flags,
            "case": case,
            "case_is_more_urgent": case_is_more_urgent,
            "case_urgency": case_urgency,
            "instruction": patient_instruction(told.key, sla=told.sla),
        } | safety_net_lists()
    return render(request, "patients/intake_outcome.html", context)


@require_GET
@role_required(Role.RECEPTION, Role.CLINICIAN)
def patient_search(request: HttpRequest) -> HttpResponse:
    form = PatientSearchForm(request.GET or None)
    query = ""
    patients: list[Patient] = []
    more = False
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            found = list(Patient.objects.search_page(query, limit=SEARCH_LIMIT + 1))
            patients, more = found[:SEARCH_LIMIT], len(found) > SEARCH_LIMIT
            audit.record_search(request=request, query=query, patients=patients)
    return render(
        request,
        "patients/patient_search.html",
        {"form": form, "query": query, "patients": patients, "more": more, "limit": SEARCH_LIMIT},
    )
