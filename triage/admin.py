"""Admin for assessments and cases: to look, not to change; and the duty rota, to keep.

An assessment is what the rule set said and is never edited (DESIGN.md); a case moves only
through the triage services (claim, override, refer, close), which keep the audit trail. Who is
on duty is data that an admin edits: the rota's slots and the fallback list.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.models import User
from django.db import models
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdmin
from clinic.roles import Role
from triage.models import (
    Assessment,
    Case,
    CaseActivity,
    CaseDecision,
    DutySlot,
    FallbackClinician,
    UrgencyOverride,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("pk", "patient_name", "of", "urgency", "ruleset", "case", "created_at")
    list_select_related = ("case__patient",)
    list_filter = ("urgency", "ruleset")
    search_fields = (
        "case__patient__family_name",
        "case__patient__given_name",
        "case__patient__nhs_number",
    )
    date_hierarchy = "created_at"

    @admin.display(description=_("patient"), ordering="case__patient__family_name")
    def patient_name(self, obj: Assessment) -> str:
        return obj.case.patient.full_name

    @admin.display(description=_("of"))
    def of(self, obj: Assessment) -> str:
        if obj.intake_id is not None:
            return f"intake {obj.intake_id}"
        return f"examination {obj.examination_id}"


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("pk", "patient", "urgency", "status", "opened_at", "due_at")
    list_select_related = ("patient",)
    list_filter = ("status", "urgency")
    search_fields = ("patient__family_name", "patient__given_name", "patient__nhs_number")
    date_hierarchy = "opened_at"


@admin.register(UrgencyOverride)
class UrgencyOverrideAdmin(ReadOnlyAdmin):
    list_display = ("pk", "case", "from_urgency", "to_urgency", "by", "created_at")
    list_select_related = ("case", "by")
    list_filter = ("from_urgency", "to_urgency")
    date_hierarchy = "created_at"


@admin.register(CaseDecision)
class CaseDecisionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "case", "kind", "by", "at")
    list_select_related = ("case", "by")
    list_filter = ("kind",)
    date_hierarchy = "at"


@admin.register(CaseActivity)
class CaseActivityAdmin(ReadOnlyAdmin):
    list_display = ("pk", "case", "kind", "by", "at")
    list_select_related = ("case", "by")
    list_filter = ("kind",)
    date_hierarchy = "at"


class ClinicianChoiceAdmin(AuditedAdmin):
    """Only members of the clinician role can be put on the rota. Every change to the rota is
    audited, old and new (audit.admin.AuditedAdmin)."""

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "clinician":
            kwargs["queryset"] = (
                User.objects.filter(groups__name=Role.CLINICIAN, is_active=True)
                .distinct()
                .order_by("last_name", "first_name", "username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(DutySlot)
class DutySlotAdmin(ClinicianChoiceAdmin):
    list_display = ("weekday", "starts", "ends", "clinician_name")
    list_display_links = ("weekday", "starts")
    list_select_related = ("clinician",)
    list_filter = ("weekday", ("clinician", admin.RelatedOnlyFieldListFilter))
    ordering = ("weekday", "starts", "clinician__username")
    search_fields = ("clinician__username", "clinician__first_name", "clinician__last_name")

    @admin.display(description=_("clinician"), ordering="clinician__last_name")
    def clinician_name(self, obj: DutySlot) -> str:
        return obj.clinician.get_full_name() or obj.clinician.get_username()


@admin.register(FallbackClinician)
class FallbackClinicianAdmin(ClinicianChoiceAdmin):
    list_display = ("clinician_name", "position")
    list_editable = ("position",)
    list_select_related = ("clinician",)
    ordering = ("position", "id")

    @admin.display(description=_("clinician"), ordering="clinician__last_name")
    def clinician_name(self, obj: FallbackClinician) -> str:
        return obj.clinician.get_full_name() or obj.clinician.get_username()
