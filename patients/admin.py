"""Admin for patients and intakes.

Patients are registered by an intake (patients.services), and an intake is stored exactly as it
was submitted, so neither is added here and intakes are never edited. An administrator may correct
a patient's contact details.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit import services as audit
from patients.models import Intake, Patient, PatientDetailChange
from patients.services import correct_patient_details


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ("family_name", "given_name", "date_of_birth", "nhs_number", "created_at")
    search_fields = ("family_name", "given_name", "nhs_number", "email")
    list_filter = ("sex", "preferred_language", "email_consent")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "updated_at")
    fields = (
        ("given_name", "family_name"),
        ("date_of_birth", "sex"),
        "nhs_number",
        ("email", "phone"),
        ("preferred_language", "email_consent"),
        ("created_at", "updated_at"),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # patients are registered by an intake

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        response = super().change_view(request, object_id, *args, **kwargs)
        if request.method == "GET" and response.status_code == 200:
            audit.record_view(
                request=request, record=f"patient {object_id}", patient=int(object_id)
            )
        return response

    def save_model(self, request: HttpRequest, obj: Patient, form: Any, change: bool) -> None:
        # A correction is recorded field by field, old and new, like a change at an intake.
        correct_patient_details(
            patient=obj,
            changes={name: getattr(obj, name) for name in form.changed_data},
            by=request.user,  # type: ignore[arg-type]
        )

    def has_delete_permission(self, request: HttpRequest, obj: Patient | None = None) -> bool:
        return False  # health records are kept; intakes and cases refer to them


@admin.register(Intake)
class IntakeAdmin(admin.ModelAdmin):
    list_display = ("pk", "patient", "source", "contract_version", "entered_by", "created_at")
    list_select_related = ("patient", "entered_by")
    list_filter = ("source", "contract_version")
    search_fields = ("patient__family_name", "patient__given_name", "patient__nhs_number")
    date_hierarchy = "created_at"
    raw_id_fields = ("patient", "entered_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # intakes come from the form, the import or the patient's own pages

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        response = super().change_view(request, object_id, *args, **kwargs)
        if response.status_code == 200:
            intake = Intake.objects.only("patient_id").get(pk=object_id)
            audit.record_view(
                request=request, record=f"intake {object_id}", patient=intake.patient_id
            )
        return response

    def has_change_permission(self, request: HttpRequest, obj: Intake | None = None) -> bool:
        return False  # stored as submitted, never edited

    def has_delete_permission(self, request: HttpRequest, obj: Intake | None = None) -> bool:
        return False


@admin.register(PatientDetailChange)
class PatientDetailChangeAdmin(admin.ModelAdmin):
    """Who changed which detail of a patient's record, and from what to what. Read only."""

    list_display = ("changed_at", "patient", "field", "old_value", "new_value", "changed_by", "via")
    list_select_related = ("patient", "changed_by")
    list_filter = ("field", "via")
    search_fields = ("patient__family_name", "patient__given_name", "patient__nhs_number")
    date_hierarchy = "changed_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
