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

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, JSONField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit import services as audit
from audit.models import AuditEvent
from clinic.roles import Role, has_role
from governance import active
from governance.models import ActiveRuleSet, SignOff, Trial, TrialRun
from triage.models import Assessment, UrgencyOverride
from triage.rules import CONTRACT_VERSION, registry
from triage.rules import trial as trials

CHUNK = 2000
log = logging.getLogger(__name__)


class GovernanceError(ValueError):
    """Refused, with the field it is about (for the form) and a message a person reads."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _in_range(date_from: date | None, date_to: date | None) -> Any:
    """The assessments of intakes made on the days given, inclusive, in the clinic's time zone."""
    found = Assessment.objects.filter(intake__isnull=False)
    if date_from is not None:
        found = found.filter(created_at__date__gte=date_from)
    if date_to is not None:
        found = found.filter(created_at__date__lte=date_to)
    return found


def _assessments(date_from: date | None, date_to: date | None) -> Any:
    return _in_range(date_from, date_to).filter(intake__contract_version=CONTRACT_VERSION)


def other_contracts(date_from: date | None = None, date_to: date | None = None) -> dict[str, int]:
    """The intakes in the range stored under another contract than this release's, by contract:
    not tried (their answers mean what that contract said), but counted, so the report says so."""
    rows = (
        _in_range(date_from, date_to)
        .exclude(intake__contract_version=CONTRACT_VERSION)
        .values_list("intake__contract_version")
        .annotate(n=Count("pk"))
        .order_by("intake__contract_version")
    )
    return {str(version): n for version, n in rows}


def past_intakes(
    date_from: date | None = None, date_to: date | None = None
) -> Iterator[trials.Past]:
    """Every stored intake (assessed in the date range, inclusive, in the clinic's time zone)
    with the assessment made of it then and the overrides of that assessment."""
    overrides: dict[int, list[trials.Override]] = {}
    for assessment_id, pk, before, after in (
        UrgencyOverride.objects.filter(assessment__intake__isnull=False)
        .order_by("created_at", "pk")
        .values_list("assessment_id", "pk", "from_urgency", "to_urgency")
    ):
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
            at=timezone.localtime(at).isoformat(),  # the clinic's day, as the range reads it
            answers=answers,
            urgency=urgency,
            rules=tuple(zip(ids, urgencies, strict=True)),
            ruleset=version,
            overrides=tuple(overrides.get(pk, ())),
        )


def _counted(rows: Iterator[trials.Past], progress: Callable[[int], None]) -> Iterator[trials.Past]:
    done = 0
    for done, row in enumerate(rows, 1):
        yield row
        if done % CHUNK == 0:
            progress(done)
    progress(done)


def _check_range(candidate: str, date_from: date | None, date_to: date | None) -> Any:
    try:
        version = registry.get(candidate)
    except registry.UnknownVersion:
        raise GovernanceError(
            _("There is no rule-set version %(version)s.") % {"version": candidate}, "candidate"
        ) from None
    if date_from and date_to and date_from > date_to:
        raise GovernanceError(_("The first day must not be after the last."), "date_to")
    return version


