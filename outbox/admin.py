"""Admin for outbox messages: to look, and to give a dead message another try; never to edit.

A message is written by the service that causes it and moved only by the dispatcher and the
workers, so the admin cannot add, change or delete one. The one write it offers is
`retry_dead_message`, for the messages whose every attempt failed. A body is shown with every
patient link masked (outbox/redaction.py): a patient's link opens their page without a login.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import linebreaksbr
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outbox.models import Message
from outbox.redaction import for_staff
from outbox.services import retry_dead_message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = (
        "key", "to_email", "subject", "kind", "status", "attempts", "due_at", "sent_at",
    )  # fmt: skip
    list_filter = ("status", "kind")
    search_fields = ("to_email", "key")
    date_hierarchy = "created_at"
    actions = ("retry_dead_messages",)
    fields = (
        "key", "kind", "status", "to_name", "to_email", "recipient", "patient", "case",
        "subject", "body", "attempts", "last_error", "due_at", "sent_at", "lease_until",
        "content_removed_at", "created_at", "updated_at",
    )  # fmt: skip
    readonly_fields = ("body",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        # The list never shows the bodies; the one message's page does.
        queryset = super().get_queryset(request)
        match = request.resolver_match
        if match is not None and (match.url_name or "").endswith("_changelist"):
            queryset = queryset.defer("body_text", "body_html")
        return queryset

    @admin.display(description=gettext_lazy("Body text"))
    def body(self, message: Message) -> SafeString:
        """The plain-text body, with every patient link masked."""
        if message.content_removed_at is not None:
            return SafeString(_("Removed under the retention rule (OUTBOX_RETENTION_DAYS)."))
        return linebreaksbr(for_staff(message.body_text), autoescape=True)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        """Retrying is a change to the message's state: for those who may change messages."""
        return request.user.has_perm("outbox.change_message")

    @admin.action(description=gettext_lazy("Retry dead messages"), permissions=["retry"])
    def retry_dead_messages(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        dead = list(queryset.filter(status=Message.Status.DEAD).values_list("pk", flat=True))
        retried = 0
        for message_id in dead:
            try:
                retry_dead_message(message_id=message_id)
            except ValueError:
                continue  # no longer dead: somebody retried it since the page was drawn
            retried += 1
        skipped = queryset.count() - retried
        if retried:
            self.message_user(
                request, f"{retried} dead message(s) are back in the queue.", messages.SUCCESS
            )
        if skipped:
            self.message_user(
                request,
                f"{skipped} selected message(s) were not dead and were left as they are.",
                messages.WARNING,
            )
