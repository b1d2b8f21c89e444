"""The reads the clinician's pages share, as methods of `CaseQuerySet` (triage/models.py mixes
`CaseQueries` in): the latest assessment of each case read in the same query, keyset pages in the
queue's order, and counts that stop at a cap.

Pages are keyset pages on (-urgency, opened_at, id), the order of the partial index
`case_open_queue_idx`, so the hundredth page costs what the first does. Counts are capped:
counting a few hundred thousand open cases exactly on every refresh would cost more than the rest
of the page together, and "1000+" tells a clinician as much as the exact number would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Self, cast

from django.db import connection
from django.db.models import Case as SqlCase
from django.db.models import CharField, Exists, JSONField, OuterRef, Q, QuerySet, Subquery, When

from triage import rules

if TYPE_CHECKING:
    from triage.models import Case

    _Base = QuerySet[Case]
else:
    _Base = object

# The rule engine's levels, most urgent first (triage.models.Urgency holds the same values).
LEVELS: tuple[int, ...] = tuple(sorted((level.value for level in rules.Urgency), reverse=True))
EMERGENCY: int = rules.Urgency.EMERGENCY.value
SELF_CARE: int = rules.Urgency.SELF_CARE.value

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
BIGINT_MAX = 2**63 - 1  # a case id past this is no case (PostgreSQL would refuse to compare it)
_CURSOR = re.compile(r"([0-9]{1,2})-([0-9]{1,20})-([0-9]{1,19})", re.ASCII)


@dataclass(frozen=True, slots=True)
class Cursor:
    """A place in the queue's order: (-urgency, opened_at, id). In the URL as `u-µs-id`."""

    urgency: int
    opened_at: datetime
    pk: int

    @classmethod
    def of(cls, case: Case) -> Cursor:
        return cls(urgency=case.urgency, opened_at=case.opened_at, pk=case.pk)

    @classmethod
    def parse(cls, text: str) -> Cursor | None:
        """The cursor `text` names, or None for anything the queue never wrote: other digits
        than ASCII ones, an urgency that does not exist, a time past the calendar, an id past
        a bigint."""
        match = _CURSOR.fullmatch(text)
        if match is None:
            return None
        urgency, micros, pk = (int(part) for part in match.groups())
        if urgency not in LEVELS or pk > BIGINT_MAX:
            return None
        try:
            opened_at = EPOCH + timedelta(microseconds=micros)
        except OverflowError:
            return None
        return cls(urgency=urgency, opened_at=opened_at, pk=pk)

    def __str__(self) -> str:
        return f"{self.urgency}-{(self.opened_at - EPOCH) // timedelta(microseconds=1)}-{self.pk}"

    def after(self) -> Q:
        # `urgency__lte` repeats what the rest implies so that the index scan starts at this
        # urgency rather than at the top of the queue.
        return Q(urgency__lte=self.urgency) & (
            Q(urgency__lt=self.urgency)
            | Q(opened_at__gt=self.opened_at)
            | Q(opened_at=self.opened_at, pk__gt=self.pk)
        )

    def before(self) -> Q:
        return Q(urgency__gte=self.urgency) & (
            Q(urgency__gt=self.urgency)
            | Q(opened_at__lt=self.opened_at)
            | Q(opened_at=self.opened_at, pk__lt=self.pk)
        )


@dataclass(frozen=True, slots=True)
class Page:
    cases: list[Case]
    next: Cursor | None
    previous: Cursor | None


@dataclass(frozen=True, slots=True)
class CappedCount:
    """How many, counted to at most a cap: `capped` says there are more than `count`."""

    count: int
    capped: bool


@dataclass(frozen=True, slots=True)
class CappedCounts:
    per_level: dict[int, CappedCount]  # by urgency value, most urgent first
    overdue: CappedCount


