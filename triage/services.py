"""Every write triage makes: one function per clinical action."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from audit import services as audit
from audit.models import AuditEvent
from clinic.roles import Role
from outbox.models import Message
from outbox.services import Email, Recipient, queue_emails
from patients.models import Intake, Patient
from triage import outcomes, rules
from triage.models import (
    Assessment,
    Case,
    CaseActivity,
    CaseDecision,
    Urgency,
    UrgencyOverride,
    on_duty_at,
)
from triage.rules.exam import Findings
from triage.rules.exam_rules import evaluate_examination

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from examination.models import Examination
    from questions.models import Question


class CaseActionRefused(Exception):
    """The case cannot take this step now; the message says why, for the clinician. Every
    refusal of a claim, a release, an override or a decision is one of these."""


class CaseNotOpen(CaseActionRefused):
    """The case is closed: there is nothing to claim, release, override or decide."""

    # One whole sentence for each action (never an English verb put into one sentence).
    REFUSALS: Mapping[str, StrOrPromise] = {
        "claim": gettext_lazy("This case is closed; there is nothing to claim"),
        "release": gettext_lazy("This case is closed; there is nothing to release"),
        "override": gettext_lazy("This case is closed; there is nothing to override"),
        "examine": gettext_lazy("This case is closed; there is nothing to examine"),
        "decide": gettext_lazy("This case is closed; there is nothing to decide"),
        "discharge": gettext_lazy("This case is closed; there is nothing to discharge"),
        "refer": gettext_lazy("This case is closed; there is nothing to refer"),
        "prescribe for": gettext_lazy("This case is closed; there is nothing to prescribe for"),
    }

    def __init__(self, case: Case, action: str = "claim") -> None:
        self.case = case
        super().__init__(str(self.REFUSALS[action]))


class CaseAlreadyClaimed(CaseActionRefused):
    """Another clinician has the case."""

    def __init__(self, case: Case) -> None:
        self.case = case
        holder = case.claimed_by
        name = (holder.get_full_name() or holder.get_username()) if holder else "someone"
        super().__init__(f"{name} has already claimed this case")


class NotTheHolder(CaseActionRefused):
    """Only the clinician who holds a case may release it."""

    def __init__(self, case: Case) -> None:
        self.case = case
        holder = case.claimed_by
        if holder is None:
            message = "Nobody has claimed this case; there is nothing to release"
        else:
            name = holder.get_full_name() or holder.get_username()
            message = f"Only {name}, who has claimed this case, can release it"
        super().__init__(message)


class OverrideRefused(CaseActionRefused):
    """An override that says nothing: the same urgency, no reason, or no assessment to override."""


class DecisionRefused(CaseActionRefused):
    """A decision the clinic cannot record as asked, e.g. a discharge without advice."""


class ExaminationRefused(CaseActionRefused):
    """An examination the case cannot take now: nobody holds the case, or it has no intake."""


log = logging.getLogger(__name__)


def current_ruleset() -> rules.RuleSet:
    """The rule set a new intake is triaged with: the signed-off version the clinic has chosen
    (governance/active.py; a cached read). Raises `governance.active.NotSignedOff` when none is,
    except in the embedded demo."""
    from governance.active import active_ruleset

    return active_ruleset()


@transaction.atomic(savepoint=False)  # all or nothing with the intake it assesses
def assess_intake(
    *,
    intake: Intake,
    new_patient: bool = False,
    reopen: Case | None = None,
    subject: str = "",
    reasons: Sequence[str] = (),
) -> Assessment:
    """Triage an intake, store the result for good, put the patient in the queue, and for an
    EMERGENCY or URGENT result alert the clinicians on duty.

    `new_patient`: the patient was registered in this transaction, so has no open case to join.
    `reopen`: a closed case this intake brings back when the patient has no open case (a
    programme check-in reopens the case the programme came from). For a check-in, `subject`
    says which (e.g. "Week 2 check-in") and `reasons` why it came back, on the case's timeline.
    """
    result = current_ruleset().evaluate(rules.Answers.from_mapping(intake.answers))
    now = timezone.now()
    urgency = Urgency(int(result.urgency))
    alert_deadline = settings.ALERT_DEADLINE.get(urgency.key)
    case = None if new_patient else _open_case_for_update(intake.patient)
    if case is None and reopen is not None:
        case = _reopen_case(reopen, urgency=urgency, now=now)
    elif case is not None:
        _raise_case(case, urgency=urgency, now=now)
    if case is None:
        case = Case.objects.create(
            patient=intake.patient,
            urgency=urgency,
            opened_at=now,
            due_at=now + urgency.sla,
            escalate_at=now + alert_deadline if alert_deadline else None,
        )
    if intake.source == Intake.Source.CHECK_IN:
        CaseActivity.objects.create(
            case=case,
            kind=CaseActivity.Kind.CHECK_IN,
            at=now,
            intake=intake,
            subject=subject,
            reasons=list(reasons),
            note="; ".join(reasons),
        )
    assessment = Assessment.objects.create(
        intake=intake,
        case=case,
        urgency=urgency,
        rules=result.as_json()["rules"],
        ruleset=result.ruleset,
        contract_version=intake.contract_version,
        created_at=now,
    )
    if alert_deadline and case.claimed_by_id is None:
        alert_clinicians_on_duty(case=case, assessment=assessment, now=now)
    return assessment


def lock_for_examination(*, case_id: int, clinician: User) -> Case:
    """The case, locked, for an examination by `clinician`: it is waiting and they hold it (the
    examination is recorded from a claimed case, by the clinician at the plinth)."""
    case = _lock_case(case_id)
    if case.status != Case.Status.OPEN:
        raise CaseNotOpen(case, "examine")
    if case.claimed_by_id is not None and case.claimed_by_id != clinician.pk:
        raise CaseAlreadyClaimed(case)
    if case.claimed_by_id is None:
        raise ExaminationRefused(gettext("Claim this case before recording an examination."))
    return case


@transaction.atomic(savepoint=False)  # all or nothing with the examination it assesses
def assess_examination(*, examination: Examination) -> Assessment:
    """What the exam rules say about an examination, read with the case's latest intake: stored
    for good as a new assessment of the case (the rules that fired with their reasons, the
    rule-set and contract versions, the imaging decision aid). The case is raised and its
    deadlines brought forward as a new intake's would be (never lowered: only an override
    lowers a case); when the examination raises the case to URGENT or EMERGENCY, the
    clinicians on duty are alerted as for an intake at that urgency. The case is held by the
    examiner, so no escalation clock starts.

    Call it in the transaction that stores the examination, after `lock_for_examination`."""
    case = _lock_case(examination.case_id)
    intake_assessment = case.assessments.of_intakes().select_related("intake").latest_first()
    latest = intake_assessment.first()
    if latest is None or latest.intake is None:
        raise ExaminationRefused(gettext("This case has no intake to read the examination with."))
    answers = rules.Answers.from_mapping(latest.intake.answers)
    findings = Findings.from_mapping(examination.findings, tests=examination.library)
    result = evaluate_examination(findings, answers)
    now = timezone.now()
    urgency = Urgency(int(result.urgency))
    before = Urgency(case.urgency)
    stored = result.as_json()
    assessment = Assessment.objects.create(
        examination=examination,
        case=case,
        urgency=urgency,
        rules=stored["rules"],
        ruleset=result.ruleset,
        contract_version=examination.contract_version,
        imaging=stored["imaging"],
        created_at=now,
    )
    _raise_case(case, urgency=urgency, now=now)
    if settings.ALERT_DEADLINE.get(urgency.key) and urgency > before:
        alert_clinicians_on_duty(case=case, assessment=assessment, now=now)
    # Who examined and what it did to the case, in the patient's access report (an
    # examination, unlike an intake, is recorded by a clinician on a case already in hand).
    changes: dict[str, tuple[object, object]] = {
        "examination": (None, f"examination {examination.pk}"),
        "examination triage": (None, urgency.label),
    }
    if case.urgency > before:
        changes["urgency"] = (before.label, Urgency(case.urgency).label)
    audit.record_change(
        by=examination.examiner,
        record=f"case {case.pk}, examination {examination.pk}",
        patient=case.patient_id,
        changes=changes,
        action=AuditEvent.Action.CREATE,
    )
    return assessment


def _open_case_for_update(patient: Patient) -> Case | None:
    return Case.objects.select_for_update().filter(patient=patient, status=Case.Status.OPEN).first()


def _reopen_case(case: Case, *, urgency: Urgency, now: datetime) -> Case:
    """A closed case back in the queue: waiting from now, at the new intake's urgency, unclaimed
    (whoever closed it may be off duty: the alert goes to whoever is on)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    alert_deadline = settings.ALERT_DEADLINE.get(urgency.key)
    case.status = Case.Status.OPEN
    case.closed_at = None
    case.decided_at = None
    case.urgency = urgency
    case.opened_at = now
    case.due_at = now + urgency.sla
    case.claimed_by = None
    case.claimed_at = None
    case.escalate_at = now + alert_deadline if alert_deadline else None
    case.escalation_level = 0
    case.save()
    return case


