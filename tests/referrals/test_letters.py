"""The referral letter as the receiver reads it: prose from the answers, the reasons of the rules
that set an urgency (no weak flag's citation), and the clinician's name, profession and
registration from their staff profile (clinic.StaffProfile), in the draft and in the PDF."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from clinic.models import StaffProfile
from referrals import letters, services
from referrals.models import Referral
from tests.referrals.factories import make_case, make_destination, make_user
from tests.support.two_factor import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician() -> User:
    user = make_user(role="clinician", first_name="Carl", last_name="Cole", email="c@x.org")
    StaffProfile.objects.create(
        user=user,
        profession=StaffProfile.Profession.PHYSIOTHERAPIST,
        registration_body=StaffProfile.RegistrationBody.HCPC,
        registration_number="PH12345",
    )
    return user


def draft(case, clinician) -> Referral:
    return services.draft_referral(
        case_id=case.pk, destination_id=make_destination().pk, clinician=clinician
    )


def pdf_text(referral: Referral) -> str:
    services.mark_printed(referral_id=referral.pk)
    referral.refresh_from_db()
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=bytes(referral.letter_pdf), capture_output=True, check=True
    ).stdout.decode()
    return " ".join(text.split())


def test_the_complaint_reads_as_a_sentence_from_the_answers(clinician: User) -> None:
    case = make_case(
        pain_region="shoulder_blades",
        duration_days=0,
        pain_score_now=7,
        onset_sudden=True,
        sweating_or_nausea_with_pain=True,
        shortness_of_breath=True,
    )

    letter = draft(case, clinician).letter

    assert "Pain between the shoulder blades since today, 7/10 now, which came on suddenly." in (
        letter
    )
    assert "Maria also reports new breathlessness and sweating or nausea with the pain." in letter
    # No answer dumped as a key or a yes/no.
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", letter), letter
    assert "answered yes" not in letter and "True" not in letter


@pytest.mark.parametrize(
    ("days", "words"),
    [(1, "since yesterday"), (10, "for 10 days"), (21, "for 3 weeks"), (120, "for about 4 months")],
)
def test_how_long_reads_as_a_person_says_it(days: int, words: str) -> None:
    assert words in letters.complaint({"pain_region": "neck", "duration_days": days})


def test_the_reasons_of_the_rules_that_set_the_urgency_are_given_without_weak_flag_citations(
    clinician: User,
) -> None:
    # Weight loss beside a weak flag (night pain): the malignancy cluster, URGENT.
    case = make_case(unexplained_weight_loss=True, night_pain_unrelieved_by_rest=True)
    fired = case.latest_assessment.rules
    with_urgency = [rule for rule in fired if rule["urgency"]]
    weak = [rule for rule in fired if not rule["urgency"]]
    assert with_urgency and weak

    letter = draft(case, clinician).letter

    for rule in with_urgency:
        assert rule["reason"] in letter
    for rule in weak:
        assert rule["source"] not in letter
        assert rule["reason"] not in letter  # said as a finding of the complaint instead
    assert "worse at night, disturbing sleep" in letter
    assert "Weak flag" not in letter
    assert not re.search(r"\[S\d+\]|NICE|CG\d|NG\d|et al\.", letter), letter


def test_the_letter_is_signed_with_name_profession_and_registration(clinician: User) -> None:
    letter = draft(make_case(chest_pain=True), clinician).letter

    assert letter.splitlines()[-3:] == [
        "Carl Cole",
        "Physiotherapist, HCPC registration PH12345",
        letter.splitlines()[-1],
    ]


def test_a_clinician_without_a_profile_signs_with_their_name_alone() -> None:
    carl = make_user(role="clinician", first_name="Carl", last_name="Cole")
    letter = draft(make_case(chest_pain=True), carl).letter
    assert "Carl Cole" in letter and "registration" not in letter


def test_the_pdf_reads_as_prose_and_carries_the_signature(clinician: User) -> None:
    case = make_case(
        given_name="Ngozi",
        pain_region="shoulder_blades",
        duration_days=0,
        pain_score_now=7,
        onset_sudden=True,
        unexplained_weight_loss=True,
        night_pain_unrelieved_by_rest=True,
    )
    referral = draft(case, clinician)

    text = pdf_text(referral)

    assert "Pain between the shoulder blades since today, 7/10 now, which came on suddenly." in text
    assert "Why I am referring:" in text
    assert "Carl Cole" in text
    assert "Physiotherapist, HCPC registration PH12345" in text
    for rule in case.latest_assessment.rules:
        if not rule["urgency"]:
            assert rule["source"] not in text
    assert "answered yes" not in text


# --- The staff profile ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profession", "body", "number", "field"),
    [
        ("osteopath", "HCPC", "PH12345", "registration_body"),
        ("doctor", "GMC", "12345", "registration_number"),  # GMC numbers have 7 digits
        ("physiotherapist", "HCPC", "", "registration_number"),
        ("other", "GMC", "1234567", "registration_body"),
    ],
)
def test_a_profile_must_be_registered_with_its_professions_body(
    profession: str, body: str, number: str, field: str
) -> None:
    profile = StaffProfile(
        user=make_user(role="clinician"),
        profession=profession,
        registration_body=body,
        registration_number=number,
    )
    with pytest.raises(ValidationError) as refused:
        profile.full_clean()
    assert field in refused.value.message_dict


def test_a_profile_on_the_wrong_register_is_refused_with_its_professions_own_sentence() -> None:
    # A whole sentence per profession: no translated profession lower-cased into a template.
    profile = StaffProfile(
        user=make_user(role="clinician"),
        profession=StaffProfile.Profession.OSTEOPATH,
        registration_body=StaffProfile.RegistrationBody.GMC,
        registration_number="1234567",
    )
    with pytest.raises(ValidationError) as refused:
        profile.full_clean()
    assert refused.value.message_dict["registration_body"] == [
        "An osteopath is registered with the General Osteopathic Council (GOsC)."
    ]


def test_the_database_refuses_a_profession_on_the_wrong_register() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffProfile.objects.create(
            user=make_user(role="clinician"),
            profession="chiropractor",
            registration_body="GOsC",
            registration_number="1234",
        )


def test_a_profile_edited_in_the_admin_is_audited_old_and_new(clinician: User) -> None:
    boss = User.objects.create_superuser("boss", "boss@example.org", "x")
    client = sign_in(Client(), boss)
    profile = clinician.staff_profile

    response = client.post(
        reverse("admin:clinic_staffprofile_change", args=[profile.pk]),
        {
            "user": clinician.pk,
            "profession": "doctor",
            "registration_body": "GMC",
            "registration_number": "7654321",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(record__startswith=f"staff profile {profile.pk}")
    assert event.actor == boss and event.action == AuditEvent.Action.CHANGE
    changes = {name: (c["old"], c["new"]) for name, c in event.details["changes"].items()}
    assert changes["registration_body"][1] == "General Medical Council (GMC)"
    assert changes["registration_number"] == ("PH12345", "7654321")
