"""The case page's examinations panel (triage/panels.py): each examination with its assessment
beside the intake's, its positive findings highlighted, the imaging decision aid with the rule
that says so, and every finding on request. Four queries whatever the case holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from examination import readable
from examination.models import Examination
from triage.models import Assessment, Case, Urgency
from triage.outcomes import FiredRule, fired_rules
from triage.panels import TimelineEntry
from triage.rules.exam import ExamContractError, Findings


@dataclass(slots=True)
class ExamRule:
    rule: FiredRule
    findings: list[str]  # the findings that fired it, in words


@dataclass(slots=True)
class ImagingAid:
    decision: str
    label: str
    rule_id: str
    reason: str
    source: str
    also: list[dict[str, Any]]
    missing: list[str]
    # The one-click imaging referral (MRI or X-ray): the referral form, filled in from the aid.
    refer_url: str = ""


@dataclass(slots=True)
class ExamView:
    examination: Examination
    examiner: str
    assessment: Assessment | None
    urgency: Urgency | None
    rules: list[ExamRule]
    notes: list[ExamRule]  # rules without an urgency (the C-Spine Rule cleared, incomplete...)
    imaging: ImagingAid | None
    sections: list[readable.FindingSection] = field(default_factory=list)
    positives: list[readable.FindingRow] = field(default_factory=list)
    impression: str = ""
    corrected_by: Examination | None = None
    correct_url: str = ""


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def case_context(request: HttpRequest, case: Case, state: Any) -> Mapping[str, Any]:
    examinations = list(
        Examination.objects.filter(case=case)
        .select_related("examiner", "assessment", "corrects")
        .order_by("-examined_at", "-pk")
    )
    corrected = {e.corrects_id: e for e in examinations if e.corrects_id is not None}
    intake = case.assessments.of_intakes().latest_first().first()
    holder = case.status == Case.Status.OPEN and case.claimed_by_id == request.user.pk
    new_url = reverse("examination:examination_new", args=[case.pk])
    views = [_view(e, corrected.get(e.pk), new_url if holder else "") for e in examinations]
    intake_rules = [
        replace(rule, reason=gettext(rule.reason))
        for rule in (fired_rules(intake.rules)[0] if intake is not None else [])
    ]
    return {
        "examination_panel": {
            "examinations": views,
            "can_record": holder,
            "new_url": new_url,
            "claim_first": case.status == Case.Status.OPEN and case.claimed_by_id is None,
            "intake_assessment": intake,
            "intake_urgency": Urgency(intake.urgency) if intake is not None else None,
            "intake_rules": intake_rules,
        }
    }


def _view(examination: Examination, corrected_by: Examination | None, new_url: str) -> ExamView:
    library = examination.library
    assessment: Assessment | None = getattr(examination, "assessment", None)
    rules: list[ExamRule] = []
    notes: list[ExamRule] = []
    imaging = None
    if assessment is not None:
        for stored in assessment.rules:
            with_urgency, without = fired_rules([stored])
            paths = list(stored.get("findings", []))
            words = [readable.path_label(p, library) for p in paths]
            fired = (with_urgency or without)[0]
            fired = replace(
                fired, reason=readable.rule_reason(fired.id, fired.reason, paths, library)
            )
            (rules if with_urgency else notes).append(ExamRule(fired, words))
        if assessment.imaging:
            aid = assessment.imaging
            imaging = ImagingAid(
                decision=str(aid.get("decision", "")),
                label=str(readable.DECISION_LABELS.get(aid.get("decision", ""), "")),
                rule_id=str(aid.get("id", "")),
                reason=readable.rule_reason(str(aid.get("id", "")), str(aid.get("reason", "")), []),
                source=str(aid.get("source", "")),
                also=[
                    dict(
                        other,
                        label=str(readable.DECISION_LABELS.get(other["decision"], "")),
                        reason=readable.rule_reason(other["id"], other["reason"], []),
                    )
                    for other in aid.get("also", [])
                ],
                missing=[readable.path_label(p, library) for p in aid.get("missing", [])],
                refer_url=(
                    reverse("referrals:referral_new", args=[examination.case_id])
                    + f"?imaging={examination.pk}"
                    if aid.get("decision") in ("mri", "xray") and corrected_by is None
                    else ""
                ),
            )
    view = ExamView(
        examination=examination,
        examiner=_name(examination.examiner),
        assessment=assessment,
        urgency=Urgency(assessment.urgency) if assessment is not None else None,
        rules=rules,
        notes=notes,
        imaging=imaging,
        corrected_by=corrected_by,
        correct_url=f"{new_url}?corrects={examination.pk}" if new_url and not corrected_by else "",
    )
    try:
        findings = Findings.from_mapping(examination.findings, tests=library)
    except ExamContractError:  # stored by an older contract: shown as stored, in the JSON export
        return view
    view.sections = readable.finding_sections(findings)
    view.positives = [row for section in view.sections for row in section.positives]
    view.impression = readable.impression_label(findings)
    return view


def timeline(context: Mapping[str, Any]) -> list[TimelineEntry]:
    panel = context["examination_panel"]
    entries = []
    for view in panel["examinations"]:
        examination = view.examination
        entries.append(
            TimelineEntry(
                at=examination.examined_at,
                kind="examination",
                title=_("Examination corrected") if examination.corrects_id else _("Examination"),
                who=view.examiner,
                detail=view.impression,
                anchor=f"timeline-examination-{examination.pk}",
            )
        )
    return entries
