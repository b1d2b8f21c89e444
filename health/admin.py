from django.contrib import admin
from django.http import HttpRequest

from health.models import Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    """When each part of the background work last did it: read only (Celery writes them)."""

    list_display = ("name", "last_started", "last_finished", "duration", "last_error")
    readonly_fields = (
        "name",
        "created_at",
        "last_started",
        "last_finished",
        "duration",
        "last_error",
        "last_error_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
