"""The clinician's pages: one case with its answers, fired rules and timeline; claiming, releasing,
overriding and deciding it; and the overrides per rule, for reviewing the rule set."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit import services as audit
from audit.models import AuditEvent
from clinic.periods import Period, PeriodForm
from clinic.roles import Role, role_required
from patients.forms import display_answer
from programmes.models import ProgrammeTemplate
from programmes.prescribing import suggestion_for, urgency_blocker
from triage import overrides as overrides_report
from triage import rules
from triage.forms import DischargeForm, OverrideForm
from triage.models import (
    Assessment,
    Case,
    CaseActivity,
    CaseDecision,
    Urgency,
    UrgencyOverride,
)
from triage.outcomes import fired_rules, safety_net_for
from triage.panels import TimelineEntry, case_panels
from triage.rules.contract import NO_INJURY_MECHANISMS, QUESTIONS, SECTIONS
from triage.services import (
    CaseAlreadyClaimed,
    CaseNotOpen,
    DecisionRefused,
    NotTheHolder,
    OverrideRefused,
    claim_case,
    discharge_case,
    override_urgency,
    release_case,
)


@dataclass(slots=True)
class AnswerRow:
    name: str
    question: str
    answer: str
    highlighted: bool
    is_yes: bool
    rule_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class AnswerSection:
    title: str
    rows: list[AnswerRow]


@require_GET
@role_required(Role.CLINICIAN)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related("patient", "claimed_by"), pk=pk)
    audit.record_view(request=request, record=f"case {case.pk}", patient=case.patient_id)
    return render(request, "triage/case_detail.html", _case_context(request, case))


def render_case_page(
    request: HttpRequest,
    case_id: int,
    *,
    status: int,
    panel_state: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """The case page as it is now, with what another app's view hands back for its panel, by
    the panel's name (triage/panels.py): the programme views' refused form, as it was filled
    in, say."""
    case = get_object_or_404(Case.objects.select_related("patient", "claimed_by"), pk=case_id)
    context = _case_context(request, case, panel_state=panel_state)
    return render(request, "triage/case_detail.html", context, status=status)


def _case_context(
    request: HttpRequest,
    case: Case,
    *,
    override_form: OverrideForm | None = None,
    discharge_form: DischargeForm | None = None,
    panel_state: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    assessments = list(
        case.assessments.select_related(
            "intake", "intake__entered_by", "examination", "examination__examiner"
        ).order_by("-created_at", "-pk")
    )
    # The answers, the rules beside them and the suggestion are the latest intake's; an
    # examination's assessment is shown in its own panel (examination/panels.py) beside it.
    latest = next((a for a in assessments if a.intake is not None), None)
    now = timezone.now()
    fired = fired_rules(latest.rules) if latest is not None else ([], [])
    activities = list(case.activities.select_related("by"))
    overrides = list(case.overrides.select_related("by").order_by("created_at", "pk"))
    decisions = list(case.decisions.select_related("by"))
    # A check-in that brought the case back says why; shown at the top while the case is open.
    back_from_check_in = next(
        (a for a in reversed(activities) if a.kind == CaseActivity.Kind.CHECK_IN), None
    )
    intake = latest.intake if latest is not None else None
    # The prescribing page's own suggestion (one function), from the assessment it prescribes from.
    suggestion = suggestion_for(case, latest, decisions)
    context: dict[str, Any] = {
        "case": case,
        "patient": case.patient,
        "age_today": case.patient.age_on(timezone.localdate()),
        "case_urgency": Urgency(case.urgency),
        "overdue": case.is_overdue(now),
        "now": now,
        "latest": latest,
        "history": [
            (a, Urgency(a.urgency), [rule["id"] for rule in a.rules if rule.get("urgency")])
            for a in assessments
        ],
        "sections": _answer_sections(latest) if latest is not None else [],
        # The category the questionnaire gave, as the answers read it (psychosocial/).
        "psychosocial_category": display_answer(
            "psychosocial_risk_category", intake.answers.get("psychosocial_risk_category")
        )
        if intake is not None
        else "",
        "rules": fired[0],
        "weak_flags": fired[1],
        "latest_urgency": Urgency(latest.urgency) if latest is not None else None,
        "decisions": decisions,
        "is_holder": case.claimed_by_id == request.user.pk,
        "held_by_other": case.claimed_by_id is not None and case.claimed_by_id != request.user.pk,
        "override_form": override_form or OverrideForm(current=case.urgency),
        "discharge_form": discharge_form or DischargeForm(),
        "discharge_safety_net": safety_net_for(CaseDecision.Kind.DISCHARGED),
        "prescription_blocker": urgency_blocker(case),
        # A case a referral or a programme decided may take a further one (triage's one door).
        "takes_further_decision": case.takes_further_decision(decisions),
        "programme_suggestion": suggestion,
        # One query whether or not triage suggests a programme: the page costs the same.
        "suggested_template_name": dict(
            ProgrammeTemplate.objects.filter(active=True).values_list("slug", "name")
        ).get(suggestion.template if suggestion is not None else ""),
        "back_from_check_in": _check_in_return(back_from_check_in)
        if back_from_check_in is not None and case.status == Case.Status.OPEN
        else None,
        # Alerts about this case that could not be delivered, and who was alerted instead.
        "undelivered_alerts": [a for a in activities if a.kind == CaseActivity.Kind.UNDELIVERED],
    }
    # The other apps' panels (referrals, programmes, messages...), each with its own names.
    panels = case_panels(
        request,
        case,
        state=panel_state,
        taken=frozenset(context) | {"timeline", "case_panel_templates"},
    )
    context.update(panels.context)
    context["case_panel_templates"] = panels.templates
    # Stable: on a tie, triage's own entries come first, then the panels' in their order.
    context["timeline"] = sorted(
        _timeline(assessments, activities, overrides, decisions) + panels.timeline,
        key=lambda entry: entry.at,
    )
    return context


@dataclass(frozen=True, slots=True)
class CheckInReturn:
    at: datetime
    title: str  # "week 2 check-in"
    reasons: str


def _check_in_return(activity: CaseActivity) -> CheckInReturn:
    """What the check-in was and why it came back, as the check-in recorded them."""
    title = activity.subject or "programme check-in"
    return CheckInReturn(
        at=activity.at,
        title=title[:1].lower() + title[1:],
        reasons="; ".join(activity.reasons) or activity.note,
    )


def _name(user: User | None) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def _timeline(
    assessments: list[Assessment],
    activities: list[CaseActivity],
    overrides: list[UrgencyOverride],
    decisions: list[CaseDecision],
) -> list[TimelineEntry]:
    """Everything that happened to the case, oldest first, each with who and when."""
    entries: list[TimelineEntry] = []
    for assessment in assessments:
        intake = assessment.intake
        if intake is not None:  # an examination's own entry comes from its panel
            entries.append(
                TimelineEntry(
                    at=intake.created_at,
                    kind="intake",
                    title=f"Intake ({intake.get_source_display()})",
                    who=_name(intake.entered_by) if intake.entered_by_id else "The patient",
                )
            )
        rule_ids = [rule["id"] for rule in assessment.rules]
        entries.append(
            TimelineEntry(
                at=assessment.created_at,
                kind="assessment",
                title=f"Triaged {assessment.get_urgency_display()}"
                if intake is not None
                else _("Examination triaged %(urgency)s")
                % {"urgency": assessment.get_urgency_display()},
                who=f"Rule set {assessment.ruleset}",
                detail=", ".join(rule_ids) if rule_ids else "No rule fired",
            )
        )
    for activity in activities:
        entries.append(
            TimelineEntry(
                at=activity.at,
                kind=activity.kind,
                title=activity.get_kind_display(),
                who=_name(activity.by)
                if activity.by_id
                else _("The outbox")
                if activity.kind == CaseActivity.Kind.UNDELIVERED
                else "The patient",
                detail=f"{activity.subject}: {activity.note}"
                if activity.subject and activity.note
                else activity.subject or activity.note,
            )
        )
    for override in overrides:
        verb = "raised" if override.raised else "lowered"
        entries.append(
            TimelineEntry(
                at=override.created_at,
                kind="override",
                title=f"Urgency {verb}: {override.get_from_urgency_display()} to "
                f"{override.get_to_urgency_display()}",
                who=_name(override.by),
                detail=override.reason,
                anchor=f"override-{override.pk}",
            )
        )
    for decision in decisions:
        entries.append(
            TimelineEntry(
                at=decision.at,
                kind=decision.kind,
                title=decision.get_kind_display(),
                who=_name(decision.by),
                detail=decision.note,
                anchor=f"timeline-decision-{decision.pk}",
            )
        )
    # Stable: on a tie, the order above (intake before its assessment) holds.
    entries.sort(key=lambda entry: entry.at)
    return entries


@require_POST
@role_required(Role.CLINICIAN)
def case_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the case; a clinician who comes second is told who has it."""
    try:
        claim_case(case_id=pk, clinician=request.user)  # type: ignore[arg-type]
    except Case.DoesNotExist:
        raise Http404("No such case") from None
    except (CaseAlreadyClaimed, CaseNotOpen) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You have claimed this case. Its escalation has stopped."))
    return redirect("triage:case_detail", pk=pk)


