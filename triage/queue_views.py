"""The clinician queue: open cases, most urgent and longest waiting first.

The page polls itself (htmx) and keeps the clinician's place: the filters, the search and the
page they are on all live in the query string, which every refresh sends back. The reads are
`CaseQuerySet` methods (triage/queries.py): keyset pages, capped counts (COUNT_CAP) and the
latest assessment of each row, in the rows' own query.

Each row says why the patient is there (the most urgent rule that fired), their age at the
clinic's today and where the intake came from. Each refresh carries the page's title (with the
number of emergencies waiting) and the ids of the emergencies, from which static/clinic/queue.js
tells screen readers of an emergency that was not there before, once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_GET

from audit import services as audit
from clinic.roles import Role, role_required
from clinic.text import text_problem
from patients.models import Intake, Patient
from programmes.core.suggest import suggest_template
from programmes.models import ProgrammeTemplate
from triage import rules
from triage.models import Case, CaseQuerySet, Urgency
from triage.queries import Cursor

__all__ = ["Cursor", "queue"]  # Cursor: the queue's page links are written with it

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
# How many emergencies a refresh names by id, to tell a new one from those shown before.
EMERGENCIES_WATCHED = 200
# Where the intake came from, as the queue's narrow column says it (patients.models.Intake.Source).
SOURCE_LABELS: dict[str, object] = {
    Intake.Source.RECEPTION: gettext_lazy("Reception"),
    Intake.Source.CHECK_IN: gettext_lazy("Check-in"),
    Intake.Source.SELF: gettext_lazy("Patient"),
    Intake.Source.IMPORT: gettext_lazy("Import"),
    Intake.Source.DEMO: gettext_lazy("Demo"),
}
# A self-intake of a patient who referred themselves from the clinic's public page.
SELF_REFERRAL_LABEL = gettext_lazy("Self-referral")
_RULE_RANK = {level.name: level.value for level in rules.Urgency}
STATUS_CHOICES = [
    ("", pgettext_lazy("any status", "Any")),
    ("waiting", gettext_lazy("Waiting")),
    ("claimed", gettext_lazy("Claimed")),
]


_CASE_URL_PLACEHOLDER = 987654321
_PLACEHOLDER = str(_CASE_URL_PLACEHOLDER)


@dataclass(frozen=True, slots=True)
class SuggestedProgramme:
    """Triage's programme for a SELF_CARE row, for one-step approval from the queue."""

    name: str
    reason: str


# The element whose every-4-seconds refresh re-asks for the page (templates/triage/partials/
# queue_table.html): its requests say so in HX-Trigger.
QUEUE_ELEMENT_ID = "queue"


