"""The clinic lead's reading of the audit: who saw and changed a patient's record, and what a
member of staff opened; each filterable by date and exportable as CSV. Reading them is audited
too."""

from __future__ import annotations

import csv
import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time, timedelta
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from audit import services
from audit.models import AuditEvent
from clinic.roles import Role, has_role
from patients.models import Intake, Patient

PAGE_ROWS = 500
CSV_COLUMNS = ("when", "who", "as", "action", "record", "page", "patient", "details", "address")


def lead_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """The clinic lead, or an admin; anyone else gets 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not (getattr(request.user, "is_superuser", False) or has_role(request.user, Role.LEAD)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=pgettext_lazy("start of a date range", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=pgettext_lazy("end of a date range", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The start of the period is after its end."))
        return data

    def apply(self, rows: QuerySet[Any], *, field: str = "at") -> QuerySet[Any]:
        if not self.is_valid():
            return rows
        zone = timezone.get_current_timezone()
        if start := self.cleaned_data.get("start"):
            rows = rows.filter(**{f"{field}__gte": datetime.combine(start, time.min, zone)})
        if (end := self.cleaned_data.get("end")) and end < date.max:
            after = datetime.combine(end + timedelta(days=1), time.min, zone)
            rows = rows.filter(**{f"{field}__lt": after})
        return rows


def _intakes_as_events(intakes: Iterable[Intake]) -> Iterator[AuditEvent]:
    """Intakes entered, as the report lists them: the intake row is the record of who entered
    it and when (never edited), so submitting one writes no audit row of its own."""
    for intake in intakes:
        yield AuditEvent(
            at=intake.created_at,
            actor=intake.entered_by,
            actor_kind=AuditEvent.ActorKind.STAFF
            if intake.entered_by_id
            else AuditEvent.ActorKind.PATIENT,
            action=AuditEvent.Action.CREATE,
            patient=intake.patient,
            record=f"intake {intake.pk}",
            page=intake.get_source_display(),
        )


def _report(
    request: HttpRequest,
    events: QuerySet[AuditEvent],
    *,
    title: str,
    filename: str,
    record: str,
    patient: Any = None,
    intakes: QuerySet[Intake] | None = None,
) -> HttpResponse | StreamingHttpResponse:
    period = PeriodForm(request.GET or None)
    found = period.apply(events.select_related("actor", "patient"))
    entered = (
        period.apply(intakes, field="created_at")
        .select_related("entered_by", "patient")
        .order_by("-created_at", "-pk")
        if intakes is not None
        else None
    )

    def merged(limit: int | None = None) -> Iterator[AuditEvent]:
        rows: Iterator[AuditEvent] = (
            found.iterator(chunk_size=2000) if limit is None else iter(found[:limit])
        )
        if entered is None:
            return rows
        extra = _intakes_as_events(entered.iterator() if limit is None else entered[:limit])
        return heapq.merge(rows, extra, key=lambda e: e.at, reverse=True)

    if request.GET.get("format") == "csv":
        services.record_view(
            request=request, record=record, patient=patient, action=AuditEvent.Action.EXPORT
        )
        response = StreamingHttpResponse(
            _csv_rows(merged()), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        response["Cache-Control"] = "no-store"
        return response
    services.record_view(request=request, record=record, patient=patient)
    rows = list(itertools.islice(merged(PAGE_ROWS + 1), PAGE_ROWS + 1))
    return render(
        request,
        "audit/report.html",
        {
            "title": title,
            "period": period,
            "events": rows[:PAGE_ROWS],
            "more": len(rows) > PAGE_ROWS,
            "limit": PAGE_ROWS,
            "csv_query": _with_csv(request),
            "patient": patient,  # a patient's report links to their subject-access export
        },
    )


def _with_csv(request: HttpRequest) -> str:
    query = request.GET.copy()
    query["format"] = "csv"
    return query.urlencode()


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(events: Iterator[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in events:
        yield writer.writerow(
            [
                timezone.localtime(event.at).isoformat(),
                event.actor.get_username() if event.actor else event.actor_name,
                event.get_actor_kind_display(),
                event.get_action_display(),
                event.record,
                event.page,
                event.patient.full_name if event.patient else "",
                _details(event),
                event.ip_address or "",
            ]
        )


def _details(event: AuditEvent) -> str:
    details = event.details or {}
    if "query" in details:
        return f"searched for: {details['query']}"
    changes = details.get("changes") or {}
    return "; ".join(
        f"{name}: {_shown(c.get('old'))} → {_shown(c.get('new'))}" for name, c in changes.items()
    )


def _shown(value: Any) -> str:
    """A recorded value as the report prints it: nothing as a dash, yes/no for a flag."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@require_GET
