"""Load the orthopaedic test library the clinic starts with into the database.

For the tests, whose `transactional_db` flushes the migration's rows (and the demo): the same rows
as the seeding migration's frozen snapshot (migrations/0003_seed_test_library.json). Adds what is
missing, by code, and leaves what is there: the library is admin-edited, and a clinic's edits win.
"""

from __future__ import annotations

import json
from pathlib import Path

from examination.models import OrthopaedicTest

SNAPSHOT = Path(__file__).parent / "migrations" / "0003_seed_test_library.json"


def seed_test_library() -> int:
    """Create the snapshot's tests not there yet; returns how many were added."""
    rows = json.loads(SNAPSHOT.read_text(encoding="utf-8"))["tests"]
    existing = set(OrthopaedicTest.objects.values_list("code", flat=True))
    added = OrthopaedicTest.objects.bulk_create(
        OrthopaedicTest(position=position, **row)
        for position, row in enumerate(rows, start=1)
        if row["code"] not in existing
    )
    return len(added)