def _raise_case(case: Case, *, urgency: Urgency, now: datetime) -> None:
    """A new intake joins the open case: raised to `urgency` if that is higher, its deadlines
    brought forward if the new ones are sooner. A new intake never lowers a case's urgency or
    pushes back its deadline: only a clinician's override (with a reason) may do that."""
    case.urgency = max(case.urgency, urgency)
    case.due_at = min(case.due_at, now + urgency.sla)
    alert_deadline = settings.ALERT_DEADLINE.get(urgency.key)
    if alert_deadline and case.claimed_by_id is None:
        deadline = now + alert_deadline
        case.escalate_at = min(case.escalate_at, deadline) if case.escalate_at else deadline
    case.save(update_fields=["urgency", "due_at", "escalate_at", "updated_at"])


def alert_clinicians_on_duty(*, case: Case, assessment: Assessment, now: datetime) -> None:
    """Tell the clinicians on duty at once: queued in this transaction, sent after commit."""
    queue_emails(
        [
            Email(
                key=f"alert.c{case.pk}.a{assessment.pk}.u{user.pk or 0}",
                kind=Message.Kind.CLINICIAN_ALERT,
                to=Recipient(email=user.email, name=user.get_full_name(), user_id=user.pk),
                template="clinician_alert",
                context=_case_link_context(case, user),
                patient_id=case.patient_id,
                case_id=case.pk,
            )
            for user in clinicians_on_duty(now)
        ]
    )


