"""Two-factor authentication for staff (clinic/two_factor/), through the test client.

A clinician, the clinic lead and an admin give a code from an authenticator app (or a backup
code) after their password before any page; one with no authenticator yet sets one up first.
Reception may set one up, and is then asked for it too. Wrong codes are throttled and count
towards the sign-in lockout; a code works once; an admin resets a lost phone.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.core.checks import run_checks
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from clinic.two_factor import services
from clinic.two_factor.middleware import OPEN_BEFORE_SECOND_FACTOR
from tests.patients.helpers import PASSWORD, make_intake, make_user
from tests.support.two_factor import authenticator, code, sign_in
from tests.test_hostile_urls import ROUTES, World, _fill, _real_values, world  # noqa: F401

pytestmark = pytest.mark.django_db

LOCKED = 429
CODES = re.compile(r"<li>([a-z2-7]{8})</li>")
SIGNING_OUT = ("logout", "admin:logout")  # open pages, but posting to them ends the walk


def password_sign_in(client: Client, username: str, *, next_page: str = "") -> Any:
    data = {"username": username, "password": PASSWORD}
    if next_page:
        data["next"] = next_page
    return client.post(reverse("login"), data)


def enter(client: Client, value: str, *, next_page: str = "") -> Any:
    data = {"code": value}
    if next_page:
        data["next"] = next_page
    return client.post(reverse("two_factor:verify"), data)


def is_sent_to(response: Any, name: str) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse(name))


def verified(client: Client) -> bool:
    """A clinician's client that opens the queue."""
    return client.get(reverse("triage:queue")).status_code == 200


# --- Who is asked -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "required"),
    [
        pytest.param({"role": "clinician"}, True, id="clinician"),
        pytest.param({"role": "clinic lead"}, True, id="clinic-lead"),
        pytest.param({"role": None, "is_staff": True}, True, id="admin"),
        pytest.param({"role": None, "is_staff": True, "is_superuser": True}, True, id="superuser"),
        pytest.param({"role": "reception"}, False, id="reception"),
        pytest.param({"role": None}, False, id="no-role"),
    ],
)
def test_clinicians_the_lead_and_admins_require_a_second_factor(fields, required):
    assert services.required_for(make_user(**fields)) is required


def test_a_clinician_without_an_authenticator_is_sent_to_set_one_up_from_any_page(client, clock):
    make_user(role="clinician", username="cara")

    signed_in = password_sign_in(client, "cara", next_page=reverse("triage:queue"))
    queue = client.get(signed_in["Location"])
    code_page = client.get(queue["Location"])

    assert signed_in["Location"] == reverse("triage:queue")
    assert is_sent_to(queue, "two_factor:verify")
    assert is_sent_to(code_page, "two_factor:setup")
    assert "next=%2Ftriage%2Fqueue%2F" in code_page["Location"]


@pytest.mark.parametrize("who", ["clinician", "the clinic lead", "an admin"])
def test_every_url_refuses_staff_without_their_second_factor(world: World, who: str) -> None:  # noqa: F811
    """The walk of tests/test_hostile_urls.py, with real ids: every page but signing in and the
    second factor sends them to the code page, and none shows anything of the patient."""
    user = world.users[who]
    assert user is not None
    authenticator(user)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    patient = world.case.patient
    leaks, let_through = [], []

    for route in ROUTES:
        path = _fill(route, _real_values(route, world))
        for method in ("GET", "POST") if route.name not in SIGNING_OUT else ("GET",):
            response = client.get(path) if method == "GET" else client.post(path)
            body = response.content.decode(errors="replace")
            if patient.family_name in body or patient.given_name in body:
                leaks.append(f"{method} {path}")
            if route.name in OPEN_BEFORE_SECOND_FACTOR:
                continue
            if not is_sent_to(response, "two_factor:verify"):
                let_through.append(f"{response.status_code} {method} {path}")

    assert not leaks, leaks
    assert not let_through, let_through


def test_an_htmx_refresh_without_a_second_factor_takes_the_whole_page_to_the_code_page(client):
    user = make_user(role="clinician")
    authenticator(user)
    client.force_login(user)

    response = client.get(reverse("triage:queue"), HTTP_HX_REQUEST="true")

    assert response.status_code == 403
    assert response["HX-Redirect"].startswith(reverse("two_factor:verify"))


