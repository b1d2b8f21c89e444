"""The subject-access export (UK GDPR Article 15): everything held about one patient, as JSON and
as a PDF, made by the clinic lead or an admin only, and itself recorded in the access report."""

from __future__ import annotations

import base64
import json
import subprocess
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit import export
from audit.models import AuditEvent
from clinic.models import StaffPreferences
from examination.services import record_examination
from outbox.models import Message
from outbox.services import remove_old_content
from outcomes.models import NonResponderFlag
from patients.models import Patient
from patients.services import correct_patient_details
from programmes import check_ins, screen
from programmes.models import CheckIn, Programme, ProgrammeExercise
from programmes.ndi import SECTIONS
from questions import services as questions_services
from referrals import services as referral_services
from referrals.models import Referral
from selfintake import services as selfintake_services
from selfintake.forms import CONTRACT_STEPS
from selfintake.models import SelfReferral
from tests.examination.helpers import findings
from tests.patients.helpers import PASSWORD, make_intake, make_user, patient_details
from tests.programmes.helpers import prescribe
from tests.referrals.factories import make_destination
from tests.selfintake.helpers import invite, self_intake
from tests.support.clock import Clock
from tests.support.two_factor import sign_in
from triage import services as triage_services
from triage.models import Urgency

pytestmark = pytest.mark.django_db


def _as(user: User) -> Client:
    client = Client()
    sign_in(client, user)
    return client


@dataclass
class History:
    patient: Patient
    programme: Programme
    desk: User
    doctor: User


