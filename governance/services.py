"""Every write of clinical governance: a trial run, a sign-off, the clinic's choice of version.

A trial reads every stored intake with the assessment made of it then (one query, streamed in
chunks from a server-side cursor) and the clinicians' overrides of those assessments (one more),
and hands them to the pure `triage.rules.trial`. A sign-off needs the clinical safety officer's
role, a stored trial of the very code being signed (same fingerprint), a reason, and, when the
trial lowers any case, their confirmation that they read every one. The clinic's choice is taken
under the `ActiveRuleSet` row's lock, so two changes at once are one after the other, each an
audit row with the old and new version.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import JSONField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit import services as audit
from audit.models import AuditEvent
from clinic.roles import Role, has_role
from governance import active
from governance.models import ActiveRuleSet, SignOff, Trial
from triage.models import Assessment, UrgencyOverride
from triage.rules import CONTRACT_VERSION, registry
from triage.rules import trial as trials

CHUNK = 2000


class GovernanceError(ValueError):
    """Refused, with the field it is about (for the form) and a message a person reads."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _assessments(date_from: date | None, date_to: date | None) -> Any:
    found = Assessment.objects.filter(
        intake__isnull=False, intake__contract_version=CONTRACT_VERSION
    )
    if date_from is not None:
        found = found.filter(created_at__date__gte=date_from)
    if date_to is not None:
        found = found.filter(created_at__date__lte=date_to)
    return found


def past_intakes(
    date_from: date | None = None, date_to: date | None = None
) -> Iterator[trials.Past]:
    """Every stored intake (assessed in the date range, inclusive, in the clinic's time zone)
    with the assessment made of it then and the overrides of that assessment."""
    overrides: dict[int, list[trials.Override]] = {}
    for assessment_id, pk, before, after in UrgencyOverride.objects.filter(
        assessment__intake__isnull=False
    ).values_list("assessment_id", "pk", "from_urgency", "to_urgency"):
        overrides.setdefault(assessment_id, []).append(trials.Override(pk, before, after))
    found = _assessments(date_from, date_to).order_by("pk")
    if connection.vendor == "postgresql":
        # Only each fired rule's ID and urgency, not its reason and source: a third of the JSON.
        table = Assessment._meta.db_table
        found = found.annotate(
            rule_ids=RawSQL(  # noqa: S611 - the model's own table name, no input
                f"jsonb_path_query_array({table}.rules, '$[*].id')", (), output_field=JSONField()
            ),
            rule_urgencies=RawSQL(  # noqa: S611 - as above
                f"jsonb_path_query_array({table}.rules, '$[*].urgency')",
                (),
                output_field=JSONField(),
            ),
        )
        rows = found.values_list(
            "pk", "intake_id", "case_id", "created_at", "intake__answers", "urgency", "rule_ids",
            "rule_urgencies", "ruleset",
        ).iterator(chunk_size=CHUNK)  # fmt: skip
    else:
        rows = (
            (pk, intake, case, at, answers, urgency, [r["id"] for r in fired],
             [r.get("urgency") for r in fired], version)
            for pk, intake, case, at, answers, urgency, fired, version in found.values_list(
                "pk", "intake_id", "case_id", "created_at", "intake__answers", "urgency",
                "rules", "ruleset",
            ).iterator(chunk_size=CHUNK)
        )  # fmt: skip
    for pk, intake_id, case_id, at, answers, urgency, ids, urgencies, version in rows:
        yield trials.Past(
            intake_id=intake_id,
            case_id=case_id,
            at=at.isoformat(),
            answers=answers,
            urgency=urgency,
            rules=tuple(zip(ids, urgencies, strict=True)),
            ruleset=version,
            overrides=tuple(overrides.get(pk, ())),
        )


def evaluate(
    candidate: str, *, date_from: date | None = None, date_to: date | None = None
) -> tuple[dict[str, Any], float]:
    """The trial report of version `candidate` on the stored intakes, and the seconds it took."""
    try:
        version = registry.get(candidate)
    except registry.UnknownVersion:
        raise GovernanceError(
            _("There is no rule-set version %(version)s.") % {"version": candidate}, "candidate"
        ) from None
    if date_from and date_to and date_from > date_to:
        raise GovernanceError(_("The first day must not be after the last."), "date_to")
    started = time.perf_counter()
    trial = trials.Trial(version.ruleset, candidate_fingerprint=registry.fingerprint(candidate))
    trial.add_all(past_intakes(date_from, date_to))
    report = trial.report()
    report["date_from"] = date_from.isoformat() if date_from else None
    report["date_to"] = date_to.isoformat() if date_to else None
    return report, time.perf_counter() - started


def run_trial(
    candidate: str,
    *,
    by: User | None,
    date_from: date | None = None,
    date_to: date | None = None,
    submission_token: uuid.UUID | None = None,
) -> Trial:
    """Try `candidate` on the stored intakes and keep the report (an audit row says who ran it).
    The same submission token gives the trial it ran first."""
    if by is not None and not has_role(by, Role.SAFETY_OFFICER, Role.LEAD):
        raise GovernanceError(
            _("Only the clinical safety officer or the clinic lead runs a trial.")
        )
    if submission_token is not None:
        done = Trial.objects.filter(submission_token=submission_token).first()
        if done is not None:
            return done
    report, seconds = evaluate(candidate, date_from=date_from, date_to=date_to)
    try:
        return _keep_trial(candidate, by, date_from, date_to, submission_token, report, seconds)
    except IntegrityError:
        if submission_token is None:
            raise
        return Trial.objects.get(submission_token=submission_token)


