"""The clinician queue: open cases, most urgent and longest waiting first."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from clinic.roles import Role, role_required
from triage.models import Case, Urgency

# One page of the queue; the most urgent and longest waiting come first, so nothing that needs
# seeing soonest is ever beyond it.
QUEUE_LIMIT = 200
QUEUE_REFRESH_SECONDS = 30


@dataclass(frozen=True, slots=True)
class QueueRow:
    case: Case
    overdue: bool


@require_GET
@role_required(Role.CLINICIAN)
def queue(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    open_cases = Case.objects.open()
    totals = open_cases.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        **{level.key: Count("pk", filter=Q(urgency=level.value)) for level in _levels()},
    )
    cases = list(Case.objects.for_queue().select_related("claimed_by")[:QUEUE_LIMIT])
    context = {
        "rows": [QueueRow(case=case, overdue=case.is_overdue(now)) for case in cases],
        "counts": [(level, totals[level.key]) for level in _levels()],
        "total": totals["total"],
        "overdue": totals["overdue"],
        "shown": len(cases),
        "limit": QUEUE_LIMIT,
        "now": now,
        "refresh_seconds": QUEUE_REFRESH_SECONDS,
    }
    # htmx polls for the table alone; a full page otherwise.
    template = "triage/partials/queue_table.html" if request.htmx else "triage/queue.html"  # type: ignore[attr-defined]
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _levels() -> list[Urgency]:
    return sorted(Urgency, reverse=True)