def _full_history(clock: Clock, *, family_name: str = "Quartermaine") -> History:
    """A patient who has been through everything: an intake with a rule fired, an override, a
    claim, a referral sent with its letter, a programme with a session and check-ins, a corrected
    detail, the emails that went with them, and a look at the record."""
    desk = make_user(role="reception", first_name="Rita", last_name="Reed")
    doctor = make_user(
        role="clinician", first_name="Carl", last_name="Cole", email="carl@example.org"
    )
    intake = make_intake(
        entered_by=desk,
        details=patient_details(
            given_name="Ada",
            family_name=family_name,
            email=f"{family_name.lower()}@example.org",
            email_consent=True,
        ),
        numbness_or_tingling_arms=True,
        pain_region="neck",
        pain_score_now=6,
        duration_days=42,
    )
    case = intake.assessment.case
    patient = intake.patient
    clock.advance(timedelta(minutes=10))
    triage_services.override_urgency(
        case_id=case.pk,
        clinician=doctor,
        to_urgency=Urgency.SOON,
        reason="Tingling worse at night on the phone",
    )
    triage_services.claim_case(case_id=case.pk, clinician=doctor)
    clock.advance(timedelta(minutes=5))
    record_examination(
        case_id=case.pk,
        clinician=doctor,
        findings=findings(
            {
                "orthopaedic_tests": [{"test": "spurling", "side": "left", "result": "positive"}],
                "impression.category": "radicular_pain",
            }
        ),
    )
    clock.advance(timedelta(minutes=5))
    referral = referral_services.draft_referral(
        case_id=case.pk, destination_id=make_destination(name="Riverside MRI").pk, clinician=doctor
    )
    referral_services.send_referral(referral_id=referral.pk, by=doctor)
    clock.advance(timedelta(minutes=10))
    programme = prescribe(by=doctor, intake=intake, start=timezone.localdate())
    items = ProgrammeExercise.objects.filter(phase__programme=programme, phase__position=1)
    check_ins.log_session(
        programme_id=programme.pk,
        performed_on=timezone.localdate(),
        felt="right",
        exercises=[
            check_ins.LoggedExercise(exercise_id=item.pk, done=True, load_kg=item.load_kg)
            for item in items
        ],
        note="Felt fine",
    )
    check_in = programme.check_ins.get(week=0)
    clock.move_to(max(clock.now, check_in.due_at) + timedelta(minutes=5))
    check_ins.complete_check_in(
        programme_id=programme.pk,
        week=0,
        pain=4,
        sessions_done=None,
        ndi_answers={section.key: 1 for section in SECTIONS},
        screen_answers={field: False for field in screen.SCREEN_FIELDS},
        now=clock.now,
    )
    # The patient asks the clinic a question from their page; the clinician answers it.
    question = questions_services.ask_clinic(
        programme_id=programme.pk, text="Is the ache normal?", submission_token=uuid.uuid4()
    )
    questions_services.answer_question(
        question_id=question.pk, clinician=doctor, reply="Yes, for a day or two."
    )
    # The patient answers a self-intake link, reception checks the answers with them, and a
    # second link is half answered.
    _invitation, self_entered = self_intake(desk, patient)
    selfintake_services.record_answers_checked(intake_id=self_entered.pk, by=desk)
    clock.advance(timedelta(minutes=5))
    second, _link = invite(patient, desk)
    selfintake_services.save_answers(
        invitation_id=second.pk,
        typed={"pain_region": "neck"},
        step=next(step for step in CONTRACT_STEPS if step.slug == "pain"),
    )
    # The record came from the public self-referral page (selfintake/referral.py): the request
    # the patient confirmed is theirs too.
    SelfReferral.objects.create(
        given_name=patient.given_name,
        family_name=patient.family_name,
        date_of_birth=patient.date_of_birth,
        sex=patient.sex,
        email=f"{family_name.lower()}@example.org",
        email_key=f"{family_name.lower()}@example.org",
        email_consent=True,
        submission_token=uuid.uuid4(),
        expires_at=clock.now + timedelta(hours=24),
        confirmed_at=clock.now,
        patient=patient,
    )
    # The daily check flagged the programme to its prescriber (outcomes/), as it does a patient
    # keeping to it without getting better.
    NonResponderFlag.objects.create(
        programme=programme,
        case=programme.case,
        clinician=doctor,
        flagged_at=clock.now,
        week=4,
        rule="At least 75% of sessions by week 4",
        sessions_done=9,
        sessions_planned=12,
        baseline_pain=5,
        pain=4,
    )
    admin = User.objects.create_superuser(f"admin-{family_name}", "root@example.org", PASSWORD)
    correct_patient_details(patient=patient, changes={"phone": "01632 960999"}, by=admin)
    clock.advance(timedelta(minutes=5))
    assert _as(doctor).get(reverse("triage:case_detail", args=[case.pk])).status_code == 200
    return History(patient=patient, programme=programme, desk=desk, doctor=doctor)