@lead_required
def patient_access(request: HttpRequest, patient_id: int) -> HttpResponse | StreamingHttpResponse:
    """A patient's access report: who saw and changed their record, and when."""
    patient = get_object_or_404(Patient, pk=patient_id)
    return _report(
        request,
        AuditEvent.objects.filter(patient=patient),
        intakes=Intake.objects.filter(patient=patient),
        title=str(_("Who saw and changed the record of %(name)s") % {"name": patient.full_name}),
        filename=f"access-report-patient-{patient.pk}",
        record=f"access report, patient {patient.pk}",
        patient=patient,
    )


@require_GET
@lead_required
def staff_activity(request: HttpRequest, user_id: int) -> HttpResponse | StreamingHttpResponse:
    """What a member of staff opened and changed, and when."""
    staff = get_object_or_404(User, pk=user_id)
    return _report(
        request,
        AuditEvent.objects.filter(actor=staff),
        intakes=Intake.objects.filter(entered_by=staff),
        title=str(
            _("What %(name)s opened and changed")
            % {"name": staff.get_full_name() or staff.get_username()}
        ),
        filename=f"activity-staff-{staff.pk}",
        record=f"activity report, staff {staff.pk}",
    )


# Changes that belong to no patient: staff accounts and roles, the rota, destinations, the
# exercise library, the rule-set settings; and sign-ins refused (failed, locked out).
CLINIC_ACTIONS = (
    AuditEvent.Action.CREATE,
    AuditEvent.Action.CHANGE,
    AuditEvent.Action.DELETE,
    AuditEvent.Action.LOGIN_FAILED,
    AuditEvent.Action.LOCKOUT,
)


@require_GET
@lead_required
def clinic_changes(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Who changed staff accounts and roles, the rota and the settings, and which sign-ins
    were refused: every change that is no patient's."""
    return _report(
        request,
        AuditEvent.objects.filter(patient__isnull=True, action__in=CLINIC_ACTIONS),
        title=str(_("Changes to staff accounts, the rota and the settings; refused sign-ins")),
        filename="clinic-changes",
        record="clinic changes report",
    )


def search_patients(request: HttpRequest) -> tuple[str, list[Patient]]:
    """The lead's patient search (`q`): the query as read, and the patients it found, the search
    itself recorded in the audit."""
    query = request.GET.get("q", "").strip()[:100]
    patients: list[Patient] = []
    if query and "\x00" not in query:
        patients = list(Patient.objects.search_page(query, limit=50))
        services.record_search(request=request, query=query, patients=patients)
    return query, patients


@require_GET
@lead_required
def index(request: HttpRequest) -> HttpResponse:
    """Choose a patient (by search) or a member of staff."""
    query, patients = search_patients(request)
    staff = User.objects.filter(is_staff=True) | User.objects.filter(groups__isnull=False)
    return render(
        request,
        "audit/index.html",
        {
            "query": query,
            "patients": patients,
            "staff": staff.distinct().order_by("last_name", "first_name", "username"),
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's own page for a member of staff changing their password, with the change
    recorded (that it changed, never the password or its hash)."""

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            services.record_change(
                by=form.user,
                record=services.record_of(form.user),
                changes={"password": (None, "changed")},
                request=self.request,
            )
        return response
