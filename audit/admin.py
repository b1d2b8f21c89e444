"""The audit in the admin: read only, like the database's own rule for it."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "at",
        "actor",
        "actor_name",
        "actor_kind",
        "action",
        "record",
        "page",
        "patient",
    )
    list_select_related = ("actor", "patient")
    list_filter = ("action", "actor_kind")
    date_hierarchy = "at"
    raw_id_fields = ("actor", "patient")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