def evaluate(
    candidate: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[dict[str, Any], float]:
    """The trial report of version `candidate` on the stored intakes, and the seconds it took.
    `progress` is told how many intakes have been read, every chunk and at the end."""
    version = _check_range(candidate, date_from, date_to)
    started = time.perf_counter()
    trial = trials.Trial(version.ruleset, candidate_fingerprint=registry.fingerprint(candidate))
    rows = past_intakes(date_from, date_to)
    trial.add_all(_counted(rows, progress) if progress is not None else rows)
    report = trial.report()
    report["other_contracts"] = other_contracts(date_from, date_to)
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


# --- Trials run by a worker (the page's) ----------------------------------------------------


class _Abandoned(Exception):
    """The run was marked failed (stale) while this worker still ran it."""


def _may_run_trials(by: User) -> None:
    if not has_role(by, Role.SAFETY_OFFICER, Role.LEAD):
        raise GovernanceError(
            _("Only the clinical safety officer or the clinic lead runs a trial.")
        )


def fail_stale_runs(now: Any = None) -> int:
    """Mark failed every run whose worker has said nothing for GOVERNANCE_TRIAL_STALE_SECONDS
    (its worker was restarted, or none took it): it may then be started again."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.GOVERNANCE_TRIAL_STALE_SECONDS)
    return TrialRun.objects.filter(status__in=TrialRun.ACTIVE, updated_at__lt=stale).update(
        status=TrialRun.Status.FAILED,
        error=_("No word from the worker: it stopped or never started."),
        updated_at=now,
    )


def start_trial_run(
    candidate: str, *, by: User, date_from: date | None = None, date_to: date | None = None
) -> TrialRun:
    """Queue a trial of `candidate` for a worker, once it is committed. While a run of the same
    version and days waits or runs, that run is the answer (a double submit, a second person)."""
    _may_run_trials(by)
    _check_range(candidate, date_from, date_to)
    fail_stale_runs()
    same = {"candidate": candidate, "date_from": date_from, "date_to": date_to}
    running = TrialRun.objects.filter(status__in=TrialRun.ACTIVE, **same).first()
    if running is not None:
        return running
    try:
        with transaction.atomic():
            run = TrialRun.objects.create(started_by=by, **same)
            transaction.on_commit(lambda: hand_over_run(run.pk), robust=True)
    except IntegrityError:  # started at the same moment by another request
        return TrialRun.objects.get(status__in=TrialRun.ACTIVE, **same)
    return run


def hand_over_run(run_id: int) -> None:
    """Give the run to the workers. A broker that does not take it fails the run at once, with
    the reason, so the page says so and offers to start it again."""
    from governance.tasks import run_trial

    queue = run_trial.app.amqp.queues[run_trial.app.conf.task_default_queue]
    try:
        run_trial.apply_async(args=[run_id], queue=queue, declare=[queue])
    except Exception as exc:
        log.warning("governance: broker unavailable for trial run %s (%s)", run_id, exc)
        TrialRun.objects.filter(pk=run_id, status=TrialRun.Status.QUEUED).update(
            status=TrialRun.Status.FAILED,
            error=_("The background workers could not be reached."),
            updated_at=timezone.now(),
        )


def run_trial_run(*, run_id: int) -> None:
    """What the worker does: claim the waiting run, evaluate, keep the `Trial` and its report.
    Safe to run twice: a run already taken, finished or failed is left as it is."""
    claimed = TrialRun.objects.filter(pk=run_id, status=TrialRun.Status.QUEUED).update(
        status=TrialRun.Status.RUNNING, updated_at=timezone.now()
    )
    if not claimed:
        return
    run = TrialRun.objects.select_related("started_by").get(pk=run_id)
    mine = TrialRun.objects.filter(pk=run_id, status=TrialRun.Status.RUNNING)

    def progress(done: int) -> None:
        if not mine.update(intakes_done=done, updated_at=timezone.now()):
            raise _Abandoned

    try:
        total = _assessments(run.date_from, run.date_to).count()
        if not mine.update(intakes_total=total, updated_at=timezone.now()):
            raise _Abandoned
        report, seconds = evaluate(
            run.candidate, date_from=run.date_from, date_to=run.date_to, progress=progress
        )
        with transaction.atomic():
            trial = _keep_trial(
                run.candidate, run.started_by, run.date_from, run.date_to, None, report, seconds
            )
            if not mine.update(
                status=TrialRun.Status.DONE,
                trial=trial,
                intakes_done=report["intakes"],
                updated_at=timezone.now(),
            ):
                raise _Abandoned
    except _Abandoned:
        log.warning("governance: trial run %s was marked failed while it ran", run_id)
    except Exception as exc:
        log.exception("governance: trial run %s failed", run_id)
        TrialRun.objects.filter(pk=run_id, status__in=TrialRun.ACTIVE).update(
            status=TrialRun.Status.FAILED,
            error=(_("The trial failed: %(error)s") % {"error": type(exc).__name__})[:200],
            updated_at=timezone.now(),
        )


def retry_trial_run(*, run: TrialRun, by: User) -> TrialRun:
    """Start a failed run's trial again (the failed run is kept, as it ended)."""
    return start_trial_run(run.candidate, by=by, date_from=run.date_from, date_to=run.date_to)


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
