"""The referral letter: its first draft, written from the patient, the answers and the fired rules,
and the PDF that goes to the destination (WeasyPrint, the clinic's letterhead, no remote assets)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.utils import timezone

from patients.forms import display_answer
from referrals.models import EXPECTED_WITHIN_DAYS, Referral
from triage.models import Case, Urgency
from triage.outcomes import fired_rules
from triage.rules import QUESTIONS

QUESTION_TEXT = {q.name: q.question for q in QUESTIONS}

# What each urgency asks of the destination, in the letter's words.
ASKED_FOR = {
    "EMERGENCY": "an emergency assessment today",
    "URGENT": "an urgent assessment, within one day",
    "SOON": "an assessment soon, within a week",
    "ROUTINE": "a routine appointment, within four weeks",
}


def default_urgency(case: Case) -> Urgency:
    """The urgency to ask for: the case's own, and at least ROUTINE (a self-care case that a
    clinician refers is still a referral)."""
    urgency = Urgency(case.urgency)
    return urgency if urgency.key in EXPECTED_WITHIN_DAYS else Urgency.ROUTINE


def signature_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def compose_letter(*, case: Case, clinician: User) -> str:
    """The first draft of the letter's body, for the clinician to edit. The urgency asked for is
    printed above it from the referral itself, so an edit of the urgency cannot leave the letter
    saying another."""
    patient = case.patient
    assessment = case.latest_assessment
    answers: dict[str, Any] = assessment.intake.answers if assessment is not None else {}
    rules, weak = fired_rules(assessment.rules) if assessment is not None else ([], [])
    lines = [
        "Dear colleague,",
        "",
        f"I would be grateful if you would see {patient.full_name}, aged "
        f"{patient.age_on(timezone.localdate())}, who was assessed at {settings.CLINIC_NAME}.",
    ]
    if answers:
        lines += [
            "",
            "Presenting complaint: "
            f"{display_answer('pain_region', answers.get('pain_region', '')).lower()} pain for "
            f"{answers.get('duration_days', '?')} days, pain now "
            f"{answers.get('pain_score_now', '?')}/10.",
        ]
    if rules or weak:
        lines += ["", "What we found, and why it matters:"]
        lines += [
            f"- {rule.reason} ({rule.label}; {rule.source})" if rule.source else f"- {rule.reason}"
            for rule in [*rules, *weak]
        ]
    positives = [
        QUESTION_TEXT.get(name, name)
        for name, value in answers.items()
        if value is True and name in QUESTION_TEXT
    ]
    if positives:
        lines += ["", "The patient answered yes to:"]
        lines += [f"- {question}" for question in positives]
    lines += [
        "",
        "Please let us know when you have received this referral.",
        "",
        "Yours sincerely,",
        "",
        signature_name(clinician),
        settings.CLINIC_NAME,
    ]
    return "\n".join(lines)


def _no_remote_assets(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"referral letters load no external resources ({url[:40]!r})")


def render_pdf(referral: Referral) -> bytes:
    """The letter as PDF, on the clinic's letterhead."""
    from weasyprint import HTML  # imported here: the system libraries load on first use

    case = referral.case
    html = render_to_string(
        "referrals/letter_pdf.html",
        {
            "clinic_name": settings.CLINIC_NAME,
            "referral": referral,
            "patient": case.patient,
            "destination": referral.destination,
            "urgency": Urgency(referral.urgency),
            "asked_for": ASKED_FOR[referral.urgency_key],
            "date": timezone.localdate(referral.sent_at or timezone.now()),
        },
    )
    pdf: bytes = HTML(string=html, url_fetcher=_no_remote_assets).write_pdf()
    return pdf
