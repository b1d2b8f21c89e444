"""A trial of a changed rule set on a seeded history: what it raises and lowers, per rule and
overall, every case it lowers, and the overrides it makes unnecessary."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from governance import services
from governance.models import Trial, TrialRun
from tests.governance.conftest import intake_aged
from tests.patients.helpers import make_user
from triage import services as triage
from triage.models import Urgency
from triage.rules import registry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
CANDIDATE = (
    "2026.2-rc1"  # first episode over 50 counts (was 55); the paediatric rule under 16 (was 18)
)


@pytest.fixture
def history(receptionist: User, clinician: User) -> dict[str, object]:
    """Four patients triaged by 2026.1, one overridden by a clinician."""
    teen = intake_aged(17, entered_by=receptionist)  # ROUTINE (under 18) -> SELF_CARE: lowered
    fifties = intake_aged(  # one weak flag -> two (first episode at 52): ROUTINE -> SOON
        52, entered_by=receptionist, night_pain_unrelieved_by_rest=True,
        previous_similar_episodes=False,
    )  # fmt: skip
    ordinary = intake_aged(40, entered_by=receptionist)  # SELF_CARE either way
    child = intake_aged(12, entered_by=receptionist)  # ROUTINE either way (under 16 too)
    override = triage.override_urgency(
        case_id=fifties.assessment.case_id,
        clinician=clinician,
        to_urgency=Urgency.SOON,
        reason="First episode at 52 with night pain: seen this week",
    )
    return {"teen": teen, "fifties": fifties, "ordinary": ordinary, "child": child,
            "override": override}  # fmt: skip


def test_a_changed_rule_is_tried_on_a_seeded_history_and_every_lowered_case_is_listed(
    history: dict[str, object],
) -> None:
    teen, fifties = history["teen"], history["fifties"]
    assert teen.assessment.urgency == Urgency.ROUTINE  # type: ignore[attr-defined]
    assert fifties.assessment.urgency == Urgency.ROUTINE  # type: ignore[attr-defined]

    report, _seconds = services.evaluate(CANDIDATE)

    assert report["intakes"] == 4
    assert report["reproduced"] == 4 and report["not_reproduced"] == 0
    assert (report["raised"], report["lowered"], report["unchanged"]) == (1, 1, 2)
    assert report["raised_by"] == {"1": 1} and report["lowered_by"] == {"1": 1}
    assert report["transitions"]["ROUTINE"]["SELF_CARE"] == 1
    assert report["transitions"]["ROUTINE"]["SOON"] == 1
    [lowered] = report["lowered_cases"]
    assert lowered["intake"] == teen.pk  # type: ignore[attr-defined]
    assert (lowered["from"], lowered["to"], lowered["levels"]) == ("ROUTINE", "SELF_CARE", 1)
    assert lowered["rules_then"] == ["MINOR_UNDER_18"] and lowered["rules_now"] == []
    rules = report["per_rule"]
    assert rules["MINOR_UNDER_18"]["stopped"] == 2 and rules["MINOR_UNDER_18"]["lowered"] == 1
    assert rules["MINOR_UNDER_16"]["started"] == 1 and rules["MINOR_UNDER_16"]["lowered"] == 0
    assert rules["AGE_NEW_ONSET"]["started"] == 1 and rules["AGE_NEW_ONSET"]["raised"] == 1
    assert rules["TWO_WEAK_FLAGS"]["raised_by"] == {"1": 1}
    assert [o["override"] for o in report["overrides_unnecessary"]] == [history["override"].pk]  # type: ignore[attr-defined]
    assert report["overrides"] == 1


def test_the_released_version_tried_on_its_own_history_changes_nothing(
    history: dict[str, object],
) -> None:
    report, _seconds = services.evaluate("2026.1")
    assert (report["raised"], report["lowered"], report["unchanged"]) == (0, 0, 4)
    assert report["lowered_cases"] == [] and report["overrides_unnecessary"] == []


def test_a_date_range_takes_only_the_intakes_assessed_in_it(history: dict[str, object]) -> None:
    teen = history["teen"]
    day = teen.assessment.created_at.date()  # type: ignore[attr-defined]
    assert services.evaluate(CANDIDATE, date_from=day, date_to=day)[0]["intakes"] == 4
    before = day.replace(year=day.year - 1)
    assert services.evaluate(CANDIDATE, date_to=before)[0]["intakes"] == 0


def test_an_assessment_its_own_version_does_not_reproduce_is_counted_and_named(
    receptionist: User,
) -> None:
    from patients.models import Intake
    from tests.rules.answers import mapping
    from triage.models import Assessment

    honest = intake_aged(40, entered_by=receptionist)
    case = honest.assessment.case
    # As if 2026.1 had said URGENT of ordinary answers (a release edited after the fact), and an
    # assessment by a version this release does not hold.
    for version, urgency in (("2026.1", Urgency.URGENT), ("1999.9", Urgency.SELF_CARE)):
        odd = Intake.objects.create(
            patient=case.patient, answers=mapping(age=40), contract_version="intake/1"
        )
        Assessment.objects.create(intake=odd, case=case, urgency=urgency, rules=[], ruleset=version)
    report, _ = services.evaluate("2026.1")
    assert report["reproduced"] == 1 and report["not_reproduced"] == 1
    assert report["not_reproduced_intakes"] == [odd.pk - 1]
    assert report["unknown_versions"] == {"1999.9": 1}
    assert report["lowered"] == 1  # URGENT then, SELF_CARE now: under-triage, listed


def test_the_command_prints_every_lowered_case_and_keeps_the_trial(
    history: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("rule_trial", CANDIDATE, "--keep")
    out = capsys.readouterr().out
    teen = history["teen"]
    assert f"LOWERED intake {teen.pk}" in out  # type: ignore[attr-defined]
    assert "ROUTINE -> SELF_CARE" in out
    assert "Overrides it would have made unnecessary: 1 of 1" in out
    trial = Trial.objects.get()
    assert trial.run_by is None and trial.lowered == 1
    assert trial.candidate_fingerprint == registry.fingerprint(CANDIDATE)
    assert AuditEvent.objects.filter(record=f"rule trial {trial.pk}").exists()


def test_the_trial_page_shows_lowered_cases_in_red_and_in_words(
    history: dict[str, object], officer_client: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks() as handed_over:
        response = officer_client.post(
            reverse("governance:trial_new"),
            {"candidate": CANDIDATE, "date_from": "", "date_to": ""},
        )
    run = TrialRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("governance:trial_run", args=[run.pk])
    assert len(handed_over) == 1  # the task, handed to the broker once committed
    services.run_trial_run(run_id=run.pk)  # what the worker does with it
    trial = Trial.objects.get()
    page = officer_client.get(response["Location"]).content.decode()
    trial_url = reverse("governance:trial", args=[trial.pk])
    assert f'href="{trial_url}"' in page
    page = officer_client.get(trial_url).content.decode()
    assert 'class="table-danger trial-lowered-case"' in page
    assert "<strong>Lowered</strong>: Routine &darr; Self-care" in page
    assert reverse("triage:case_detail", args=[history["teen"].assessment.case_id]) in page  # type: ignore[attr-defined]
    assert "1 of the 1 clinicians" in page


def test_a_double_submit_starts_one_run(
    history: dict[str, object], officer_client: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    data = {"candidate": CANDIDATE, "submission_token": "6f1c1c5e-4f4a-4d39-9f61-6bb7b7d3f001"}
    with django_capture_on_commit_callbacks() as handed_over:
        first = officer_client.post(reverse("governance:trial_new"), data)
        second = officer_client.post(reverse("governance:trial_new"), data)
    assert first["Location"] == second["Location"]
    assert TrialRun.objects.count() == 1
    assert len(handed_over) == 1


def test_a_last_day_before_the_first_is_refused_beside_its_field(officer_client: Client) -> None:
    response = officer_client.post(
        reverse("governance:trial_new"),
        {"candidate": CANDIDATE, "date_from": "2026-05-02", "date_to": "2026-05-01"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "The last day must not be before the first." in page
    assert 'value="2026-05-02"' in page  # nothing entered is lost
    assert not Trial.objects.exists()


@pytest.mark.parametrize("role", ["reception", "clinician"])
def test_only_the_safety_officer_and_the_clinic_lead_open_governance(role: str) -> None:
    from tests.support.two_factor import sign_in

    client = sign_in(Client(), make_user(role=role))
    assert client.get(reverse("governance:index")).status_code == 403
    assert client.get(reverse("governance:hazards")).status_code == 403
    assert client.post(reverse("governance:trial_new"), {"candidate": CANDIDATE}).status_code == 403


def test_signed_out_the_pages_ask_for_a_sign_in(client: Client) -> None:
    response = client.get(reverse("governance:index"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
