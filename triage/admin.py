"""Admin for assessments and cases: to look, not to change.

An assessment is what the rule set said and is never edited (DESIGN.md); a case moves only
through the triage services (claim, override, refer, close), which keep the audit trail.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from triage.models import Assessment, Case


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("pk", "patient_name", "urgency", "ruleset", "case", "created_at")
    list_select_related = ("intake__patient", "case")
    list_filter = ("urgency", "ruleset")
    search_fields = (
        "intake__patient__family_name",
        "intake__patient__given_name",
        "intake__patient__nhs_number",
    )
    date_hierarchy = "created_at"

    @admin.display(description="patient", ordering="intake__patient__family_name")
    def patient_name(self, obj: Assessment) -> str:
        return obj.intake.patient.full_name


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("pk", "patient", "urgency", "status", "opened_at", "due_at")
    list_select_related = ("patient",)
    list_filter = ("status", "urgency")
    search_fields = ("patient__family_name", "patient__given_name", "patient__nhs_number")
    date_hierarchy = "opened_at"
