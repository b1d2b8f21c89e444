"""Working a case: release, override the urgency, discharge with advice, the case's timeline, and
the overrides per rule. Through the services (rows asserted) and through the case page, as a
clinician and as reception."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outbox.models import Message
from tests.outbox.helpers import make_message
from tests.patients.helpers import make_intake, make_user, patient_details
from tests.support.two_factor import sign_in
from triage.models import (
    Assessment,
    Case,
    CaseActivity,
    CaseDecision,
    Urgency,
    UrgencyOverride,
)
from triage.outcomes import SAFETY_NET_999, SAFETY_NET_COME_BACK, safety_net_for
from triage.services import (
    CaseAlreadyClaimed,
    CaseNotOpen,
    DecisionRefused,
    NotTheHolder,
    OverrideRefused,
    claim_case,
    discharge_case,
    escalate_unclaimed_cases,
    override_urgency,
    release_case,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]  # the test's clock


def _case(reception: User, **answers: object) -> Case:
    intake = make_intake(entered_by=reception, details=patient_details(given_name="Pat"), **answers)
    return Case.objects.get(pk=intake.assessment.case.pk)


@pytest.fixture
def urgent_case(reception: User) -> Case:
    return _case(reception, chest_pain=True)


@pytest.fixture
def self_care_case(reception: User) -> Case:
    return _case(reception)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Release -----------------------------------------------------------------------------------


def test_holder_releases_a_case_and_both_claim_and_release_are_recorded(
    carl: User, self_care_case: Case
) -> None:
    claim_case(case_id=self_care_case.pk, clinician=carl)

    case = release_case(case_id=self_care_case.pk, clinician=carl)

    assert case.claimed_by is None and case.claimed_at is None
    assert case.escalate_at is None  # SELF_CARE: no alert clock
    activities = list(CaseActivity.objects.filter(case=case).values_list("kind", "by"))
    assert activities == [("claimed", carl.pk), ("released", carl.pk)]


def test_release_of_an_urgent_case_restarts_its_escalation_clock(
    carl: User, urgent_case: Case
) -> None:
    claim_case(case_id=urgent_case.pk, clinician=carl)
    before = timezone.now()

    case = release_case(case_id=urgent_case.pk, clinician=carl)

    assert case.escalate_at is not None
    deadline = settings.ALERT_DEADLINE["URGENT"]
    assert before + deadline <= case.escalate_at <= timezone.now() + deadline
    # Nobody claims it again: it escalates.
    assert escalate_unclaimed_cases(now=case.escalate_at + timedelta(seconds=1)) == 1


def test_only_the_holder_may_release(carl: User, dana: User, urgent_case: Case) -> None:
    claim_case(case_id=urgent_case.pk, clinician=carl)

    with pytest.raises(NotTheHolder, match="Only Carl Cole, who has claimed this case"):
        release_case(case_id=urgent_case.pk, clinician=dana)

    urgent_case.refresh_from_db()
    assert urgent_case.claimed_by == carl
    assert not CaseActivity.objects.filter(kind=CaseActivity.Kind.RELEASED).exists()


def test_an_unclaimed_case_cannot_be_released(carl: User, urgent_case: Case) -> None:
    with pytest.raises(NotTheHolder, match="Nobody has claimed this case"):
        release_case(case_id=urgent_case.pk, clinician=carl)


def test_release_button_for_the_holder_and_release_through_the_page(
    carl_client: Client, carl: User, urgent_case: Case
) -> None:
    carl_client.post(reverse("triage:case_claim", args=[urgent_case.pk]))
    html = carl_client.get(urgent_case.get_absolute_url()).content.decode()
    assert "Release this case" in html

    response = carl_client.post(reverse("triage:case_release", args=[urgent_case.pk]), follow=True)

    assert _messages(response) == [
        "You have released this case. It is back in the queue and escalates unless somebody "
        "claims it."
    ]
    urgent_case.refresh_from_db()
    assert urgent_case.claimed_by is None
    assert "Claim this case" in response.content.decode()


def test_another_clinician_is_told_who_holds_the_case_on_release(
    carl: User, dana: User, urgent_case: Case
) -> None:
    claim_case(case_id=urgent_case.pk, clinician=carl)
    client = Client()
    sign_in(client, dana)

    response = client.post(reverse("triage:case_release", args=[urgent_case.pk]), follow=True)

    assert _messages(response) == ["Only Carl Cole, who has claimed this case, can release it"]
    urgent_case.refresh_from_db()
    assert urgent_case.claimed_by == carl


def test_reception_cannot_release(reception_client: Client, carl: User, urgent_case: Case) -> None:
    claim_case(case_id=urgent_case.pk, clinician=carl)
    response = reception_client.post(reverse("triage:case_release", args=[urgent_case.pk]))
    assert response.status_code == 403
    urgent_case.refresh_from_db()
    assert urgent_case.claimed_by == carl


# --- Override the urgency ----------------------------------------------------------------------


def test_raising_records_the_override_and_leaves_the_assessment_as_it_was(
    carl: User, self_care_case: Case
) -> None:
    assessment = Assessment.objects.get(case=self_care_case)
    before = timezone.now()

    override = override_urgency(
        case_id=self_care_case.pk,
        clinician=carl,
        to_urgency=Urgency.URGENT,
        reason="  Pain woke her every night this week  ",
    )

    assert (override.case_id, override.assessment_id) == (self_care_case.pk, assessment.pk)
    assert (override.from_urgency, override.to_urgency) == (Urgency.SELF_CARE, Urgency.URGENT)
    assert override.reason == "Pain woke her every night this week"
    assert override.by == carl and override.created_at >= before
    case = Case.objects.get(pk=self_care_case.pk)
    assert case.urgency == Urgency.URGENT
    assert case.due_at == case.opened_at + Urgency.URGENT.sla
    assert case.escalate_at is not None  # unclaimed: the alert clock starts
    assert case.escalate_at >= before + settings.ALERT_DEADLINE["URGENT"]
    unchanged = Assessment.objects.get(pk=assessment.pk)
    assert unchanged.urgency == Urgency.SELF_CARE
    assert unchanged.rules == assessment.rules


def test_lowering_below_urgent_clears_the_alert_clock(carl: User, urgent_case: Case) -> None:
    assert urgent_case.escalate_at is not None

    override_urgency(
        case_id=urgent_case.pk,
        clinician=carl,
        to_urgency=Urgency.ROUTINE,
        reason="Chest pain is reproducible on palpation; seen by GP yesterday",
    )

    case = Case.objects.get(pk=urgent_case.pk)
    assert case.urgency == Urgency.ROUTINE
    assert case.escalate_at is None
    assert case.due_at == case.opened_at + Urgency.ROUTINE.sla
    assert Assessment.objects.get(case=case).urgency == Urgency.URGENT


def test_raising_a_case_its_holder_has_keeps_the_alert_clock_stopped(
    carl: User, self_care_case: Case
) -> None:
    claim_case(case_id=self_care_case.pk, clinician=carl)
    override_urgency(
        case_id=self_care_case.pk,
        clinician=carl,
        to_urgency=Urgency.EMERGENCY,
        reason="Sent to A&E",
    )
    assert Case.objects.get(pk=self_care_case.pk).escalate_at is None


@pytest.mark.parametrize(
    ("to_urgency", "message"),
    [
        (Urgency.EMERGENCY, "Raising the urgency needs a note"),
        (Urgency.SOON, "Lowering the urgency needs a reason"),
    ],
)
def test_override_without_a_reason_is_refused(
    carl: User, urgent_case: Case, to_urgency: Urgency, message: str
) -> None:
    with pytest.raises(OverrideRefused, match=message):
        override_urgency(case_id=urgent_case.pk, clinician=carl, to_urgency=to_urgency, reason=" ")
    assert not UrgencyOverride.objects.exists()
    assert Case.objects.get(pk=urgent_case.pk).urgency == Urgency.URGENT


def test_override_to_the_same_urgency_is_refused(carl: User, urgent_case: Case) -> None:
    with pytest.raises(OverrideRefused, match="already Urgent"):
        override_urgency(
            case_id=urgent_case.pk, clinician=carl, to_urgency=Urgency.URGENT, reason="Agree"
        )
    assert not UrgencyOverride.objects.exists()


def test_a_case_another_clinician_holds_cannot_be_overridden(
    carl: User, dana: User, urgent_case: Case
) -> None:
    claim_case(case_id=urgent_case.pk, clinician=dana)
    with pytest.raises(CaseAlreadyClaimed):
        override_urgency(
            case_id=urgent_case.pk, clinician=carl, to_urgency=Urgency.SOON, reason="Looks fine"
        )


def test_the_database_refuses_an_override_without_a_reason(carl: User, urgent_case: Case) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        UrgencyOverride.objects.create(
            case=urgent_case,
            assessment=Assessment.objects.get(case=urgent_case),
            from_urgency=Urgency.URGENT,
            to_urgency=Urgency.SOON,
            reason="",
            by=carl,
        )


def test_clinician_overrides_through_the_page(carl_client: Client, self_care_case: Case) -> None:
    response = carl_client.post(
        reverse("triage:case_override", args=[self_care_case.pk]),
        {"to_urgency": Urgency.SOON, "reason": "Night pain on questioning"},
        follow=True,
    )

    assert _messages(response) == ["Urgency raised to Soon. Triage's own result is kept as it was."]
    assert UrgencyOverride.objects.get().reason == "Night pain on questioning"
    html = response.content.decode()
    assert "Urgency raised: Self-care to Soon" in html  # on the timeline


@pytest.mark.parametrize(
    ("to_urgency", "error"),
    [
        (Urgency.EMERGENCY, "Raising the urgency needs a note"),
        (Urgency.SELF_CARE, "Lowering the urgency needs a reason"),
        (Urgency.URGENT, "The case is already Urgent: choose another"),
    ],
)
def test_override_form_says_what_is_missing(
    carl_client: Client, urgent_case: Case, to_urgency: Urgency, error: str
) -> None:
    response = carl_client.post(
        reverse("triage:case_override", args=[urgent_case.pk]),
        {"to_urgency": to_urgency, "reason": ""},
    )
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not UrgencyOverride.objects.exists()


def test_reception_cannot_override(reception_client: Client, urgent_case: Case) -> None:
    response = reception_client.post(
        reverse("triage:case_override", args=[urgent_case.pk]),
        {"to_urgency": Urgency.SELF_CARE, "reason": "x"},
    )
    assert response.status_code == 403
    assert not UrgencyOverride.objects.exists()


# --- Discharge with advice ---------------------------------------------------------------------


def test_discharge_closes_the_case_stops_escalation_and_records_the_advice(
    carl: User, urgent_case: Case
) -> None:
    # Given it escalated once, with escalations still queued
    assert escalate_unclaimed_cases(now=urgent_case.escalate_at + timedelta(seconds=1)) == 1

    decision = discharge_case(
        case_id=urgent_case.pk, clinician=carl, advice="Keep moving; paracetamol as needed"
    )

    case = Case.objects.get(pk=urgent_case.pk)
    assert case.status == Case.Status.CLOSED
    assert case.closed_at == decision.at
    assert case.escalate_at is None
    assert (decision.kind, decision.by, decision.note) == (
        CaseDecision.Kind.DISCHARGED,
        carl,
        "Keep moving; paracetamol as needed",
    )
    assert decision.safety_net == safety_net_for("discharged").as_text()
    assert str(SAFETY_NET_999[0]) in decision.safety_net
    escalations = Message.objects.filter(case=case, kind=Message.Kind.ESCALATION)
    assert set(escalations.values_list("status", flat=True)) == {Message.Status.CANCELLED}
    assert escalate_unclaimed_cases(now=timezone.now() + timedelta(days=1)) == 0


def test_discharge_without_advice_is_refused(carl: User, urgent_case: Case) -> None:
    with pytest.raises(DecisionRefused):
        discharge_case(case_id=urgent_case.pk, clinician=carl, advice="  ")
    assert Case.objects.get(pk=urgent_case.pk).status == Case.Status.OPEN


def test_a_closed_case_cannot_be_discharged_again(carl: User, urgent_case: Case) -> None:
    discharge_case(case_id=urgent_case.pk, clinician=carl, advice="Rest")
    with pytest.raises(CaseNotOpen, match="nothing to discharge"):
        discharge_case(case_id=urgent_case.pk, clinician=carl, advice="Rest")
    assert CaseDecision.objects.count() == 1


def test_decision_panel_shows_the_safety_net_and_why_no_programme_can_go_yet(
    carl_client: Client, self_care_case: Case
) -> None:
    html = carl_client.get(self_care_case.get_absolute_url()).content.decode()
    assert "Discharge and close the case" in html
    assert str(SAFETY_NET_999[0]) in html
    assert str(SAFETY_NET_COME_BACK[0]) in html
    # The patient has no email address: a programme may still be prescribed (on paper).
    assert 'id="prescribe-link"' in html


def test_clinician_discharges_through_the_page_and_the_case_shows_the_advice(
    carl_client: Client, self_care_case: Case
) -> None:
    response = carl_client.post(
        reverse("triage:case_discharge", args=[self_care_case.pk]),
        {"advice": "Gentle neck range-of-movement exercises twice a day"},
        follow=True,
    )

    assert "The patient is discharged and the case is closed." in _messages(response)[0]
    html = response.content.decode()
    assert "Discharged with advice</strong> by Carl Cole" in html
    assert "Gentle neck range-of-movement exercises twice a day" in html
    assert "Safety-net advice given to the patient" in html
    assert str(SAFETY_NET_999[0]) in html
    assert "Discharge and close the case" not in html
    assert Case.objects.get(pk=self_care_case.pk).status == Case.Status.CLOSED


def test_discharge_form_without_advice_is_shown_again_with_the_error(
    carl_client: Client, self_care_case: Case
) -> None:
    response = carl_client.post(
        reverse("triage:case_discharge", args=[self_care_case.pk]), {"advice": ""}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Case.objects.get(pk=self_care_case.pk).status == Case.Status.OPEN


def test_reception_cannot_discharge(reception_client: Client, self_care_case: Case) -> None:
    response = reception_client.post(
        reverse("triage:case_discharge", args=[self_care_case.pk]), {"advice": "Rest"}
    )
    assert response.status_code == 403
    assert Case.objects.get(pk=self_care_case.pk).status == Case.Status.OPEN


# --- Timeline ----------------------------------------------------------------------------------


def test_timeline_lists_every_event_in_time_order_with_who(
    carl_client: Client, carl: User, reception: User, urgent_case: Case
) -> None:
    claim_case(case_id=urgent_case.pk, clinician=carl)
    release_case(case_id=urgent_case.pk, clinician=carl)
    override_urgency(
        case_id=urgent_case.pk, clinician=carl, to_urgency=Urgency.SOON, reason="Musculoskeletal"
    )
    discharge_case(case_id=urgent_case.pk, clinician=carl, advice="Rest")

    response = carl_client.get(urgent_case.get_absolute_url())

    timeline = response.context["timeline"]
    kinds = [entry.kind for entry in timeline]
    assert kinds[:2] == ["intake", "assessment"]
    assert kinds.index("claimed") < kinds.index("released") < kinds.index("override")
    assert kinds.index("override") < kinds.index("discharged")
    assert "message" in kinds  # the clinician alert
    assert [entry.at for entry in timeline] == sorted(entry.at for entry in timeline)
    assert {entry.who for entry in timeline if entry.kind != "message"} >= {"Carl Cole"}
    html = response.content.decode()
    assert 'data-kind="released"' in html
    assert "Urgency lowered: Urgent to Soon" in html


def test_case_page_query_count_does_not_grow_with_the_number_of_events(
    carl_client: Client, carl: User, dana: User, reception: User, self_care_case: Case
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert carl_client.get(self_care_case.get_absolute_url()).status_code == 200
        return len(captured)

    claim_case(case_id=self_care_case.pk, clinician=dana)
    release_case(case_id=self_care_case.pk, clinician=dana)
    override_urgency(
        case_id=self_care_case.pk, clinician=dana, to_urgency=Urgency.SOON, reason="Night pain"
    )
    make_message(case=self_care_case)
    few = queries()

    for urgency in (Urgency.ROUTINE, Urgency.URGENT, Urgency.SOON):
        clinician = make_user(role="clinician", first_name="Extra")
        claim_case(case_id=self_care_case.pk, clinician=clinician)
        override_urgency(
            case_id=self_care_case.pk, clinician=clinician, to_urgency=urgency, reason="Again"
        )
        release_case(case_id=self_care_case.pk, clinician=clinician)
        make_message(case=self_care_case)
    make_intake(entered_by=make_user(role="reception"), details=None)  # another patient
    discharge_case(case_id=self_care_case.pk, clinician=carl, advice="Rest")

    assert queries() == few


def test_reception_is_refused_the_case_page(reception_client: Client, urgent_case: Case) -> None:
    assert reception_client.get(urgent_case.get_absolute_url()).status_code == 403


# --- Overrides per rule ------------------------------------------------------------------------


def test_overrides_report_counts_raised_and_lowered_per_rule(
    carl_client: Client, carl: User, reception: User
) -> None:
    chest = _case(reception, chest_pain=True)
    chest_rules = {rule["id"] for rule in Assessment.objects.get(case=chest).rules}
    other_chest = _case(reception, chest_pain=True)
    plain = _case(reception)
    override_urgency(case_id=chest.pk, clinician=carl, to_urgency=Urgency.SOON, reason="MSK")
    override_urgency(
        case_id=other_chest.pk, clinician=carl, to_urgency=Urgency.EMERGENCY, reason="Sweating"
    )
    override_urgency(case_id=plain.pk, clinician=carl, to_urgency=Urgency.SOON, reason="Odd")

    response = carl_client.get(reverse("triage:overrides"))

    assert response.status_code == 200
    rows = {row.rule_id: (row.raised, row.lowered) for row in response.context["rows"]}
    assert chest_rules
    for rule_id in chest_rules:
        assert rows[rule_id] == (1, 1)
    assert rows["(no rule fired)"] == (1, 0)
    html = response.content.decode()
    override = UrgencyOverride.objects.get(case=chest)
    assert f"{chest.get_absolute_url()}#override-{override.pk}" in html


def test_overrides_report_query_count_does_not_grow(
    carl_client: Client, carl: User, reception: User
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert carl_client.get(reverse("triage:overrides")).status_code == 200
        return len(captured)

    case = _case(reception, chest_pain=True)
    override_urgency(case_id=case.pk, clinician=carl, to_urgency=Urgency.SOON, reason="MSK")
    one = queries()
    for _ in range(3):
        case = _case(reception, chest_pain=True)
        override_urgency(case_id=case.pk, clinician=carl, to_urgency=Urgency.SOON, reason="MSK")
    assert queries() == one


def test_reception_is_refused_the_overrides_report(reception_client: Client) -> None:
    assert reception_client.get(reverse("triage:overrides")).status_code == 403