def _export(client: Client, patient: Patient) -> dict[str, Any]:
    response = client.get(reverse("audit:subject_access_json", args=[patient.pk]))
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_json_holds_every_part_of_the_patients_history(clock: Clock, lead: User) -> None:
    history = _full_history(clock)
    patient = history.patient

    data = _export(_as(lead), patient)

    assert data["format"] == "clinic-subject-access/1"
    assert data["generated_by"] == "Lena Lead"
    assert data["generated_at"].startswith(timezone.now().isoformat()[:16])
    assert data["patient"]["family_name"] == "Quartermaine"
    assert data["patient"]["date_of_birth"] == "1985-03-14"
    assert data["patient"]["phone"] == "01632 960999"
    (change,) = data["detail_changes"]
    assert (change["field"], change["old_value"], change["new_value"]) == (
        "phone",
        "01632 960001",
        "01632 960999",
    )
    assert change["changed_by"] == "admin-Quartermaine" and change["via"] == "admin"

    # The intakes: the answers as stored, who entered them, and what triage said and why.
    first = data["intakes"][0]
    assert first["entered_by"] == "Rita Reed"
    assert first["contract_version"] == "intake/1" and first["source"] == "reception"
    assert first["answers"]["numbness_or_tingling_arms"] is True
    assert first["answers"]["pain_score_now"] == 6
    assessment = first["assessment"]
    assert assessment["urgency"] == "ROUTINE" and assessment["ruleset"]
    (rule,) = [r for r in assessment["rules"] if r["id"] == "UNILATERAL_ARM_NEURO_SYMPTOMS"]
    assert rule["urgency"] == "ROUTINE" and rule["reason"].startswith("Pins and needles")
    assert rule["source"]
    # The week-0 check-in is an intake too when it re-enters triage; this one did not. The
    # self-intake is, checked with the patient by reception; a second link is half answered.
    assert [intake["source"] for intake in data["intakes"]] == ["reception", "self"]
    self_entered = data["intakes"][1]
    assert first["answers_check"] is None and self_entered["entered_by"] is None
    assert self_entered["answers_check"]["checked_by"] == "Rita Reed"
    used, half_answered = data["self_intake_links"]
    assert (used["intake_id"], used["sent_by"], used["draft"]) == (
        self_entered["id"],
        "Rita Reed",
        None,
    )
    assert used["email"] == "quartermaine@example.org" and used["submitted_at"]
    assert half_answered["submitted_at"] is None and half_answered["intake_id"] is None
    assert half_answered["draft"]["answers"] == {"pain_region": "neck"}

    case = data["cases"][0]
    assert len(data["cases"]) == 2  # the self-intake came after the first case closed
    (examination,) = case["examinations"]
    assert examination["examined_by"] == "Carl Cole"
    assert examination["contract_version"] == "exam/1"
    assert examination["findings"]["orthopaedic_tests"][0]["test"] == "spurling"
    assert examination["test_library"]["spurling"]["source"].startswith("Spurling RG")
    assert examination["assessment"]["ruleset"] == "exam-2026.1"
    assert examination["assessment"]["imaging"]["decision"] == "none"
    assert case["assessment_ids"] == [assessment["id"], examination["assessment"]["id"]]
    assert case["status"] == "closed"
    (override,) = case["overrides"]
    assert (override["from_urgency"], override["to_urgency"], override["by"]) == (
        "ROUTINE",
        "SOON",
        "Carl Cole",
    )
    assert override["reason"] == "Tingling worse at night on the phone"
    assert [a["kind"] for a in case["activities"]] == ["claimed", "question", "question_reply"]
    (programme_data,) = data["programmes"]
    (question,) = programme_data["questions"]
    assert (question["text"], question["status"], question["reply"], question["replied_by"]) == (
        "Is the ache normal?",
        "answered",
        "Yes, for a day or two.",
        "Carl Cole",
    )
    assert case["activities"][1]["question_id"] == question["id"]
    assert [d["kind"] for d in case["decisions"]] == ["referred", "programme_prescribed"]
    assert all(d["safety_net"] for d in case["decisions"])
    (referral,) = case["referrals"]
    assert referral["destination"]["name"] == "Riverside MRI"
    assert referral["status"] == "sent" and referral["sent_at"]
    assert "Ada Quartermaine" in referral["letter"]
    pdf = base64.b64decode(referral["letter_pdf"]["base64"])
    sent = Referral.objects.get(pk=referral["id"]).letter_pdf
    assert sent is not None and pdf == bytes(sent)
    assert pdf.startswith(b"%PDF") and len(pdf) == referral["letter_pdf"]["size"]

    (programme,) = data["programmes"]
    assert programme["id"] == history.programme.pk
    assert programme["prescribed_by"] == "Carl Cole"
    assert programme["phases"] and programme["phases"][0]["exercises"][0]["exercise"]
    (session,) = programme["sessions"]
    assert session["note"] == "Felt fine" and session["exercises"]
    week0 = next(c for c in programme["check_ins"] if c["week"] == 0)
    stored = CheckIn.objects.get(programme=history.programme, week=0)
    assert week0["pain"] == 4 and week0["completed_at"]
    # The starting questionnaire asks the Neck Disability Index: answers, points and percent.
    assert week0["ndi_answers"] == {section.key: 1 for section in SECTIONS}
    assert week0["ndi_percent"] == str(stored.ndi_percent) and stored.ndi_percent is not None
    assert week0["screen"] == stored.screen
    kinds = [event["kind"] for event in programme["events"]]
    assert kinds[0] == "prescribed" and "session_logged" in kinds and "check_in" in kinds

    # The emails: the programme to the patient, the letter to the service, the reminder to the
    # clinician.
    by_kind = {message["kind"]: message for message in data["messages"]}
    assert by_kind["programme"]["to"] == "patient"
    assert by_kind["programme"]["to_email"] == "quartermaine@example.org"
    assert by_kind["programme"]["subject"] and by_kind["programme"]["body_text"]
    assert by_kind["referral_letter"]["to"] == "service"
    assert by_kind["referral_letter"]["attachment_name"] == f"referral-R-{referral['id']}.pdf"
    assert by_kind["referral_letter"]["to_email"] is None

    # Who saw and changed the record: the intake entered, the case opened, and this export.
    access = data["access"]
    assert access[0]["action"] == "export" and access[0]["who"] == "Lena Lead"
    assert {"Rita Reed", "Carl Cole"} <= {row["who"] for row in access}
    assert any(row["record"] == f"intake {first['id']}" for row in access)
    assert any(row["action"] == "view" and row["page"] == "triage:case_detail" for row in access)


