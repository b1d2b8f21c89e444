"""The referral forms refused: the error summary links to each refused input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from referrals import services
from referrals.models import Referral
from tests.referrals.factories import make_case, make_destination, make_user
from tests.support.error_summary import has_summary, invalid_fields, summary_links
from tests.support.two_factor import sign_in
from triage.models import Urgency

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician():
    return make_user(role="clinician", email="carl@example.org")


@pytest.fixture
def referral(clinician) -> Referral:
    return services.draft_referral(
        case_id=make_case(chest_pain=True).pk,
        destination_id=make_destination().pk,
        clinician=clinician,
    )


def test_a_new_referral_without_a_destination_links_to_the_choice(client, clinician):
    case = make_case(chest_pain=True)
    make_destination()
    sign_in(client, clinician)
    url = reverse("referrals:referral_new", args=[case.pk])
    fresh = client.get(url).content
    assert invalid_fields(fresh) == [] and not has_summary(fresh)

    response = client.post(url, {"destination": "", "urgency": Urgency.URGENT.value})

    assert summary_links(response.content) == [("id_destination", "This field is required.")]
    assert invalid_fields(response.content) == ["id_destination"]


def test_a_refusal_from_the_service_is_in_the_summary(client, clinician, referral):
    sign_in(client, clinician)

    response = client.post(
        reverse("referrals:referral_new", args=[referral.case_id]),
        {"destination": referral.destination_id, "urgency": Urgency.URGENT.value},
    )

    [(target, text)] = summary_links(response.content)
    assert "already has a live referral" in text
    assert target in {"id_destination", "id_urgency"}


def test_an_emptied_letter_links_to_the_letter_and_keeps_the_urgency(client, clinician, referral):
    sign_in(client, clinician)
    url = reverse("referrals:referral_edit", args=[referral.pk])
    fresh = client.get(url).content
    assert invalid_fields(fresh) == [] and not has_summary(fresh)

    response = client.post(url, {"letter": "", "urgency": Urgency.SOON.value})

    assert summary_links(response.content) == [("id_letter", "This field is required.")]
    assert f'<option value="{Urgency.SOON.value}" selected>' in response.content.decode()
