"""API clients in the admin: register one, choose its scopes, issue it a new token or revoke it.
The token is shown once, on the page after the save or the action; only its digest is kept.
Every add, change, new token and revocation is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdmin
from interop import services
from interop.models import ApiClient


@admin.register(ApiClient)
class ApiClientAdmin(AuditedAdmin):
    list_display = ("name", "can_read_patients", "can_submit_intakes", "token_hint", "revoked_at")
    list_filter = ("can_read_patients", "can_submit_intakes")
    search_fields = ("name",)
    fields = (
        "name",
        "can_read_patients",
        "can_submit_intakes",
        "user",
        "token_hint",
        "token_issued_at",
        "revoked_at",
    )
    readonly_fields = ("user", "token_hint", "token_issued_at", "revoked_at")
    audit_secret_fields = ("token_hash",)
    actions = ("issue_new_token", "revoke")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        token = None if change else services.prepare_client(obj)
        super().save_model(request, obj, form, change)
        if token is not None:
            self._show_token(request, obj, token)

    def _show_token(self, request: HttpRequest, client: ApiClient, token: str) -> None:
        messages.warning(
            request,
            _(
                "The token of %(client)s is %(token)s. Copy it now into the other system: it is "
                "not shown again, and only its digest is kept."
            )
            % {"client": client.name, "token": token},
        )

    @admin.action(description=_("Issue a new token (the old one stops working)"))
    def issue_new_token(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            self._show_token(request, client, services.issue_token(client=client, by=request.user))  # type: ignore[arg-type]

    @admin.action(description=_("Revoke: refuse every call with its token"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            services.revoke_client(client=client, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Revoked."))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Intakes name the client's account: a client is revoked, never deleted.
        return False
