"""The staff view of the outbox: what is waiting, what failed, what is dead, what was sent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from clinic.roles import Role, has_role
from outbox.models import Message
from outbox.services import counts_by_status, retry_dead_message

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Rows per list: the most pressing first, so nothing that needs a look is beyond the page.
LIST_LIMIT = 200
RECENT_SENT_LIMIT = 50

ACTIVE = (Message.Status.PENDING, Message.Status.SENDING, Message.Status.FAILED)
# What the page never needs: the bodies (the staff view shows who was told what, not the text).
UNSHOWN_FIELDS = ("body_text", "body_html")


@dataclass(frozen=True, slots=True)
class MessageList:
    """One list on the page: its heading, its rows, and how many there are in all."""

    key: str
    title: str
    messages: list[Message]
    total: int
    show_attempts: bool
    empty: str

    @property
    def truncated(self) -> bool:
        return len(self.messages) < self.total

    @property
    def show_due(self) -> bool:
        """When the next try is: only for messages still to go."""
        return self.key in ("active", *ACTIVE)

    @property
    def offers_retry(self) -> bool:
        return self.key == Message.Status.DEAD


def clinician_or_admin(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Clinicians and admins (staff) may look; anyone else gets 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (request.user.is_staff or has_role(request.user, Role.CLINICIAN)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@clinician_or_admin
def message_list(request: HttpRequest) -> HttpResponse:
    counts = counts_by_status()
    status = request.GET.get("status", "")
    if status not in Message.Status.values:
        status = ""
    rows = Message.objects.defer(*UNSHOWN_FIELDS)
    if status:
        lists = [_status_list(rows, Message.Status(status), counts)]
    else:
        active_total = sum(counts[s] for s in ACTIVE)
        lists = [
            MessageList(
                key="active",
                title=_("Waiting, sending or failing"),
                messages=list(rows.filter(status__in=ACTIVE).order_by("due_at", "id")[:LIST_LIMIT]),
                total=active_total,
                show_attempts=True,
                empty="Nothing is waiting to go.",
            ),
            _status_list(rows, Message.Status.DEAD, counts),
            MessageList(
                key="sent",
                title=_("Recently sent"),
                messages=list(
                    rows.filter(status=Message.Status.SENT).order_by("-sent_at", "-id")[
                        :RECENT_SENT_LIMIT
                    ]
                ),
                total=counts[Message.Status.SENT],
                show_attempts=False,
                empty="Nothing has been sent yet.",
            ),
        ]
    context = {
        "counts": [(Message.Status(value), counts[value]) for value in Message.Status.values],
        "total": sum(counts.values()),
        "status": status,
        "lists": lists,
        "can_retry": request.user.is_staff,
    }
    return render(request, "outbox/message_list.html", context)


# Whole sentences for each status: a status's label is never lower-cased into one.
EMPTY: dict[str, StrOrPromise] = {
    Message.Status.PENDING: gettext_lazy("No messages waiting."),
    Message.Status.SENDING: gettext_lazy("No messages being sent."),
    Message.Status.SENT: gettext_lazy("No sent messages."),
    Message.Status.FAILED: gettext_lazy("No messages failing for now."),
    Message.Status.DEAD: gettext_lazy("No dead messages."),
    Message.Status.CANCELLED: gettext_lazy("No cancelled messages."),
}
NOT_DEAD: dict[str, StrOrPromise] = {
    "": gettext_lazy("Message %(pk)s is gone: only a dead message can be retried."),
    Message.Status.PENDING: gettext_lazy(
        "Message %(pk)s is waiting to be sent, not dead: only a dead message can be retried."
    ),
    Message.Status.SENDING: gettext_lazy(
        "Message %(pk)s is being sent, not dead: only a dead message can be retried."
    ),
    Message.Status.SENT: gettext_lazy(
        "Message %(pk)s is sent, not dead: only a dead message can be retried."
    ),
    Message.Status.FAILED: gettext_lazy(
        "Message %(pk)s is failing for now, not dead: only a dead message can be retried."
    ),
    Message.Status.CANCELLED: gettext_lazy(
        "Message %(pk)s is cancelled, not dead: only a dead message can be retried."
    ),
}


def _status_list(
    rows: QuerySet[Message], status: Message.Status, counts: dict[str, int]
) -> MessageList:
    """The messages in one status, in the order that matters for it."""
    ordering = {
        Message.Status.SENT: ("-sent_at", "-id"),
        Message.Status.DEAD: ("-updated_at", "-id"),
        Message.Status.CANCELLED: ("-updated_at", "-id"),
    }.get(status, ("due_at", "id"))
    return MessageList(
        key=status.value,
        title=_("Dead: every attempt failed")
        if status == Message.Status.DEAD
        else str(status.label),
        messages=list(rows.filter(status=status).order_by(*ordering)[:LIST_LIMIT]),
        total=counts[status],
        show_attempts=status != Message.Status.CANCELLED,
        empty=str(EMPTY[status]),
    )


@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    """An admin sends a dead message back to the queue."""
    if not request.user.is_staff:
        raise PermissionDenied
    try:
        message = retry_dead_message(message_id=pk)
    except Message.DoesNotExist:
        raise Http404("No such message") from None
    except ValueError:
        current = Message.objects.filter(pk=pk).values_list("status", flat=True).first()
        refusal = NOT_DEAD.get(current or "", NOT_DEAD[""])
        messages.error(request, str(refusal) % {"pk": pk})
    else:
        messages.success(
            request,
            _("Message %(pk)s to %(email)s is back in the queue.")
            % {"pk": message.pk, "email": message.to_email},
        )
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    """The list the admin came from (a status filter is the only state the page has)."""
    url = reverse("outbox:message_list")
    status = request.POST.get("status", "")
    return f"{url}?status={status}" if status in Message.Status.values else url
