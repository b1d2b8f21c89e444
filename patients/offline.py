"""Reception's intake page while the database is down: the rules' advice, marked as not saved.

The rule engine needs no database. When an intake cannot be saved, because the database refused,
timed out or went away, reception still sees what the rules say for the answers, with the same
instruction a saved intake gets (for an EMERGENCY: call 999 now), under a banner that says it was
not saved and that no clinician was alerted. The form comes back with every answer and the same
submission token, so sending it again once the database is back makes exactly one intake (or, if
the first attempt did reach the database after all, finds that one: patients/services.py).

Reached only from clinic/unavailable.py, for a request carrying a valid desk pass (a member of
staff who may enter intakes, signed in on this browser). It reads and writes no database.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from clinic.desk_pass import DeskPass
from clinic.unavailable import csrf_refusal, page_context
from governance.active import advice_ruleset
from patients.forms import UNAVAILABLE, IntakeForm
from triage.models import Urgency
from triage.outcomes import fired_rules, outcome_for, patient_instruction, safety_net_lists
from triage.rules.engine import RuleSet


def _ruleset_for_advice() -> RuleSet:
    """The clinic's chosen rule set as this process or the shared cache knows it; the first
    released version only when neither does (governance.active.advice_ruleset). This is advice
    only: nothing is saved, and the intake entered again once the database is back is triaged
    then with the clinic's chosen version."""
    return advice_ruleset()


def advice_for(form: IntakeForm) -> dict[str, Any]:
    """What the rules say for a valid form's answers, as the outcome page shows it."""
    _details, answers = form.to_service_input()
    result = _ruleset_for_advice().evaluate(answers)
    urgency = Urgency(int(result.urgency))
    rules, weak_flags = fired_rules(result.as_json()["rules"])
    return {
        "urgency": urgency,
        "outcome": outcome_for(urgency.key, sla=urgency.sla),
        "rules": rules,
        "weak_flags": weak_flags,
        "ruleset": result.ruleset,
        "alerts_needed": urgency >= Urgency.URGENT,
        "instruction": patient_instruction(urgency.key, sla=urgency.sla),
    } | safety_net_lists()


def intake_without_database(request: HttpRequest, desk: DeskPass) -> HttpResponse:
    advice = None
    if request.method == "POST":
        refusal = csrf_refusal(request)
        if refusal is not None:
            return refusal
        form = IntakeForm(request.POST, questionnaire=UNAVAILABLE)
        if form.is_valid():
            advice = advice_for(form)
    else:
        form = IntakeForm(initial={"submission_token": uuid.uuid4()}, questionnaire=UNAVAILABLE)
    context = page_context(request, desk) | {
        "form": form,
        "returning_patient": None,
        "database_down": True,
        "not_saved": advice,
    }
    return HttpResponse(render_to_string("patients/intake_new.html", context), status=503)
