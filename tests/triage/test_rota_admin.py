"""Who is on duty is data that an admin edits: the rota's slots and the fallback list."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.patients.helpers import make_user
from tests.support.two_factor import sign_in
from triage.models import DutySlot, FallbackClinician, Weekday
from triage.services import clinicians_on_duty

pytestmark = pytest.mark.django_db

SLOTS = reverse("admin:triage_dutyslot_changelist")
ADD_SLOT = reverse("admin:triage_dutyslot_add")
FALLBACKS = reverse("admin:triage_fallbackclinician_changelist")
ADD_FALLBACK = reverse("admin:triage_fallbackclinician_add")


@pytest.fixture
def dana(db: None) -> User:
    return make_user(role="clinician", first_name="Dana", last_name="Dee", email="d@example.org")


def test_rota_pages_load_for_an_admin(admin_client_: Client, carl: User) -> None:
    DutySlot.objects.create(clinician=carl, weekday=Weekday.MONDAY, starts=time(8), ends=time(18))
    FallbackClinician.objects.create(clinician=carl, position=1)
    pages = [
        SLOTS,
        ADD_SLOT,
        FALLBACKS,
        ADD_FALLBACK,
        reverse("admin:triage_dutyslot_change", args=[DutySlot.objects.get().pk]),
        reverse("admin:triage_fallbackclinician_change", args=[FallbackClinician.objects.get().pk]),
    ]
    for url in pages:
        assert admin_client_.get(url).status_code == 200, url


def test_rota_lists_slots_by_weekday_then_start(
    admin_client_: Client, carl: User, dana: User
) -> None:
    late_monday = DutySlot.objects.create(
        clinician=carl, weekday=Weekday.MONDAY, starts=time(14), ends=time(22)
    )
    tuesday = DutySlot.objects.create(
        clinician=dana, weekday=Weekday.TUESDAY, starts=time(8), ends=time(16)
    )
    early_monday = DutySlot.objects.create(
        clinician=dana, weekday=Weekday.MONDAY, starts=time(6), ends=time(14)
    )

    response = admin_client_.get(SLOTS)

    assert list(response.context["cl"].result_list) == [early_monday, late_monday, tuesday]
    html = response.content.decode()
    assert "Carl Cole" in html and "Dana Dee" in html


def test_only_clinicians_can_be_put_on_the_rota(admin_client_: Client, carl: User) -> None:
    receptionist = make_user(role="reception", username="rita")
    inactive = make_user(role="clinician", username="gone", is_active=False)

    form = admin_client_.get(ADD_SLOT).context["adminform"].form
    choices = set(form.fields["clinician"].queryset)

    assert carl in choices
    assert receptionist not in choices
    assert inactive not in choices
    fallback_form = admin_client_.get(ADD_FALLBACK).context["adminform"].form
    assert set(fallback_form.fields["clinician"].queryset) == {carl}


def test_admin_adds_a_slot_and_the_clinician_is_on_duty_then(
    admin_client_: Client, carl: User, dana: User
) -> None:
    response = admin_client_.post(
        ADD_SLOT,
        {"clinician": carl.pk, "weekday": Weekday.WEDNESDAY, "starts": "09:00", "ends": "17:00"},
    )

    assert response.status_code == 302
    slot = DutySlot.objects.get()
    assert (slot.clinician, slot.weekday, slot.starts, slot.ends) == (
        carl,
        Weekday.WEDNESDAY,
        time(9),
        time(17),
    )
    # 1 July 2026 is a Wednesday; 10:00 UTC is 11:00 in London.
    assert clinicians_on_duty(datetime(2026, 7, 1, 10, 0, tzinfo=UTC)) == [carl]


def test_a_receptionist_cannot_be_put_on_the_rota(admin_client_: Client) -> None:
    receptionist = make_user(role="reception")

    response = admin_client_.post(
        ADD_SLOT,
        {
            "clinician": receptionist.pk,
            "weekday": Weekday.MONDAY,
            "starts": "09:00",
            "ends": "17:00",
        },
    )

    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"clinician"}
    assert not DutySlot.objects.exists()


def test_fallback_list_is_ordered_by_position_and_positions_are_editable_in_the_list(
    admin_client_: Client, carl: User, dana: User
) -> None:
    second = FallbackClinician.objects.create(clinician=carl, position=2)
    first = FallbackClinician.objects.create(clinician=dana, position=1)

    response = admin_client_.get(FALLBACKS)

    assert list(response.context["cl"].result_list) == [first, second]
    edited = admin_client_.post(
        FALLBACKS,
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "2",
            "form-0-id": first.pk,
            "form-0-position": "5",
            "form-1-id": second.pk,
            "form-1-position": "1",
            "_save": "Save",
        },
    )
    assert edited.status_code == 302
    assert [f.clinician for f in FallbackClinician.objects.all()] == [carl, dana]


def test_admin_adds_a_fallback_clinician(admin_client_: Client, carl: User) -> None:
    response = admin_client_.post(ADD_FALLBACK, {"clinician": carl.pk, "position": "3"})
    assert response.status_code == 302
    assert FallbackClinician.objects.get().clinician == carl


def test_clinician_without_admin_rights_cannot_edit_the_rota(client: Client) -> None:
    sign_in(client, make_user(role="clinician"))
    for url in (SLOTS, FALLBACKS):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_rota_list_makes_a_fixed_number_of_queries(
    admin_client_: Client, django_assert_max_num_queries
) -> None:
    for hour in range(10):
        DutySlot.objects.create(
            clinician=make_user(role="clinician"),
            weekday=Weekday.FRIDAY,
            starts=time(hour),
            ends=time(hour + 1),
        )
    with django_assert_max_num_queries(12):
        admin_client_.get(SLOTS)
