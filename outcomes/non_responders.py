"""Non-responders: a patient who keeps to the programme but is not getting better is flagged to
the clinician who prescribed it, for review. Beat runs `flag_non_responders` daily
(`outcomes.flag_non_responders`); it is safe to run as often as anyone likes: a programme is
flagged once (a database constraint), and the flag keeps the figures it was raised on.

The rule (settings, `NON_RESPONDER_*`):
- the programme is running (or has just completed) and its week-`NON_RESPONDER_WEEK` (4) check-in
  is answered, within the last `LOOKBACK` (so a new installation does not flag last year's
  patients, and a fortnight of beat being down is caught up);
- the patient keeps to it: sessions done over sessions planned, pooled over the answered
  check-ins from week 1 to that week, at least `NON_RESPONDER_MIN_ADHERENCE_PERCENT` (75);
- and has not improved by the clinically important change: pain at that check-in is not 2 points
  or more below the start (the lower of the intake's and the starting questionnaire's, as
  `programmes.check_ins.baseline_pain`), nor, where that check-in asked it, the Neck Disability
  Index 5 points or more below the starting questionnaire's.

Sources: week 4 is where NICE CKS's neck-pain pathway moves from early management to "consider
physiotherapy, address psychosocial factors" for pain that persists (CKS Neck pain -
non-specific, red-flags.md [S2]); 2 points on the 0-10 pain scale is the clinically important
change (Farrar et al. Pain 2001, about 2 points; Childs et al. Spine 2005; Kovacs et al. BMC
Musculoskelet Disord 2008, 1.5 in neck pain; `programmes.core.thresholds`, [S27]); 5 NDI points
is the minimal detectable change of Vernon's scoring instructions (Stratford 1999, [S26]),
below the published MCIDs of 7.5-9.5 (Young 2009, Cleland 2008): clinic policy to confirm.
75% of planned sessions is clinic policy, a commonly used cut-off with no single published
source (Lambert et al. J Physiother 2017, on reminders and adherence, set none); the
programmes' progression uses the same share (`programmes.core.progression`). The clinic may set
the week and the share.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from audit import services as audit
from outbox.models import Message
from outbox.services import Email, Recipient, queue_emails
from outcomes.models import NonResponderFlag
from programmes.core.thresholds import MCID_POINTS, WORSE_PAIN_POINTS
from programmes.models import CheckIn, Programme

log = logging.getLogger(__name__)

LOOKBACK = timedelta(days=14)
SOURCE = (
    "Week 4: NICE CKS Neck pain - non-specific [S2]; 2 pain points: Farrar 2001, Childs 2005, "
    "Kovacs 2008 [S27]; 5 NDI points: the minimal detectable change with Vernon's scoring "
    "(Stratford 1999 [S26]; published MCIDs 7.5-9.5: Young 2009, Cleland 2008), clinic policy; "
    "75% of sessions: clinic policy, a commonly used threshold (no single published source)"
)


@dataclass(frozen=True, slots=True)
class Rule:
    week: int
    min_adherence_percent: int
    pain_points: int = WORSE_PAIN_POINTS
    ndi_points: int = MCID_POINTS

    @property
    def words(self) -> str:
        return (
            f"At least {self.min_adherence_percent}% of sessions by week {self.week}, and pain not "
            f"{self.pain_points} points better nor the NDI {self.ndi_points} points better"
        )


def rule() -> Rule:
    return Rule(
        week=settings.NON_RESPONDER_WEEK,
        min_adherence_percent=settings.NON_RESPONDER_MIN_ADHERENCE_PERCENT,
    )


@dataclass(frozen=True, slots=True)
class Reading:
    """What the rule reads of one check-in."""

    week: int
    pain: int | None
    sessions_done: int | None
    sessions_planned: int | None
    ndi_points: Decimal | None


@dataclass(frozen=True, slots=True)
class Verdict:
    non_responder: bool
    sessions_done: int
    sessions_planned: int
    baseline_pain: int
    pain: int
    ndi_start: Decimal | None
    ndi: Decimal | None


def assess(the_rule: Rule, *, baseline_pain: int, readings: Sequence[Reading]) -> Verdict | None:
    """The rule on one programme's answered check-ins; None when the rule's check-in has no
    answer to read."""
    by_week = {r.week: r for r in readings}
    at = by_week.get(the_rule.week)
    if at is None or at.pain is None:
        return None
    start = by_week.get(0)
    baseline = baseline_pain
    if start is not None and start.pain is not None:
        baseline = min(baseline, start.pain)
    paired = [
        r
        for r in readings
        if 0 < r.week <= the_rule.week
        and r.sessions_done is not None
        and r.sessions_planned is not None
    ]
    done = sum(r.sessions_done or 0 for r in paired)
    planned = sum(r.sessions_planned or 0 for r in paired)
    keeps_to_it = planned > 0 and done * 100 >= the_rule.min_adherence_percent * planned
    pain_better = baseline - at.pain >= the_rule.pain_points
    ndi_start = start.ndi_points if start is not None else None
    ndi_better = (
        ndi_start is not None
        and at.ndi_points is not None
        and ndi_start - at.ndi_points >= the_rule.ndi_points
    )
    return Verdict(
        non_responder=keeps_to_it and not pain_better and not ndi_better,
        sessions_done=done,
        sessions_planned=planned,
        baseline_pain=baseline,
        pain=at.pain,
        ndi_start=ndi_start,
        ndi=at.ndi_points,
    )


def flag_non_responders(*, now: datetime | None = None) -> list[NonResponderFlag]:
    """Flag every programme the rule finds, once each; returns the flags made by this run."""
    now = now or timezone.now()
    the_rule = rule()
    candidates = (
        Programme.objects.filter(
            status__in=[Programme.Status.ACTIVE, Programme.Status.COMPLETED],
            non_responder_flag__isnull=True,
            check_ins__week=the_rule.week,
            check_ins__completed_at__gte=now - LOOKBACK,
            check_ins__completed_at__lte=now,
        )
        .select_related("prescribed_by")
        .prefetch_related(
            Prefetch(
                "check_ins",
                queryset=CheckIn.objects.filter(
                    completed_at__isnull=False, week__lte=the_rule.week
                ),
                to_attr="answered",
            )
        )
        .order_by("pk")
    )
    made = []
    for programme in candidates:
        readings = [
            Reading(c.week, c.pain, c.sessions_done, c.sessions_planned, c.ndi_points)
            for c in programme.answered  # type: ignore[attr-defined]
        ]
        verdict = assess(the_rule, baseline_pain=programme.baseline_pain, readings=readings)
        if verdict is None or not verdict.non_responder:
            continue
        flag = _record(programme, the_rule, verdict, now)
        if flag is not None:
            made.append(flag)
    if made:
        log.info("outcomes: %d programme(s) flagged for review", len(made))
    return made


def _record(
    programme: Programme, the_rule: Rule, verdict: Verdict, now: datetime
) -> NonResponderFlag | None:
    """One flag and its email to the prescriber, in one transaction; None if another run made
    it first (the constraint decides)."""
    try:
        with transaction.atomic():
            flag = NonResponderFlag.objects.create(
                programme=programme,
                case_id=programme.case_id,
                clinician=programme.prescribed_by,
                flagged_at=now,
                week=the_rule.week,
                rule=the_rule.words[:200],
                sessions_done=verdict.sessions_done,
                sessions_planned=verdict.sessions_planned,
                baseline_pain=verdict.baseline_pain,
                pain=verdict.pain,
                ndi_start=verdict.ndi_start,
                ndi=verdict.ndi,
            )
            audit.record_change(
                by=None,
                record=f"programme {programme.pk}, non-responder flag {flag.pk}",
                patient=programme.patient_id,
                changes={"flagged for review": (None, the_rule.words)},
            )
            _tell_prescriber(programme, flag)
    except IntegrityError:
        return None
    return flag


def _tell_prescriber(programme: Programme, flag: NonResponderFlag) -> None:
    clinician: User = programme.prescribed_by
    if not clinician.email:
        return
    queue_emails(
        [
            Email(
                key=f"prg{programme.pk}.nonresponder",
                kind=Message.Kind.PROGRAMME_REVIEW,
                to=Recipient(
                    email=clinician.email, name=clinician.get_full_name(), user_id=clinician.pk
                ),
                template="non_responder",
                context={
                    "clinic_name": settings.CLINIC_NAME,
                    "recipient_name": clinician.get_full_name() or clinician.get_username(),
                    "review_url": settings.SITE_URL + reverse("outcomes:review"),
                    "case_url": settings.SITE_URL
                    + reverse("triage:case_detail", args=[programme.case_id]),
                },
                patient_id=programme.patient_id,
                case_id=programme.case_id,
            )
        ]
    )


@transaction.atomic
def mark_reviewed(*, flag_id: int, clinician: User, note: str) -> NonResponderFlag:
    """The clinician has looked; a second press changes nothing."""
    flag = NonResponderFlag.objects.select_for_update().get(pk=flag_id)
    if flag.reviewed_at is not None:
        return flag
    flag.reviewed_at = timezone.now()
    flag.reviewed_by = clinician
    flag.review_note = note.strip()
    flag.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
    audit.record_change(
        by=clinician,
        record=f"programme {flag.programme_id}, non-responder flag {flag.pk}",
        patient=flag.programme.patient_id,
        changes={"reviewed": (None, flag.review_note or "reviewed")},
    )
    return flag