def clinicians_on_duty(now: datetime) -> list[User]:
    """Who to alert: the rota's clinicians on duty now; else the fallback list; else every
    clinician. Only people with an email address, each once; an alert never goes nowhere."""
    on_duty = _with_email(
        User.objects.filter(on_duty_at(now, prefix="duty_slots__"), is_active=True)
    )
    if on_duty:
        return on_duty
    fallback = _with_email(
        User.objects.filter(is_active=True, fallback_entry__isnull=False).order_by(
            "fallback_entry__position"
        )
    )
    if fallback:
        return fallback
    return _with_email(_clinicians()) or _last_resort()


@transaction.atomic
def escalate_unclaimed_cases(*, now: datetime | None = None) -> int:
    """Every open case still unclaimed at its alert deadline: tell every clinician and the clinic
    lead, and set the next deadline. Returns how many cases escalated."""
    now = now or timezone.now()
    cases = list(
        Case.objects.select_for_update(skip_locked=True)
        .filter(status=Case.Status.OPEN, claimed_by__isnull=True, escalate_at__lte=now)
        .order_by("escalate_at")[:200]
    )
    if not cases:
        return 0
    recipients = _with_email(_clinicians() | User.objects.filter(groups__name=Role.LEAD))
    recipients = recipients or _last_resort()
    for case in cases:
        case.escalation_level += 1
        queue_emails(
            [
                Email(
                    key=f"esc.c{case.pk}.l{case.escalation_level}.u{user.pk or 0}",
                    kind=Message.Kind.ESCALATION,
                    to=Recipient(email=user.email, name=user.get_full_name(), user_id=user.pk),
                    template="escalation",
                    context=_case_link_context(case, user) | {"level": case.escalation_level},
                    patient_id=case.patient_id,
                    case_id=case.pk,
                )
                for user in recipients
            ]
        )
        deadline = settings.ALERT_DEADLINE.get(case.urgency_key)
        case.escalate_at = now + deadline if deadline else None
        case.save(update_fields=["escalation_level", "escalate_at", "updated_at"])
    return len(cases)


