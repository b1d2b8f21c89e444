"""Staff profiles in the admin, each change audited (audit/admin.py's AuditedAdmin).

A page of its own rather than an inline on the staff account: the account's form stays as it is
(and as its audit records it), and a profile is added once a clinician signs letters."""

from __future__ import annotations

from django.contrib import admin

from audit.admin import AuditedAdmin
from clinic.models import StaffProfile


@admin.register(StaffProfile)
class StaffProfileAdmin(AuditedAdmin):
    """Who signs referral letters: profession and registration, recorded old and new."""

    list_display = ("user", "profession", "registration_body", "registration_number")
    list_select_related = ("user",)
    list_filter = ("profession", "registration_body")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    raw_id_fields = ("user",)
