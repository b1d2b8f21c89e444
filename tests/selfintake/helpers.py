"""Patients with an address, links sent to them, and the self-intake's step posts."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from patients.models import Patient
from selfintake import links, services
from selfintake.forms import CONTRACT_STEPS, MECHANISM, MECHANISM_SHOWN, Step
from selfintake.models import Invitation
from tests.support.factories import PatientFactory

BORN = date(1985, 3, 14)


def patient_with_email(**fields: Any) -> Patient:
    defaults: dict[str, Any] = {
        "given_name": "Ada",
        "email": "ada@example.org",
        "email_consent": True,
        "date_of_birth": BORN,
    }
    patient: Patient = PatientFactory(**(defaults | fields))
    return patient


def invite(patient: Patient, by: User) -> tuple[Invitation, str]:
    invitation = services.invite_patient(patient_id=patient.pk, by=by)
    return invitation, links.token(invitation)


def start_path(link: str) -> str:
    return reverse("selfintake:start", args=[link])


def step_path(link: str, step: str) -> str:
    return reverse("selfintake:step", args=[link, step])


def answers_path(link: str) -> str:
    return reverse("selfintake:answers", args=[link])


def done_path(link: str) -> str:
    return reverse("selfintake:done", args=[link])


def dob_post(born: date = BORN) -> dict[str, str]:
    return {"day": str(born.day), "month": str(born.month), "year": str(born.year)}


def confirm(client: Client, link: str, born: date = BORN) -> Any:
    return client.post(start_path(link), dob_post(born))


# A patient with no red flags: ten days of neck pain, had it before.
ORDINARY: dict[str, str] = {
    "pain_region": "neck",
    "duration_days": "10",
    "pain_score_now": "4",
    "previous_similar_episodes": "yes",
}


def step_post(step: Step, **answers: str) -> dict[str, str]:
    """Every question of `step` answered: no to each yes/no question, the ordinary patient's
    other answers, then `answers`."""
    data: dict[str, str] = {}
    for question in step.questions():
        if question.kind is bool:
            data[question.name] = "no"
        elif question.name in ORDINARY:
            data[question.name] = ORDINARY[question.name]
    if step.slug == "injury":
        data[MECHANISM_SHOWN] = "1" if answers.get("recent_significant_trauma") == "yes" else "0"
        data.setdefault(MECHANISM, "")
    names = {q.name for q in step.questions()} | {MECHANISM_SHOWN, "go"}
    return data | {k: v for k, v in answers.items() if k in names or k.startswith("psychosocial")}


def answer_every_step(client: Client, link: str, **answers: str) -> None:
    """Each contract step sent in turn, with `answers` wherever their questions are asked."""
    for step in CONTRACT_STEPS:
        response = client.post(step_path(link, step.slug), step_post(step, **answers))
        assert response.status_code == 302, (step.slug, response.status_code)


def typed_steps(**answers: str) -> dict[str, dict[str, str]]:
    """Each contract step's typed answers, by step slug (what the patient posts)."""
    return {step.slug: step_post(step, **answers) for step in CONTRACT_STEPS}


def fill_draft(invitation: Invitation, **answers: str) -> None:
    """The patient's draft with every contract step answered, through the service."""
    for step in CONTRACT_STEPS:
        typed = {k: v for k, v in step_post(step, **answers).items() if k != MECHANISM_SHOWN}
        services.save_answers(invitation_id=invitation.pk, typed=typed, step=step)


def self_intake(by: User, patient: Patient | None = None, **answers: str) -> tuple[Invitation, Any]:
    """A patient invited, answering every step, and sending it: the invitation and the intake."""
    patient = patient or patient_with_email()
    invitation, _link = invite(patient, by)
    fill_draft(invitation, **answers)
    intake = services.submit_self_intake(invitation_id=invitation.pk, questionnaire=None)
    invitation.refresh_from_db()
    return invitation, intake