@transaction.atomic
def mark_undelivered_alerts(*, now: datetime | None = None) -> int:
    """Alerts and escalations that cannot be delivered (dead, or failing for longer than
    ALERT_UNDELIVERED_AFTER) are not left in the outbox: each is marked on its case, once, and
    while the case is open and unclaimed the next clinician on the rota or the fallback list who
    has not been tried about it is alerted instead (then any other clinician, then the last
    resort address). Returns how many were marked."""
    now = now or timezone.now()
    already = CaseActivity.objects.filter(
        kind=CaseActivity.Kind.UNDELIVERED, message=OuterRef("pk")
    )
    undelivered = list(
        Message.objects.filter(kind__in=Message.URGENT_KINDS, case__isnull=False)
        .filter(
            models.Q(status=Message.Status.DEAD)
            | models.Q(
                status=Message.Status.FAILED,
                created_at__lte=now - settings.ALERT_UNDELIVERED_AFTER,
            )
        )
        .exclude(Exists(already))
        .order_by("created_at", "pk")[:200]
    )
    marked = 0
    for message in undelivered:
        # The case's lock first (as a claim takes it), then the check: two checks at once mark
        # a message once.
        case = _lock_case(message.case_id)  # type: ignore[arg-type]
        if CaseActivity.objects.filter(
            kind=CaseActivity.Kind.UNDELIVERED, message=message
        ).exists():
            continue
        marked += 1
        instead = None
        if case.status == Case.Status.OPEN and case.claimed_by_id is None:
            instead = _next_untried(case, now)
        note = gettext("To %(recipient)s: %(status)s after %(attempts)s attempt(s).") % {
            "recipient": message.to_name or message.to_email,
            "status": message.get_status_display(),
            "attempts": message.attempts,
        }
        if instead is not None:
            note += " " + gettext("Alerted instead: %(recipient)s.") % {
                "recipient": instead.get_full_name() or instead.email
            }
        elif case.status == Case.Status.OPEN and case.claimed_by_id is None:
            note += " " + gettext("Nobody is left to try: phone the duty clinician.")
        CaseActivity.objects.create(
            case=case, kind=CaseActivity.Kind.UNDELIVERED, at=now, message=message, note=note
        )
        if instead is not None:
            queue_emails(
                [
                    Email(
                        key=f"alert.c{case.pk}.next.u{instead.pk or 0}",
                        kind=Message.Kind.CLINICIAN_ALERT,
                        to=Recipient(
                            email=instead.email, name=instead.get_full_name(), user_id=instead.pk
                        ),
                        template="clinician_alert",
                        context=_case_link_context(case, instead),
                        patient_id=case.patient_id,
                        case_id=case.pk,
                    )
                ]
            )
    return marked


def _next_untried(case: Case, now: datetime) -> User | None:
    """Who to alert when an alert about `case` could not be delivered: the first not yet tried
    about this case of the rota's clinicians on duty, the fallback list, then every clinician,
    then the last resort address."""
    tried = Message.objects.filter(case=case, kind__in=Message.URGENT_KINDS)
    tried_ids = set(tried.exclude(recipient=None).values_list("recipient_id", flat=True))
    tried_emails = {email.lower() for email in tried.values_list("to_email", flat=True)}
    groups: list[Callable[[], list[User]]] = [
        lambda: _with_email(
            User.objects.filter(on_duty_at(now, prefix="duty_slots__"), is_active=True)
        ),
        lambda: _with_email(
            User.objects.filter(is_active=True, fallback_entry__isnull=False).order_by(
                "fallback_entry__position"
            )
        ),
        lambda: _with_email(_clinicians()),
        _last_resort,
    ]
    for group in groups:  # each read only when the ones before have nobody left
        for user in group():
            if user.pk not in tried_ids and user.email.lower() not in tried_emails:
                return user
    return None