def test_another_patients_data_is_not_in_the_export(clock: Clock, lead: User) -> None:
    mine = _full_history(clock, family_name="Quartermaine")
    theirs = _full_history(clock, family_name="Zabriskie")

    text = json.dumps(_export(_as(lead), mine.patient))

    assert "Zabriskie" not in text and "zabriskie@example.org" not in text
    data = json.loads(text)
    assert {i["id"] for i in data["intakes"]}.isdisjoint(
        theirs.patient.intakes.values_list("pk", flat=True)
    )
    assert [p["id"] for p in data["programmes"]] == [mine.programme.pk]


def _models_reaching_patient() -> set[type[models.Model]]:
    """Every model with a path of foreign keys (or one-to-one keys) to Patient."""
    reaching: set[type[models.Model]] = {Patient}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in reaching:
                continue
            targets = {
                field.related_model
                for field in model._meta.concrete_fields
                if isinstance(field, models.ForeignKey)
            }
            if targets & reaching:
                reaching.add(model)
                grew = True
    return reaching


def test_every_model_holding_a_patients_data_has_a_place_in_the_export() -> None:
    # A model added later with a key to a patient (or to anything of theirs) must be exported.
    missing = _models_reaching_patient() - set(export.COVERED)
    assert not missing, f"not in the subject-access export: {sorted(m.__name__ for m in missing)}"


def _at(data: Any, path: str) -> list[Any]:
    """The rows at `path` ("cases.overrides"): a list at each step is walked item by item."""
    found = [data]
    for key in path.split("."):
        step: list[Any] = []
        for item in found:
            value = item[key]
            step.extend(value if isinstance(value, list) else [value])
        found = [value for value in step if value is not None]
    return found


def test_a_full_history_fills_every_place_of_the_export(clock: Clock, lead: User) -> None:
    patient = _full_history(clock).patient
    data = _export(_as(lead), patient)
    empty = [path for path in export.COVERED.values() if not _at(data, path)]
    assert not empty


@pytest.mark.parametrize("role", ["reception", "clinician"])
def test_only_the_lead_or_an_admin_makes_the_export(clock: Clock, lead: User, role: str) -> None:
    patient = make_intake(entered_by=make_user(role="reception")).patient
    urls = [
        reverse("audit:subject_access_index"),
        reverse("audit:subject_access", args=[patient.pk]),
        reverse("audit:subject_access_json", args=[patient.pk]),
        reverse("audit:subject_access_pdf", args=[patient.pk]),
    ]
    refused = _as(make_user(role=role))
    assert [refused.get(url).status_code for url in urls] == [403] * 4
    admin = User.objects.create_superuser("root-admin", "root@example.org", PASSWORD)
    for user in (lead, admin):
        assert [_as(user).get(url).status_code for url in urls] == [200] * 4
    assert not AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, actor__groups__name=role
    ).exists()