@require_POST
@role_required(Role.CLINICIAN)
def case_release(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand the case back to the queue; only its holder may."""
    try:
        case = release_case(case_id=pk, clinician=request.user)  # type: ignore[arg-type]
    except Case.DoesNotExist:
        raise Http404("No such case") from None
    except (NotTheHolder, CaseNotOpen) as exc:
        messages.error(request, str(exc))
    else:
        if case.escalate_at is not None:
            messages.success(
                request,
                _(
                    "You have released this case. It is back in the queue and escalates unless "
                    "somebody claims it."
                ),
            )
        else:
            messages.success(request, _("You have released this case. It is back in the queue."))
    return redirect("triage:case_detail", pk=pk)


def _refused(
    request: HttpRequest,
    pk: int,
    *,
    why: str,
    override_form: OverrideForm | None = None,
    discharge_form: DischargeForm | None = None,
) -> HttpResponse:
    """The case page again, as it is now (it changed since the clinician loaded it), with the
    refused form as they filled it in and why it was refused beside it: nothing typed is lost."""
    form = override_form or discharge_form
    assert form is not None
    form.add_error(None, why)
    case = get_object_or_404(Case.objects.select_related("patient", "claimed_by"), pk=pk)
    context = _case_context(
        request, case, override_form=override_form, discharge_form=discharge_form
    )
    context["override_refused"] = override_form is not None
    context["discharge_refused"] = discharge_form is not None
    return render(request, "triage/case_detail.html", context, status=409)


@require_POST
@role_required(Role.CLINICIAN)
def case_override(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the case's urgency, with a note (raising) or a reason (lowering)."""
    case = get_object_or_404(Case.objects.select_related("patient", "claimed_by"), pk=pk)
    form = OverrideForm(request.POST, current=case.urgency)
    if not form.is_valid():
        context = _case_context(request, case, override_form=form)
        return render(request, "triage/case_detail.html", context, status=400)
    try:
        override = override_urgency(
            case_id=pk,
            clinician=request.user,  # type: ignore[arg-type]
            to_urgency=Urgency(form.cleaned_data["to_urgency"]),
            reason=form.cleaned_data["reason"],
        )
    except Case.DoesNotExist:
        raise Http404("No such case") from None
    except (OverrideRefused, CaseAlreadyClaimed, CaseNotOpen) as exc:
        # Typically another clinician claimed, overrode or closed the case since the page loaded.
        why = _("Not overridden: %(why)s. What you wrote is kept below.") % {"why": exc}
        return _refused(request, pk, why=why, override_form=form)
    done = (
        _("Urgency raised to %(urgency)s. Triage's own result is kept as it was.")
        if override.raised
        else _("Urgency lowered to %(urgency)s. Triage's own result is kept as it was.")
    )
    messages.success(request, done % {"urgency": override.get_to_urgency_display()})
    return redirect("triage:case_detail", pk=pk)


@require_POST
@role_required(Role.CLINICIAN)
def case_discharge(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the case with the advice given and the safety-net advice for a discharge."""
    case = get_object_or_404(Case.objects.select_related("patient", "claimed_by"), pk=pk)
    form = DischargeForm(request.POST)
    if not form.is_valid():
        context = _case_context(request, case, discharge_form=form)
        return render(request, "triage/case_detail.html", context, status=400)
    try:
        discharge_case(
            case_id=pk,
            clinician=request.user,  # type: ignore[arg-type]
            advice=form.cleaned_data["advice"],
        )
    except Case.DoesNotExist:
        raise Http404("No such case") from None
    except (DecisionRefused, CaseAlreadyClaimed, CaseNotOpen) as exc:
        why = _("Not discharged: %(why)s. The advice you wrote is kept below.") % {"why": exc}
        return _refused(request, pk, why=why, discharge_form=form)
    messages.success(
        request,
        _(
            "The patient is discharged and the case is closed. Give them the "
            "safety-net advice shown below."
        ),
    )
    return redirect("triage:case_detail", pk=pk)


@dataclass(slots=True)
class RuleOverrides:
    """How often clinicians overrode assessments on which one rule had fired, in the period:
    raised and lowered, each week's, and the latest overrides (`triage.overrides`)."""

    rule_id: str
    raised: int = 0
    lowered: int = 0
    recent: list[UrgencyOverride] = field(default_factory=list)
    raised_by_week: list[int] = field(default_factory=list)
    lowered_by_week: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.raised + self.lowered


NO_RULE = overrides_report.NO_RULE
CSV_COLUMNS = ("week_starting", "rule", "direction", "overrides")


@require_GET
@role_required(Role.CLINICIAN, Role.LEAD)
def overrides(request: HttpRequest) -> HttpResponse:
    """Overrides per rule in a period: for each rule that had fired on an overridden assessment,
    how many overrides raised and lowered the urgency, week by week, with the latest overrides
    (each a link to its case). Rules often overridden are the ones to review. It names patients,
    so each look is audited, a row for every patient it showed; `?format=csv` is the weekly
    counts, with no patient in them."""
    form = PeriodForm(request.GET or None)
    period = form.period()
    start, end = period.starts_at, period.ends_at
    weeks = period.weeks()
    counted = overrides_report.per_rule_and_week(start, end)
    if request.GET.get("format") == "csv":
        if (refused := form.refused()) is not None:
            return refused
        audit.record_list_view(
            request=request,
            record="overrides per rule (CSV)",
            patients=[],
            action=AuditEvent.Action.EXPORT,
        )
        return _overrides_csv(counted, period)
    recent = overrides_report.recent_per_rule(start, end)
    per_rule: dict[str, RuleOverrides] = {}
    by_week: dict[tuple[str, bool], dict[Any, int]] = defaultdict(dict)
    for week, rule_id, raised, n in counted:
        row = per_rule.setdefault(rule_id, RuleOverrides(rule_id=rule_id))
        if raised:
            row.raised += n
        else:
            row.lowered += n
        by_week[(rule_id, raised)][week] = n
    for row in per_rule.values():
        row.recent = recent.get(row.rule_id, [])
        row.raised_by_week = [by_week[(row.rule_id, True)].get(w, 0) for w in weeks]
        row.lowered_by_week = [by_week[(row.rule_id, False)].get(w, 0) for w in weeks]
    rows = sorted(per_rule.values(), key=lambda row: (-row.total, row.rule_id))
    shown = [o for row in rows for o in row.recent]
    audit.record_list_view(
        request=request,
        record="overrides per rule",
        patients=sorted({o.case.patient_id for o in shown}),
    )
    weekly = overrides_report.per_week(start, end)
    query = request.GET.copy()
    query["format"] = "csv"
    return render(
        request,
        "triage/overrides.html",
        {
            "rows": rows,
            "override_count": sum(r + lo for r, lo in weekly.values()),
            "period": period,
            "period_form": form,
            "weeks": weeks,
            "recent_limit": overrides_report.RECENT_PER_RULE,
            "csv_query": query.urlencode(),
        },
    )


def _overrides_csv(counted: list[tuple[Any, str, bool, int]], period: Period) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="overrides-per-rule-{period.start}-{period.end}.csv"'
    )
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for week, rule_id, raised, n in sorted(counted, key=lambda r: (r[0], r[1], not r[2])):
        writer.writerow([week.isoformat(), rule_id, "raised" if raised else "lowered", n])
    return response


def _answer_sections(assessment: Assessment) -> list[AnswerSection]:
    """The intake's answers in the form's sections, each marked when it made a rule fire."""
    answers = assessment.intake.answers if assessment.intake is not None else {}
    fired_fields = assessment.rule_fields
    fired_by_field = _rules_by_field(assessment)
    sections = []
    for title in SECTIONS:
        rows = []
        for question in QUESTIONS:
            if question.section != title:
                continue
            value = answers.get(question.name)
            highlighted = question.name in fired_fields and _is_relevant(question.name, value)
            rows.append(
                AnswerRow(
                    name=question.name,
                    question=question.question,
                    answer="Not recorded"
                    if value is None
                    else display_answer(question.name, value),
                    highlighted=highlighted,
                    is_yes=value is True,
                    rule_ids=fired_by_field.get(question.name, []) if highlighted else [],
                )
            )
        sections.append(AnswerSection(title=title, rows=rows))
    return sections


def _rules_by_field(assessment: Assessment) -> dict[str, list[str]]:
    """For each answer, the fired rules that read it (rule fields from the rule set)."""
    by_id = {rule.id: rule for rule in rules.DEFAULT.all_rules()}
    fields: dict[str, list[str]] = defaultdict(list)
    for fired in assessment.rules:
        rule = by_id.get(fired["id"])
        if rule is not None:
            for name in rule.fields:
                fields[name].append(rule.id)
    return fields


def _is_relevant(name: str, value: Any) -> bool:
    """Whether an answer a fired rule reads is worth the clinician's eye.

    A "yes" is; a "no" is not (a rule reading `chest_pain` may have fired on another answer).
    Other answers (age, region, duration, mechanism, risk category) inform the rule unless they
    say there was nothing: no injury at all.
    """
    if isinstance(value, bool):
        return value
    if name == "trauma_mechanism":
        return value not in NO_INJURY_MECHANISMS
    return value is not None