def _suggested(case: Case, names: dict[str, str]) -> SuggestedProgramme | None:
    answers = getattr(case, "latest_answers", None)
    if case.urgency != Urgency.SELF_CARE or not isinstance(answers, dict):
        return None
    suggestion = suggest_template(answers, Urgency(case.urgency).key)
    if suggestion is None or suggestion.template not in names:
        return None
    # The reason is marked in programmes.core.suggest (gettext_noop) and translated here.
    return SuggestedProgramme(name=names[suggestion.template], reason=_(suggestion.reason))


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One case as the queue shows it, its words made here: formatting fifty rows through template
    filters cost more than everything else on the page together."""

    case: Case
    pk: int
    overdue: bool
    urgency_class: str
    urgency_label: str
    url: str
    name: str
    born: str
    born_title: str
    age: int
    nhs_number: str
    nhs_text: str
    reason: str
    source: str
    waiting: str
    since: str
    since_title: str
    due: str
    time_left: str
    time_left_text: str
    claimed_by: str
    claimed_by_pk: int | None
    claimed_since: str
    claimed_title: str
    suggestion: SuggestedProgramme | None
    approve_url: str
    change_url: str
    alert_undelivered: bool

    @classmethod
    def of(
        cls,
        case: Case,
        *,
        now: datetime,
        today: date,
        urls: RowUrls,
        words: RowWords,
        template_names: dict[str, str],
    ) -> QueueRow:
        patient, clinician = case.patient, case.claimed_by
        opened, due = timezone.localtime(case.opened_at), timezone.localtime(case.due_at)
        overdue = case.is_overdue(now)
        # The same for every clinician: personal_rows() adds "(you)" for the one who holds it.
        claimed_by = ""
        if clinician is not None:
            claimed_by = clinician.get_full_name() or clinician.get_username()
        born = _day(patient.date_of_birth, words, year=True)
        nhs_number = patient.nhs_number_display if patient.nhs_number else ""
        since = f"{_day(opened, words)}, {opened:%H:%M}"
        time_left = _duration(now - case.due_at if overdue else case.due_at - now, words)
        claimed_since = f"{timezone.localtime(case.claimed_at):%H:%M}" if case.claimed_at else ""
        pk = str(case.pk)
        # The words around each value are translated once a page (RowWords), not by a
        # {% blocktranslate %} in each cell, which cost more than the rest of the row.
        return cls(
            case=case,
            pk=case.pk,
            overdue=overdue,
            urgency_class=f"urgency-{case.urgency_key.lower()}",
            urgency_label=words.urgencies.get(case.urgency, str(case.urgency)),
            url=urls.case.replace(_PLACEHOLDER, pk),
            name=patient.full_name,
            born=born,
            born_title=words.born % {"born": born},
            age=patient.age_on(today),
            nhs_number=nhs_number,
            nhs_text=words.nhs % {"number": nhs_number} if nhs_number else "",
            reason=top_reason(getattr(case, "latest_rules", None)),
            source=str(
                SELF_REFERRAL_LABEL
                if getattr(case, "self_referred", False)
                and getattr(case, "latest_source", None) == Intake.Source.SELF
                else SOURCE_LABELS.get(getattr(case, "latest_source", None) or "", "")
            ),
            waiting=_duration(now - case.opened_at, words),
            since=since,
            since_title=words.since % {"since": since},
            due=f"{words.weekdays[due.weekday()]} {_day(due, words)}, {due:%H:%M}",
            time_left=time_left,
            time_left_text=words.overdue % {"left": time_left} if overdue else time_left,
            claimed_by=claimed_by,
            claimed_by_pk=case.claimed_by_id,
            claimed_since=claimed_since,
            claimed_title=words.since % {"since": claimed_since} if claimed_since else "",
            suggestion=_suggested(case, template_names),
            approve_url=urls.approve.replace(_PLACEHOLDER, pk),
            change_url=urls.change.replace(_PLACEHOLDER, pk),
            alert_undelivered=bool(getattr(case, "alert_undelivered", False)),
        )


# (singular, plural) of each unit a wait is counted in, for ngettext.
_DAYS = ("%(count)d day", "%(count)d days")
_HOURS = ("%(count)d hour", "%(count)d hours")
_MINUTES = ("%(count)d minute", "%(count)d minutes")


@dataclass(frozen=True, slots=True)
class RowWords:
    """The words around a row's values, translated once a page: the month and weekday names the
    date filter uses (django.utils.dates), and each count of a unit the first time a row needs
    it (`counted`, in the language's own plural forms)."""

    you: str
    born: str
    nhs: str
    since: str
    overdue: str
    months: tuple[str, ...]
    weekdays: tuple[str, ...]
    pair: str
    urgencies: dict[int, str]
    counted: dict[tuple[tuple[str, str], int], str] = field(default_factory=dict)

    @classmethod
    def translated(cls) -> RowWords:
        return cls(
            you=_("%(name)s (you)"),
            born=_("Born %(born)s"),
            nhs=_("NHS %(number)s"),
            since=_("Since %(since)s"),
            overdue=_("Overdue by %(left)s"),
            months=tuple(str(MONTHS_3[n]).title() for n in range(1, 13)),
            weekdays=tuple(str(WEEKDAYS_ABBR[n]) for n in range(7)),
            pair=_("%(larger)s, %(smaller)s"),
            # get_urgency_display() per row hashed every lazy label of the choices (a quarter
            # of a row's cost); the labels are translated once a page instead.
            urgencies={int(level): str(level.label) for level in Urgency},
        )

    def count(self, unit: tuple[str, str], n: int) -> str:
        """ "3 hours", its number and unit never parted at the end of a line."""
        text = self.counted.get((unit, n))
        if text is None:
            text = (ngettext(unit[0], unit[1], n) % {"count": n}).replace(" ", "\xa0")
            self.counted[(unit, n)] = text
        return text


@dataclass(frozen=True, slots=True)
class RowUrls:
    """Each row's links, reversed once a page with a placeholder id (`reverse` per row per
    link cost a millisecond a page)."""

    case: str
    approve: str
    change: str

    @classmethod
    def reversed(cls) -> RowUrls:
        args = [_CASE_URL_PLACEHOLDER]
        return cls(
            case=reverse("triage:case_detail", args=args),
            approve=reverse("programmes:approve", args=args),
            change=reverse("programmes:prescribe", args=args),
        )


def top_reason(fired: object) -> str:
    """The reason of the most urgent rule that fired (of the first, on a tie), from an
    assessment's stored `rules`; a weak flag's when no rule with an urgency fired."""
    if not isinstance(fired, list):
        return ""
    stored = [rule for rule in fired if isinstance(rule, dict) and rule.get("reason")]
    if not stored:
        return ""
    top = max(stored, key=lambda rule: _RULE_RANK.get(rule.get("urgency") or "", 0))
    # Marked in triage.rules.ruleset (gettext_noop): a stored reason is translated as it is shown.
    return _(str(top["reason"]))


def _day(day: date | datetime, words: RowWords, *, year: bool = False) -> str:
    text = f"{day.day} {words.months[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def _duration(delta: timedelta, words: RowWords) -> str:
    """ "2 hours, 59 minutes": the largest unit and the next one down if it is not zero, as
    Django's timesince words it, counted in days at most (a queue waits days, not months)."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    units = [(days, _DAYS), (hours, _HOURS), (minutes, _MINUTES)]
    first = next((i for i, (n, _unit) in enumerate(units) if n), len(units) - 1)
    counted = [words.count(unit, n) for n, unit in units[first : first + 2] if n]
    if not counted:
        return words.count(_MINUTES, 0)
    if len(counted) == 1:
        return counted[0]
    return words.pair % {"larger": counted[0], "smaller": counted[1]}


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


@dataclass(frozen=True, slots=True)
class RowLabels:
    """The words a row may show beside its values, translated once a page."""

    alert_undelivered: str
    no_red_flag: str
    nobody_yet: str
    approve: str
    change: str

    @classmethod
    def translated(cls) -> RowLabels:
        return cls(
            alert_undelivered=_("Alert not delivered"),
            no_red_flag=_("No red flag"),
            nobody_yet=_("Nobody yet"),
            approve=_("Approve"),
            change=_("Change"),
        )


# A row of the queue's table. Written here, not in templates/triage/partials/queue_table.html:
# fifty rows of template tags (some thousand lookups, escapes and localisations) cost more than
# the rest of the page together, and the page is asked for every 4 seconds by every clinician.
# format_html escapes every value.
_ROW = (
    '<tr id="case-{pk}"{overdue_class}>'
    '<td><span class="urgency-badge {urgency_class}">{urgency_label}</span>{undelivered}</td>'
    '<td class="case-patient"><a class="patient-link" id="case-{pk}-open" href="{url}">{name}</a>'
    "{nhs}</td>"
    '<td class="case-age text-end"><span title="{born_title}">{age}</span></td>'
    '<td class="case-reason"><span class="queue-reason" title="{reason}">{reason_text}</span></td>'
    '<td class="case-source">{source}</td>'
    '<td class="case-waiting"><span title="{since_title}">{waiting}</span></td>'
    '<td class="case-due">{due}</td>'
    '<td class="case-time-left">{time_left}</td>'
    '<td class="case-claimed-by">{claimed}</td>'
    '<td class="case-suggestion">{suggestion}</td>'
    "</tr>\n"
)
_MUTED = '<span class="text-body-secondary">{}</span>'
_SUGGESTION = (
    '<span class="suggested-programme" title="{reason}">{name}</span> '
    '<form method="post" action="{approve_url}" class="d-inline">{csrf}'
    '<button type="submit" id="case-{pk}-approve" class="btn btn-sm btn-outline-primary py-0">'
    "{approve}</button></form> "
    '<a class="small" id="case-{pk}-change" href="{change_url}">{change}</a>'
)


def row_markup(row: QueueRow, labels: RowLabels, csrf: SafeString) -> SafeString:
    suggestion = row.suggestion
    return format_html(
        _ROW,
        pk=row.pk,
        overdue_class=mark_safe(' class="row-overdue"') if row.overdue else "",
        urgency_class=row.urgency_class,
        urgency_label=row.urgency_label,
        undelivered=format_html('<div class="alert-undelivered">{}</div>', labels.alert_undelivered)
        if row.alert_undelivered
        else "",
        url=row.url,
        name=row.name,
        nhs=format_html(' <span class="small text-body-secondary">{}</span>', row.nhs_text)
        if row.nhs_text
        else "",
        born_title=row.born_title,
        age=row.age,
        reason=row.reason,
        reason_text=row.reason or format_html(_MUTED, labels.no_red_flag),
        source=row.source,
        since_title=row.since_title,
        waiting=row.waiting,
        due=row.due,
        time_left=format_html('<span class="overdue-text">{}</span>', row.time_left_text)
        if row.overdue
        else row.time_left,
        claimed=format_html('<span title="{}">{}</span>', row.claimed_title, row.claimed_by)
        if row.claimed_by
        else format_html(_MUTED, labels.nobody_yet),
        suggestion=format_html(
            _SUGGESTION,
            reason=suggestion.reason,
            name=suggestion.name,
            approve_url=row.approve_url,
            csrf=csrf,
            pk=row.pk,
            approve=labels.approve,
            change_url=row.change_url,
            change=labels.change,
        )
        if suggestion
        else "",
    )


def _queue_title(emergencies: int, *, capped: bool) -> str:
    """The browser tab's title: "(2 emergencies) Queue", or "Queue" when none waits."""
    if not emergencies:
        return _("Queue")
    return ngettext("(%(count)s emergency) Queue", "(%(count)s emergencies) Queue", emergencies) % {
        "count": f"{emergencies}+" if capped else emergencies
    }


def csrf_input(request: HttpRequest) -> SafeString:
    """{% csrf_token %}'s hidden input, made once a page for the rows' forms."""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )


