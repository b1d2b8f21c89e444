"""The audit in the admin: read only, like the database's own rule for it; and the one mixin that
makes every add, change and delete an admin makes an audit row, with the old and new values, in
the admin's own transaction (the rota, destinations, the exercise library and templates, staff
accounts and their roles, unlocking a sign-in).

Staff accounts: every field old and new except the password, which is recorded as set or changed
and never as its hash; roles are the groups, recorded as the list before and after.
"""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms import BaseModelForm
from django.forms.models import BaseModelFormSet
from django.http import HttpRequest, HttpResponse
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit import services
from audit.models import AuditEvent
from clinic.admin_widgets import LabelledSplitDateTime

Action = AuditEvent.Action
Values = dict[str, Any]
# What a secret field (a password hash) is recorded as: that it was set or changed, never itself.
SECRET_SET, SECRET_CHANGED = "set", "changed"
EMPTY: tuple[Any, ...] = (None, "", [])


record_label = services.record_of


class AuditedAdmin(admin.ModelAdmin):
    """Mix in first: every save and delete this admin makes is recorded (who, when, the record,
    each changed field old and new, many-to-many fields as lists), in the transaction Django's
    admin holds for the save. Inlines are recorded row by row."""

    # Recorded as set or changed, never their values (a password hash).
    audit_secret_fields: tuple[str, ...] = ()
    # Kept by the model itself, not changed by anybody.
    audit_skip_fields: tuple[str, ...] = ("created_at", "updated_at", "last_login")
    # Date and time inputs with a label each (Django's have none: axe-core, tests/browser/axe.py).
    formfield_overrides = {models.DateTimeField: {"widget": LabelledSplitDateTime}}

    # --- What a record holds -------------------------------------------------------------

    def audit_values(self, obj: models.Model | None, *, many: bool = True) -> Values:
        """Each field of `obj` as a person reads it: a related record by its name, a choice by
        its label; many-to-many fields as lists (once `obj` has an id)."""
        if obj is None:
            return {}
        values: Values = {}
        for field in obj._meta.concrete_fields:
            if field.primary_key or field.name in self.audit_skip_fields:
                continue
            if field.is_relation:
                related = getattr(obj, field.name, None)
                values[field.name] = None if related is None else str(related)
            elif field.choices:
                values[field.name] = getattr(obj, f"get_{field.name}_display")()
            else:
                values[field.name] = getattr(obj, field.attname)
        if many and obj.pk is not None:
            for m2m in obj._meta.many_to_many:
                values[m2m.name] = sorted(str(item) for item in getattr(obj, m2m.name).all())
        return values

    def audit_stored(self, obj: models.Model, *, many: bool = True) -> Values:
        """What the database holds for `obj` now (the form has already changed the instance)."""
        if obj.pk is None:
            return {}
        stored = type(obj)._base_manager.filter(pk=obj.pk).first()
        return self.audit_values(stored, many=many)

    def audit_changes(self, before: Values, after: Values) -> dict[str, tuple[Any, Any]]:
        """Each field that differs, (old, new); a record created lists what it was given, one
        deleted what it held. A secret field says only that it was set or changed."""
        creating, deleting = not before, not after
        changes: dict[str, tuple[Any, Any]] = {}
        for name in dict.fromkeys([*before, *after]):
            old, new = before.get(name), after.get(name)
            if old == new or (creating and new in EMPTY) or (deleting and old in EMPTY):
                continue
            if name in self.audit_secret_fields:
                if not deleting:
                    changes[name] = (None, SECRET_SET if creating else SECRET_CHANGED)
                continue
            changes[name] = (old, new)
        return changes

    def audit_record(
        self,
        request: HttpRequest,
        obj: models.Model,
        *,
        action: str,
        before: Values,
        after: Values,
        label: str | None = None,
    ) -> None:
        changes = self.audit_changes(before, after)
        if action == Action.CHANGE and not changes:
            return  # saved as it was
        services.record_change(
            by=request.user if request.user.is_authenticated else None,  # type: ignore[arg-type]
            record=label or record_label(obj),
            changes=changes,
            action=action,
            request=request,
        )

    # --- Django's admin hooks --------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Many-to-many fields are saved after this (save_related), which records the row.
        obj._audit_before = self.audit_stored(obj) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(
        self, request: HttpRequest, form: BaseModelForm[Any], formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(obj, "_audit_before", None)
        if before is None:
            return
        del obj._audit_before
        self.audit_record(
            request,
            obj,
            action=Action.CHANGE if change else Action.CREATE,
            before=before,
            after=self.audit_stored(obj),
        )

    def save_formset(
        self, request: HttpRequest, form: Any, formset: BaseModelFormSet[Any, Any], change: bool
    ) -> None:
        before = {
            id(inline.instance): (record_label(inline.instance), self.audit_stored(inline.instance))
            for inline in formset.initial_forms
            if inline.instance.pk is not None
        }
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            self.audit_record(
                request, obj, action=Action.CREATE, before={}, after=self.audit_stored(obj)
            )
        for obj, _names in formset.changed_objects:
            _label, old = before.get(id(obj), ("", {}))
            self.audit_record(
                request, obj, action=Action.CHANGE, before=old, after=self.audit_stored(obj)
            )
        for obj in formset.deleted_objects:
            label, old = before.get(id(obj), (record_label(obj), {}))
            self.audit_record(request, obj, action=Action.DELETE, before=old, after={}, label=label)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        label, before = record_label(obj), self.audit_stored(obj)
        super().delete_model(request, obj)
        self.audit_record(request, obj, action=Action.DELETE, before=before, after={}, label=label)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic(using=queryset.db):
            gone = [(obj, record_label(obj), self.audit_stored(obj)) for obj in queryset]
            super().delete_queryset(request, queryset)
            for obj, label, before in gone:
                self.audit_record(
                    request, obj, action=Action.DELETE, before=before, after={}, label=label
                )


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


# --- Staff accounts, roles and sign-in lockouts ---------------------------------------------------


admin.site.unregister(User)
admin.site.unregister(Group)
admin.site.unregister([AccessAttempt, AccessLog, AccessFailureLog, TOTPDevice, StaticDevice])


@admin.register(User)
class StaffAdmin(AuditedAdmin, UserAdmin):  # type: ignore[type-arg]
    """Staff accounts: created, changed (name, email, active, staff, superuser, roles as groups,
    permissions) and deactivated, each recorded old and new; a password set by an admin is
    recorded as changed, never as its hash."""

    audit_secret_fields = ("password",)
    # Kept by Django itself; and roles as checkboxes, permissions as a plain list (Django's
    # two-pane filter widget writes ARIA attributes its spans may not carry: axe-core).
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ()

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "groups":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        user = self.get_object(request, unquote(id)) if request.method == "POST" else None
        if user is None:  # the page itself, or Django's own answer to an id it cannot find
            return super().user_change_password(request, id, form_url)
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            after = User.objects.filter(pk=user.pk).first()
            if after is not None and after.password != user.password:
                services.record_change(
                    by=request.user,  # type: ignore[arg-type]
                    record=record_label(after),
                    changes={
                        "password": (
                            None,
                            SECRET_CHANGED if after.has_usable_password() else "disabled",
                        )
                    },
                    request=request,
                )
        return response


@admin.register(Group)
class RoleAdmin(AuditedAdmin, GroupAdmin):
    """Roles are groups (clinic/roles.py): a group's name and permissions, recorded old and new.
    Who holds a role is recorded on the staff account."""

    filter_horizontal = ()  # a plain list: Django's two-pane widget fails axe-core (see above)


@admin.register(AccessAttempt)
class SignInAttemptAdmin(AuditedAdmin, AccessAttemptAdmin):
    """Deleting an attempt unlocks the username and address (README): recorded as deleted, with
    whose attempts they were and how many failures."""

    audit_skip_fields = ("get_data", "post_data", "user_agent", "http_accept")


@admin.register(AccessLog)
class SignInLogAdmin(AuditedAdmin, AccessLogAdmin):
    """Sign-ins as django-axes keeps them: deleting one is recorded."""

    audit_skip_fields = ("user_agent", "http_accept")


@admin.register(AccessFailureLog)
class FailedSignInLogAdmin(AuditedAdmin, AccessFailureLogAdmin):
    """Failed sign-ins as django-axes keeps them: deleting one is recorded."""

    audit_skip_fields = ("user_agent", "http_accept")


# A second factor's own bookkeeping (its clock drift, throttling, last use) is nobody's change.
SECOND_FACTOR_STATE = (
    "last_t",
    "drift",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "created_at",
    "last_used_at",
)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(AuditedAdmin, TOTPDeviceAdmin):
    """A member of staff's authenticator (django-otp) added, changed or deleted in the admin:
    whose, its name and whether confirmed, old and new; its key only as set or changed."""

    audit_secret_fields = ("key",)
    audit_skip_fields = SECOND_FACTOR_STATE


@admin.register(StaticDevice)
class BackupCodesAdmin(AuditedAdmin, StaticDeviceAdmin):
    """A member of staff's backup codes (django-otp): the codes only as set or changed."""

    audit_secret_fields = ("token",)
    audit_skip_fields = SECOND_FACTOR_STATE
