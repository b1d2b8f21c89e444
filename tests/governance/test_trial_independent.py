"""The trial report checked against an independent computation: the engine run directly on each
stored intake's answers (triage.rules), counted here case by case, per urgency and per rule, and
the report (and the page) must say exactly that. With the edge cases: intakes stored under an
older contract, check-in intakes, overridden cases (once, and overridden again), a range with no
intakes, and ranges on Europe/London's two DST change days of 2026."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from governance import services
from governance.demo import seed_history
from patients.models import Intake, Patient
from tests.rules.answers import mapping
from triage.models import Assessment, Case, Urgency, UrgencyOverride
from triage.rules import CONTRACT_VERSION, Answers, registry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
CANDIDATE = "2026.2-rc1"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
THEN = registry.ruleset("2026.1")


def past(
    answers: dict[str, Any],
    at: datetime,
    *,
    source: str = Intake.Source.DEMO,
    contract: str = CONTRACT_VERSION,
    urgency: Urgency | None = None,
) -> Assessment:
    """A closed case of one intake assessed at `at` by 2026.1, as the product stores it."""
    if contract == CONTRACT_VERSION:
        result = THEN.evaluate(Answers.from_mapping(answers))
        urgency = urgency or Urgency(int(result.urgency))
        fired, version = result.as_json()["rules"], result.ruleset
    else:  # answers of another contract: stored as that release triaged them
        urgency, fired, version = urgency or Urgency.ROUTINE, [], "2025.9"
    patient = Patient.objects.create(
        given_name="Past", family_name=f"Patient {Patient.objects.count()}",
        date_of_birth=date(1970, 1, 1), sex="F",
    )  # fmt: skip
    intake = Intake.objects.create(
        patient=patient, answers=answers, contract_version=contract, source=source
    )
    case = Case.objects.create(
        patient=patient, status=Case.Status.CLOSED, urgency=urgency, opened_at=at,
        due_at=at + urgency.sla, closed_at=at, decided_at=at,
    )  # fmt: skip
    return Assessment.objects.create(
        intake=intake, case=case, urgency=urgency, rules=fired, ruleset=version,
        contract_version=contract, created_at=at,
    )  # fmt: skip


def override(assessment: Assessment, to: Urgency, by: User, minutes: int = 10) -> UrgencyOverride:
    case = assessment.case
    made = UrgencyOverride.objects.create(
        case=case, assessment=assessment, from_urgency=case.urgency, to_urgency=to,
        reason="Seen", by=by, created_at=assessment.created_at + timedelta(minutes=minutes),
    )  # fmt: skip
    Case.objects.filter(pk=case.pk).update(urgency=to)
    case.urgency = to
    return made


def expected(date_from: date | None = None, date_to: date | None = None) -> dict[str, Any]:
    """What the trial must say, computed here from the stored rows and the engine alone."""
    candidate = registry.ruleset(CANDIDATE)
    found = Assessment.objects.filter(intake__isnull=False).select_related("intake")
    if date_from:
        found = found.filter(created_at__date__gte=date_from)
    if date_to:
        found = found.filter(created_at__date__lte=date_to)
    other: Counter[str] = Counter()
    moved: Counter[str] = Counter()
    transitions: Counter[tuple[str, str]] = Counter()
    rules: dict[str, Counter[str]] = {}
    lowered: dict[int, dict[str, Any]] = {}
    spared: list[int] = []
    for assessment in found:
        if assessment.intake.contract_version != CONTRACT_VERSION:
            other[assessment.intake.contract_version] += 1
            continue
        result = candidate.evaluate(Answers.from_mapping(assessment.intake.answers))
        then, now = Urgency(assessment.urgency), Urgency(int(result.urgency))
        direction = "raised" if now > then else "lowered" if now < then else "unchanged"
        moved[direction] += 1
        transitions[then.key, now.key] += 1
        old = {r["id"]: r["urgency"] for r in assessment.rules}
        new = {f.rule.id: f.urgency.name if f.urgency else None for f in result.fired}
        for rule_id in old.keys() | new.keys():
            row = rules.setdefault(rule_id, Counter())
            row["before"] += rule_id in old
            row["after"] += rule_id in new
            row["started"] += rule_id not in old
            row["stopped"] += rule_id not in new
            if old.get(rule_id, "-") != new.get(rule_id, "-") and direction != "unchanged":
                row[direction] += 1
        overrides = list(assessment.overrides.order_by("created_at", "pk"))
        decided = Urgency(overrides[-1].to_urgency) if overrides else then
        if now < then:
            lowered[assessment.intake_id] = {
                "from": then.key, "to": now.key, "levels": then - now,
                "overridden_to": decided.key if overrides else None,
                "day": assessment.created_at.astimezone(_london()).date(),
            }  # fmt: skip
        if overrides and decided == now and decided != then:
            spared += [o.pk for o in overrides]
    return {
        "other": dict(other), "moved": moved, "transitions": transitions, "rules": rules,
        "lowered": lowered, "spared": sorted(spared),
    }  # fmt: skip


def _london() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/London")


def assert_report_says(report: dict[str, Any], want: dict[str, Any]) -> None:
    moved = want["moved"]
    assert report["evaluated"] == sum(moved.values()) == report["intakes"]
    assert (report["raised"], report["lowered"], report["unchanged"]) == (
        moved["raised"], moved["lowered"], moved["unchanged"],
    )  # fmt: skip
    assert report["other_contracts"] == want["other"]
    for then, row in report["transitions"].items():
        for now, count in row.items():
            assert count == want["transitions"][then, now], (then, now)
    assert set(report["per_rule"]) == set(want["rules"])
    for rule_id, row in report["per_rule"].items():
        mine = want["rules"][rule_id]
        for key in ("before", "after", "started", "stopped", "raised", "lowered"):
            assert row[key] == mine[key], (rule_id, key)
    got = {c["intake"]: c for c in report["lowered_cases"]}
    assert set(got) == set(want["lowered"])
    for intake_id, case in got.items():
        mine = want["lowered"][intake_id]
        assert (case["from"], case["to"], case["levels"], case["overridden_to"]) == (
            mine["from"], mine["to"], mine["levels"], mine["overridden_to"],
        )  # fmt: skip
        assert datetime.fromisoformat(case["at"]).astimezone(_london()).date() == mine["day"]
    assert sorted(o["override"] for o in report["overrides_unnecessary"]) == want["spared"]


@pytest.fixture
def history(clinician: User) -> dict[str, Any]:
    """The demo's year (120 cases, some overridden), and beside it: intakes of an older contract,
    check-ins, a lowered case a clinician had raised, an override made twice, and intakes on both
    DST change days, either side of midnight and of the change."""
    seed_history(count=120, clinician=clinician, now=NOW)
    old_contract = [
        past({k: v for k, v in mapping(age=17).items() if k != "pain_score_now"},
             NOW - timedelta(days=3), contract="intake/0")
        for _ in range(2)
    ]  # fmt: skip
    check_ins = [
        past(mapping(age=17), NOW - timedelta(days=4), source=Intake.Source.CHECK_IN),
        past(mapping(age=52, previous_similar_episodes=False, night_pain_unrelieved_by_rest=True),
             NOW - timedelta(days=4), source=Intake.Source.CHECK_IN),
    ]  # fmt: skip
    raised_then_lowered = past(mapping(age=17), NOW - timedelta(days=5))
    raised = override(raised_then_lowered, Urgency.SOON, clinician)
    twice = past(
        mapping(age=53, previous_similar_episodes=False, night_pain_unrelieved_by_rest=True),
        NOW - timedelta(days=6),
    )
    first, second = (
        override(twice, Urgency.URGENT, clinician, 5),
        override(twice, Urgency.SOON, clinician, 20),
    )
    dst = {
        # 29 March 2026: clocks go forward at 01:00 UTC. 00:30 UTC is 00:30 GMT on the 29th;
        # 23:30 UTC is 00:30 BST on the 30th; 23:30 UTC on the 28th is the 28th.
        "spring_in": past(mapping(age=17), datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),
        "spring_in_late": past(mapping(age=17), datetime(2026, 3, 29, 22, 59, tzinfo=UTC)),
        "spring_after": past(mapping(age=17), datetime(2026, 3, 29, 23, 30, tzinfo=UTC)),
        "spring_before": past(mapping(age=17), datetime(2026, 3, 28, 23, 30, tzinfo=UTC)),
        # 25 October 2026: clocks go back at 01:00 UTC. 23:30 UTC on the 24th is 00:30 BST on
        # the 25th; 23:30 UTC on the 25th is 23:30 GMT on the 25th; 00:30 UTC on the 26th is
        # the 26th.
        "autumn_in_early": past(mapping(age=17), datetime(2026, 10, 24, 23, 30, tzinfo=UTC)),
        "autumn_in_late": past(mapping(age=17), datetime(2026, 10, 25, 23, 30, tzinfo=UTC)),
        "autumn_after": past(mapping(age=17), datetime(2026, 10, 26, 0, 30, tzinfo=UTC)),
        "autumn_before": past(mapping(age=17), datetime(2026, 10, 24, 22, 30, tzinfo=UTC)),
    }
    return {
        "old_contract": old_contract, "check_ins": check_ins, "raised": raised,
        "raised_then_lowered": raised_then_lowered, "twice": (first, second), "dst": dst,
    }  # fmt: skip


def test_the_report_says_exactly_what_the_engine_says_of_every_stored_intake(
    history: dict[str, Any],
) -> None:
    report, _seconds = services.evaluate(CANDIDATE)
    want = expected()
    assert_report_says(report, want)
    assert report["lowered"] > 5 and report["raised"] > 5  # the history exercises both ways
    assert report["other_contracts"] == {"intake/0": 2}  # counted, said, not tried
    assert report["reproduced"] == report["evaluated"]


def test_check_in_intakes_are_tried_like_any_other(history: dict[str, Any]) -> None:
    teen, fifties = history["check_ins"]
    report, _ = services.evaluate(CANDIDATE)
    assert teen.intake_id in {c["intake"] for c in report["lowered_cases"]}
    assert report["transitions"]["ROUTINE"]["SOON"] >= 1
    assert Urgency(fifties.urgency) == Urgency.ROUTINE


def test_a_lowered_case_a_clinician_had_raised_says_so_and_an_override_made_twice_is_read_as_one_decision(
    history: dict[str, Any],
) -> None:
    report, _ = services.evaluate(CANDIDATE)
    [case] = [
        c
        for c in report["lowered_cases"]
        if c["intake"] == history["raised_then_lowered"].intake_id
    ]
    assert (case["from"], case["to"], case["overridden_to"]) == ("ROUTINE", "SELF_CARE", "SOON")
    spared = {o["override"] for o in report["overrides_unnecessary"]}
    # Raised to URGENT, then back to SOON: the clinician decided SOON, which the candidate gives.
    first, second = history["twice"]
    assert {first.pk, second.pk} <= spared
    assert history["raised"].pk not in spared  # the candidate lowers that one: nothing spared


def test_a_range_with_no_intakes_says_nothing_changed(history: dict[str, Any]) -> None:
    report, _ = services.evaluate(CANDIDATE, date_from=date(2020, 1, 1), date_to=date(2020, 1, 31))
    assert (report["intakes"], report["raised"], report["lowered"], report["unchanged"]) == (
        0, 0, 0, 0,
    )  # fmt: skip
    assert report["per_rule"] == {} and report["lowered_cases"] == []
    assert report["other_contracts"] == {} and report["overrides_unnecessary"] == []
    assert_report_says(report, expected(date(2020, 1, 1), date(2020, 1, 31)))


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        (date(2026, 3, 29), {"spring_in", "spring_in_late"}),
        (date(2026, 10, 25), {"autumn_in_early", "autumn_in_late"}),
    ],
)
def test_a_range_on_a_dst_change_day_takes_that_days_intakes_in_london(
    history: dict[str, Any], day: date, inside: set[str]
) -> None:
    report, _ = services.evaluate(CANDIDATE, date_from=day, date_to=day)
    assert_report_says(report, expected(day, day))
    dst = history["dst"]
    got = {c["intake"] for c in report["lowered_cases"]}
    want = {dst[name].intake_id for name in inside}
    assert want <= got
    assert not got & {a.intake_id for name, a in dst.items() if name not in inside}
    # Each lowered case is dated on the clinic's day, the day the range asked for.
    assert {c["at"][:10] for c in report["lowered_cases"]} == {day.isoformat()}


def test_the_page_and_the_command_say_what_the_report_says(
    history: dict[str, Any], officer: User, officer_client: Client,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    day = date(2026, 10, 25)
    trial = services.run_trial(CANDIDATE, by=officer, date_from=day, date_to=day)
    page = officer_client.get(reverse("governance:trial", args=[trial.pk])).content.decode()
    report = trial.report
    assert page.count('class="table-danger trial-lowered-case"') == report["lowered"] > 0
    for case in report["lowered_cases"]:
        assert reverse("triage:case_detail", args=[case["case"]]) in page
    early = history["dst"]["autumn_in_early"]  # 23:30 UTC on the 24th, 00:30 on the 25th here
    assert f"<td>{day.isoformat()}</td>" in page and "<td>2026-10-24</td>" not in page
    assert early.intake_id in {c["intake"] for c in report["lowered_cases"]}

    everything = services.run_trial(CANDIDATE, by=officer)
    page = officer_client.get(reverse("governance:trial", args=[everything.pk])).content.decode()
    assert "intake/0 (2)" in page
    assert "A clinician had moved it to Soon." in page
    call_command("rule_trial", CANDIDATE, "--from", "2026-10-25", "--to", "2026-10-25")
    out = capsys.readouterr().out
    assert f"LOWERED intake {early.intake_id} case {early.case_id} (2026-10-25)" in out
    call_command("rule_trial", CANDIDATE)
    out = capsys.readouterr().out
    assert "not tried, stored under another intake contract: intake/0 (2)" in out
    assert "a clinician had moved it to SOON" in out
