"""The dashboard and its CSVs: the clinic lead's (and an admin's), nobody else's; the figures on
the page and in each CSV are the known history's; a bad period is said beside its field; the
overrides report takes the same period and audits the patients it names."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from outcomes import views
from tests.outcomes.history import PERIOD, History, seed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

QUERY = {"start": PERIOD.start.isoformat(), "end": PERIOD.end.isoformat()}


@pytest.fixture
def history(db: None) -> History:
    return seed()


def _csv(response: object) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))  # type: ignore[attr-defined]


def test_only_the_clinic_lead_and_admins_see_the_dashboard(
    lead_client: Client,
    admin_client_: Client,
    clinician_client: Client,
    reception_client: Client,
    client: Client,
) -> None:
    url = reverse("outcomes:dashboard")
    assert lead_client.get(url).status_code == 200
    assert admin_client_.get(url).status_code == 200
    assert clinician_client.get(url).status_code == 403
    assert reception_client.get(url).status_code == 403
    assert client.get(url).status_code == 302  # to sign in
    for figure in views.FIGURES:
        assert (
            clinician_client.get(reverse("outcomes:figure_csv", args=[figure])).status_code == 403
        )


def test_the_dashboard_shows_the_figures_with_charts_tables_and_definitions(
    history: History, lead_client: Client
) -> None:
    response = lead_client.get(reverse("outcomes:dashboard"), QUERY)

    html = response.content.decode()
    assert response.status_code == 200
    for chart in ("deadlines", "alerts", "overrides", "emergencies", "pain", "ndi"):
        assert f'id="chart-{chart}"' in html
        assert f'aria-labelledby="chart-{chart}-title chart-{chart}-desc"' in html
    assert '<td data-field="cases_acknowledged">3 (60.0%)</td>' in html
    assert '<td id="dead-total">2</td>' in html
    assert "Vernon" in html and "Childs" in html  # the thresholds' sources
    board = response.context["data"]
    assert board.alerts.cases_escalated == 2
    assert [row.decided for row in board.deadlines] == [2, 3, 1, 1, 1, 8]


def test_each_figure_downloads_as_csv(history: History, lead_client: Client) -> None:
    def rows(figure: str) -> list[list[str]]:
        response = lead_client.get(reverse("outcomes:figure_csv", args=[figure]), QUERY)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        return _csv(response)

    deadlines = rows("deadlines")
    assert deadlines[1] == ["EMERGENCY", "2", "1", "50.0", "5.0", "7.4", "20.0", "28.0"]
    assert deadlines[-1][:4] == ["ALL", "8", "5", "62.5"]
    assert ["cases_acknowledged", "3"] in rows("alerts")
    assert rows("dead-emails")[1:] == [["clinician_alert", "1"], ["programme_reminder", "1"]]
    assert rows("overrides-per-week")[1:] == [["2026-03-02", "1", "1"], ["2026-03-09", "1", "0"]]
    assert rows("overrides-per-rule")[1:] == [
        ["2026-03-02", "RULE_A", "lowered", "1"],
        ["2026-03-02", "RULE_B", "raised", "1"],
        ["2026-03-02", "RULE_B", "lowered", "1"],
        ["2026-03-09", "(no rule fired)", "raised", "1"],
    ]
    assert rows("emergencies")[1:] == [["2026-03-02", "2"], ["2026-03-09", "1"]]
    programmes = rows("programmes")
    t1 = history.templates[0]
    assert programmes[1][:5] == [t1.name, "3", "2", "1", "50.0"]
    assert programmes[1][10] == "71.4"  # adherence 10 of 14


def test_an_unknown_figure_is_404(lead_client: Client) -> None:
    assert lead_client.get(reverse("outcomes:figure_csv", args=["nothing"])).status_code == 404


def test_a_bad_period_is_said_beside_its_field_and_the_default_period_shown(
    lead_client: Client,
) -> None:
    response = lead_client.get(
        reverse("outcomes:dashboard"), {"start": "2026-03-10", "end": "2026-03-01"}
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert "There is a problem" in html
    assert 'id="id_end-error"' in html
    assert 'value="2026-03-10"' in html  # what was typed is kept
    far = lead_client.get(reverse("outcomes:dashboard"), {"start": "9999-12-31"})
    assert far.status_code == 200 and 'id="id_start-error"' in far.content.decode()


def test_the_overrides_report_takes_the_period_and_audits_the_patients_it_names(
    history: History, lead_client: Client, lead: User
) -> None:
    response = lead_client.get(reverse("triage:overrides"), QUERY)

    assert response.status_code == 200
    rows = {row.rule_id: (row.raised, row.lowered) for row in response.context["rows"]}
    assert rows == {"RULE_A": (0, 1), "RULE_B": (1, 1), "(no rule fired)": (1, 0)}
    b = next(row for row in response.context["rows"] if row.rule_id == "RULE_B")
    assert (b.raised_by_week, b.lowered_by_week) == ([1, 0], [1, 0])
    html = response.content.decode()
    assert history.cases["E1"].patient.full_name in html
    assert history.cases["U2"].patient.full_name not in html  # its override was before
    seen = set(
        AuditEvent.objects.filter(actor=lead, record="overrides per rule").values_list(
            "patient_id", flat=True
        )
    )
    assert seen == {history.cases[name].patient_id for name in ("E1", "U1", "R1")}
    export = lead_client.get(reverse("triage:overrides"), QUERY | {"format": "csv"})
    assert _csv(export)[0] == ["week_starting", "rule", "direction", "overrides"]
    assert AuditEvent.objects.filter(
        actor=lead, action=AuditEvent.Action.EXPORT, record="overrides per rule (CSV)"
    ).exists()


# Nonsense a hand-edited or stale link may carry; each is refused beside its field (or ignored),
# never a 500. "Today" is the clock's: Sunday 25 October 2026.
REFUSED_PERIODS = [
    ({"start": "abc"}, "start"),
    ({"end": "2026-02-30"}, "end"),
    ({"start": "2026-03-10", "end": "2026-03-01"}, "end"),  # the start after the end
    ({"start": "1900-01-01"}, "start"),
    ({"end": "99999-01-01"}, "end"),
    ({"start": "2026-03-01\x00"}, "start"),
    ({"start": "x" * 10_000}, "start"),
    ({"start": "2026-W10"}, "start"),
    ({"start": "2026-10-26"}, "start"),  # tomorrow, no end: the end would be today, before it
    ({"start": "2030-01-01", "end": "2030-01-31"}, "start"),  # wholly after today
]


@pytest.mark.usefixtures("clock")
@pytest.mark.parametrize(("query", "field"), REFUSED_PERIODS)
def test_a_nonsense_period_is_refused_beside_its_field_on_the_page_and_by_every_export(
    lead_client: Client, query: dict[str, str], field: str
) -> None:
    page = lead_client.get(reverse("outcomes:dashboard"), query)
    assert page.status_code == 200
    assert f'id="id_{field}-error"' in page.content.decode()
    overrides_page = lead_client.get(reverse("triage:overrides"), query)
    assert overrides_page.status_code == 200
    assert f'id="id_{field}-error"' in overrides_page.content.decode()
    for url in (reverse("outcomes:figure_csv", args=[figure]) for figure in views.FIGURES):
        response = lead_client.get(url, query)
        assert response.status_code == 400, url
        assert response["Content-Type"].startswith("text/plain")
        assert "Nothing was exported: the period was refused." in response.content.decode()
    refused = lead_client.get(reverse("triage:overrides"), {**query, "format": "csv"})
    assert refused.status_code == 400
    assert "the period was refused" in refused.content.decode()


@pytest.mark.usefixtures("clock")
@pytest.mark.parametrize(
    "query",
    [
        {"foo": "bar"},  # not a field: the default period
        {"start": "2026-03-01", "end": ""},  # no end: up to today
        {"start": ["2026-01-01", "2026-02-01"]},  # repeated: the last one
        {"start": "2026-10-25", "end": "2030-12-31"},  # ends after today: counted up to now
    ],
)
def test_a_period_the_form_can_read_is_shown_and_exported(
    lead_client: Client, query: dict[str, Any]
) -> None:
    page = lead_client.get(reverse("outcomes:dashboard"), query)
    assert page.status_code == 200 and "There is a problem" not in page.content.decode()
    for figure in views.FIGURES:
        assert (
            lead_client.get(reverse("outcomes:figure_csv", args=[figure]), query).status_code == 200
        )


@pytest.mark.usefixtures("clock")
def test_a_period_with_nothing_in_it_says_so(history: History, lead_client: Client) -> None:
    before = lead_client.get(
        reverse("outcomes:dashboard"), {"start": "2025-01-01", "end": "2025-01-31"}
    )
    assert 'id="period-empty"' in before.content.decode()
    during = lead_client.get(reverse("outcomes:dashboard"), QUERY)
    assert 'id="period-empty"' not in during.content.decode()