def test_reception_signs_in_with_the_password_alone_until_they_set_up_a_second_factor(
    client, clock
):
    user = make_user(role="reception", username="rita")
    password_sign_in(client, "rita")
    assert client.get(reverse("patients:intake_new")).status_code == 200
    client.post(reverse("logout"))

    device = authenticator(user)
    password_sign_in(client, "rita")
    refused = client.get(reverse("patients:intake_new"))
    accepted = enter(client, code(device), next_page=reverse("patients:intake_new"))

    assert is_sent_to(refused, "two_factor:verify")
    assert accepted["Location"] == reverse("patients:intake_new")
    assert client.get(reverse("patients:intake_new")).status_code == 200


def test_reception_may_turn_it_on_from_their_own_page(client, clock):
    user = make_user(role="reception", username="rita")
    sign_in(client, user)

    page = client.get(reverse("two_factor:manage")).content.decode()
    client.get(reverse("two_factor:setup"))
    device = TOTPDevice.objects.get(user=user)
    done = client.post(reverse("two_factor:setup"), {"code": code(device)})

    assert "Two-factor authentication is off for your account" in page
    assert reverse("two_factor:setup") in page
    assert is_sent_to(done, "two_factor:backup_codes")
    # From now on reception is asked for it too.
    client.post(reverse("logout"))
    password_sign_in(client, "rita")
    assert is_sent_to(client.get(reverse("patients:intake_new")), "two_factor:verify")


def test_a_clinic_can_require_it_of_reception_too(client, settings, clock):
    settings.TWO_FACTOR_REQUIRED_ROLES = frozenset(
        {"reception", "clinician", "clinic lead", "admin"}
    )
    make_user(role="reception", username="rita")

    password_sign_in(client, "rita")

    assert is_sent_to(client.get(reverse("patients:intake_new")), "two_factor:verify")
    assert is_sent_to(client.get(reverse("two_factor:verify")), "two_factor:setup")


# --- Setting up ---------------------------------------------------------------------------------


def test_setting_up_scan_confirm_with_a_code_then_ten_backup_codes_shown_once(client, clock):
    user = make_user(role="clinician", username="cara")
    password_sign_in(client, "cara")

    page = client.get(reverse("two_factor:setup"))
    again = client.get(reverse("two_factor:setup"))
    device = TOTPDevice.objects.get(user=user)
    wrong = client.post(reverse("two_factor:setup"), {"code": "000000"})
    clock.advance(timedelta(seconds=2))  # past django-otp's wait after one wrong code
    right = client.post(
        reverse("two_factor:setup"), {"code": code(device), "next": reverse("triage:queue")}
    )
    shown = client.get(right["Location"])
    shown_again = client.get(reverse("two_factor:backup_codes"))

    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "QR code to scan" in html  # inline, from no other site
    assert services.secret_for_typing(device) in html
    assert again.content.decode().count(services.secret_for_typing(device)) == 1  # same secret
    assert not device.confirmed
    assert "That code is not right" in wrong.content.decode()
    assert is_sent_to(right, "two_factor:backup_codes")
    codes = CODES.findall(shown.content.decode())
    assert len(codes) == settings.TWO_FACTOR_BACKUP_CODES == len(set(codes))
    assert "This is the only time they are shown" in shown.content.decode()
    assert reverse("triage:queue") in shown.content.decode()
    assert shown_again["Location"] == reverse("two_factor:manage")  # gone from the session
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("triage:queue")).status_code == 200
    assert AuditEvent.objects.filter(
        actor=user, record=f"staff {user.pk}, two-factor authentication"
    ).exists()


def test_someone_with_an_authenticator_cannot_set_up_another_without_giving_a_code(client):
    user = make_user(role="clinician", username="cara")
    authenticator(user)
    password_sign_in(client, "cara")

    response = client.get(reverse("two_factor:setup"))
    posted = client.post(reverse("two_factor:setup"), {"code": "123456"})

    assert is_sent_to(response, "two_factor:verify")
    assert is_sent_to(posted, "two_factor:verify")
    assert TOTPDevice.objects.filter(user=user).count() == 1


# --- The code step --------------------------------------------------------------------------


@pytest.fixture
def cara(db: None) -> User:
    user = make_user(role="clinician", username="cara")
    authenticator(user)
    return user