def _url(path: str, filters: Filters, **extra: str) -> str:
    query = urlencode({**filters.as_query(), **extra})
    return f"{path}?{query}" if query else path


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    """One page of the queue as it was at `now`, for one set of filters in one language: its
    counts, the emergencies' ids and its rows with their markup, the same for every clinician
    who asks (the parts that are a clinician's own, "(you)" and the forms' CSRF token, are put
    in per request: `personal_rows`)."""

    now: datetime
    taken: float  # time.monotonic() when it was read
    counts: tuple[LevelCount, ...]
    overdue: int
    overdue_capped: bool
    emergency_ids: tuple[int, ...]
    rows: tuple[QueueRow, ...]
    markup: tuple[SafeString, ...]  # each row's, with CSRF_PLACEHOLDER for the forms' token
    next: Cursor | None
    previous: Cursor | None
    patient_ids: tuple[int, ...]


# A background refresh (the page's own poll, HX-Trigger "queue") may be answered from a snapshot
# this process read at most this long ago: sixty dashboards each refreshing every 4 seconds ask a
# process for the same page several times a second, and reading and writing it once serves them
# all. A new case still shows within QUEUE_REFRESH_SECONDS + this + rendering (under 5 s). A page
# a clinician opens, filters or moves to is always read afresh; so is every search.
QUEUE_SNAPSHOT_SECONDS = 0.5
_SNAPSHOTS_KEPT = 64
_snapshots: dict[tuple[object, ...], QueueSnapshot] = {}
_snapshots_lock = threading.Lock()
# Stands for the page's {% csrf_token %} input in a snapshot's markup. Every value a row shows is
# escaped ("<" becomes "&lt;"), so no patient's details can contain it.
CSRF_PLACEHOLDER = mark_safe("<!--csrf-->")


