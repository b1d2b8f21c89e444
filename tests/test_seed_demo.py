"""`manage.py seed_demo`: the demo logins and a queue of intakes the rule set really triaged."""

import re
from base64 import b32encode
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.demo import ASKED_OF_THE_PATIENT, LOGINS, NO_FLAGS, PATIENTS
from patients.models import Intake, Patient
from patients.nhs import nhs_number_is_valid
from tests.support.two_factor import code_for_secret
from triage.models import Assessment, Case, Urgency
from triage.rules import QUESTIONS, Answers
from triage.services import current_ruleset


def _signs_in(client, username: str, password: str) -> bool:
    """Through the sign-in page, as staff do (django-axes checks sign-ins that come with a request)."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_debug(settings):
    settings.DEBUG = True
    return settings


# The demo data itself, without the database.


def test_no_flags_baseline_answers_every_question_but_age_and_sex_and_fires_nothing():
    assert set(NO_FLAGS) == {q.name for q in QUESTIONS} - ASKED_OF_THE_PATIENT
    result = current_ruleset().evaluate(Answers.from_mapping({**NO_FLAGS, "age": 40, "sex": "F"}))
    assert result.urgency == Urgency.SELF_CARE
    assert result.rule_ids == []


@pytest.mark.parametrize("patient", PATIENTS, ids=lambda p: p.key)
def test_each_demo_patient_is_a_complete_intake_with_the_urgency_its_story_means(patient):
    answers = patient.complete_answers()

    assert set(answers) == {q.name for q in QUESTIONS}
    for question in QUESTIONS:
        if question.kind is bool:
            assert type(answers[question.name]) is bool, question.name
    # Only real differences from the baseline, so each story reads as what is wrong.
    assert all(NO_FLAGS[name] != value for name, value in patient.answers.items())
    result = current_ruleset().evaluate(Answers.from_mapping(answers))
    assert result.urgency == patient.expected, result.rule_ids


def test_demo_patients_have_distinct_keys_and_valid_distinct_nhs_numbers():
    assert len({p.key for p in PATIENTS}) == len(PATIENTS)
    numbers = [p.nhs_number for p in PATIENTS if p.nhs_number]
    assert len(set(numbers)) == len(numbers)
    assert all(nhs_number_is_valid(n) and n.startswith("999") for n in numbers)


@pytest.mark.parametrize("today", [date(2027, 1, 1), date(2028, 2, 29), date(2027, 12, 31)])
def test_demo_birth_dates_give_the_story_age_on_any_day(today):
    for patient in PATIENTS:
        born = Patient(date_of_birth=patient.date_of_birth(today))
        assert born.age_on(today) == patient.age, patient.key


# The command.


@pytest.mark.django_db
def test_seed_represents_every_urgency_in_the_queue(demo_debug):
    seed()

    assert set(Case.objects.open().values_list("urgency", flat=True)) == set(Urgency.values)
    assert Intake.objects.filter(source=Intake.Source.DEMO).count() == len(PATIENTS)


@pytest.mark.django_db
def test_every_demo_case_has_the_urgency_the_rule_set_gives_its_answers(demo_debug):
    seed()

    intakes = Intake.objects.filter(source=Intake.Source.DEMO).select_related(
        "assessment__case", "entered_by"
    )
    expected_by_token = {p.submission_token: p.expected for p in PATIENTS}
    for intake in intakes:
        engine = current_ruleset().evaluate(Answers.from_mapping(intake.answers))
        assert intake.assessment.urgency == engine.urgency
        assert intake.assessment.case.urgency == engine.urgency
        assert intake.assessment.rules == engine.as_json()["rules"]
        assert engine.urgency == expected_by_token[intake.submission_token]
        assert intake.entered_by.username == "reception"


@pytest.mark.django_db
def test_demo_cases_have_waited_their_story_with_deadlines_from_the_sla(demo_debug):
    before = timezone.now()
    seed()
    after = timezone.now()

    waited = {(p.given_name, p.family_name): p.waited for p in PATIENTS}
    for case in Case.objects.open().select_related("patient"):
        assert before <= case.opened_at + waited[case.patient.given_name, case.patient.family_name]
        assert case.opened_at + waited[case.patient.given_name, case.patient.family_name] <= after
        assert case.due_at == case.opened_at + Urgency(case.urgency).sla


@pytest.mark.django_db
def test_demo_queue_has_cases_past_and_within_their_deadlines_at_every_urgency(demo_debug):
    seed()

    cases = list(Case.objects.open())
    overdue = {Urgency(c.urgency).key for c in cases if c.is_overdue()}
    waiting_in_time = {Urgency(c.urgency).key for c in cases if not c.is_overdue()}
    assert overdue == waiting_in_time == {u.key for u in Urgency}


@pytest.mark.django_db
def test_assessments_keep_the_time_they_were_made(demo_debug):
    before = timezone.now()
    seed()

    assert not Assessment.objects.filter(created_at__lt=before).exists()


@pytest.mark.django_db
def test_seeding_twice_adds_nothing(demo_debug):
    seed()
    models = (get_user_model(), Patient, Intake, Assessment, Case)
    counts = {model: model.objects.count() for model in models}
    queue = list(Case.objects.values_list("pk", "opened_at", "due_at", "urgency"))

    out = seed()

    assert {model: model.objects.count() for model in models} == counts
    assert list(Case.objects.values_list("pk", "opened_at", "due_at", "urgency")) == queue
    assert f"0 added, {len(PATIENTS)} already there" in out


@pytest.mark.django_db
def test_seed_is_refused_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        seed()

    assert not get_user_model().objects.exists()
    assert not Intake.objects.exists()


@pytest.mark.django_db
def test_seed_runs_without_debug_when_forced(settings):
    settings.DEBUG = False

    seed("--force")

    assert Intake.objects.filter(source=Intake.Source.DEMO).count() == len(PATIENTS)


@pytest.mark.django_db
def test_demo_logins_work_and_hold_their_roles(demo_debug, client):
    out = seed()

    for login in LOGINS:
        assert _signs_in(client, login.username, login.password), login.username
        client.logout()
        assert f"{login.username:<10} / {login.password:<15} / {login.totp_secret}" in out
    users = {u.username: u for u in get_user_model().objects.prefetch_related("groups")}
    assert [g.name for g in users["reception"].groups.all()] == ["reception"]
    assert [g.name for g in users["clinician"].groups.all()] == ["clinician"]
    assert not users["reception"].is_staff and not users["clinician"].is_staff
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert [g.name for g in users["admin"].groups.all()] == ["clinic lead"]


@pytest.mark.django_db
def test_the_demo_clinician_is_on_duty_so_the_demo_emergencies_alert_them(demo_debug):
    from outbox.models import Message
    from triage.models import Urgency

    seed()
    clinician = get_user_model().objects.get(username="clinician")
    assert clinician.email and clinician.duty_slots.count() == 7
    urgent = sum(1 for p in PATIENTS if p.expected >= Urgency.URGENT)
    alerts = Message.objects.filter(kind=Message.Kind.CLINICIAN_ALERT, to_email=clinician.email)
    assert alerts.count() == urgent


@pytest.mark.django_db
def test_seeding_again_restores_a_changed_demo_password(demo_debug, client):
    seed()
    reception = get_user_model().objects.get(username="reception")
    reception.set_password("something-else-entirely")
    reception.save()

    seed()

    assert _signs_in(client, "reception", "reception-demo")


def test_demo_passwords_are_as_long_as_the_clinic_asks_of_everyone():
    for login in LOGINS:
        assert len(login.password) >= 12, login.username


@pytest.mark.django_db
def test_each_demo_login_signs_in_with_its_password_and_a_code_from_its_published_key(
    demo_debug, clock
):
    seed()

    for login in LOGINS:
        client = Client()
        assert _signs_in(client, login.username, login.password), login.username
        response = client.post(
            reverse("two_factor:verify"), {"code": code_for_secret(login.totp_secret)}
        )
        assert response.status_code == 302, login.username
        assert response["Location"] == reverse("home")
        start = client.get(reverse("home"))
        assert not start["Location"].startswith(reverse("two_factor:verify")), login.username


@pytest.mark.django_db
def test_the_demo_code_page_shows_the_code_of_the_published_key(demo_debug, client, clock):
    demo_debug.TWO_FACTOR_DEMO_CODES = True
    seed()
    clinician = next(login for login in LOGINS if login.username == "clinician")
    _signs_in(client, clinician.username, clinician.password)

    page = client.get(reverse("two_factor:verify")).content.decode()

    assert f"<strong data-demo-code>{code_for_secret(clinician.totp_secret)}</strong>" in page


def test_the_banner_and_the_readme_give_every_demo_login_with_its_password_and_key():
    root = Path(__file__).resolve().parents[1]
    banner = (root / "scripts" / "run-embedded").read_text()
    readme = (root / "README.md").read_text()
    for login in LOGINS:
        assert re.search(rf"{login.username} +/ {login.password} +/ {login.totp_secret}", banner)
        assert f"`{login.password}`" in readme and f"`{login.totp_secret}`" in readme
    assert "TWO_FACTOR_DEMO_CODES=true" in (root / "Makefile").read_text()


@pytest.mark.django_db
def test_seeding_again_gives_a_reset_demo_login_its_published_key_back(demo_debug):
    from clinic.two_factor.services import reset_two_factor

    seed()
    admin = get_user_model().objects.get(username="admin")
    clinician = get_user_model().objects.get(username="clinician")
    reset_two_factor(user=clinician, by=admin)

    seed()

    device = TOTPDevice.objects.get(user=clinician)
    assert device.confirmed and b32encode(device.bin_key).decode() == "CLINICIANDEMO234"


@pytest.mark.django_db
def test_the_demo_example_questionnaire_is_inactive_placeholder_and_consistent(demo_debug):
    from psychosocial import scoring
    from psychosocial.models import Tool

    seed()
    seed()

    (tool,) = Tool.objects.all()
    assert not tool.active  # the intake still answers "not assessed"
    assert "placeholder" in tool.name.lower()
    assert all(i.wording.startswith("PLACEHOLDER") for i in tool.items.all())
    assert scoring.problems(tool.spec()) == []
    assert scoring.score_range(tool.spec()) == (0, 9)  # STarT Back's shape [S23]


@pytest.mark.django_db
def test_the_demo_clinician_signs_letters_with_a_registered_profile(demo_debug):
    from clinic.models import StaffProfile

    seed()
    seed()  # and seeding again keeps the one profile

    profile = StaffProfile.objects.get(user__username="clinician")
    assert profile.user.get_full_name() == "Sam Hughes"
    assert profile.profession == StaffProfile.Profession.PHYSIOTHERAPIST
    assert (profile.registration_body, profile.registration_number) == ("HCPC", "PH000001")
    profile.full_clean()  # valid as the admin would save it
    assert StaffProfile.objects.count() == 1


@pytest.mark.django_db
def test_two_demo_cases_are_examined_one_cleared_and_one_with_upper_motor_neurone_signs(
    demo_debug,
):
    from examination.models import Examination

    seed()
    seed()  # and again: nothing added

    examinations = {
        e.case.patient.family_name: e
        for e in Examination.objects.select_related("case__patient", "assessment", "examiner")
    }
    assert set(examinations) == {"Marsh", "Brooks"}
    cleared, signs = examinations["Marsh"], examinations["Brooks"]
    assert {e.examiner.username for e in examinations.values()} == {"clinician"}
    assert [r["id"] for r in cleared.assessment.rules] == ["EXAM_CCR_CLEARED"]
    assert cleared.assessment.imaging["decision"] == "none"
    assert "EXAM_MYELOPATHY_SIGNS" in [r["id"] for r in signs.assessment.rules]
    assert signs.assessment.imaging["decision"] == "mri"
    # Each case is held by the demo clinician, at the urgency its intake gave.
    for examination in examinations.values():
        assert examination.case.claimed_by.username == "clinician"
        assert examination.case.urgency == Urgency.URGENT


@pytest.mark.django_db
def test_a_german_demo_patient_has_her_intake_case_and_programme_in_german(demo_debug):
    from programmes.core.library_de import TEMPLATES_GERMAN
    from programmes.models import Programme

    demo_debug.SITE_URL = "http://demo.example"
    out = seed()

    (patient,) = Patient.objects.filter(preferred_language="de")
    intake = Intake.objects.get(patient=patient, source=Intake.Source.DEMO)
    assert intake.assessment.case.urgency == Urgency.SELF_CARE
    programme = Programme.objects.get(patient=patient)
    german = TEMPLATES_GERMAN[programme.template.slug]
    assert programme.name_de == german.name
    answered = programme.check_ins.filter(completed_at__isnull=False)
    assert list(answered.values_list("week", flat=True)) == [0, 1]
    assert programme.sessions.count() >= 4
    # The programme email went out in German.
    email = patient.messages.get(kind="programme")
    assert '<html lang="de">' in email.body_html and german.name in email.body_text

    # The command prints her page's link; the page is in German.
    printed = re.search(r"http://demo\.example(/p/\S+/)", out)
    assert printed is not None
    page = Client().get(printed.group(1))
    html = page.content.decode()
    assert page.status_code == 200 and '<html lang="de">' in html
    assert german.name in html and german.phases[0].goal in html


@pytest.mark.django_db
def test_seeding_again_prescribes_the_german_demo_patient_nothing_more(demo_debug):
    from programmes.models import CheckIn, Programme, SessionLog

    seed()
    counts = (Programme.objects.count(), CheckIn.objects.count(), SessionLog.objects.count())

    out = seed()

    assert (Programme.objects.count(), CheckIn.objects.count(), SessionLog.objects.count()) == (
        counts
    )
    assert "The German demo patient's programme page" in out
