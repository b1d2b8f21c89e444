"""A self-intake step sent while the database is down: the answers kept on the screen, marked as
not saved, and the advice not to wait for a red flag among them.

Nothing can be saved or read (the draft, the patient, the link's state are in the database), so
the step comes back with every answer this same request posted, a plain notice that nothing was
saved, and, when the step's answers alone are grave, the advice the saved outcome would give:
the rules weigh them on a background with nothing else on it (no other flag; the ages the
rules read, so an age-dependent sign is not missed), and an EMERGENCY gets the EMERGENCY
instruction of triage.outcomes.patient_instruction; URGENT gets the signs to call 999 for and
"phone the clinic today", since nothing reached the clinic. As programmes/offline.py does for a
check-in.

Reached only from clinic/unavailable.py, for a POST whose link is genuine (its signature) and
whose browser gave the date of birth for that link (its signed cookie): nobody else sees even
the questions. Nothing stored is shown.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone

from clinic.unavailable import csrf_refusal
from clinic.views import clinic_details, clinic_phone
from governance.active import advice_ruleset
from programmes.offline import patient_page_down
from selfintake import links, wording
from selfintake.forms import CONTRACT_STEPS, MECHANISM, YES, StepForm
from triage.outcomes import patient_instruction, safety_net_lists
from triage.rules import QUESTIONS, Answers, Urgency

# The ages the rules read (a new pain after 50, giant-cell arteritis after 50, ...), weighed on
# either side: the patient's own is not known without the database.
AGES = (35, 55, 75)


def step_without_database(request: HttpRequest, link: str, step: str) -> HttpResponse:
    names = links.link_names(link)
    current = next((s for s in CONTRACT_STEPS if s.slug == step), None)
    if (
        request.method != "POST"
        or names is None
        or links.cookie_names(request) != names
        or current is None
    ):
        return patient_page_down(request)
    refusal = csrf_refusal(request)
    if refusal is not None:
        return refusal
    form = StepForm(
        request.POST,
        step=current,
        questionnaire=None,
        born=date.min,  # unknown here: the check against it waits for the database
        today=timezone.localdate(),
    )
    form.is_valid()  # errors beside their questions, as when saving works
    urgency = _step_alone(request)
    reported = [
        wording.PATIENT_QUESTIONS[q.name].text
        for q in current.questions()
        if q.kind is bool and request.POST.get(q.name) == YES
    ]
    context = {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": clinic_phone(),
        "csrf_token": get_token(request),
        "messages": [],
        "link": link,
        "step": current,
        "form": form,
        "database_down": True,
        "grave": urgency >= Urgency.URGENT,
        "reported": reported if urgency >= Urgency.URGENT else [],
        "instruction": patient_instruction("EMERGENCY", sla=settings.TRIAGE_SLA["EMERGENCY"])
        if urgency == Urgency.EMERGENCY
        else None,
    }
    context |= safety_net_lists() | clinic_details(request)
    html = render_to_string("selfintake/patient/step.html", context)
    return HttpResponse(html, status=503)


def _step_alone(request: HttpRequest) -> Urgency:
    """The urgency of the posted answers with nothing else known, at the most urgent age."""
    posted: dict[str, Any] = {}
    injured = request.POST.get("recent_significant_trauma") == YES
    for question in QUESTIONS:
        value = request.POST.get(question.name, "")
        if question.kind is bool:
            posted[question.name] = value == YES
        elif question.name == MECHANISM and value and injured:
            posted[question.name] = value
    base: dict[str, Any] = {
        **{q.name: False for q in QUESTIONS if q.kind is bool},
        "sex": "X",
        "pain_region": "neck",
        "duration_days": 0,
        "pain_score_now": 5,
        "previous_similar_episodes": False,
        "trauma_mechanism": "none",
        "psychosocial_risk_category": "not_assessed",
    }
    region = request.POST.get("pain_region", "")
    if region in wording.PAIN_REGION_LABELS:
        base["pain_region"] = region
    days = request.POST.get("duration_days", "")
    if days.isascii() and days.isdigit() and len(days) <= 5:
        base["duration_days"] = int(days)
    mechanism = posted.pop(MECHANISM, None)
    base |= posted
    if mechanism in wording.MECHANISM_LABELS:
        base[MECHANISM] = mechanism
    ruleset = advice_ruleset()
    highest = Urgency.SELF_CARE
    for age in AGES:
        try:
            answers = Answers.from_mapping(base | {"age": age})
        except ValueError:
            continue
        highest = max(highest, ruleset.evaluate(answers).urgency)
    return highest