@transaction.atomic
def claim_case(*, case_id: int, clinician: User) -> Case:
    """Take a case: it is this clinician's now, and its escalation stops. Two clinicians claiming
    at once: the row lock lets one win; the other is told who has it."""
    case = Case.objects.select_for_update(of=("self",)).select_related("claimed_by").get(pk=case_id)
    if case.status != Case.Status.OPEN:
        raise CaseNotOpen(case)
    if case.claimed_by_id is not None and case.claimed_by_id != clinician.pk:
        raise CaseAlreadyClaimed(case)
    if case.claimed_by_id is None:
        case.claimed_by = clinician
        case.claimed_at = timezone.now()
        case.escalate_at = None
        case.save(update_fields=["claimed_by", "claimed_at", "escalate_at", "updated_at"])
        CaseActivity.objects.create(
            case=case, kind=CaseActivity.Kind.CLAIMED, by=clinician, at=case.claimed_at
        )
        _cancel_unsent_escalations(case)
        audit.record_change(
            by=clinician,
            record=f"case {case.pk}",
            patient=case.patient_id,
            changes={"claimed by": (None, audit.username(clinician))},
        )
    return case


@transaction.atomic
def release_case(*, case_id: int, clinician: User) -> Case:
    """Hand a case back to the queue. Only its holder may; an EMERGENCY or URGENT case starts its
    alert clock again, so a released case cannot be forgotten."""
    case = _lock_case(case_id)
    if case.status != Case.Status.OPEN:
        raise CaseNotOpen(case, "release")
    if case.claimed_by_id is None or case.claimed_by_id != clinician.pk:
        raise NotTheHolder(case)
    now = timezone.now()
    case.claimed_by = None
    case.claimed_at = None
    case.escalate_at = _alert_clock(Urgency(case.urgency), now)
    case.save(update_fields=["claimed_by", "claimed_at", "escalate_at", "updated_at"])
    CaseActivity.objects.create(case=case, kind=CaseActivity.Kind.RELEASED, by=clinician, at=now)
    audit.record_change(
        by=clinician,
        record=f"case {case.pk}",
        patient=case.patient_id,
        changes={"claimed by": (audit.username(clinician), None)},
    )
    return case


@transaction.atomic
def override_urgency(
    *, case_id: int, clinician: User, to_urgency: Urgency, reason: str
) -> UrgencyOverride:
    """Change a case's urgency, with a note for raising it and a reason for lowering it. The
    assessment stays as triage left it; the override is a record of its own. The deadline is
    worked out again from when the patient started waiting; the alert clock starts for an
    unclaimed EMERGENCY or URGENT case and stops below URGENT."""
    case = _lock_case(case_id)
    if case.status != Case.Status.OPEN:
        raise CaseNotOpen(case, "override")
    if case.claimed_by_id is not None and case.claimed_by_id != clinician.pk:
        raise CaseAlreadyClaimed(case)
    to_urgency = Urgency(to_urgency)
    from_urgency = Urgency(case.urgency)
    if to_urgency == from_urgency:
        raise OverrideRefused(f"The case is already {from_urgency.label}; nothing to override")
    reason = reason.strip()
    if not reason:
        raise OverrideRefused(
            "Raising the urgency needs a note"
            if to_urgency > from_urgency
            else "Lowering the urgency needs a reason"
        )
    assessment = case.latest_assessment
    if assessment is None:
        raise OverrideRefused("This case has no triage result to override")
    now = timezone.now()
    override = UrgencyOverride.objects.create(
        case=case,
        assessment=assessment,
        from_urgency=from_urgency,
        to_urgency=to_urgency,
        reason=reason,
        by=clinician,
        created_at=now,
    )
    due_before = case.due_at
    case.urgency = to_urgency
    case.due_at = case.opened_at + to_urgency.sla
    # A clinician holding the case has it in hand: the clock runs again if they release it.
    case.escalate_at = None if case.claimed_by_id else _alert_clock(to_urgency, now)
    case.save(update_fields=["urgency", "due_at", "escalate_at", "updated_at"])
    if case.escalate_at is None:
        _cancel_unsent_escalations(case)
    audit.record_change(
        by=clinician,
        record=f"case {case.pk}, override {override.pk}",
        patient=case.patient_id,
        changes={
            "urgency": (from_urgency.label, to_urgency.label),
            "to be seen by": (due_before, case.due_at),
            "reason": (None, reason),
        },
    )
    return override


