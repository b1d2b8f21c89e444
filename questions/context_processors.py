"""The count of questions waiting for a reply, beside "Questions" in a clinician's menu."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from clinic.roles import Role, has_role

log = logging.getLogger(__name__)


def questions_waiting(request: HttpRequest) -> dict[str, object]:
    """Read only when a page draws the menu (a redirect, an htmx swap or a JSON answer reads
    nothing), and only for a clinician, who answers them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not has_role(user, Role.CLINICIAN):
        return {}

    def count() -> int:
        from questions.models import Question

        try:
            return Question.objects.open().count()
        except DatabaseError:  # no count rather than no page: the worklist says the rest
            log.warning("questions: could not count the waiting questions")
            return 0

    return {"questions_waiting": SimpleLazyObject(count)}
