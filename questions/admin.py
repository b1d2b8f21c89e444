"""Admin for patients' questions, to look at.

A question and its reply are health data written by the patient and the clinician; they change
only through questions.services (asked from the programme page, answered or closed from the
worklist), which keep the case's timeline and the audit. So the admin shows them read only,
never adds or deletes one, and a look at one is recorded like a look at a patient's record.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit import services as audit
from questions.models import Question


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    # The list names who and when, never what was asked: the text is read on a recorded page.
    list_display = ("pk", "patient", "programme", "status", "asked_at", "replied_by", "closed_by")
    list_select_related = ("patient", "programme", "replied_by", "closed_by")
    list_filter = ("status",)
    search_fields = ("patient__family_name", "patient__given_name", "patient__nhs_number")
    date_hierarchy = "asked_at"
    readonly_fields = [field.name for field in Question._meta.concrete_fields]

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        response = super().change_view(request, object_id, *args, **kwargs)
        if request.method == "GET" and response.status_code == 200:
            question = Question.objects.only("patient_id").get(pk=object_id)
            audit.record_view(
                request=request, record=f"question {object_id}", patient=question.patient_id
            )
        return response

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # questions come from the patient's programme page

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # answered or closed from the worklist, which records who did it

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # part of the record of care