def forget_snapshots() -> None:
    """Drop this process's queue snapshots (tests that change the queue between two polls)."""
    with _snapshots_lock:
        _snapshots.clear()


def read_snapshot(
    filters: Filters,
    *,
    after: Cursor | None,
    before: Cursor | None,
    user: AbstractBaseUser | AnonymousUser,
    now: datetime,
) -> QueueSnapshot:
    """The page from the database: counts, emergencies, the page's cases, their rows."""
    capped = Case.objects.open().capped_counts(now=now, cap=COUNT_CAP)
    counts = tuple(
        LevelCount(level=Urgency(level), count=c.count, capped=c.capped)
        for level, c in capped.per_level.items()
    )
    emergency_ids = tuple(Case.objects.open().emergency_ids(limit=EMERGENCIES_WATCHED))
    cases = filters.apply(
        Case.objects.for_queue()
        .select_related("claimed_by")
        .only(*ROW_FIELDS)
        .with_latest_assessment()
        .with_undelivered_alerts()
        .with_self_referral(),
        user=user,
        now=now,
    )
    page = cases.keyset_page(after=after, before=before, size=PAGE_SIZE)
    # One query whatever the page holds: the names of the programmes triage may suggest.
    template_names = dict(ProgrammeTemplate.objects.filter(active=True).values_list("slug", "name"))
    urls, words = RowUrls.reversed(), RowWords.translated()
    today = timezone.localdate(now)  # the clinic's today, for the patients' ages
    rows = tuple(
        QueueRow.of(
            case, now=now, today=today, urls=urls, words=words, template_names=template_names
        )
        for case in page.cases
    )
    labels = RowLabels.translated()
    return QueueSnapshot(
        now=now,
        taken=time.monotonic(),
        counts=counts,
        overdue=capped.overdue.count,
        overdue_capped=capped.overdue.capped,
        emergency_ids=emergency_ids,
        rows=rows,
        markup=tuple(row_markup(row, labels, CSRF_PLACEHOLDER) for row in rows),
        next=page.next,
        previous=page.previous,
        patient_ids=tuple(case.patient_id for case in page.cases),
    )