@transaction.atomic
def _keep_trial(
    candidate: str,
    by: User | None,
    date_from: date | None,
    date_to: date | None,
    submission_token: uuid.UUID | None,
    report: dict[str, Any],
    seconds: float,
) -> Trial:
    trial = Trial.objects.create(
        submission_token=submission_token,
        candidate=candidate,
        candidate_fingerprint=report["candidate_fingerprint"],
        date_from=date_from,
        date_to=date_to,
        run_by=by,
        run_at=timezone.now(),
        seconds=seconds,
        report=report,
    )
    audit.record_change(
        by=by,
        record=f"rule trial {trial.pk}",
        action=AuditEvent.Action.CREATE,
        changes={
            "rule set tried": (None, candidate),
            "intakes": (None, report["intakes"]),
            "raised": (None, report["raised"]),
            "lowered": (None, report["lowered"]),
        },
    )
    return trial


def sign_off(
    *, version: str, trial: Trial, reason: str, lowered_reviewed: bool, by: User
) -> SignOff:
    """`by`, the clinical safety officer, signs `version` off as its code stands, on `trial`."""
    if not has_role(by, Role.SAFETY_OFFICER):
        raise GovernanceError(_("Only a clinical safety officer signs a rule set off."))
    try:
        registry.get(version)
    except registry.UnknownVersion:
        raise GovernanceError(
            _("There is no rule-set version %(version)s.") % {"version": version}, "version"
        ) from None
    fingerprint = registry.fingerprint(version)
    if trial.candidate != version or trial.candidate_fingerprint != fingerprint:
        raise GovernanceError(
            _("Attach a trial of %(version)s as its code stands now: run one first.")
            % {"version": version},
            "trial",
        )
    if not reason.strip():
        raise GovernanceError(_("Say why you sign this rule set off."), "reason")
    if trial.lowered and not lowered_reviewed:
        raise GovernanceError(
            ngettext(
                "The trial lowers %(count)s case: confirm that you have read it.",
                "The trial lowers %(count)s cases: confirm that you have read every one.",
                trial.lowered,
            )
            % {"count": trial.lowered},
            "lowered_reviewed",
        )
    existing = SignOff.objects.filter(trial=trial, signed_by=by).first()
    if existing is not None:
        return existing  # a double submit: the same sign-off
    try:
        return _keep_sign_off(version, fingerprint, trial, reason, lowered_reviewed, by)
    except IntegrityError:
        return SignOff.objects.get(trial=trial, signed_by=by)


@transaction.atomic
def _keep_sign_off(
    version: str, fingerprint: str, trial: Trial, reason: str, lowered_reviewed: bool, by: User
) -> SignOff:
    signed = SignOff.objects.create(
        version=version,
        fingerprint=fingerprint,
        trial=trial,
        reason=reason.strip(),
        lowered_reviewed=lowered_reviewed,
        signed_by=by,
        signed_at=timezone.now(),
    )
    audit.record_change(
        by=by,
        record=f"rule-set sign-off {signed.pk}",
        action=AuditEvent.Action.CREATE,
        changes={
            "rule set signed off": (None, version),
            "fingerprint": (None, fingerprint),
            "trial": (None, trial.pk),
            "reason": (None, signed.reason),
        },
    )
    return signed


def sign_off_in_force(version: str) -> SignOff | None:
    """The latest sign-off of `version` as its code stands now (its fingerprint), if any."""
    return (
        SignOff.objects.filter(version=version, fingerprint=registry.fingerprint(version))
        .order_by("-signed_at", "-pk")
        .first()
    )


def choose(*, version: str, reason: str, by: User) -> ActiveRuleSet:
    """Make the signed-off `version` the one new intakes are triaged with."""
    if not has_role(by, Role.SAFETY_OFFICER, Role.LEAD):
        raise GovernanceError(
            _("Only the clinical safety officer or the clinic lead chooses the rule set.")
        )
    if not reason.strip():
        raise GovernanceError(_("Say why the clinic changes its rule set."), "reason")
    try:
        registry.get(version)
    except registry.UnknownVersion:
        raise GovernanceError(
            _("There is no rule-set version %(version)s.") % {"version": version}, "version"
        ) from None
    with transaction.atomic():
        row, _created = ActiveRuleSet.objects.select_for_update().get_or_create(pk=1)
        signed = sign_off_in_force(version)
        if signed is None:
            raise GovernanceError(
                _("%(version)s is not signed off: a clinical safety officer signs it off first.")
                % {"version": version},
                "version",
            )
        before = row.version
        if before == version and row.fingerprint == signed.fingerprint:
            return row  # already chosen (a double submit, or two people at once): no change
        row.version, row.fingerprint, row.sign_off = version, signed.fingerprint, signed
        row.chosen_by, row.chosen_at, row.reason = by, timezone.now(), reason.strip()
        row.save()
        audit.record_change(
            by=by,
            record="active rule set",
            changes={
                "rule set": (before or None, version),
                "sign-off": (None, signed.pk),
                "reason": (None, row.reason),
            },
        )
        active.forget()
        active.forget_on_commit()
    return row


def history() -> list[dict[str, Any]]:
    """Every change of the clinic's rule set, newest first, from the audit."""
    changes = []
    for event in (
        AuditEvent.objects.filter(record="active rule set")
        .select_related("actor")
        .order_by("-at", "-pk")
    ):
        fields = (event.details or {}).get("changes", {})
        changes.append(
            {
                "at": event.at,
                "by": event.actor,
                "old": fields.get("rule set", {}).get("old"),
                "new": fields.get("rule set", {}).get("new"),
                "reason": fields.get("reason", {}).get("new", ""),
            }
        )
    return changes
