"""The admin's reset: a member of staff who lost their phone sets up a second factor again."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clinic.two_factor import services


@admin.action(
    description=_("Reset two-factor authentication (they set it up again)"),
    permissions=["change"],
)
def reset_two_factor(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
) -> None:
    reset = sum(
        services.reset_two_factor(user=user, by=request.user, request=request)  # type: ignore[arg-type]
        for user in queryset
    )
    modeladmin.message_user(
        request,
        ngettext(
            "Two-factor authentication reset for %(count)d member of staff: they set it up again "
            "at their next page.",
            "Two-factor authentication reset for %(count)d members of staff: they set it up "
            "again at their next page.",
            reset,
        )
        % {"count": reset},
        messages.SUCCESS,
    )


def add_reset_to_the_user_admin(site: admin.AdminSite = admin.site) -> None:
    """The action joins whatever admin the user model has (Django's, or the clinic's own), so
    that this room never registers the user admin itself."""
    model_admin = site._registry.get(get_user_model())
    if model_admin is None:
        return
    actions = list(model_admin.actions or [])
    if reset_two_factor not in actions:
        model_admin.actions = [*actions, reset_two_factor]
