"""Staff roles: who gets which page, and what everyone else gets instead."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from clinic.roles import Role, has_role, role_required, roles_context, roles_of
from tests.patients.helpers import PASSWORD, make_intake, make_user
from tests.support.two_factor import sign_in

pytestmark = pytest.mark.django_db

PAGES_FOR_ANY_ROLE = ["patients:intake_new", "patients:patient_search"]
CLINICIAN_PAGES = ["triage:queue"]


def test_the_roles_migration_creates_both_groups() -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= {"reception", "clinician"}


def test_roles_of_a_user_are_their_groups() -> None:
    user = make_user(role="clinician")
    assert roles_of(user) == frozenset({"clinician"})
    assert has_role(user, Role.CLINICIAN)
    assert not has_role(user, Role.RECEPTION)
    assert has_role(user, Role.RECEPTION, Role.CLINICIAN)


def test_anonymous_user_has_no_role() -> None:
    assert roles_of(AnonymousUser()) == frozenset()
    assert not has_role(AnonymousUser(), Role.RECEPTION)


def test_role_required_refuses_other_roles_and_lets_the_role_through() -> None:
    @role_required(Role.CLINICIAN)
    def page(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = make_user(role="reception")
    with pytest.raises(PermissionDenied):
        page(request)
    request.user = make_user(role="clinician")
    assert page(request).content == b"ok"


def test_roles_context_tells_templates_which_menus_to_show() -> None:
    request = RequestFactory().get("/")
    request.user = make_user(role="reception")
    assert roles_context(request) == {"is_reception": True, "is_clinician": False, "is_lead": False}


@pytest.mark.parametrize("name", [*PAGES_FOR_ANY_ROLE, *CLINICIAN_PAGES, "home"])
def test_anonymous_user_is_sent_to_login_from_every_page(client: Client, name: str) -> None:
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name", [*PAGES_FOR_ANY_ROLE, *CLINICIAN_PAGES])
def test_staff_without_a_role_get_403_on_every_page(client: Client, name: str) -> None:
    sign_in(client, make_user(role=None))
    response = client.get(reverse(name))
    assert response.status_code == 403
    assert "You cannot open this page" in response.content.decode()


@pytest.mark.parametrize("name", PAGES_FOR_ANY_ROLE)
def test_reception_and_clinicians_open_the_reception_pages(client: Client, name: str) -> None:
    for role in ("reception", "clinician"):
        sign_in(client, make_user(role=role))
        assert client.get(reverse(name)).status_code == 200


def test_reception_is_refused_the_clinician_pages(client: Client) -> None:
    reception = make_user(role="reception")
    intake = make_intake(entered_by=reception)
    sign_in(client, reception)
    assert client.get(reverse("triage:queue")).status_code == 403
    case_url = reverse("triage:case_detail", args=[intake.assessment.case.pk])
    assert client.get(case_url).status_code == 403


def test_home_sends_clinicians_to_the_queue(client: Client) -> None:
    sign_in(client, make_user(role="clinician"))
    assert client.get(reverse("home"))["Location"] == reverse("triage:queue")


def test_home_sends_reception_to_a_new_intake(client: Client) -> None:
    sign_in(client, make_user(role="reception"))
    assert client.get(reverse("home"))["Location"] == reverse("patients:intake_new")


def test_home_sends_the_clinic_lead_to_the_audit(client: Client) -> None:
    sign_in(client, make_user(role="clinic lead"))
    assert client.get(reverse("home"))["Location"] == reverse("audit:index")


def test_home_tells_staff_without_a_role_to_ask_for_one(client: Client) -> None:
    sign_in(client, make_user(role=None))
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "Your account has no role yet" in response.content.decode()


def test_navigation_shows_each_role_its_own_pages(client: Client) -> None:
    sign_in(client, make_user(role="reception"))
    reception_nav = client.get(reverse("patients:intake_new")).content.decode()
    sign_in(client, make_user(role="clinician"))
    clinician_nav = client.get(reverse("patients:intake_new")).content.decode()

    assert reverse("triage:queue") not in reception_nav
    assert reverse("triage:queue") in clinician_nav
    assert reverse("patients:patient_search") in reception_nav


def test_staff_sign_in_on_the_login_page_and_land_on_their_start_page(client: Client) -> None:
    make_user(role="reception", username="rita")

    page = client.get(reverse("login"))
    response = client.post(reverse("login"), {"username": "rita", "password": PASSWORD})

    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_password_is_refused_on_the_login_page(client: Client) -> None:
    make_user(role="reception", username="rita")
    response = client.post(reverse("login"), {"username": "rita", "password": "wrong"})
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()


def test_sign_out_is_a_post_form_and_signs_the_user_out(client: Client) -> None:
    sign_in(client, make_user(role="reception"))
    page = client.get(reverse("patients:intake_new")).content.decode()

    assert f'<form method="post" action="{reverse("logout")}"' in page
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("patients:intake_new")).status_code == 302


def test_unknown_page_shows_the_clinic_not_found_page(client: Client) -> None:
    sign_in(client, make_user(role="reception"))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_a_signed_in_users_roles_come_with_the_user_in_one_query(client, django_assert_num_queries):
    """clinic/auth.py: the page's role checks cost no query of their own."""
    user = make_user(role=Role.RECEPTION, username="both")
    user.groups.add(Group.objects.get(name=Role.CLINICIAN))
    sign_in(client, user)
    request = client.get("/").wsgi_request
    with django_assert_num_queries(0):
        assert has_role(request.user, Role.RECEPTION) and has_role(request.user, Role.CLINICIAN)
        assert not has_role(request.user, Role.LEAD)
