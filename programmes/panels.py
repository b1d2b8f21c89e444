"""The case page's programme panel (registered in ProgrammesConfig.ready(), triage/panels.py):
the programmes prescribed from the case, with their check-ins, history and charts, and the forms
to act on each (a refused one as the clinician filled it in)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from programmes import check_ins, emails, ndi
from programmes.core import charts
from programmes.forms import ResumeForm, ReviewForm, StopForm
from programmes.models import CheckIn, Programme, ProgrammeEvent, ProgrammePhase
from programmes.screen import SCREEN_QUESTIONS_BY_FIELD
from triage.models import Case

ProgrammeForm = ResumeForm | StopForm | ReviewForm


def case_context(
    request: HttpRequest, case: Case, state: Mapping[int, ProgrammeForm] | None
) -> dict[str, object]:
    """`state`: a refused form per programme, from the programme views (views._case_page_again)."""
    return {"programme_panels": case_programmes(case, bound=state)}


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


@dataclass(slots=True)
class CheckInRow:
    check_in: CheckIn
    ndi_band: str
    red_flags: list[str]
    can_record: bool = False  # open: staff may enter the patient's answers (by phone, at a visit)
    entered: str = ""  # who entered it for the patient, and how


@dataclass(slots=True)
class EventRow:
    at: datetime
    title: str
    who: str
    detail: str


@dataclass(slots=True)
class ProgrammePanel:
    programme: Programme
    phases: list[ProgrammePhase]
    current: ProgrammePhase | None
    check_ins: list[CheckInRow]
    events: list[EventRow]
    chart: charts.ProgrammeCharts
    days: str
    resume_form: ResumeForm
    stop_form: StopForm
    review_form: ReviewForm
    refused: bool = False  # a refused form is shown even if the programme moved on meanwhile
    by_email: bool = True  # False: the patient has no email (or no consent), so the handout


def case_programmes(
    case: Case, *, bound: Mapping[int, ProgrammeForm] | None = None
) -> list[ProgrammePanel]:
    """The programmes prescribed from this case, most recent first, with their check-ins,
    history and charts: four queries, however many there are. `bound` holds a refused form per
    programme, shown as the clinician filled it in."""
    programmes = list(
        Programme.objects.filter(case=case)
        .select_related("template", "prescribed_by", "patient")
        .prefetch_related(
            Prefetch("phases", queryset=ProgrammePhase.objects.order_by("position")),
            Prefetch(
                "check_ins", queryset=CheckIn.objects.select_related("entered_by").order_by("week")
            ),
            Prefetch(
                "events", queryset=ProgrammeEvent.objects.select_related("by").order_by("at", "pk")
            ),
        )
        .order_by("-prescribed_at", "-pk")
    )
    return [_panel(programme, (bound or {}).get(programme.pk)) for programme in programmes]


def _who(event: ProgrammeEvent) -> str:
    if event.by is not None:
        return _name(event.by)
    return _("the patient") if event.by_patient else _("the system")


def _entered(check_in: CheckIn) -> str:
    if check_in.entered_by is None:
        return ""
    return _("%(how)s, entered by %(name)s") % {
        "how": check_in.get_entered_how_display(),
        "name": _name(check_in.entered_by),
    }


def _chart_number(value: float) -> str:
    """A chart's score in the active language: "11.5" in English, "11,5" in German."""
    return number_format(Decimal(charts.plain_number(value)))


def chart_labels() -> charts.Labels:
    """The words drawn in the case page's charts, in the active language (the staff member's)."""
    return charts.Labels(
        # Translators: a week on a chart's axis, as short as possible ("Wk 4").
        week=_("Wk %(week)s"),
        # Translators: the pain chart's line at the patient's starting pain, e.g. "Start: 5/10".
        pain_start=_("Start: %(value)s/10"),
        # Translators: the pain chart's line 2 points below the start, e.g. "Improved: 3/10 or less".
        pain_improved=_("Improved: %(value)s/10 or less"),
        # Translators: the pain chart's red zone, 2 points above the start and up.
        pain_worse=_("Worse: %(value)s/10 or more re-enters triage"),
        # Translators: the NDI chart's line at the first score, e.g. "Start: 18/50".
        ndi_start=_("Start: %(value)s/50"),
        # Translators: the NDI chart's line 5 points below the first score.
        ndi_improved=_("Improved: %(value)s/50 or less"),
        number=_chart_number,
    )


def _panel(programme: Programme, refused: ProgrammeForm | None = None) -> ProgrammePanel:
    phases = list(programme.phases.all())
    # What the check-in service would take now (check_ins.complete_check_in).
    opens_by = timezone.now() + settings.PROGRAMME_CHECK_IN_EARLY
    every_check_in = list(programme.check_ins.all())
    # "Worse" on the chart is what the check-in judges worse.
    baseline = check_ins.baseline_pain(programme)
    readings = [
        charts.Reading(
            week=c.week,
            pain=c.pain,
            ndi_points=float(c.ndi_points) if c.ndi_points is not None else None,
            sessions_done=c.sessions_done,
            sessions_planned=c.sessions_planned,
        )
        for c in every_check_in
        if c.completed_at is not None
    ]
    return ProgrammePanel(
        programme=programme,
        phases=phases,
        current=next((p for p in phases if p.position == programme.current_phase), None),
        check_ins=[
            CheckInRow(
                check_in=c,
                ndi_band=str(ndi.BAND_LABELS[ndi.band_for(float(c.ndi_points))])
                if c.ndi_points is not None
                else "",
                red_flags=[
                    SCREEN_QUESTIONS_BY_FIELD[name].finding
                    if name in SCREEN_QUESTIONS_BY_FIELD
                    else name
                    for name in c.red_flags
                ],
                can_record=programme.is_live and c.completed_at is None and c.due_at <= opens_by,
                entered=_entered(c),
            )
            for c in every_check_in
        ],
        events=[
            EventRow(at=e.at, title=e.get_kind_display(), who=_who(e), detail=e.detail)
            for e in programme.events.all()
        ],
        chart=charts.programme_charts(
            readings,
            baseline_pain=baseline,
            weeks=[c.week for c in every_check_in],
            labels=chart_labels(),
        ),
        days=", ".join(str(WEEKDAYS_ABBR[d]) for d in sorted(programme.training_days))
        or _("None chosen"),
        resume_form=refused
        if isinstance(refused, ResumeForm)
        else ResumeForm.for_programme(programme.pk),
        stop_form=refused
        if isinstance(refused, StopForm)
        else StopForm.for_programme(programme.pk),
        review_form=refused
        if isinstance(refused, ReviewForm)
        else ReviewForm.for_programme(programme.pk),
        refused=refused is not None,
        by_email=emails.can_email(programme.patient),
    )
