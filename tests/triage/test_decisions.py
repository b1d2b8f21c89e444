"""One door for a clinician's decision: a referral, a programme or a discharge all end the wait
the same way (the case leaves the queue, its deadline and escalations stop, the time to decision
is kept), and a referred case lives on in the referrals worklist until it is completed."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from outbox.models import Message
from patients.models import Intake
from referrals import services as referrals
from referrals.models import Destination, Referral
from tests.patients.helpers import make_intake, patient_details
from tests.programmes.helpers import prescribe
from tests.referrals.factories import make_destination
from tests.rules.answers import answers
from tests.support.clock import Clock
from tests.support.two_factor import sign_in
from triage import rules
from triage import services as triage
from triage.models import Case, CaseActivity, CaseDecision, Urgency

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

ROOT = Path(__file__).resolve().parents[2]


def _emergency(reception: User) -> Case:
    """Saddle anaesthesia: cauda equina until shown otherwise, EMERGENCY."""
    intake = make_intake(
        entered_by=reception,
        details=patient_details(given_name="Edna", family_name="Marsh"),
        saddle_anaesthesia=True,
    )
    case = Case.objects.get(pk=intake.assessment.case_id)
    assert case.urgency == Urgency.EMERGENCY
    return case


def _refer_to_a_and_e(case: Case, clinician: User) -> Referral:
    destination = make_destination(kind=Destination.Kind.AE, name="Riverside A&E", email="")
    referral = referrals.draft_referral(
        case_id=case.pk, destination_id=destination.pk, clinician=clinician
    )
    return referrals.mark_printed(referral_id=referral.pk, by=clinician)


def _queue_case_ids(client: Client) -> set[int]:
    response = client.get(reverse("triage:queue"))
    assert response.status_code == 200
    return {row.case.pk for row in response.context["rows"]}


def _worklist(client: Client) -> dict[str, list[int]]:
    response = client.get(reverse("referrals:worklist"))
    assert response.status_code == 200
    return {s.slug: [r.pk for r in s.referrals] for s in response.context["sections"]}


def test_an_emergency_referred_to_a_and_e_leaves_the_queue_and_is_followed_in_the_worklist(
    clock: Clock, reception: User, carl: User, carl_client: Client
) -> None:
    case = _emergency(reception)
    assert case.pk in _queue_case_ids(carl_client)
    assert case.escalate_at is not None  # nobody has claimed it: the alert clock runs
    clock.advance(timedelta(minutes=7))

    referral = _refer_to_a_and_e(case, carl)

    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.decided_at == clock.now and case.time_to_decision == timedelta(minutes=7)
    assert case.decided_in_time is (case.decided_at <= case.due_at)
    assert case.escalate_at is None
    # nobody is chased about a case that has been decided
    clock.advance(timedelta(hours=1))
    triage.escalate_unclaimed_cases(now=clock.now)
    assert not Message.objects.filter(case=case, kind=Message.Kind.ESCALATION).exists()
    # the deadline stops: long after it, the case is not overdue and not in the queue
    clock.advance(timedelta(days=2))
    sign_in(carl_client, carl)  # a new day, a new session
    assert not case.is_overdue(clock.now)
    assert case.pk not in _queue_case_ids(carl_client)
    # the decision is on record, once, by the clinician who claimed it by deciding
    (decision,) = CaseDecision.objects.filter(case=case)
    assert (decision.kind, decision.by) == (CaseDecision.Kind.REFERRED, carl)
    assert list(CaseActivity.objects.filter(case=case).values_list("kind", flat=True)) == [
        CaseActivity.Kind.CLAIMED
    ]
    # and the referral lives on: overdue to chase once past its expected-by date
    assert referral.expected_by is not None and referral.expected_by < clock.now
    assert _worklist(carl_client)["overdue"] == [referral.pk]

    referrals.acknowledge_referral(referral_id=referral.pk, by=carl)
    lists = _worklist(carl_client)
    assert (lists["overdue"], lists["acknowledged"]) == ([], [referral.pk])
    referrals.complete_referral(referral_id=referral.pk, by=carl)
    assert _worklist(carl_client)["completed"] == [referral.pk]


def test_a_referral_not_yet_due_is_awaiting_acknowledgement(
    reception: User, carl: User, carl_client: Client
) -> None:
    case = make_intake(entered_by=reception, chest_pain=True).assessment.case
    referral = referrals.draft_referral(
        case_id=case.pk, destination_id=make_destination().pk, clinician=carl
    )
    assert _worklist(carl_client)["awaiting"] == []  # a draft is not a decision yet
    assert case.pk in _queue_case_ids(carl_client)

    referrals.send_referral(referral_id=referral.pk, by=carl)

    assert _worklist(carl_client)["awaiting"] == [referral.pk]
    assert case.pk not in _queue_case_ids(carl_client)


def test_the_worklist_is_for_clinicians_only(reception_client: Client) -> None:
    response = reception_client.get(reverse("referrals:worklist"))
    assert response.status_code == 403


@pytest.mark.parametrize("decision", ["refer", "prescribe", "discharge"])
def test_every_decision_takes_the_same_door(
    decision: str, clock: Clock, reception: User, carl: User
) -> None:
    intake = make_intake(
        entered_by=reception,
        details=patient_details(email="pat@example.org", email_consent=True),
        duration_days=42,
        pain_score_now=5,
    )
    case = Case.objects.get(pk=intake.assessment.case_id)
    clock.advance(timedelta(hours=3))

    if decision == "refer":
        referral = referrals.draft_referral(
            case_id=case.pk, destination_id=make_destination().pk, clinician=carl
        )
        referrals.send_referral(referral_id=referral.pk, by=carl)
        kind = CaseDecision.Kind.REFERRED
    elif decision == "prescribe":
        prescribe(by=carl, intake=intake)
        kind = CaseDecision.Kind.PROGRAMME_PRESCRIBED
    else:
        triage.discharge_case(case_id=case.pk, clinician=carl, advice="Keep moving gently.")
        kind = CaseDecision.Kind.DISCHARGED

    case.refresh_from_db()
    assert (case.status, case.claimed_by, case.decided_at) == (
        Case.Status.CLOSED,
        carl,
        clock.now,
    )
    assert case.time_to_decision == timedelta(hours=3)
    assert list(case.decisions.values_list("kind", "by")) == [(kind, carl.pk)]
    assert case.decisions.get().safety_net  # the patient's safety-net advice, as given


@pytest.mark.parametrize("decision", ["refer", "prescribe", "discharge"])
def test_no_decision_is_taken_from_the_clinician_who_holds_the_case(
    decision: str, reception: User, carl: User, dana: User
) -> None:
    intake = make_intake(
        entered_by=reception,
        details=patient_details(email="pat@example.org", email_consent=True),
        duration_days=42,
        pain_score_now=5,
    )
    case = intake.assessment.case
    triage.claim_case(case_id=case.pk, clinician=dana)
    message = "Dana Dee has already claimed this case"

    with pytest.raises(Exception, match=message):
        if decision == "refer":
            referrals.draft_referral(
                case_id=case.pk, destination_id=make_destination().pk, clinician=carl
            )
        elif decision == "prescribe":
            prescribe(by=carl, intake=intake)
        else:
            triage.discharge_case(case_id=case.pk, clinician=carl, advice="Gentle movement.")
    assert not CaseDecision.objects.filter(case=case).exists()


def test_a_referred_case_may_take_a_further_referral_and_keeps_its_first_decision_time(
    clock: Clock, reception: User, carl: User
) -> None:
    case = _emergency(reception)
    _refer_to_a_and_e(case, carl)
    decided_at = Case.objects.get(pk=case.pk).decided_at
    clock.advance(timedelta(hours=1))

    second = referrals.draft_referral(
        case_id=case.pk, destination_id=make_destination(name="Spinal clinic").pk, clinician=carl
    )
    referrals.send_referral(referral_id=second.pk, by=carl)

    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.decided_at == decided_at
    assert list(case.decisions.values_list("kind", flat=True)) == [
        CaseDecision.Kind.REFERRED,
        CaseDecision.Kind.REFERRED,
    ]


def test_nothing_follows_a_discharge(reception: User, carl: User) -> None:
    case = make_intake(entered_by=reception).assessment.case
    triage.discharge_case(case_id=case.pk, clinician=carl, advice="Keep moving gently.")

    with pytest.raises(referrals.ReferralError, match="This case is closed"):
        referrals.draft_referral(
            case_id=case.pk, destination_id=make_destination().pk, clinician=carl
        )


def test_a_check_in_that_reopens_a_decided_case_starts_a_new_wait(
    clock: Clock, reception: User, carl: User
) -> None:
    case = make_intake(entered_by=reception).assessment.case
    triage.discharge_case(case_id=case.pk, clinician=carl, advice="Keep moving gently.")
    clock.advance(timedelta(days=3))
    intake = Intake.objects.create(
        patient=case.patient,
        answers=answers(chest_pain=True).as_mapping(),
        contract_version=rules.CONTRACT_VERSION,
        source=Intake.Source.CHECK_IN,
    )

    triage.assess_intake(
        intake=intake, reopen=case, subject="Week 2 check-in", reasons=["Chest pain"]
    )

    case.refresh_from_db()
    assert (case.status, case.decided_at, case.opened_at) == (
        Case.Status.OPEN,
        None,
        clock.now,
    )
    back = CaseActivity.objects.get(case=case, kind=CaseActivity.Kind.CHECK_IN)
    assert (back.intake, back.subject, back.reasons) == (intake, "Week 2 check-in", ["Chest pain"])


# --- The code: triage owns every write to a case ------------------------------------------------

WRITES = ("create", "bulk_create", "update", "get_or_create", "update_or_create", "delete")
CASE_MODELS = {"Case", "CaseActivity", "CaseDecision"}


def _writes_outside_triage() -> list[str]:
    """`Case.objects.create(...)`, `CaseDecision.objects.update(...)`, `case.save()` and
    `case.status = ...` in any app's code but triage's (migrations and the demo seeds aside)."""
    found = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT)
        top = relative.parts[0]
        if top in {"triage", "tests", "bench", ".venv", "node_modules"} or "migrations" in (
            relative.parts
        ):
            continue
        if relative.parts[-1] in {"seed_demo.py", "demo.py"}:
            continue  # the demo seeds (seed_demo, an app's demo.py) backdate their cases
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if (
                    node.func.attr in WRITES
                    and isinstance(owner, ast.Attribute)
                    and owner.attr == "objects"
                    and isinstance(owner.value, ast.Name)
                    and owner.value.id in CASE_MODELS
                ):
                    found.append(f"{relative}:{node.lineno}")
                if node.func.attr == "save" and isinstance(owner, ast.Name) and owner.id == "case":
                    found.append(f"{relative}:{node.lineno}")
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == "case"
                    ):
                        found.append(f"{relative}:{node.lineno}")
    return found


def test_only_triage_writes_cases_their_activities_and_decisions() -> None:
    assert _writes_outside_triage() == []
