"""Signing staff in: the user and their roles in one query on every request.

Django's ModelBackend loads the user, and the first role check loads their groups: two queries
before any page does its own work. This backend reads both at once (a LEFT JOIN to the groups),
and `clinic.roles.roles_of` reads the roles it left on the user.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import F


class StaffBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        rows = list(model._default_manager.filter(pk=user_id).annotate(role=F("groups__name")))
        if not rows or not self.user_can_authenticate(rows[0]):
            return None
        user = rows[0]
        user._clinic_roles = frozenset(row.role for row in rows if row.role)  # type: ignore[attr-defined]
        return user
