"""The subject-access export's pages: choose a patient, see what the export holds, download it as
JSON or PDF. The clinic lead and admins only; each download is recorded in the patient's access
report before it is built (so the export lists itself)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit import export, services
from audit.models import AuditEvent
from audit.views import lead_required, search_patients
from patients.models import Patient

FORMATS = {"json": "application/json; charset=utf-8", "pdf": "application/pdf"}


@require_GET
@lead_required
def subject_access_index(request: HttpRequest) -> HttpResponse:
    """Choose the patient whose record to export: by name, date of birth or NHS number."""
    query, patients = search_patients(request)
    return render(
        request, "audit/subject_access_index.html", {"query": query, "patients": patients}
    )


@require_GET
@lead_required
def subject_access(request: HttpRequest, patient_id: int) -> HttpResponse:
    """What the export of this patient's record holds, and its two downloads."""
    patient = get_object_or_404(Patient, pk=patient_id)
    services.record_view(
        request=request, record=f"subject-access export page, patient {patient.pk}", patient=patient
    )
    return render(request, "audit/subject_access.html", {"patient": patient})


@require_GET
@lead_required
def subject_access_download(request: HttpRequest, patient_id: int, kind: str) -> HttpResponse:
    """The export itself, as an attachment named without the patient's name."""
    patient = get_object_or_404(Patient, pk=patient_id)
    services.record_view(
        request=request,
        record=f"subject-access export ({kind.upper()}), patient {patient.pk}",
        patient=patient,
        action=AuditEvent.Action.EXPORT,
    )
    data = export.build(patient_id=patient.pk, by=request.user)  # type: ignore[arg-type]
    body = export.as_json(data) if kind == "json" else export.render_pdf(data)
    response = HttpResponse(body, content_type=FORMATS[kind])
    filename = f"subject-access-{patient.pk}-{timezone.localdate():%Y-%m-%d}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