@transaction.atomic
def discharge_case(*, case_id: int, clinician: User, advice: str) -> CaseDecision:
    """Close the case with the advice given to the patient and the safety-net advice that goes
    with a discharge (when to call 999, when to come back)."""
    advice = advice.strip()
    case = lock_for_decision(case_id=case_id, clinician=clinician, action="discharge")
    if not advice:
        raise DecisionRefused("A discharge needs the advice given to the patient")
    return record_decision(
        case=case,
        kind=CaseDecision.Kind.DISCHARGED,
        clinician=clinician,
        note=advice,
        safety_net=outcomes.safety_net_for(CaseDecision.Kind.DISCHARGED).as_text(),
        audit_changes={"advice": (None, advice)},
    )


def lock_for_decision(
    *, case_id: int, clinician: User, action: str = "decide", further: bool = False
) -> Case:
    """The case, locked for a decision, after the one check every decision shares: the case is
    waiting and nobody else holds it. Referrals and programmes call this (and `record_decision`)
    rather than writing to the case themselves.

    `further`: a case already decided by a referral or a programme may take a further
    referral or a programme (imaging, and exercises while the patient waits for it); it stays
    decided, at the time of its first decision. A discharge ends the case: nothing follows it.
    """
    case = _lock_case(case_id)
    if case.status != Case.Status.OPEN:
        if further and case.takes_further_decision():
            return case
        raise CaseNotOpen(case, action)
    if case.claimed_by_id is not None and case.claimed_by_id != clinician.pk:
        raise CaseAlreadyClaimed(case)
    return case


@transaction.atomic(savepoint=False)  # all or nothing with the referral or programme it decides
def record_decision(
    *,
    case: Case | int,
    kind: CaseDecision.Kind,
    clinician: User,
    note: str = "",
    safety_net: str = "",
    audit_changes: Mapping[str, tuple[object, object]] | None = None,
    further: bool = False,
    at: datetime | None = None,
) -> CaseDecision:
    """The one door for a clinician's decision on a case: refer, prescribe a programme or
    discharge. The decision is recorded with the safety-net advice the patient was given, the
    case leaves the waiting queue (its deadline and its escalations stop), and the time from
    waiting to decision is kept on the case. A clinician deciding a case nobody had claimed
    claims it first, on the timeline.

    `case`: a case locked by `lock_for_decision` in this transaction, or its id.
    `at`: when, if the caller's own record of the decision carries a time (default now).
    `further`: see `lock_for_decision`; it adds to the case's decisions without moving the case
    again.
    """
    if not isinstance(case, Case):
        case = lock_for_decision(case_id=case, clinician=clinician, further=further)
    now = at or timezone.now()
    decision = CaseDecision.objects.create(
        case=case, kind=kind, by=clinician, at=now, note=note, safety_net=safety_net
    )
    changes: dict[str, tuple[object, object]] = {"decision": (None, decision.get_kind_display())}
    if case.status == Case.Status.OPEN:
        if case.claimed_by_id is None:
            case.claimed_by, case.claimed_at = clinician, now
            CaseActivity.objects.create(
                case=case, kind=CaseActivity.Kind.CLAIMED, by=clinician, at=now
            )
            changes["claimed by"] = (None, audit.username(clinician))
        case.status = Case.Status.CLOSED
        case.closed_at = now
        case.decided_at = now
        case.escalate_at = None
        case.save(
            update_fields=[
                "status",
                "closed_at",
                "decided_at",
                "escalate_at",
                "claimed_by",
                "claimed_at",
                "updated_at",
            ]
        )
        _cancel_unsent_escalations(case)
        changes["status"] = (Case.Status.OPEN.label, Case.Status.CLOSED.label)
    audit.record_change(
        by=clinician,
        record=f"case {case.pk}, decision {decision.pk}",
        patient=case.patient_id,
        changes=changes | dict(audit_changes or {}),
    )
    return decision