def test_a_wrong_code_is_refused_and_the_right_one_lets_the_clinician_in(client, cara, clock):
    password_sign_in(client, "cara")

    wrong = enter(client, "000000")
    still_refused = client.get(reverse("triage:queue"))
    clock.advance(timedelta(seconds=2))  # past django-otp's wait after one wrong code
    right = enter(client, code(authenticator(cara)), next_page=reverse("triage:queue"))

    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert is_sent_to(still_refused, "two_factor:verify")
    assert right["Location"] == reverse("triage:queue")
    assert client.get(reverse("triage:queue")).status_code == 200
    failed = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, actor_name="cara")
    assert failed.count() == 1
    assert AuditEvent.objects.filter(
        actor=cara, record__endswith="second factor: authenticator app"
    ).exists()


def test_the_session_key_changes_when_the_second_factor_is_given(client, cara, clock):
    password_sign_in(client, "cara")
    before = client.session.session_key

    enter(client, code(authenticator(cara)))

    assert client.session.session_key != before


def test_a_code_already_used_is_refused_even_within_its_30_seconds(client, cara, clock):
    device = authenticator(cara)
    password_sign_in(client, "cara")
    first = code(device)
    assert enter(client, first).status_code == 302
    client.post(reverse("logout"))

    other = Client()
    password_sign_in(other, "cara")
    reused = enter(other, first)
    clock.advance(timedelta(seconds=device.step))
    fresh = enter(other, code(device))

    assert reused.status_code == 200 and "each code works once" in reused.content.decode()
    assert fresh.status_code == 302
    assert verified(other)


def test_right_code_straight_after_wrong_ones_waits_for_the_throttle(client, cara, clock):
    device = authenticator(cara)
    password_sign_in(client, "cara")
    enter(client, "000000")
    enter(client, "111111")  # refused without checking: inside the wait

    too_soon = enter(client, code(device))
    clock.advance(timedelta(seconds=3))
    later = enter(client, code(device))

    assert "wait a few seconds" in too_soon.content.decode()
    assert later.status_code == 302


def test_a_backup_code_works_once(client, cara, clock):
    codes = services._replace_backup_codes(user=cara)
    password_sign_in(client, "cara")

    used = enter(client, codes[0].upper()[:4] + " " + codes[0][4:])  # as typed from paper
    client.post(reverse("logout"))
    other = Client()
    password_sign_in(other, "cara")
    reused = enter(other, codes[0])

    assert used.status_code == 302
    assert reused.status_code == 200
    assert "each code works once" in reused.content.decode()
    assert StaticToken.objects.filter(device__user=cara).count() == 9
    assert (
        StaticToken.objects.filter(
            device__user=cara, token=services.backup_code_digest(codes[0])
        ).count()
        == 0
    )


def test_backup_codes_are_stored_only_as_keyed_hashes(cara):
    codes = services._replace_backup_codes(user=cara)

    stored = set(StaticToken.objects.filter(device__user=cara).values_list("token", flat=True))
    assert stored == {services.backup_code_digest(c) for c in codes}
    assert not stored & set(codes)  # a copy of the database holds no code anyone could type
    assert services.backup_code_digest(codes[0].upper()) == services.backup_code_digest(codes[0])


def test_codes_stored_in_the_clear_before_hashing_are_hashed_and_still_work(client, cara, clock):
    from importlib import import_module

    from django.apps import apps

    device = StaticDevice.objects.create(user=cara, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=device, token="abcd2345")  # as django-otp stored it
    import_module("clinic.migrations.0004_hash_backup_codes").hash_plain_codes(apps, None)

    assert StaticToken.objects.get(device=device).token == services.backup_code_digest("abcd2345")
    password_sign_in(client, "cara")
    assert enter(client, "abcd 2345").status_code == 302


def test_signing_in_with_a_backup_code_says_how_many_are_left(client, cara, clock):
    codes = services._replace_backup_codes(user=cara)
    password_sign_in(client, "cara")

    page = client.post(
        reverse("two_factor:verify"),
        {"code": codes[3], "next": reverse("patients:intake_new")},
        follow=True,
    )

    assert "You signed in with a backup code. You have 9 left." in page.content.decode()


