"""The test factories and the staff fixtures give what they say (tests/support/factories.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.roles import Role, roles_of
from clinic.two_factor.services import required_for
from patients.models import Patient
from tests.support.factories import (
    PASSWORD,
    AdminFactory,
    ClinicianFactory,
    ClinicLeadFactory,
    PatientFactory,
    ReceptionistFactory,
    StaffFactory,
    UserFactory,
)
from triage.models import DutySlot, FallbackClinician, Weekday

QUEUE = reverse("triage:queue")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("factory", "roles"),
    [
        (ReceptionistFactory, {"reception"}),
        (ClinicianFactory, {"clinician"}),
        (ClinicLeadFactory, {"clinic lead"}),
        (AdminFactory, set()),
        (UserFactory, set()),
    ],
)
def test_each_role_factory_makes_staff_in_that_role(factory, roles: set[str]) -> None:
    user = factory()

    assert set(roles_of(User.objects.get(pk=user.pk))) == roles
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_admin_is_staff_and_superuser_and_needs_a_second_factor() -> None:
    admin = AdminFactory()

    assert admin.is_staff and admin.is_superuser
    assert required_for(admin)


@pytest.mark.django_db
def test_staff_can_hold_several_roles_by_trait_or_by_list() -> None:
    both = StaffFactory(roles=[Role.CLINICIAN, Role.LEAD])

    assert roles_of(User.objects.get(pk=both.pk)) == {"clinician", "clinic lead"}
    assert roles_of(User.objects.get(pk=StaffFactory(reception=True).pk)) == {"reception"}


@pytest.mark.django_db
def test_usernames_differ_from_one_user_to_the_next() -> None:
    assert len({StaffFactory().username for _ in range(3)}) == 3


@pytest.mark.django_db
def test_on_duty_clinician_is_on_the_rota_every_day_and_fallback_is_listed() -> None:
    olu = ClinicianFactory(on_duty=True)
    ffion = ClinicianFactory(fallback=1)

    assert sorted(DutySlot.objects.filter(clinician=olu).values_list("weekday", flat=True)) == (
        sorted(Weekday.values)
    )
    assert not DutySlot.objects.filter(clinician=ffion).exists()
    assert FallbackClinician.objects.get().clinician == ffion


@pytest.mark.django_db
def test_authenticator_trait_gives_a_confirmed_device() -> None:
    user = ClinicianFactory(authenticator=True)

    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert not TOTPDevice.objects.filter(user=ClinicianFactory()).exists()


@pytest.mark.django_db(transaction=True)
def test_roles_are_made_again_after_a_transactional_test_flushed_them() -> None:
    Group.objects.all().delete()

    clinician = ClinicianFactory()

    assert roles_of(clinician) == {"clinician"}
    assert Group.objects.filter(name="clinician").count() == 1


@pytest.mark.django_db
def test_patient_factory_makes_distinct_patients() -> None:
    first, second = PatientFactory(), PatientFactory(nhs_number="9434765919")

    assert Patient.objects.count() == 2
    assert first.family_name != second.family_name
    assert (first.nhs_number, second.nhs_number) == ("", "9434765919")


def test_staff_fixtures_are_signed_in_each_on_a_client_of_their_own(
    receptionist: User,
    clinician: User,
    receptionist_client: Client,
    clinician_client: Client,
    lead_client: Client,
    admin_client_: Client,
) -> None:
    assert receptionist_client.get(QUEUE).status_code == 403
    assert clinician_client.get(QUEUE).status_code == 200
    assert clinician_client.get(QUEUE).wsgi_request.user == clinician
    assert receptionist_client.get(reverse("patients:intake_new")).wsgi_request.user == (
        receptionist
    )
    assert lead_client.get(reverse("audit:index")).status_code == 200
    assert admin_client_.get(reverse("admin:index")).status_code == 200


def test_reception_is_the_receptionist(reception: User, receptionist: User) -> None:
    assert reception == receptionist