def record_patient_question(*, question: Question) -> CaseActivity:
    """A patient's question from their programme page, on its case's timeline (the questions
    app calls this in the transaction that stores the question). It does not put the case back
    in the queue: a question is answered from the clinicians' questions worklist, and a red flag
    comes back through the check-in's screen, which the patient is sent to instead."""
    return CaseActivity.objects.create(
        case_id=question.case_id,
        kind=CaseActivity.Kind.QUESTION,
        at=question.asked_at,
        question=question,
        subject=f"Question {question.pk}",
    )


def record_question_reply(*, question: Question, clinician: User) -> CaseActivity:
    """The clinician's reply to a patient's question, on the case's timeline, in the transaction
    that stores the reply."""
    return CaseActivity.objects.create(
        case_id=question.case_id,
        kind=CaseActivity.Kind.QUESTION_REPLY,
        by=clinician,
        at=question.replied_at or timezone.now(),
        question=question,
        subject=f"Question {question.pk}",
    )


def record_question_closed(*, question: Question, clinician: User) -> CaseActivity:
    """A patient's question closed without a written reply (answered by phone, say), and why, on
    the case's timeline."""
    return CaseActivity.objects.create(
        case_id=question.case_id,
        kind=CaseActivity.Kind.QUESTION_CLOSED,
        by=clinician,
        at=question.closed_at or timezone.now(),
        question=question,
        subject=f"Question {question.pk}",
        note=question.close_note,
    )


def escalation_still_wanted(message: Message) -> bool:
    """The outbox's check before an escalation leaves: only while its case is open and
    unclaimed. The case row stays locked until the send is recorded, so a claim racing the
    escalation waits for it or cancels it: an escalation never leaves after the claim."""
    if message.case_id is None:
        return True
    case = Case.objects.select_for_update().get(pk=message.case_id)
    return case.claimed_by_id is None and case.status == Case.Status.OPEN


def _lock_case(case_id: int) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("claimed_by").get(pk=case_id)


def _alert_clock(urgency: Urgency, now: datetime) -> datetime | None:
    deadline = settings.ALERT_DEADLINE.get(urgency.key)
    return now + deadline if deadline else None


def _cancel_unsent_escalations(case: Case) -> None:
    """Escalations queued but not yet sent will not go (one being sent right now holds this
    case's row lock, so it went before this change)."""
    Message.objects.filter(
        case=case,
        kind=Message.Kind.ESCALATION,
        status__in=[Message.Status.PENDING, Message.Status.FAILED, Message.Status.SENDING],
    ).update(status=Message.Status.CANCELLED, lease_until=None, lease_token="")


def _clinicians() -> models.QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name=Role.CLINICIAN)


def _with_email(users: models.QuerySet[User]) -> list[User]:
    """Those with an email address, each once, in the queryset's order (by id when it has none)."""
    if not users.query.order_by:
        users = users.order_by("pk")
    seen: set[int] = set()
    found = []
    for user in users.exclude(email=""):
        if user.pk not in seen:
            seen.add(user.pk)
            found.append(user)
    return found


def _last_resort() -> list[User]:
    """Nobody with an email address is on the rota, the fallback list or the clinician role."""
    address = settings.ALERT_LAST_RESORT_EMAIL
    if not address:
        log.error(
            "triage: no clinician with an email address to alert; set ALERT_LAST_RESORT_EMAIL"
        )
        return []
    return [User(pk=None, email=address, username="last-resort")]


def _case_link_context(case: Case, user: User) -> dict[str, object]:
    return {
        "case_ref": case.pk,
        "case_url": settings.SITE_URL + reverse("triage:case_detail", args=[case.pk]),
        "clinic_name": settings.CLINIC_NAME,
        "recipient_name": user.get_full_name() or user.get_username(),
    }
