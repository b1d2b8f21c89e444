"""The clinic lead's dashboard (figures, charts, each figure as CSV) and the clinician's list of
programmes flagged for review."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from audit import services as audit
from audit.views import lead_required
from clinic.params import parse_id
from clinic.periods import Period, PeriodForm
from clinic.roles import Role, role_required
from outcomes import charts, non_responders, reports
from outcomes.models import NonResponderFlag
from triage import overrides


def _percent_or_blank(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}"


def _minutes(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.1f}"


@require_GET
@lead_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    period = form.period()
    data = reports.dashboard(period)
    by_urgency = data.deadlines[:-1]
    week_labels = [week.strftime("%d %b") for week in period.weeks()]
    a = data.alerts
    context = {
        "period_form": form,
        "period": period,
        "data": data,
        "query": _period_query(period),
        "rule": non_responders.rule(),
        "non_responder_source": non_responders.SOURCE,
        "drop_out_days": reports.DROP_OUT_DAYS,
        "pain_points": reports.PAIN_POINTS,
        "ndi_points": reports.NDI_POINTS,
        "deadline_chart": charts.bar_chart(
            [str(row.label) for row in by_urgency],
            [(_("Decided within the deadline"), [row.share_in_time or 0 for row in by_urgency])],
            percent=True,
        ),
        "alerts_chart": charts.bar_chart(
            [_("Alerted"), _("Acknowledged"), _("Escalated")],
            [(_("Cases"), [a.cases_alerted, a.cases_acknowledged, a.cases_escalated])],
        ),
        "overrides_chart": charts.bar_chart(
            week_labels,
            [
                (_("Raised"), [w.raised for w in data.overrides_per_week]),
                (_("Lowered"), [w.lowered for w in data.overrides_per_week]),
            ],
        ),
        "emergencies_chart": charts.bar_chart(
            week_labels,
            [(_("Emergencies"), [w.count for w in data.emergencies_per_week])],
        ),
        "pain_chart": charts.bar_chart(
            [row.template for row in data.programmes],
            [(_("Pain improved"), [row.share_pain or 0 for row in data.programmes])],
            percent=True,
        ),
        "ndi_chart": charts.bar_chart(
            [row.template for row in data.programmes],
            [(_("NDI improved"), [row.share_ndi or 0 for row in data.programmes])],
            percent=True,
        ),
    }
    return render(request, "outcomes/dashboard.html", context)


def _period_query(period: Period) -> str:
    return f"start={period.start.isoformat()}&end={period.end.isoformat()}"


# --- Each figure as CSV ------------------------------------------------------------------------

Rows = Iterable[Sequence[object]]


def _deadlines_csv(period: Period) -> tuple[Sequence[str], Rows]:
    columns = (
        "urgency",
        "decided",
        "decided_within_deadline",
        "share_within_deadline_percent",
        "claim_median_minutes",
        "claim_p90_minutes",
        "decision_median_minutes",
        "decision_p90_minutes",
    )
    rows = [
        (
            row.key,
            row.decided,
            row.in_time,
            _percent_or_blank(row.share_in_time),
            _minutes(row.claim_median_s),
            _minutes(row.claim_p90_s),
            _minutes(row.decision_median_s),
            _minutes(row.decision_p90_s),
        )
        for row in reports.deadlines(period)
    ]
    return columns, rows


def _alerts_csv(period: Period) -> tuple[Sequence[str], Rows]:
    a = reports.alerts(period)
    return ("figure", "value"), [
        ("alert_emails", a.alert_emails),
        ("alert_emails_sent", a.alert_emails_sent),
        ("alert_emails_dead", a.alert_emails_dead),
        ("cases_alerted", a.cases_alerted),
        ("cases_acknowledged", a.cases_acknowledged),
        ("cases_escalated", a.cases_escalated),
        ("escalation_emails", a.escalation_emails),
        ("escalation_emails_sent", a.escalation_emails_sent),
    ]


def _dead_emails_csv(period: Period) -> tuple[Sequence[str], Rows]:
    return ("kind", "dead"), [(kind, n) for kind, _label, n in reports.dead_emails(period).by_kind]


def _overrides_csv(period: Period) -> tuple[Sequence[str], Rows]:
    rows = sorted(
        overrides.per_rule_and_week(period.starts_at, period.ends_at),
        key=lambda r: (r[0], r[1], not r[2]),
    )
    return ("week_starting", "rule", "direction", "overrides"), [
        (week.isoformat(), rule_id, "raised" if raised else "lowered", n)
        for week, rule_id, raised, n in rows
    ]


def _overrides_weekly_csv(period: Period) -> tuple[Sequence[str], Rows]:
    return ("week_starting", "raised", "lowered"), [
        (w.week.isoformat(), w.raised, w.lowered) for w in reports.overrides_per_week(period)
    ]


def _emergencies_csv(period: Period) -> tuple[Sequence[str], Rows]:
    return ("week_starting", "emergencies"), [
        (w.week.isoformat(), w.count) for w in reports.emergencies_per_week(period)
    ]


def _programmes_csv(period: Period) -> tuple[Sequence[str], Rows]:
    columns = (
        "template",
        "prescribed",
        "pain_followed_up",
        "pain_improved_2_points",
        "pain_improved_percent",
        "ndi_followed_up",
        "ndi_improved_5_points",
        "ndi_improved_percent",
        "sessions_done",
        "sessions_planned",
        "adherence_percent",
        "dropped_out",
        "dropped_out_percent",
        "check_ins_answered",
        "check_ins_back_to_triage",
        "back_to_triage_percent",
        "programmes_back_to_triage",
    )
    rows = [
        (
            r.template,
            r.prescribed,
            r.pain_followed,
            r.pain_reached,
            _percent_or_blank(r.share_pain),
            r.ndi_followed,
            r.ndi_reached,
            _percent_or_blank(r.share_ndi),
            r.sessions_done,
            r.sessions_planned,
            _percent_or_blank(r.adherence),
            r.dropped_out,
            _percent_or_blank(r.share_dropped_out),
            r.check_ins_answered,
            r.check_ins_to_triage,
            _percent_or_blank(r.share_to_triage),
            r.programmes_to_triage,
        )
        for r in reports.programmes(period)
    ]
    return columns, rows


FIGURES: dict[str, Callable[[Period], tuple[Sequence[str], Rows]]] = {
    "deadlines": _deadlines_csv,
    "alerts": _alerts_csv,
    "dead-emails": _dead_emails_csv,
    "overrides-per-week": _overrides_weekly_csv,
    "overrides-per-rule": _overrides_csv,
    "emergencies": _emergencies_csv,
    "programmes": _programmes_csv,
}


@require_GET
@lead_required
def figure_csv(request: HttpRequest, figure: str) -> HttpResponse:
    build = FIGURES.get(figure)
    if build is None:
        raise Http404("No such figure")
    form = PeriodForm(request.GET or None)
    if (refused := form.refused()) is not None:
        return refused
    period = form.period()
    columns, rows = build(period)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="outcomes-{figure}-{period.start}-{period.end}.csv"'
    )
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow(columns)
    writer.writerows(rows)
    return response


# --- Programmes flagged for review -------------------------------------------------------------


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What you decided (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@require_GET
@role_required(Role.CLINICIAN)
def review(request: HttpRequest) -> HttpResponse:
    """Programmes flagged for review and not yet reviewed: the clinician's own first, then the
    rest. It names patients, so each look is audited, a row for every patient it showed."""
    flags = list(
        NonResponderFlag.objects.filter(reviewed_at__isnull=True)
        .select_related("programme__patient", "clinician")
        .order_by("flagged_at", "pk")[:500]
    )
    mine = [f for f in flags if f.clinician_id == request.user.pk]
    others = [f for f in flags if f.clinician_id != request.user.pk]
    audit.record_list_view(
        request=request,
        record="programmes to review",
        patients=[f.programme.patient_id for f in flags],
    )
    return render(
        request,
        "outcomes/review.html",
        {"mine": mine, "others": others, "form": ReviewForm(), "rule": non_responders.rule()},
    )


@require_POST
@role_required(Role.CLINICIAN)
def reviewed(request: HttpRequest, pk: int) -> HttpResponse:
    flag_id = parse_id(str(pk))
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The note is too long: keep it to 2,000 characters."))
        return redirect("outcomes:review")
    try:
        non_responders.mark_reviewed(
            flag_id=flag_id, clinician=cast(User, request.user), note=form.cleaned_data["note"]
        )
    except NonResponderFlag.DoesNotExist:
        raise Http404("No such flag") from None
    messages.success(request, _("Marked as reviewed."))
    next_url = request.POST.get("next", "")
    if next_url == "case":
        flag = NonResponderFlag.objects.only("case_id").get(pk=flag_id)
        return redirect("triage:case_detail", pk=flag.case_id)
    return redirect("outcomes:review")
