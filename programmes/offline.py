"""A patient's pages while the database is down: their red-flag advice, and their answers kept.

A check-in carries the red-flag screen. When the patient sends it and it cannot be saved, they
must still be told what to do about a "yes": the page comes back with every answer in place, a
plain notice that nothing was sent to the clinic, and, for any red flag they reported, the advice
not to wait (the symptoms for which to call 999, and to phone the clinic today otherwise). The
rules cannot weigh the answers fully here, since they need the patient's earlier intake; they do
weigh the screen on a background with nothing on it, and when even that is an EMERGENCY the page
gives the EMERGENCY instruction the saved result page would (triage.outcomes.patient_instruction).
Anything less is the cautious advice: nothing reached the clinic, so the patient phones it today.

Reached only from clinic/unavailable.py. The patient's link is checked as far as it can be
without the database (its signature and age; whether the clinic revoked it is not known), and
nothing stored is shown: only the answers this same request posted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from clinic.unavailable import csrf_refusal
from clinic.views import clinic_details, clinic_phone
from governance.active import advice_ruleset
from programmes import screen
from programmes.links import page_token_is_genuine
from programmes.models import check_in_title
from programmes.patient_forms import YES, CheckInForm
from triage.outcomes import patient_instruction, safety_net_lists
from triage.rules import Answers, Urgency


@dataclass(frozen=True)
class _CheckInShape:
    """What the check-in form needs to know of the check-in, from the URL and the answers."""

    week: int
    asks_ndi: bool

    @property
    def title(self) -> str:
        return check_in_title(self.week)


def _context(request: HttpRequest) -> dict[str, Any]:
    return (
        {
            "clinic_name": settings.CLINIC_NAME,
            "clinic_phone": clinic_phone(),
            "csrf_token": get_token(request),
            "messages": [],
        }
        | safety_net_lists()
        | clinic_details(request)
    )


def patient_page_down(request: HttpRequest) -> HttpResponse:
    """Any patient page: it cannot open now, and what to do meanwhile."""
    html = render_to_string("programmes/patient/unavailable.html", _context(request))
    return HttpResponse(html, status=503)


def check_in_without_database(request: HttpRequest, token: str, week: int) -> HttpResponse:
    if request.method != "POST" or not page_token_is_genuine(token):
        return patient_page_down(request)
    refusal = csrf_refusal(request)
    if refusal is not None:
        return refusal
    shape = _CheckInShape(week=week, asks_ndi=any(k.startswith("ndi_") for k in request.POST))
    form = CheckInForm(request.POST, check_in=shape)  # type: ignore[arg-type]
    # Every "yes" on the screen counts, whatever the form thinks of the rest of the answers.
    reported = [
        question for question in screen.SCREEN_QUESTIONS if request.POST.get(question.field) == YES
    ]
    form.is_valid()  # errors beside their questions, as when saving works
    instruction = None
    if reported and _screen_alone_is_an_emergency(request):
        instruction = patient_instruction("EMERGENCY", sla=settings.TRIAGE_SLA["EMERGENCY"])
    context = _context(request) | {
        "instruction": instruction,
        "token": token,
        "check_in": shape,
        "form": form,
        "database_down": True,
        "red_flags_reported": reported,
    }
    html = render_to_string("programmes/patient/check_in.html", context)
    return HttpResponse(html, status=503)


def _screen_alone_is_an_emergency(request: HttpRequest) -> bool:
    """Whether the posted screen answers are an EMERGENCY even with nothing else known."""
    pain = request.POST.get("pain", "")
    answers = screen.screen_alone_answers(
        {q.field: request.POST.get(q.field) == YES for q in screen.SCREEN_QUESTIONS},
        pain_now=int(pain) if pain.isdigit() else None,
        trauma_mechanism=request.POST.get("trauma_mechanism") or None,
    )
    result = advice_ruleset().evaluate(Answers.from_mapping(answers))
    return result.urgency == Urgency.EMERGENCY
