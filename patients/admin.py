"""Admin for patients and intakes.

Patients are registered by an intake (patients.services), and an intake is stored exactly as it
was submitted, so neither is added here and intakes are never edited. An administrator may correct
a patient's contact details.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from patients.models import Intake, Patient


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

    def has_change_permission(self, request: HttpRequest, obj: Intake | None = None) -> bool:
        return False  # stored as submitted, never edited

    def has_delete_permission(self, request: HttpRequest, obj: Intake | None = None) -> bool:
        return False