class CaseQueries(_Base):
    """What the queue and the case page read, in as few queries as the page allows."""

    def with_latest_assessment(self) -> Self:
        """Each case's latest assessment, in the case's own query (a subquery per row shown, not
        a query per row): the rules that fired (`latest_rules`), where the intake came from
        (`latest_source`) and, on SELF_CARE cases, the only ones triage suggests a programme
        for, the answers (`latest_answers`)."""
        from triage.models import Assessment

        latest = Assessment.objects.filter(case=OuterRef("pk")).order_by("-created_at", "-pk")
        # The rules of the latest assessment that has any (an examination's, once examined);
        # where the intake came from and its answers, from the latest intake's.
        with_rules = latest.exclude(rules=[])
        of_intake = latest.filter(intake__isnull=False)
        return self.annotate(
            latest_rules=Subquery(with_rules.values("rules")[:1], output_field=JSONField()),
            latest_source=Subquery(
                of_intake.values("intake__source")[:1], output_field=CharField()
            ),
            latest_answers=SqlCase(
                When(
                    urgency=SELF_CARE,
                    then=Subquery(
                        of_intake.values("intake__answers")[:1], output_field=JSONField()
                    ),
                ),
                default=None,
                output_field=JSONField(),
            ),
        )

    def with_self_referral(self) -> Self:
        """Whether the case's patient referred themselves from the clinic's public page
        (selfintake.SelfReferral: a record made on their word, matched to nobody), as
        `self_referred`, in the case's own query."""
        from selfintake.models import SelfReferral

        return self.annotate(
            self_referred=Exists(SelfReferral.objects.filter(patient_id=OuterRef("patient_id")))
        )

    def with_undelivered_alerts(self) -> Self:
        """Whether an alert about the case could not be delivered (triage.services.
        mark_undelivered_alerts), as `alert_undelivered`, in the case's own query."""
        from triage.models import CaseActivity

        return self.annotate(
            alert_undelivered=Exists(
                CaseActivity.objects.filter(case=OuterRef("pk"), kind=CaseActivity.Kind.UNDELIVERED)
            )
        )

    def keyset_page(
        self, *, after: Cursor | None = None, before: Cursor | None = None, size: int
    ) -> Page:
        """One page of `size` cases in the queue's order, after or before a cursor (size + 1
        rows read, to know whether another page follows)."""
        if before is not None:
            backwards = self.filter(before.before()).order_by("urgency", "-opened_at", "-pk")
            rows = cast("list[Case]", list(backwards[: size + 1]))
            more_before = len(rows) > size
            rows = rows[:size][::-1]
            return Page(
                cases=rows,
                next=Cursor.of(rows[-1]) if rows else None,
                previous=Cursor.of(rows[0]) if rows and more_before else None,
            )
        cases = self.filter(after.after()) if after is not None else self
        rows = cast("list[Case]", list(cases.order_by("-urgency", "opened_at", "pk")[: size + 1]))
        more_after = len(rows) > size
        rows = rows[:size]
        return Page(
            cases=rows,
            next=Cursor.of(rows[-1]) if rows and more_after else None,
            # A page reached from a cursor has the cases before that cursor behind it.
            previous=Cursor.of(rows[0]) if rows and after is not None else None,
        )

    def capped_counts(self, *, now: datetime, cap: int) -> CappedCounts:
        """These cases per urgency, and those past their deadline, each counted to at most
        `cap`, in one query. Each count reads at most cap + 1 rows (on open cases, from the
        queue's partial indexes), whatever the size of the table."""
        subqueries = [self.filter(urgency=level).order_by() for level in LEVELS]
        subqueries.append(self.filter(due_at__lt=now).order_by())
        parts: list[str] = []
        params: list[Any] = []
        for n, qs in enumerate(subqueries):
            sql, sub_params = qs.values("pk")[: cap + 1].query.sql_with_params()
            # Django compiled `sql`, and its parameters stay parameters.
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped_{n})")  # noqa: S608
            params.extend(sub_params)
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            row = cursor.fetchone()
        counted = [CappedCount(min(int(n), cap), int(n) > cap) for n in row]
        return CappedCounts(
            per_level=dict(zip(LEVELS, counted[:-1], strict=True)), overdue=counted[-1]
        )

    def emergency_ids(self, *, limit: int) -> list[int]:
        """The ids of the newest `limit` EMERGENCY cases among these (from the queue's partial
        index on open cases): what a refresh compares to tell a new emergency from one already
        shown."""
        return list(
            self.filter(urgency=EMERGENCY)
            .order_by("-opened_at", "-pk")
            .values_list("pk", flat=True)[:limit]
        )
