"""The clinician queue: open cases, most urgent and longest waiting first.

The page polls itself (htmx) and keeps the clinician's place: the filters, the search and the
page they are on all live in the query string, which every refresh sends back. Pages are keyset
pages on (-urgency, opened_at, id), the order of the partial index `case_open_queue_idx`, so the
hundredth page costs what the first does. The counts at the top are capped (COUNT_CAP): counting
a few hundred thousand open cases exactly on every refresh would cost more than the rest of the
page together, and "1000+" tells a clinician as much as the exact number would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Case as SqlCase
from django.db.models import Exists, JSONField, OuterRef, Q, Subquery, When
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit import services as audit
from clinic.roles import Role, role_required
from clinic.text import text_problem
from patients.models import Patient
from programmes.models import ProgrammeTemplate
from programmes.suggest import suggest_template
from triage.models import Assessment, Case, CaseActivity, CaseQuerySet, Urgency

PAGE_SIZE = 50
COUNT_CAP = 1000
QUEUE_REFRESH_SECONDS = 4  # a new case shows within 5 s of its intake, rendering included
SEARCH_MAX_LENGTH = 100

# What a row shows: reading no more than this keeps fifty rows cheap to load.
ROW_FIELDS = (
    "id", "patient_id", "status", "urgency", "opened_at", "due_at", "claimed_by_id", "claimed_at",
    "patient__given_name", "patient__family_name", "patient__date_of_birth", "patient__nhs_number",
    "claimed_by__username", "claimed_by__first_name", "claimed_by__last_name",
)  # fmt: skip
STATUS_CHOICES = [("", "Any"), ("waiting", "Waiting"), ("claimed", "Claimed")]


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_CASE_URL_PLACEHOLDER = 987654321


@dataclass(frozen=True, slots=True)
class SuggestedProgramme:
    """Triage's programme for a SELF_CARE row, for one-step approval from the queue."""

    name: str
    reason: str


# The element whose every-4-seconds refresh re-asks for the page (templates/triage/partials/
# queue_table.html): its requests say so in HX-Trigger.
QUEUE_ELEMENT_ID = "queue"


def _with_latest_answers(cases: CaseQuerySet) -> CaseQuerySet:
    """The latest intake's answers on SELF_CARE rows (the only ones triage suggests a programme
    for), read in the queue's own query: a subquery per row shown, not a query per row."""
    latest = (
        Assessment.objects.filter(case=OuterRef("pk"))
        .order_by("-created_at", "-pk")
        .values("intake__answers")[:1]
    )
    return cases.annotate(
        latest_answers=SqlCase(
            When(urgency=Urgency.SELF_CARE, then=Subquery(latest, output_field=JSONField())),
            default=None,
            output_field=JSONField(),
        )
    )


def _with_undelivered_alerts(cases: CaseQuerySet) -> CaseQuerySet:
    """Whether an alert about the case could not be delivered (triage.services.
    mark_undelivered_alerts), in the queue's own query."""
    return cases.annotate(
        alert_undelivered=Exists(
            CaseActivity.objects.filter(case=OuterRef("pk"), kind=CaseActivity.Kind.UNDELIVERED)
        )
    )


def _suggested(case: Case, names: dict[str, str]) -> SuggestedProgramme | None:
    answers = getattr(case, "latest_answers", None)
    if case.urgency != Urgency.SELF_CARE or not isinstance(answers, dict):
        return None
    suggestion = suggest_template(answers, Urgency(case.urgency).key)
    if suggestion is None or suggestion.template not in names:
        return None
    return SuggestedProgramme(name=names[suggestion.template], reason=suggestion.reason)


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One case as the queue shows it, its words made here: formatting fifty rows through template
    filters cost more than everything else on the page together."""

    case: Case
    overdue: bool
    urgency_class: str
    urgency_label: str
    url: str
    name: str
    born: str
    nhs_number: str
    waiting: str
    since: str
    due: str
    time_left: str
    claimed_by: str
    claimed_since: str
    suggestion: SuggestedProgramme | None
    alert_undelivered: bool

    @classmethod
    def of(
        cls,
        case: Case,
        *,
        now: datetime,
        url_pattern: str,
        user_pk: object,
        template_names: dict[str, str],
    ) -> QueueRow:
        patient, clinician = case.patient, case.claimed_by
        opened, due = timezone.localtime(case.opened_at), timezone.localtime(case.due_at)
        overdue = case.is_overdue(now)
        claimed_by = ""
        if clinician is not None:
            claimed_by = clinician.get_full_name() or clinician.get_username()
            if clinician.pk == user_pk:
                claimed_by += " (you)"
        return cls(
            case=case,
            overdue=overdue,
            urgency_class=f"urgency-{case.urgency_key.lower()}",
            urgency_label=case.get_urgency_display(),
            url=url_pattern.replace(str(_CASE_URL_PLACEHOLDER), str(case.pk)),
            name=patient.full_name,
            born=_day(patient.date_of_birth, year=True),
            nhs_number=patient.nhs_number_display if patient.nhs_number else "",
            waiting=_duration(now - case.opened_at),
            since=f"{_day(opened)}, {opened:%H:%M}",
            due=f"{WEEKDAYS[due.weekday()]} {_day(due)}, {due:%H:%M}",
            time_left=_duration(now - case.due_at if overdue else case.due_at - now),
            claimed_by=claimed_by,
            claimed_since=f"{timezone.localtime(case.claimed_at):%H:%M}" if case.claimed_at else "",
            suggestion=_suggested(case, template_names),
            alert_undelivered=bool(getattr(case, "alert_undelivered", False)),
        )


def _day(day: date | datetime, *, year: bool = False) -> str:
    text = f"{day.day} {MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def _duration(delta: timedelta) -> str:
    """ "2 hours, 59 minutes": the largest unit and the next one down if it is not zero, as
    Django's timesince words it, counted in days at most (a queue waits days, not months)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    units = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    first = next((i for i, (n, _) in enumerate(units) if n), len(units) - 1)
    words = [f"{n}\xa0{unit}{'' if n == 1 else 's'}" for n, unit in units[first : first + 2] if n]
    return ", ".join(words) or "0\xa0minutes"


