"""Sign-off and the clinic's choice: a signed-off version triages new intakes; an unsigned one
never does in production; the demo may, and says so; each change is audited."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from governance import active, services
from governance.models import ActiveRuleSet, SignOff, Trial
from patients.models import Intake
from tests.governance.conftest import intake_aged
from tests.patients.helpers import intake_post, make_user
from tests.support.factories import StaffFactory
from tests.support.two_factor import sign_in
from triage.models import Assessment
from triage.rules import registry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
CANDIDATE = "2026.2-rc1"


@pytest.fixture
def production(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRIAGE_UNSIGNED_RULESET_ALLOWED = False


def signed_and_chosen(version: str, officer: User) -> SignOff:
    trial = services.run_trial(version, by=officer)
    signed = services.sign_off(
        version=version, trial=trial, reason="Read the trial", lowered_reviewed=True, by=officer
    )
    services.choose(version=version, reason="Clinic decision", by=officer)
    return signed


def test_an_unsigned_rule_set_never_triages_in_production(
    production: None, reception_client: Client, receptionist: User, officer: User
) -> None:
    with pytest.raises(active.NotSignedOff):
        intake_aged(40, entered_by=receptionist)
    response = reception_client.post(reverse("patients:intake_new"), intake_post())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not saved: no signed-off rule set is chosen" in page
    assert 'value="Hopper"' in page  # every answer kept
    assert not Intake.objects.exists() and not Assessment.objects.exists()
    # A candidate nobody signed off cannot be chosen either.
    with pytest.raises(services.GovernanceError, match="not signed off"):
        services.choose(version=CANDIDATE, reason="Try it live", by=officer)
    assert ActiveRuleSet.objects.get().version == ""


def test_a_signed_off_version_the_clinic_chose_triages_new_intakes(
    production: None, officer: User, receptionist: User
) -> None:
    signed = signed_and_chosen(CANDIDATE, officer)
    intake = intake_aged(17, entered_by=receptionist)
    assert intake.assessment.ruleset == CANDIDATE
    assert intake.assessment.rules == []  # under 16 only, in this version
    row = ActiveRuleSet.objects.get()
    assert (row.version, row.sign_off, row.fingerprint) == (
        CANDIDATE, signed, registry.fingerprint(CANDIDATE),
    )  # fmt: skip
    [event] = AuditEvent.objects.filter(record="active rule set")
    assert event.actor == officer
    assert event.details["changes"]["rule set"] == {"old": None, "new": CANDIDATE}


def test_a_version_changed_after_its_sign_off_is_no_longer_signed_off(
    production: None, officer: User, receptionist: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_and_chosen("2026.1", officer)
    assert intake_aged(40, entered_by=receptionist).assessment.ruleset == "2026.1"
    # The code of 2026.1 now behaves otherwise than when it was signed off.
    monkeypatch.setattr(registry, "fingerprint", lambda name: "0" * 64)
    active.forget()
    with pytest.raises(active.NotSignedOff, match="no longer behaves"):
        intake_aged(41, entered_by=receptionist)
    with pytest.raises(services.GovernanceError, match="not signed off"):
        services.choose(version="2026.1+psychosocial-medium-routine", reason="x", by=officer)


def test_the_demo_runs_unsigned_and_says_so_on_every_page(
    settings,
    reception_client: Client,
    receptionist: User,  # type: ignore[no-untyped-def]
) -> None:
    settings.DEBUG = True
    settings.TRIAGE_UNSIGNED_RULESET_ALLOWED = True
    assert intake_aged(40, entered_by=receptionist).assessment.ruleset == "2026.1"
    page = reception_client.get(reverse("patients:patient_search")).content.decode()
    assert "Demo:" in page and "no clinical safety officer has signed off" in page


def test_production_without_a_sign_off_says_so_on_every_page(
    production: None, reception_client: Client
) -> None:
    page = reception_client.get(reverse("patients:patient_search")).content.decode()
    # One red banner, the health banner the queue keeps fresh, with what to do now.
    assert page.count('role="alert"') == 1
    assert 'data-problem="ruleset"' in page
    assert "Have a clinician see every patient now, and call 999 for any emergency sign." in page
    assert 'id="ruleset-banner"' not in page


def test_the_governance_page_says_once_that_the_demos_rule_set_is_unsigned(
    settings,
    officer: User,  # type: ignore[no-untyped-def]
) -> None:
    settings.DEBUG = True
    settings.TRIAGE_UNSIGNED_RULESET_ALLOWED = True
    page = sign_in(Client(), officer).get(reverse("governance:index")).content.decode()
    assert "Unsigned (demo only):" in page
    assert 'id="ruleset-banner"' not in page


def test_a_sign_off_needs_the_officer_a_trial_of_this_code_a_reason_and_every_lowered_case_read(
    officer: User, lead: User
) -> None:
    trial = services.run_trial(CANDIDATE, by=officer)
    other = services.run_trial("2026.1", by=officer)
    sign = {"version": CANDIDATE, "trial": trial, "reason": "Read it", "lowered_reviewed": True}
    with pytest.raises(services.GovernanceError, match="Only a clinical safety officer"):
        services.sign_off(**sign, by=lead)  # type: ignore[arg-type]
    with pytest.raises(services.GovernanceError, match="Attach a trial"):
        services.sign_off(**(sign | {"trial": other}), by=officer)  # type: ignore[arg-type]
    with pytest.raises(services.GovernanceError, match="Say why"):
        services.sign_off(**(sign | {"reason": "  "}), by=officer)  # type: ignore[arg-type]
    assert not SignOff.objects.exists()
    # No intakes stored: nothing lowered, so no confirmation is needed; with one lowered, it is.
    assert services.sign_off(**(sign | {"lowered_reviewed": False}), by=officer)  # type: ignore[arg-type]


def test_signing_off_a_trial_that_lowers_cases_asks_the_officer_to_confirm_on_the_page(
    officer_client: Client, officer: User, receptionist: User, lead: User
) -> None:
    intake_aged(17, entered_by=receptionist)
    trial = services.run_trial(CANDIDATE, by=officer)
    url = reverse("governance:sign_off", args=[trial.pk])
    refused = officer_client.post(url, {"reason": "Paediatric rule as the C-Spine Rule"})
    assert refused.status_code == 400
    assert "This trial lowers 1 case: read it, then confirm." in refused.content.decode()
    assert "Paediatric rule as the C-Spine Rule" in refused.content.decode()
    data = {"reason": "Paediatric rule as the C-Spine Rule", "lowered_reviewed": "on"}
    assert officer_client.post(url, data).status_code == 302
    assert officer_client.post(url, data).status_code == 302  # a double submit: one sign-off
    signed = SignOff.objects.get()
    assert signed.trial == trial and signed.lowered_reviewed and signed.signed_by == officer
    assert AuditEvent.objects.filter(record=f"rule-set sign-off {signed.pk}").count() == 1
    assert sign_in(Client(), lead).post(url, data).status_code == 403


def test_choosing_on_the_page_is_audited_and_a_double_submit_changes_once(
    officer_client: Client, officer: User
) -> None:
    trial = services.run_trial("2026.1", by=officer)
    services.sign_off(
        version="2026.1", trial=trial, reason="First release", lowered_reviewed=False, by=officer
    )
    data = {"version": "2026.1", "reason": "Go live"}
    assert officer_client.post(reverse("governance:choose"), data).status_code == 302
    assert officer_client.post(reverse("governance:choose"), data).status_code == 302
    assert AuditEvent.objects.filter(record="active rule set").count() == 1
    page = officer_client.get(reverse("governance:index")).content.decode()
    assert "signed off by Sofia Safety" in page and "Go live" in page
    missing = officer_client.post(reverse("governance:choose"), {"version": "2026.1"})
    assert missing.status_code == 400 and "There is a problem" in missing.content.decode()


def test_the_choice_costs_one_query_when_the_copy_is_stale_and_none_while_fresh(
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.GOVERNANCE_ACTIVE_CACHE_SECONDS = 60.0
    with CaptureQueriesContext(connection) as cold:
        active.active()
    with CaptureQueriesContext(connection) as warm:
        active.active()
    assert (len(cold), len(warm)) == (1, 0)


@pytest.mark.django_db(transaction=True)
def test_two_changes_at_once_are_one_after_the_other_in_the_audit() -> None:
    officer = StaffFactory(username="sofia2", roles=("clinical safety officer",))
    for version in ("2026.1", "2026.1+psychosocial-medium-routine"):
        trial = services.run_trial(version, by=officer)
        services.sign_off(
            version=version, trial=trial, reason="ok", lowered_reviewed=False, by=officer
        )
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def choose(version: str) -> None:
        try:
            barrier.wait()
            services.choose(version=version, reason="at once", by=officer)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=choose, args=(v,))
        for v in ("2026.1", "2026.1+psychosocial-medium-routine")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    first, second = AuditEvent.objects.filter(record="active rule set").order_by("at", "pk")
    one, two = first.details["changes"]["rule set"], second.details["changes"]["rule set"]
    assert one["old"] is None and two["old"] == one["new"] and two["new"] != one["new"]
    assert ActiveRuleSet.objects.get().version == two["new"]
    assert Trial.objects.count() == 2


@pytest.mark.parametrize("role", ["reception", "clinician", "clinic lead"])
def test_only_a_safety_officer_signs_off(role: str, officer: User) -> None:
    trial = services.run_trial("2026.1", by=officer)
    client = sign_in(Client(), make_user(role=role))
    url = reverse("governance:sign_off", args=[trial.pk])
    assert client.post(url, {"reason": "x"}).status_code == 403