def _snapshot(key: tuple[object, ...] | None, read: Callable[[], QueueSnapshot]) -> QueueSnapshot:
    """`read()`, or this process's snapshot under `key` while it is fresh (no key: always read)."""
    if key is None:
        return read()
    now = time.monotonic()
    found = _snapshots.get(key)
    if found is not None and now - found.taken <= QUEUE_SNAPSHOT_SECONDS:
        return found
    snapshot = read()
    with _snapshots_lock:
        if len(_snapshots) >= _SNAPSHOTS_KEPT:
            for stale in [
                k for k, v in _snapshots.items() if now - v.taken > QUEUE_SNAPSHOT_SECONDS
            ]:
                del _snapshots[stale]
            if len(_snapshots) >= _SNAPSHOTS_KEPT:
                _snapshots.clear()
        _snapshots[key] = snapshot
    return snapshot


def personal_rows(
    snapshot: QueueSnapshot, *, user_pk: object, csrf: SafeString
) -> tuple[list[QueueRow], SafeString]:
    """The snapshot's rows as this clinician sees them: the cases they hold say "(you)", and the
    forms carry their CSRF token."""
    words: RowWords | None = None
    labels: RowLabels | None = None
    rows, parts = [], []
    for row, markup in zip(snapshot.rows, snapshot.markup, strict=True):
        if row.claimed_by_pk is not None and row.claimed_by_pk == user_pk:
            words = words or RowWords.translated()
            labels = labels or RowLabels.translated()
            row = replace(row, claimed_by=words.you % {"name": row.claimed_by})
            markup = row_markup(row, labels, CSRF_PLACEHOLDER)
        rows.append(row)
        parts.append(markup)
    return rows, SafeString("".join(parts).replace(CSRF_PLACEHOLDER, csrf))


