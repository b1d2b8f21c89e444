"""Ids from a query string or form, checked before any query sees them."""

from __future__ import annotations

from django.http import Http404

# The largest id a PostgreSQL bigint (Django's BigAutoField) holds.
MAX_ID = 2**63 - 1


def parse_id(value: str) -> int:
    """`value` as a record id, or Http404: ASCII digits only ("²" and "٣" are not ids)."""
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > MAX_ID:
        raise Http404("No such record")
    return int(text)
