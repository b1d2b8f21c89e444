"""The clinician's pages: the queue of open cases, and one case with its answers and fired rules."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from clinic.roles import Role, role_required
from outbox.models import Message
from patients.forms import display_answer
from triage import rules
from triage.models import Assessment, Case, Urgency
from triage.outcomes import fired_rules
from triage.rules.contract import NO_INJURY_MECHANISMS, QUESTIONS, SECTIONS
from triage.services import CaseAlreadyClaimed, CaseNotOpen, claim_case


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
    assessments = list(
        case.assessments.select_related("intake", "intake__entered_by").order_by(
            "-created_at", "-pk"
        )
    )
    latest = assessments[0] if assessments else None
    now = timezone.now()
    fired = fired_rules(latest.rules) if latest is not None else ([], [])
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
        "rules": fired[0],
        "weak_flags": fired[1],
        "latest_urgency": Urgency(latest.urgency) if latest is not None else None,
        # What was sent to whom about this case, and when (the bodies stay in the outbox).
        "case_messages": list(Message.objects.for_case(case.pk).defer("body_text", "body_html")),
    }
    return render(request, "triage/case_detail.html", context)


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
        messages.success(request, "You have claimed this case. Its escalation has stopped.")
    return redirect("triage:case_detail", pk=pk)


def _answer_sections(assessment: Assessment) -> list[AnswerSection]:
    """The intake's answers in the form's sections, each marked when it made a rule fire."""
    answers = assessment.intake.answers
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