def test_wrong_codes_count_towards_the_sign_in_lockout(client, cara):
    # Without the test's clock: django-axes reads its own. Every refused code counts, whether
    # django-otp checked it or refused it inside its wait.
    password_sign_in(client, "cara")
    answers = [enter(client, f"{n:06d}").status_code for n in range(settings.AXES_FAILURE_LIMIT)]

    assert answers[:-1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert answers[-1] == LOCKED
    assert "_auth_user_id" not in client.session  # signed out
    assert AccessAttempt.objects.filter(username="cara").exists()
    # And the password no longer signs in either, until the cool-off or an admin's unlock.
    assert password_sign_in(Client(), "cara").status_code == LOCKED


def test_the_code_page_never_sends_anyone_to_another_site(client, cara, clock):
    password_sign_in(client, "cara")

    response = enter(client, code(authenticator(cara)), next_page="https://evil.example/")

    assert response["Location"] == reverse("home")


# --- A member of staff's own page, and the admin's reset ----------------------------------------


def test_new_backup_codes_replace_the_old_ones(client, cara, clock):
    old = services._replace_backup_codes(user=cara)
    sign_in(client, cara)
    page = client.get(reverse("two_factor:manage"))

    made = client.post(reverse("two_factor:new_backup_codes"))
    new = CODES.findall(client.get(made["Location"]).content.decode())

    assert "10 unused" in page.content.decode()
    assert len(new) == 10
    assert not StaticToken.objects.filter(
        device__user=cara, token__in=map(services.backup_code_digest, old)
    ).exists()
    assert (
        StaticToken.objects.filter(
            device__user=cara, token__in=map(services.backup_code_digest, new)
        ).count()
        == 10
    )


def test_an_admin_resets_a_lost_phone_and_the_clinician_sets_up_again(client, cara, clock):
    services._replace_backup_codes(user=cara)
    clinician = sign_in(Client(), cara)
    assert clinician.get(reverse("triage:queue")).status_code == 200
    admin = make_user(role=None, username="lead", is_staff=True, is_superuser=True)
    sign_in(client, admin)

    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [cara.pk]},
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=cara).exists()
    assert not StaticDevice.objects.filter(user=cara).exists()
    # The clinician's session was verified with the device now gone: set up again.
    refused = clinician.get(reverse("triage:queue"))
    assert is_sent_to(refused, "two_factor:verify")
    assert is_sent_to(clinician.get(refused["Location"]), "two_factor:setup")
    event = AuditEvent.objects.get(
        actor=admin, record=f"staff {cara.pk}, two-factor authentication"
    )
    assert event.details["changes"]["second factor"]["new"] == "reset by an admin"


def test_the_admin_site_asks_for_the_second_factor_too(client, clock):
    admin = make_user(role=None, username="lead", is_staff=True, is_superuser=True)
    device = authenticator(admin)

    signed_in = client.post(
        reverse("admin:login"),
        {"username": "lead", "password": PASSWORD, "next": reverse("admin:index")},
    )
    refused = client.get(reverse("admin:index"))
    enter(client, code(device))

    assert signed_in.status_code == 302
    assert is_sent_to(refused, "two_factor:verify")
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_unverified_clinician_sees_no_patient_on_the_case_page(client):
    user = make_user(role="clinician")
    intake = make_intake(entered_by=make_user(role="reception"))
    client.force_login(user)

    response = client.get(reverse("triage:case_detail", args=[intake.assessment.case.pk]))

    assert is_sent_to(response, "two_factor:verify")
    assert intake.patient.family_name not in response.content.decode()


# --- The demo's codes -------------------------------------------------------------------------


def test_the_demo_shows_the_current_code_only_with_debug(client, cara, settings, clock):
    password_sign_in(client, "cara")
    device = authenticator(cara)
    settings.TWO_FACTOR_DEMO_CODES = True

    settings.DEBUG = False
    production = client.get(reverse("two_factor:verify")).content.decode()
    errors = [e.id for e in run_checks()]
    settings.DEBUG = True
    demo = client.get(reverse("two_factor:verify")).content.decode()

    assert code(device) not in production and "Demo only" not in production
    assert "clinic.E201" in errors
    assert f"<strong data-demo-code>{code(device)}</strong>" in demo


def test_production_settings_refuse_the_demo_codes(tmp_path):
    from tests.test_deploy import manage, production_env

    done = manage(tmp_path, "check", **production_env(tmp_path), TWO_FACTOR_DEMO_CODES="true")

    assert done.returncode != 0
    assert "TWO_FACTOR_DEMO_CODES shows sign-in codes" in done.stderr


def test_the_deployment_checks_warn_when_a_clinical_role_is_left_out(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = frozenset({"admin"})

    warnings = {message.id for message in run_checks(include_deployment_checks=True)}

    assert "clinic.W203" in warnings
    settings.TWO_FACTOR_REQUIRED_ROLES = frozenset(
        {"clinician", "clinic lead", "clinical safety officer", "admin"}
    )
    assert "clinic.W203" not in {m.id for m in run_checks(include_deployment_checks=True)}
