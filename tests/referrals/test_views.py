"""The referral pages, as a clinician and as the roles that must be refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from outbox.models import Message
from referrals import services
from referrals.models import Referral
from tests.referrals.factories import make_case, make_destination, make_user
from tests.support.two_factor import sign_in
from triage.models import Urgency

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(clinician) -> Referral:
    return services.draft_referral(
        case_id=make_case(chest_pain=True).pk,
        destination_id=make_destination().pk,
        clinician=clinician,
    )


def urls(referral: Referral) -> list[str]:
    return [
        reverse("referrals:referral_new", args=[referral.case_id]),
        reverse("referrals:referral_edit", args=[referral.pk]),
        reverse("referrals:referral_letter", args=[referral.pk]),
    ]


def test_reception_is_refused_every_referral_page(client, referral):
    sign_in(client, make_user(role="reception"))

    for url in urls(referral):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("referrals:referral_action", args=[referral.pk, "send"]))
    assert response.status_code == 403
    assert Referral.objects.get().status == Referral.Status.DRAFT


def test_anonymous_visitors_are_sent_to_sign_in(client, referral):
    for url in [*urls(referral), reverse("referrals:referral_action", args=[referral.pk, "send"])]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_a_clinician_chooses_a_destination_and_gets_a_draft_letter(client, clinician):
    case = make_case(chest_pain=True)
    destination = make_destination(name="Chest pain clinic")
    sign_in(client, clinician)
    new = reverse("referrals:referral_new", args=[case.pk])

    assert client.get(new).status_code == 200
    response = client.post(new, {"destination": destination.pk, "urgency": Urgency.URGENT.value})

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:referral_edit", args=[referral.pk])
    assert referral.referred_by == clinician
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Chest pain clinic" in page.content.decode()


def test_a_second_live_referral_to_the_same_destination_is_refused_on_the_form(
    client, clinician, referral
):
    sign_in(client, clinician)

    response = client.post(
        reverse("referrals:referral_new", args=[referral.case_id]),
        {"destination": referral.destination_id, "urgency": Urgency.URGENT.value},
    )

    assert response.status_code == 200
    assert "already has a live referral" in response.content.decode()
    assert Referral.objects.count() == 1


def test_a_clinician_edits_the_letter(client, clinician, referral):
    sign_in(client, clinician)
    edit = reverse("referrals:referral_edit", args=[referral.pk])

    response = client.post(
        edit, {"letter": "Dear colleague, edited.", "urgency": Urgency.SOON.value}
    )

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.letter == "Dear colleague, edited."
    assert referral.urgency == Urgency.SOON


def test_the_letter_is_served_as_pdf_to_a_clinician(client, clinician, referral):
    sign_in(client, clinician)
    url = reverse("referrals:referral_letter", args=[referral.pk])
    assert url == f"/referrals/{referral.pk}/letter.pdf"

    draft = client.get(url)
    services.send_referral(referral_id=referral.pk)
    sent = client.get(url)

    for response in (draft, sent):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    referral.refresh_from_db()
    assert sent.content == bytes(referral.letter_pdf)


def test_status_actions_move_the_referral(client, clinician, referral):
    sign_in(client, clinician)

    def act(action: str) -> None:
        url = reverse("referrals:referral_action", args=[referral.pk, action])
        assert client.post(url).status_code == 302

    act("send")
    assert Message.objects.filter(key=f"refletter.r{referral.pk}").exists()
    act("acknowledge")
    act("complete")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.COMPLETED


def test_an_action_out_of_order_is_explained_not_applied(client, clinician, referral):
    sign_in(client, clinician)

    response = client.post(
        reverse("referrals:referral_action", args=[referral.pk, "complete"]), follow=True
    )

    assert "cannot be completed" in response.content.decode()
    assert Referral.objects.get().status == Referral.Status.DRAFT


def test_the_case_panel_lists_referrals_with_status_expected_by_and_overdue(clinician, referral):
    services.send_referral(referral_id=referral.pk)
    referral.refresh_from_db()
    Referral.objects.filter(pk=referral.pk).update(
        expected_by=referral.expected_by - timedelta(days=40)
    )
    request = RequestFactory().get("/triage/cases/1/")
    request.user = clinician

    html = render_to_string(
        "referrals/partials/case_referrals.html",
        {"case": referral.case, "referrals": list(Referral.objects.for_case(referral.case_id))},
        request=request,
    )

    assert f"R-{referral.pk}" in html
    assert "Sent" in html
    assert "Overdue" in html
    assert reverse("referrals:referral_new", args=[referral.case_id]) in html
    assert reverse("referrals:referral_action", args=[referral.pk, "acknowledge"]) in html
