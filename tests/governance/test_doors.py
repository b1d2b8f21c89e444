"""In production (TRIAGE_UNSIGNED_RULESET_ALLOWED false) every door that could have an unsigned
rule set triage a patient refuses and says why. The reception, self-intake, check-in and FHIR
doors have their own tests (tests/governance/test_active.py, tests/selfintake/
test_not_signed_off.py, tests/programmes/test_check_in_not_signed_off.py, tests/interop/
test_submit_not_signed_off.py); here: the admin, a stale or forged cache, a forged choice, and a
version whose code changed after its sign-off. `triage_eval` is no door: it saves nothing and
triages nobody, it evaluates answers with the rule set it names on every line, touching no
database (../shared/intake-contract.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from governance import active, services
from governance.models import ActiveRuleSet, SignOff
from patients.models import Intake
from tests.governance.conftest import intake_aged
from tests.rules.answers import mapping
from tests.support.factories import StaffFactory
from tests.support.two_factor import sign_in
from triage.models import Assessment
from triage.rules import registry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
ROOT = Path(__file__).resolve().parents[2]
LINE = json.dumps({"id": "a", "answers": mapping(age=17)}) + "\n"


@pytest.fixture(autouse=True)
def production(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRIAGE_UNSIGNED_RULESET_ALLOWED = False


def signed(version: str, officer: User, *, choose: bool = True) -> SignOff:
    trial = services.run_trial(version, by=officer)
    signed = services.sign_off(
        version=version, trial=trial, reason="Read it", lowered_reviewed=True, by=officer
    )
    if choose:
        services.choose(version=version, reason="Clinic decision", by=officer)
    return signed


def test_the_admin_cannot_add_an_intake_nor_touch_the_clinics_choice(officer: User) -> None:
    admin = StaffFactory(username="root", is_staff=True, is_superuser=True)
    client = sign_in(Client(), admin)
    assert client.get("/admin/patients/intake/add/").status_code == 403
    assert client.get("/admin/governance/activeruleset/").status_code == 404
    assert client.get("/admin/governance/signoff/").status_code == 404
    assert not Intake.objects.exists()


def test_a_stale_or_forged_cache_never_makes_an_unsigned_version_triage(
    receptionist: User, officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The shared cache says 2026.2-rc1 is chosen, with a fingerprint: nobody signed it off, and
    # the database (which answers) says nothing is chosen. The database wins.
    cache.set(active.CACHE_KEY, ["2026.2-rc1", registry.fingerprint("2026.2-rc1"), 99])
    with pytest.raises(active.NotSignedOff):
        intake_aged(40, entered_by=receptionist)
    assert not Assessment.objects.exists()
    # With the database down, a cached choice whose code has since changed is refused.
    cache.set(active.CACHE_KEY, ["2026.1", "0" * 64, 1])
    active.forget()

    def down() -> None:
        raise DatabaseError("down")

    monkeypatch.setattr(active, "_read", down)
    found = active.active()
    assert isinstance(found, active.NotSignedOff) and "no longer behaves" in str(found)


def test_a_forged_choice_of_an_unsigned_version_is_refused_and_changes_nothing(
    officer: User, officer_client: Client, receptionist: User
) -> None:
    signed("2026.1", officer)
    response = officer_client.post(
        reverse("governance:choose"), {"version": "2026.2-rc1", "reason": "Forged"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    with pytest.raises(services.GovernanceError, match="not signed off"):
        services.choose(version="2026.2-rc1", reason="Forged", by=officer)
    assert ActiveRuleSet.objects.get().version == "2026.1"
    assert intake_aged(40, entered_by=receptionist).assessment.ruleset == "2026.1"


def test_a_version_whose_code_changed_after_its_sign_off_cannot_be_chosen_nor_triage(
    officer: User, officer_client: Client, receptionist: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed("2026.1", officer)
    signed("2026.1+psychosocial-medium-routine", officer, choose=False)
    real = registry.fingerprint
    monkeypatch.setattr(
        registry, "fingerprint", lambda name: "0" * 64 if name.endswith("routine") else real(name)
    )
    response = officer_client.post(
        reverse("governance:choose"),
        {"version": "2026.1+psychosocial-medium-routine", "reason": "Changed code"},
    )
    assert response.status_code == 400
    assert ActiveRuleSet.objects.get().version == "2026.1"
    # And the chosen version, changed too: nothing triages, the reception form says why.
    monkeypatch.setattr(registry, "fingerprint", lambda name: "0" * 64)
    active.forget()
    with pytest.raises(active.NotSignedOff, match="no longer behaves"):
        intake_aged(41, entered_by=receptionist)
    page = officer_client.get(reverse("governance:index")).content.decode()
    assert "no longer behaves as it did when it was signed off" in page
