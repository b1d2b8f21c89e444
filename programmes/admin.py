"""Admin for the exercise library and programme templates, to edit; and for prescribed
programmes and what patients did with them, to look at.

A prescribed programme changes only through the programme services (prescribe, resume, stop,
check-ins), which keep its history; the admin never deletes one.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdmin
from clinic.admin_widgets import LabelledTabularInline
from programmes.forms import ExerciseAdminForm
from programmes.models import (
    CheckIn,
    Exercise,
    Programme,
    ProgrammeEvent,
    ProgrammeExercise,
    ProgrammePhase,
    ProgrammeTemplate,
    SessionExercise,
    SessionLog,
    TemplateExercise,
    TemplatePhase,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ReadOnlyInline(LabelledTabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# --- The library ------------------------------------------------------------------------------


@admin.register(Exercise)
class ExerciseAdmin(AuditedAdmin):
    form = ExerciseAdminForm
    list_display = ("name", "category", "region", "equipment", "caution_list", "active")
    list_filter = ("category", "active")
    search_fields = ("name", "slug", "region", "equipment")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "category", "region", "equipment", "active")}),
        (_("For the patient"), {"fields": ("setup", "movement", "good_form", "stop_if")}),
        (
            _("For the patient, in German"),
            {
                "fields": (
                    "name_de",
                    "equipment_de",
                    "setup_de",
                    "movement_de",
                    "good_form_de",
                    "stop_if_de",
                    "progression_de",
                    "image_alt_de",
                ),
                "description": _(
                    "What a patient whose language is German reads. A field left empty shows "
                    "them the English."
                ),
            },
        ),
        (
            "Starting dose and load",
            {
                "fields": (
                    ("sets", "reps", "hold_seconds", "per_side"),
                    ("load_min_kg", "load_max_kg", "load_step_kg"),
                    "progression",
                )
            },
        ),
        ("Caution and source", {"fields": ("caution_tags", "source")}),
        (
            "Picture and video",
            {
                "fields": ("image", "image_alt", "video"),
                "description": "Shown to patients on their page (the picture in the printed "
                "handout too), never at an open address.",
            },
        ),
    )

    @admin.display(description=_("Caution"))
    def caution_list(self, obj: Exercise) -> str:
        return ", ".join(obj.caution_labels) or "—"


class TemplatePhaseInline(LabelledTabularInline):
    model = TemplatePhase
    extra = 0
    fields = (
        "position",
        "name",
        "name_de",
        "weeks",
        "advance",
        "goal",
        "goal_de",
        "exercises_link",
    )
    readonly_fields = ("exercises_link",)
    show_change_link = True

    @admin.display(description=_("Exercises"))
    def exercises_link(self, obj: TemplatePhase) -> str:
        if obj.pk is None:
            return "Save first, then add exercises"
        url = reverse("admin:programmes_templatephase_change", args=[obj.pk])
        return format_html('<a href="{}">Edit the exercises of this phase</a>', url)


@admin.register(ProgrammeTemplate)
class ProgrammeTemplateAdmin(AuditedAdmin):
    list_display = ("name", "slug", "active", "updated_at")
    list_filter = ("active",)
    search_fields = ("name", "name_de", "slug")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "active")}),
        (_("For the patient"), {"fields": ("summary",)}),
        (
            _("For the patient, in German"),
            {
                "fields": ("name_de", "summary_de"),
                "description": _(
                    "What a patient whose language is German reads, with each phase's name and "
                    "goal in German below. A field left empty shows them the English."
                ),
            },
        ),
        (_("For the clinician"), {"fields": ("for_whom", "source")}),
    )
    inlines = [TemplatePhaseInline]


class TemplateExerciseInline(LabelledTabularInline):
    """A plain list of the library's exercises (a few dozen): the admin's autocomplete (select2)
    draws a box that screen readers cannot name (axe-core)."""

    model = TemplateExercise
    extra = 1
    fields = ("position", "exercise", "sets", "reps", "hold_seconds", "load_kg", "days_per_week")


@admin.register(TemplatePhase)
class TemplatePhaseAdmin(AuditedAdmin):
    """A template's phase with its exercises (Django has no nested inlines: the template's page
    links here)."""

    fields = ("template", "position", "name", "name_de", "weeks", "advance", "goal", "goal_de")

    list_display = ("__str__", "template", "position", "weeks", "advance")
    list_filter = ("template",)
    list_select_related = ("template",)
    inlines = [TemplateExerciseInline]


# --- Prescribed programmes: to look at --------------------------------------------------------


class ProgrammePhaseInline(ReadOnlyInline):
    model = ProgrammePhase
    fields = ("position", "name", "name_de", "weeks", "advance", "goal", "goal_de")


class CheckInInline(ReadOnlyInline):
    model = CheckIn
    fields = ("week", "due_at", "completed_at", "pain", "ndi_points", "outcome", "outcome_reason")


class ProgrammeEventInline(ReadOnlyInline):
    model = ProgrammeEvent
    fields = ("at", "kind", "by", "by_patient", "detail")


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    """Read-mostly: what was prescribed, and what happened since. Changes go through the case
    page (resume, stop, revoke the link), which records who did what."""

    list_display = ("pk", "patient", "name", "status", "start_date", "current_phase")
    list_filter = ("status", "template", "reminders_paused")
    list_select_related = ("patient",)
    search_fields = ("patient__family_name", "patient__given_name", "patient__nhs_number")
    date_hierarchy = "prescribed_at"
    inlines = [ProgrammePhaseInline, CheckInInline, ProgrammeEventInline]
    readonly_fields = [
        field.name for field in Programme._meta.get_fields() if getattr(field, "concrete", False)
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ProgrammeExercise)
class ProgrammeExerciseAdmin(ReadOnlyAdmin):
    list_display = ("exercise", "phase", "sets", "reps", "hold_seconds", "load_kg", "clashes")
    list_select_related = ("exercise", "phase__programme")


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin):
    list_display = ("programme", "week", "due_at", "sent_at", "completed_at", "pain", "outcome")
    list_filter = ("outcome", "week")
    list_select_related = ("programme",)


class SessionExerciseInline(ReadOnlyInline):
    model = SessionExercise
    fields = ("exercise", "done", "load_kg")


@admin.register(SessionLog)
class SessionLogAdmin(ReadOnlyAdmin):
    list_display = ("programme", "performed_on", "phase", "felt")
    list_filter = ("felt",)
    list_select_related = ("programme",)
    inlines = [SessionExerciseInline]


@admin.register(ProgrammeEvent)
class ProgrammeEventAdmin(ReadOnlyAdmin):
    list_display = ("programme", "kind", "at", "by", "by_patient")
    list_filter = ("kind",)
    list_select_related = ("programme", "by")
