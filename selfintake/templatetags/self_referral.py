"""`{% self_referred asked to_check waiting as referred %}`: the ids of the patients, among those
rows (invitations, intakes or rows with an `invitation`), who referred themselves from the
clinic's public page, in one query, for the Self-intakes page's "Self-referred" marks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from selfintake.models import SelfReferral

register = template.Library()


def _patient_id(row: Any) -> int | None:
    invitation = getattr(row, "invitation", None)
    return getattr(invitation if invitation is not None else row, "patient_id", None)


@register.simple_tag
def self_referred(*groups: Iterable[Any]) -> frozenset[int]:
    ids = {pk for group in groups for row in group if (pk := _patient_id(row)) is not None}
    if not ids:
        return frozenset()
    return frozenset(
        SelfReferral.objects.filter(patient_id__in=ids).values_list("patient_id", flat=True)
    )
