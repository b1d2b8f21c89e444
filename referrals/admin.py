"""Destinations' contact details are kept here; referrals are looked at, and move only through
the referral services."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from audit.admin import AuditedAdmin
from referrals.models import Destination, Referral


@admin.register(Destination)
class DestinationAdmin(AuditedAdmin):
    list_display = ("name", "kind", "email", "phone", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "email")


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ("reference", "destination", "status", "urgency", "sent_at", "expected_by")
    list_filter = ("status", "destination__kind")
    list_select_related = ("destination",)
    fields = (
        "case", "destination", "referred_by", "urgency", "status", "letter", "sent_at",
        "expected_by", "acknowledged_at", "completed_at", "cancelled_at", "created_at",
    )  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Referral]:
        return super().get_queryset(request).defer("letter_pdf")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