def test_the_export_is_recorded_and_listed_in_the_patients_access_report(
    clock: Clock, lead: User
) -> None:
    patient = make_intake(entered_by=make_user(role="reception")).patient
    client = _as(lead)

    response = client.get(reverse("audit:subject_access_json", args=[patient.pk]))

    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == (
        f'attachment; filename="subject-access-{patient.pk}-{timezone.localdate():%Y-%m-%d}.json"'
    )
    (event,) = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT)
    assert (event.actor, event.patient_id, event.page) == (
        lead,
        patient.pk,
        "audit:subject_access_json",
    )
    assert event.record == f"subject-access export (JSON), patient {patient.pk}"
    report = client.get(reverse("audit:patient_access", args=[patient.pk])).content.decode()
    assert "subject-access export (JSON)" in report
    assert reverse("audit:subject_access", args=[patient.pk]) in report


def test_the_pdf_is_a_real_pdf_with_the_key_facts(clock: Clock, lead: User) -> None:
    history = _full_history(clock)
    patient = history.patient

    response = _as(lead).get(reverse("audit:subject_access_pdf", args=[patient.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="subject-access-{patient.pk}-')
    assert "Quartermaine" not in disposition
    assert response.content.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    flat = " ".join(text.split())
    for fact in (
        "Subject-access export",
        "Ada Quartermaine",
        "14 March 1985",
        "UNILATERAL_ARM_NEURO_SYMPTOMS",
        "Tingling worse at night on the phone",
        "Riverside MRI",
        "Home-exercise programmes",
        "Who saw and changed the record",
        "01632 960999",
        "Self-intake links",
        "Answers checked with the patient by Rita Reed",
        "1 answer",
    ):
        assert fact in flat, fact
    (event,) = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT)
    assert event.record == f"subject-access export (PDF), patient {patient.pk}"


def test_the_pdf_names_the_programme_in_the_language_of_the_staff_member_who_made_it(
    clock: Clock, lead: User
) -> None:
    """The export keeps a programme's English and German names; the PDF shows the ones of the
    language it is made in, as the patient read them (the English where none is written)."""
    history = _full_history(clock)
    programme = history.programme
    phase = programme.phases.order_by("position").first()
    assert phase is not None
    item = phase.exercises.select_related("exercise").first()
    assert item is not None
    assert programme.name_de and phase.name_de and item.exercise.name_de

    (exported,) = _export(_as(lead), history.patient)["programmes"]
    assert (exported["name"], exported["name_de"]) == (programme.name, programme.name_de)
    first = exported["phases"][0]
    assert (first["name"], first["name_de"]) == (phase.name, phase.name_de)
    assert first["exercises"][0]["exercise_de"] == item.exercise.name_de

    def pdf_text() -> str:
        pdf = _as(lead).get(reverse("audit:subject_access_pdf", args=[history.patient.pk]))
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True
        ).stdout.decode()
        return " ".join(text.split())

    english = pdf_text()
    assert programme.name in english and phase.name in english
    assert programme.name_de not in english and item.exercise.name_de not in english

    StaffPreferences.objects.create(user=lead, language="de")
    german = pdf_text()
    assert "Heimübungsprogramme" in german
    assert programme.name_de in german and phase.name_de in german
    assert item.exercise.name_de in german
    # The programmes' section heads with the German name (the case's decision keeps the words
    # it was recorded in).
    section = german[german.index("Heimübungsprogramme") :]
    assert section.split(" · ")[0].startswith(f"Heimübungsprogramme {programme.name_de}")


def test_the_export_is_built_in_the_same_queries_however_long_the_history(
    clock: Clock, lead: User
) -> None:
    history = _full_history(clock)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export.build(patient_id=history.patient.pk, by=lead)
        return len(captured)

    before = queries()
    # A second intake (a new case), more sessions, more looks at the record.
    clock.advance(timedelta(days=1))
    history.patient.refresh_from_db()
    make_intake(
        entered_by=history.desk,
        details=patient_details(
            given_name="Ada",
            family_name="Quartermaine",
            date_of_birth=history.patient.date_of_birth,
            email=history.patient.email,
            phone=history.patient.phone,
            email_consent=True,
        ),
    )
    items = ProgrammeExercise.objects.filter(phase__programme=history.programme)
    for _ in range(3):
        check_ins.log_session(
            programme_id=history.programme.pk,
            performed_on=timezone.localdate(),
            felt="easy",
            exercises=[
                check_ins.LoggedExercise(exercise_id=item.pk, done=True, load_kg=None)
                for item in items.filter(phase__position=history.programme.current_phase)
            ],
        )
        _as(history.doctor).get(reverse("triage:case_detail", args=[history.programme.case_id]))
    assert history.patient.cases.count() == 2

    after = queries()
    assert after == before <= 20


def test_the_picker_finds_the_patient(clock: Clock, lead: User) -> None:
    patient = make_intake(
        entered_by=make_user(role="reception"), details=patient_details(family_name="Yarrow")
    ).patient
    client = _as(lead)

    found = client.get(reverse("audit:subject_access_index"), {"q": "Yarrow"}).content.decode()
    page = client.get(reverse("audit:subject_access", args=[patient.pk])).content.decode()

    assert reverse("audit:subject_access", args=[patient.pk]) in found
    assert reverse("audit:subject_access_pdf", args=[patient.pk]) in page
    assert reverse("audit:subject_access_json", args=[patient.pk]) in page
    index = client.get(reverse("audit:index")).content.decode()
    assert reverse("audit:subject_access_index") in index


def test_an_email_past_retention_is_exported_without_its_bodies_and_says_when_they_went(
    clock: Clock, lead: User
) -> None:
    programme = prescribe(start=timezone.localdate())
    message = Message.objects.get(patient=programme.patient, kind=Message.Kind.PROGRAMME)
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENT, sent_at=clock.now)
    clock.advance(timedelta(days=31))
    assert remove_old_content(now=clock.now) >= 1

    data = _export(_as(lead), programme.patient)

    (exported,) = [m for m in data["messages"] if m["id"] == message.pk]
    assert exported["body_text"] == "" and exported["body_html"] == ""
    assert exported["content_removed_at"] and exported["subject"] == message.subject
    assert exported["status"] == "sent" and exported["to"] == "patient"