@dataclass(frozen=True, slots=True)
class LevelCount:
    level: Urgency
    count: int
    capped: bool

    @property
    def shown(self) -> str:
        return f"{self.count}+" if self.capped else str(self.count)


@dataclass(frozen=True, slots=True)
class Filters:
    urgency: Urgency | None = None
    status: str = ""
    mine: bool = False
    overdue: bool = False
    q: str = ""
    # Why the search typed was not run (a control character, a text-direction override, nothing
    # visible): said above the results; the rest of the filters still apply.
    search_problem: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> Filters:
        by_key = {level.key: level for level in Urgency}
        status = query.get("status", "")
        q = query.get("q", "").strip()[:SEARCH_MAX_LENGTH]
        # PostgreSQL refuses a NUL in a string outright; the others would search for nothing a
        # person could have typed on purpose.
        problem = text_problem(q)
        return cls(
            urgency=by_key.get(query.get("urgency", "")),
            status=status if status in {"waiting", "claimed"} else "",
            mine=query.get("mine") == "1",
            overdue=query.get("overdue") == "1",
            q=q,
            search_problem=problem,
        )

    @property
    def search(self) -> str:
        """What the queue searches for: nothing when the search typed was refused. The typed
        text stays in the page's links, so that every refresh says why it was refused."""
        return "" if self.search_problem else self.q

    @property
    def active(self) -> bool:
        return bool(self.urgency or self.status or self.mine or self.overdue or self.q)

    def as_query(self) -> dict[str, str]:
        """The filters as query-string pairs, leaving out those not set."""
        pairs = {
            "urgency": self.urgency.key if self.urgency else "",
            "status": self.status,
            "mine": "1" if self.mine else "",
            "overdue": "1" if self.overdue else "",
            "q": self.q,
        }
        return {key: value for key, value in pairs.items() if value}

    def apply(
        self, cases: CaseQuerySet, *, user: AbstractBaseUser | AnonymousUser, now: datetime
    ) -> CaseQuerySet:
        if self.urgency is not None:
            cases = cases.filter(urgency=self.urgency)
        if self.status == "waiting":
            cases = cases.filter(claimed_by__isnull=True)
        elif self.status == "claimed":
            cases = cases.filter(claimed_by__isnull=False)
        if self.mine:
            cases = cases.filter(claimed_by=user.pk)
        if self.overdue:
            cases = cases.filter(due_at__lt=now)
        if self.search:
            # The patient search reception uses: name words, or a ten-digit NHS number.
            cases = cases.filter(patient__in=Patient.objects.search(self.search).values("pk"))
        return cases


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
        if urgency not in Urgency.values or pk > BIGINT_MAX:
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


def _page(cases: CaseQuerySet, *, after: Cursor | None, before: Cursor | None) -> Page:
    """One keyset page (PAGE_SIZE + 1 rows read, to know whether another follows)."""
    if before is not None:
        rows = list(
            cases.filter(before.before()).order_by("urgency", "-opened_at", "-pk")[: PAGE_SIZE + 1]
        )
        more_before = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE][::-1]
        return Page(
            cases=rows,
            next=Cursor.of(rows[-1]) if rows else None,
            previous=Cursor.of(rows[0]) if rows and more_before else None,
        )
    if after is not None:
        cases = cases.filter(after.after())
    rows = list(cases.by_priority()[: PAGE_SIZE + 1])
    more_after = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return Page(
        cases=rows,
        next=Cursor.of(rows[-1]) if rows and more_after else None,
        # A page reached from a cursor has the cases before that cursor behind it.
        previous=Cursor.of(rows[0]) if rows and after is not None else None,
    )


