"""The case page's panel: the patient's questions from their programme page, each with its
status and a link to read and answer it (triage/panels.py). Their timeline entries are the
case's own activities, which triage writes and shows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from questions.models import Question
from triage.models import Case


def case_context(request: HttpRequest, case: Case, state: Any) -> dict[str, object]:
    """One query, however many questions the case has."""
    return {
        "case_questions": list(
            Question.objects.filter(case=case)
            .select_related("replied_by")
            .order_by("-asked_at", "-pk")
        )
    }
