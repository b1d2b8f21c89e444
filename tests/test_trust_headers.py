"""Pages with patient data are never cached; no page may use the camera, microphone or location.

Through the test client, as the staff who open those pages and as a patient with their link;
the middleware alone for a response that chose its own caching.
"""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from clinic.middleware import PERMISSIONS_POLICY, TrustHeadersMiddleware
from programmes import links
from programmes.models import ProgrammeTemplate
from programmes.prescribing import prescribe_programme
from programmes.seed import seed_library
from tests.patients.helpers import make_intake, make_user, patient_details
from tests.referrals.factories import make_destination
from tests.support.two_factor import sign_in

pytestmark = pytest.mark.django_db


def assert_not_stored(response: HttpResponseBase) -> None:
    assert response["Cache-Control"] == "no-store" or "no-store" in response["Cache-Control"]
    assert response["Pragma"] == "no-cache"
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY


def test_staff_pages_with_patient_data_are_not_stored(clinician_client: Client) -> None:
    receptionist = make_user(role="reception")
    reception_client = Client()
    sign_in(reception_client, receptionist)
    intake = make_intake(entered_by=receptionist)
    case = intake.assessment.case
    pages = [
        (clinician_client, reverse("triage:queue")),
        (clinician_client, reverse("triage:queue") + "?q=Patient"),
        (clinician_client, reverse("triage:case_detail", args=[case.pk])),
        (clinician_client, reverse("outbox:message_list")),
        (reception_client, reverse("patients:patient_search") + "?q=Ada"),
        (reception_client, reverse("patients:intake_new")),
        (reception_client, reverse("patients:intake_outcome", args=[intake.pk])),
    ]
    make_destination()
    pages.append((clinician_client, reverse("referrals:referral_new", args=[case.pk])))

    for client, path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_not_stored(response)


def test_a_refused_page_and_a_missing_page_for_staff_are_not_stored(
    reception_client: Client,
) -> None:
    assert_not_stored(reception_client.get(reverse("outbox:message_list")))
    assert_not_stored(reception_client.get("/no-such-page/"))


def test_the_patients_pages_are_not_stored() -> None:
    intake = make_intake(
        entered_by=make_user(role="reception"),
        details=patient_details(email="ada@example.org", email_consent=True),
        duration_days=42,
        pain_score_now=5,
        pain_region="neck",
    )
    seed_library()
    programme = prescribe_programme(
        case_id=intake.assessment.case_id,
        clinician=make_user(role="clinician"),
        template_id=ProgrammeTemplate.objects.get(slug="desk-posture-mobility").pk,
        start_date=timezone.localdate(),
    )
    client = Client()

    for path in (
        links.page_url(programme, absolute=False),
        reverse("programmes:patient_page", args=["not-a-valid-link"]),
        reverse("programmes:new_link"),
        "/p/no/such/page/",
    ):
        response = client.get(path)
        assert response.status_code in (200, 404, 405), path
        assert_not_stored(response)


def test_a_signed_out_visitor_still_gets_the_permissions_policy(client: Client) -> None:
    response = client.get(reverse("login"))

    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert "camera=()" in PERMISSIONS_POLICY
    assert "microphone=()" in PERMISSIONS_POLICY
    assert "geolocation=()" in PERMISSIONS_POLICY
    assert "payment=()" in PERMISSIONS_POLICY
    assert "usb=()" in PERMISSIONS_POLICY


def test_a_response_that_chose_its_own_caching_keeps_it() -> None:
    """As WhiteNoise's static files do: they are answered before any user is known."""

    def static_file(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("body{}")
        response["Cache-Control"] = "max-age=315360000, public, immutable"
        return response

    request = RequestFactory().get("/static/clinic/site.css")
    response = TrustHeadersMiddleware(static_file)(request)

    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert "Pragma" not in response
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY


def test_an_anonymous_response_outside_the_patient_pages_is_left_to_its_view() -> None:
    request = RequestFactory().get("/accounts/login/")
    response = TrustHeadersMiddleware(lambda request: HttpResponse("ok"))(request)

    assert "Cache-Control" not in response