def _capped_counts(now: datetime) -> tuple[list[LevelCount], int, bool]:
    """Open cases per urgency and overdue, each counted to at most COUNT_CAP, in one query.

    Each count reads at most COUNT_CAP + 1 rows: per urgency from the queue's partial index,
    whatever the size of the table.
    """
    levels = sorted(Urgency, reverse=True)
    subqueries = [Case.objects.open().filter(urgency=level).order_by() for level in levels]
    subqueries.append(Case.objects.open().filter(due_at__lt=now).order_by())
    parts: list[str] = []
    params: list[Any] = []
    for n, qs in enumerate(subqueries):
        sql, sub_params = qs.values("pk")[: COUNT_CAP + 1].query.sql_with_params()
        # Django compiled `sql`, and its parameters stay parameters.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped_{n})")  # noqa: S608
        params.extend(sub_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    counted = [min(int(value), COUNT_CAP + 1) for value in row]
    counts = [
        LevelCount(level=level, count=min(n, COUNT_CAP), capped=n > COUNT_CAP)
        for level, n in zip(levels, counted[:-1], strict=True)
    ]
    overdue = counted[-1]
    return counts, min(overdue, COUNT_CAP), overdue > COUNT_CAP


def _url(path: str, filters: Filters, **extra: str) -> str:
    query = urlencode({**filters.as_query(), **extra})
    return f"{path}?{query}" if query else path


@require_GET
@role_required(Role.CLINICIAN)
def queue(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    filters = Filters.from_query(request.GET)
    after_text, before_text = request.GET.get("after", ""), request.GET.get("before", "")
    after = Cursor.parse(after_text)
    before = None if after else Cursor.parse(before_text)
    # A page link the queue did not write (edited, cut short): the top of the queue, and why.
    lost_page = bool(after_text and after is None) or bool(
        before_text and after is None and before is None
    )
    counts, overdue, overdue_capped = _capped_counts(now)
    cases = filters.apply(
        _with_undelivered_alerts(
            _with_latest_answers(
                Case.objects.for_queue().select_related("claimed_by").only(*ROW_FIELDS)
            )
        ),
        user=request.user,
        now=now,
    )
    page = _page(cases, after=after, before=before)
    htmx = getattr(request, "htmx", None)
    if filters.search and not (htmx and htmx.trigger == QUEUE_ELEMENT_ID):
        # A search is a look at the patients it shows; the queue's own refresh is not.
        audit.record_search(
            request=request, query=filters.search, patients=[c.patient_id for c in page.cases]
        )
    # One query whatever the page holds: the names of the programmes triage may suggest.
    template_names = dict(ProgrammeTemplate.objects.filter(active=True).values_list("slug", "name"))
    path = request.path
    url_pattern = reverse("triage:case_detail", args=[_CASE_URL_PLACEHOLDER])
    first_page = after is None and (before is None or page.previous is None)
    # A refresh asks for the same page; at the top, for the top, so that new cases come in.
    here = {} if first_page else {"after": str(after)} if after else {"before": str(before)}
    context = {
        "rows": [
            QueueRow.of(
                case,
                now=now,
                url_pattern=url_pattern,
                user_pk=request.user.pk,
                template_names=template_names,
            )
            for case in page.cases
        ],
        "counts": counts,
        "total": sum(c.count for c in counts),
        "total_capped": any(c.capped for c in counts),
        "overdue": overdue,
        "overdue_capped": overdue_capped,
        "emergencies": counts[0].count,
        "filters": filters,
        "first_page": first_page,
        "first_url": _url(path, filters),
        "refresh_url": _url(path, filters, **here),
        "next_url": _url(path, filters, after=str(page.next)) if page.next else None,
        "previous_url": _url(path, filters, before=str(page.previous)) if page.previous else None,
        "urgency_choices": sorted(Urgency, reverse=True),
        "status_choices": STATUS_CHOICES,
        "page_size": PAGE_SIZE,
        "now": now,
        "refresh_seconds": QUEUE_REFRESH_SECONDS,
        "notices": [
            notice
            for notice in (
                _("Search not run: %(problem)s.") % {"problem": filters.search_problem}
                if filters.search_problem
                else "",
                _("That page of the queue does not exist: this is the top of the queue.")
                if lost_page
                else "",
            )
            if notice
        ],
    }
    # htmx asks for the live part alone (polls, filters, pages); a full page otherwise, and when
    # htmx restores a page from history it has no copy of.
    partial = request.htmx and not request.htmx.history_restore_request  # type: ignore[attr-defined]
    template = "triage/partials/queue_table.html" if partial else "triage/queue.html"
    # Each refresh carries the staff pages' banner too (health/), out of band: a clinician
    # watching the queue sees at once that escalations or alerts have stopped.
    context["health_oob"] = bool(partial)
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-History-Restore-Request"))
    return response