def test_the_psychosocial_questionnaire_behind_an_intake_is_exported(
    clock: Clock, lead: User
) -> None:
    from patients.services import submit_intake
    from psychosocial.intake import active_questionnaire
    from tests.patients.helpers import answers
    from tests.psychosocial.helpers import ITEM_WORDING, item_post, make_tool
    from triage.rules import Answers

    make_tool()
    questionnaire = active_questionnaire()
    assert questionnaire is not None
    category, record = questionnaire.record(item_post("no", "no", "yes", "3"))
    intake = submit_intake(
        details=patient_details(),
        answers=Answers.from_mapping(answers(psychosocial_risk_category=category)),
        entered_by=make_user(role="reception"),
        psychosocial_screen=record,
    )

    (exported,) = _export(_as(lead), intake.patient)["intakes"]
    assert exported["answers"]["psychosocial_risk_category"] == "high"
    screen_ = exported["psychosocial_screen"]
    assert (screen_["tool"], screen_["version"], screen_["total"]) == (
        "Made-up screen",
        "test-1",
        2,
    )
    assert [i["wording"] for i in screen_["items"]] == list(ITEM_WORDING.values())

    pdf = _as(lead).get(reverse("audit:subject_access_pdf", args=[intake.patient.pk])).content
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    flat = " ".join(text.split())
    assert "Psychosocial questionnaire: Made-up screen (test-1)" in flat
    assert "A lot (1)" in flat