@require_GET
@role_required(Role.CLINICIAN)
def queue(request: HttpRequest) -> HttpResponse:
    filters = Filters.from_query(request.GET)
    after_text, before_text = request.GET.get("after", ""), request.GET.get("before", "")
    after = Cursor.parse(after_text)
    before = None if after else Cursor.parse(before_text)
    # A page link the queue did not write (edited, cut short): the top of the queue, and why.
    lost_page = bool(after_text and after is None) or bool(
        before_text and after is None and before is None
    )
    htmx = getattr(request, "htmx", None)
    polled = bool(htmx and htmx.trigger == QUEUE_ELEMENT_ID)
    key = (
        (
            translation.get_language(),
            tuple(sorted(filters.as_query().items())),
            request.user.pk if filters.mine else None,
            after_text,
            before_text,
        )
        if polled and not filters.q
        else None
    )
    snapshot = _snapshot(
        key,
        lambda: read_snapshot(
            filters, after=after, before=before, user=request.user, now=timezone.now()
        ),
    )
    now, counts = snapshot.now, list(snapshot.counts)
    if filters.search and not polled:
        # A search is a look at the patients it shows; the queue's own refresh is not.
        audit.record_search(
            request=request, query=filters.search, patients=list(snapshot.patient_ids)
        )
    path = request.path
    first_page = after is None and (before is None or snapshot.previous is None)
    # A refresh asks for the same page; at the top, for the top, so that new cases come in.
    here = {} if first_page else {"after": str(after)} if after else {"before": str(before)}
    emergencies = counts[0].count
    rows, rows_markup = personal_rows(snapshot, user_pk=request.user.pk, csrf=csrf_input(request))
    context = {
        "page_title": _queue_title(emergencies, capped=counts[0].capped),
        "emergency_ids": " ".join(str(pk) for pk in snapshot.emergency_ids),
        "emergency_news": ngettext(
            "New emergency in the queue: %(count)s emergency waiting.",
            "New emergency in the queue: %(count)s emergencies waiting.",
            emergencies,
        )
        % {"count": counts[0].shown},
        "rows": rows,
        "counts": counts,
        "total": sum(c.count for c in counts),
        "total_capped": any(c.capped for c in counts),
        "overdue": snapshot.overdue,
        "overdue_capped": snapshot.overdue_capped,
        "emergencies": emergencies,
        "filters": filters,
        "first_page": first_page,
        "first_url": _url(path, filters),
        "refresh_url": _url(path, filters, **here),
        "next_url": _url(path, filters, after=str(snapshot.next)) if snapshot.next else None,
        "previous_url": (
            _url(path, filters, before=str(snapshot.previous)) if snapshot.previous else None
        ),
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
    context["partial"] = bool(partial)
    context["rows_markup"] = rows_markup
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-History-Restore-Request"))
    return response
