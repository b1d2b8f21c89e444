"""Factories for the tests (factory_boy): staff in each role, and patients.

`StaffFactory` is a member of staff with the test password (`PASSWORD`, hashed by the fast hasher
that tests/conftest.py sets) in the roles given, one trait a role:

    StaffFactory(reception=True)      # or ReceptionistFactory()
    StaffFactory(clinician=True)      # or ClinicianFactory(on_duty=True, fallback=1)
    StaffFactory(clinic_lead=True)    # or ClinicLeadFactory()
    StaffFactory(admin=True)          # or AdminFactory(): staff and superuser, no group

A role is a group (clinic/roles.py). The roles migration makes the groups, but a test using
`transactional_db` flushes them afterwards, so every role is got or created here.

`authenticator=True` gives the user a confirmed authenticator with the test key now
(tests/support/two_factor.py); `sign_in` makes one anyway for a role that requires it.

Intakes, assessments and cases are not made here: they come from submitting an intake through
the service, as reception does (`tests.patients.helpers.make_intake`), so that they are triaged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time
from typing import Any

import factory
from django.contrib.auth.models import Group, User
from factory.django import DjangoModelFactory, Password

from clinic.roles import Role
from patients.models import Patient
from tests.support import two_factor
from triage.models import DutySlot, FallbackClinician, Weekday

PASSWORD = "a-long-test-password-1"


class UserFactory(DjangoModelFactory[User]):
    """A user in no role: they can sign in, and no staff page lets them in."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    # Not "staffN": tests.patients.helpers.make_user counts those on its own.
    username = factory.Sequence(lambda n: f"staff-{n}")
    password = Password(PASSWORD)

    @factory.post_generation
    def authenticator(obj: User, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        if create and extracted:
            two_factor.authenticator(obj)


class StaffFactory(UserFactory):
    """A member of staff in `roles` (a list of `Role` or group names), or in the trait's role."""

    class Params:
        reception = factory.Trait(roles=(Role.RECEPTION,))
        clinician = factory.Trait(roles=(Role.CLINICIAN,))
        clinic_lead = factory.Trait(roles=(Role.LEAD,))
        admin = factory.Trait(is_staff=True, is_superuser=True)

    # A declaration, not a post-generation hook, so that the traits can set it; `_create` takes
    # it off before the user is made, and puts the user in those groups after.
    roles: Iterable[str] = ()

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        roles = kwargs.pop("roles", ())
        user: User = super()._create(model_class, *args, **kwargs)
        user.groups.add(*(Group.objects.get_or_create(name=str(role))[0] for role in roles))
        return user

    @classmethod
    def _build(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        kwargs.pop("roles", None)
        user: User = super()._build(model_class, *args, **kwargs)
        return user

    @factory.post_generation
    def on_duty(obj: User, create: bool, extracted: bool | None, **kwargs: Any) -> None:
        """On the rota around the clock all week (an end at the start runs past midnight)."""
        if create and extracted:
            DutySlot.objects.bulk_create(
                DutySlot(clinician=obj, weekday=day, starts=time(0), ends=time(0))
                for day in Weekday
            )

    @factory.post_generation
    def fallback(obj: User, create: bool, extracted: int | None, **kwargs: Any) -> None:
        """At this position on the list alerted when the rota has nobody on duty."""
        if create and extracted is not None:
            FallbackClinician.objects.create(clinician=obj, position=extracted)


class ReceptionistFactory(StaffFactory):
    reception = True


class ClinicianFactory(StaffFactory):
    clinician = True


class ClinicLeadFactory(StaffFactory):
    clinic_lead = True


class AdminFactory(StaffFactory):
    admin = True


class PatientFactory(DjangoModelFactory[Patient]):
    """A patient record as reception's form leaves it, without an NHS number unless given."""

    class Meta:
        model = Patient

    given_name = "Ada"
    family_name = factory.Sequence(lambda n: f"Patient{n}")
    date_of_birth = date(1985, 3, 14)
    sex = "F"
    phone = "01632 960001"
