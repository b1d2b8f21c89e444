"""The orthopaedic test library in the admin, every change audited (audit.admin.AuditedAdmin);
examinations to look at, never to change (each look at one is audited)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit import services as audit
from audit.admin import AuditedAdmin
from examination.models import Examination, OrthopaedicTest


class OrthopaedicTestForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = OrthopaedicTest
        fields = (
            "name",
            "code",
            "screens_for",
            "how_to",
            "source",
            "needs_side",
            "red_flag",
            "red_flag_urgency",
            "position",
            "active",
        )
        widgets = {
            "screens_for": forms.Textarea(attrs={"rows": 2}),
            "how_to": forms.Textarea(attrs={"rows": 5}),
            "source": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        red_flag, urgency = cleaned.get("red_flag"), cleaned.get("red_flag_urgency")
        if red_flag and not urgency:
            self.add_error(
                "red_flag_urgency",
                ValidationError(
                    _("Choose the urgency a positive result carries: it is a red flag."),
                    code="red_flag_without_urgency",
                ),
            )
        elif urgency and not red_flag:
            self.add_error(
                "red_flag_urgency",
                ValidationError(
                    _("Leave the urgency empty for a test whose positive is no red flag."),
                    code="urgency_without_red_flag",
                ),
            )
        return cleaned


@admin.register(OrthopaedicTest)
class OrthopaedicTestAdmin(AuditedAdmin):
    form = OrthopaedicTestForm
    list_display = ("name", "code", "needs_side", "red_flag", "red_flag_urgency", "active")
    list_filter = ("red_flag", "needs_side", "active")
    search_fields = ("name", "code", "screens_for")
    prepopulated_fields = {"code": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "code", "position", "active")}),
        (_("For the clinician"), {"fields": ("screens_for", "how_to", "needs_side")}),
        (_("Red flag and source"), {"fields": ("red_flag", "red_flag_urgency", "source")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Examinations name a test by its code: it stays what it was when first saved.
        return ("code",) if obj is not None else ()

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return {} if obj is not None else self.prepopulated_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # examinations name it: make it inactive instead


@admin.register(Examination)
class ExaminationAdmin(admin.ModelAdmin):
    list_display = ("pk", "case", "examiner", "examined_at", "contract_version", "corrects")
    list_select_related = ("case", "examiner", "corrects")
    list_filter = ("contract_version",)
    search_fields = (
        "case__patient__family_name",
        "case__patient__given_name",
        "case__patient__nhs_number",
    )
    date_hierarchy = "examined_at"
    raw_id_fields = ("case", "examiner", "corrects")

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        response = super().change_view(request, object_id, *args, **kwargs)
        if response.status_code == 200:
            found = Examination.objects.select_related("case").only("case__patient_id")
            examination = found.get(pk=object_id)
            audit.record_view(
                request=request,
                record=f"examination {object_id}",
                patient=examination.case.patient_id,
            )
        return response

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # examinations come from the clinician's form

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # stored as given, never edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
