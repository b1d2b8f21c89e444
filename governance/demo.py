"""A past the demo's rule trials read: a year of closed cases, each intake triaged by 2026.1 as
the product would have, and some of them overridden by a clinician.

The spread is a clinic's (bench/triage_speed.py's shape), with more teenagers and people in
their early fifties than chance gives, so that 2026.2-rc1's two changes (the paediatric rule
under 16; a first episode counting from over 50) show on the governance page. Demo data only:
the patients are named "History Patient NNN", the intakes' source is "Demo data", every case is
closed, and nothing is emailed.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from patients.models import Intake, Patient
from triage.models import Assessment, Case, Urgency, UrgencyOverride
from triage.rules import CONTRACT_VERSION, QUESTIONS, Answers
from triage.rules.contract import PAIN_REGIONS, TRAUMA_MECHANISMS
from triage.rules.registry import ruleset

GIVEN_NAME = "History"
VERSION = "2026.1"
COMMON = frozenset(
    {
        "onset_sudden", "not_improving_after_4_weeks", "pain_worsening_progressively",
        "pain_constant_non_mechanical", "night_pain_unrelieved_by_rest",
        "morning_stiffness_over_30_min", "improves_with_exercise_not_rest",
        "cardiovascular_risk_factors", "previous_spinal_surgery", "numbness_or_tingling_arms",
        "systemically_unwell",
    }
)  # fmt: skip
_BOOLEANS = [q.name for q in QUESTIONS if q.kind is bool]
_RED = [name for name in _BOOLEANS if name not in COMMON and name != "previous_similar_episodes"]


def _answers(rng: random.Random, age: int) -> dict[str, Any]:
    values: dict[str, Any] = {name: name in COMMON and rng.random() < 0.15 for name in _BOOLEANS}
    values["previous_similar_episodes"] = rng.random() < 0.5
    if rng.random() < 0.3:
        for name in rng.sample(_RED, rng.randint(1, 2)):
            values[name] = True
    mechanism = rng.choice(TRAUMA_MECHANISMS) if rng.random() < 0.1 else "none"
    values.update(
        age=age,
        sex=rng.choice("FM"),
        pain_region=rng.choice(PAIN_REGIONS),
        duration_days=rng.choice([1, 3, 7, 10, 14, 30, 60, 120]),
        pain_score_now=rng.randint(1, 9),
        trauma_mechanism=mechanism,
        psychosocial_risk_category=rng.choice(["low", "low", "medium", "high", "not_assessed"]),
    )
    if mechanism not in ("none", "exertional_strain"):
        values["recent_significant_trauma"] = True
    return values


def _age(rng: random.Random) -> int:
    pick = rng.random()
    if pick < 0.12:
        return rng.randint(12, 17)
    if pick < 0.3:
        return rng.randint(50, 55)
    return rng.randint(20, 85)


def _born(age: int, on: date) -> date:
    return date(on.year - age - 1, on.month, 1) if on.month < 12 else date(on.year - age, 1, 1)


@transaction.atomic
def seed_history(
    *, count: int, clinician: User, now: datetime | None = None, seed: int = 14
) -> int:
    """`count` closed cases over the last year; how many were made (none if already seeded)."""
    if Patient.objects.filter(given_name=GIVEN_NAME).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    now = now or timezone.now()
    rules = ruleset(VERSION)
    for number in range(1, count + 1):
        at = now - timedelta(days=rng.randint(2, 365), minutes=rng.randint(0, 600))
        age = _age(rng)
        answers = _answers(rng, age)
        result = rules.evaluate(Answers.from_mapping(answers))
        urgency = Urgency(int(result.urgency))
        patient = Patient.objects.create(
            given_name=GIVEN_NAME,
            family_name=f"Patient {number:03d}",
            date_of_birth=_born(age, at.date()),
            sex=answers["sex"],
        )
        intake = Intake.objects.create(
            patient=patient,
            answers=answers,
            contract_version=CONTRACT_VERSION,
            source=Intake.Source.DEMO,
        )
        Intake.objects.filter(pk=intake.pk).update(created_at=at)
        decided = at + timedelta(hours=1)
        case = Case.objects.create(
            patient=patient,
            status=Case.Status.CLOSED,
            urgency=urgency,
            opened_at=at,
            due_at=at + urgency.sla,
            closed_at=decided,
            decided_at=decided,
        )
        assessment = Assessment.objects.create(
            intake=intake,
            case=case,
            urgency=urgency,
            rules=result.as_json()["rules"],
            ruleset=result.ruleset,
            contract_version=CONTRACT_VERSION,
            created_at=at,
        )
        # A clinician sees a first episode in the early fifties beside one weak flag sooner.
        first_episode_fifties = 50 < age <= 55 and not answers["previous_similar_episodes"]
        if first_episode_fifties and urgency == Urgency.ROUTINE and rng.random() < 0.6:
            UrgencyOverride.objects.create(
                case=case,
                assessment=assessment,
                from_urgency=Urgency.ROUTINE,
                to_urgency=Urgency.SOON,
                reason="First episode in the fifties with a weak flag: seen within the week",
                by=clinician,
                created_at=at + timedelta(minutes=30),
            )
    return count
