"""Every change is an audit row with who, when, which record and each field's old and new value,
made through the page or the admin that makes it: claims, overrides, decisions, referrals,
programmes, the rota, destinations, the exercise library, staff accounts and roles, and the
rule-set settings a deploy brings (lockouts: test_lockouts.py). Passwords never appear, not even
as hashes; no audit row is ever updated."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit import services as audit_services
from audit.models import AuditEvent, SettingsRecord
from clinic.roles import Role
from programmes import links
from programmes.models import Exercise, Programme, TemplatePhase
from referrals.models import Destination, Referral
from tests.patients.helpers import PASSWORD, make_intake, make_user
from tests.programmes.helpers import prescribe
from tests.referrals.factories import make_destination
from tests.support.clock import Clock
from tests.support.two_factor import sign_in
from triage.models import Case, DutySlot, Urgency, Weekday

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action


@pytest.fixture(autouse=True)
def _on_the_test_clock(clock: Clock) -> Clock:
    return clock


@pytest.fixture
def doctor() -> User:
    return make_user(role="clinician", username="doc", email="doc@example.org")


@pytest.fixture
def boss() -> User:
    return User.objects.create_superuser("boss", "boss@example.org", PASSWORD)


def _as(user: User) -> Client:
    """`user` signed in, with the second factor their role needs (tests/support/two_factor.py)."""
    return sign_in(Client(), user)


def _changes(**filters: Any) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action__in=[Action.CREATE, Action.CHANGE, Action.DELETE], **filters
        ).order_by("pk")
    )


def _only(**filters: Any) -> AuditEvent:
    (event,) = _changes(**filters)
    return event


def _old_new(event: AuditEvent) -> dict[str, tuple[Any, Any]]:
    return {name: (c["old"], c["new"]) for name, c in event.details["changes"].items()}


def _streamed(response: Any) -> str:
    return b"".join(response.streaming_content).decode()


def _case() -> Case:
    return make_intake(entered_by=make_user(role="reception")).assessment.case


# --- Cases: claims, overrides, decisions ------------------------------------------------------


def test_a_claim_and_a_release_are_recorded_with_who_held_the_case(doctor: User) -> None:
    case = _case()
    client = _as(doctor)
    client.post(reverse("triage:case_claim", args=[case.pk]))
    client.post(reverse("triage:case_release", args=[case.pk]))

    claimed, released = _changes(record=f"case {case.pk}")
    assert (claimed.actor, claimed.action, claimed.patient_id) == (
        doctor,
        Action.CHANGE,
        case.patient_id,
    )
    assert _old_new(claimed) == {"claimed by": (None, "doc")}
    assert _old_new(released) == {"claimed by": ("doc", None)}


def test_an_override_is_recorded_with_the_old_and_new_urgency_and_the_reason(
    doctor: User,
) -> None:
    case = _case()
    assert case.urgency == Urgency.SELF_CARE
    _as(doctor).post(
        reverse("triage:case_override", args=[case.pk]),
        {"to_urgency": Urgency.URGENT.value, "reason": "Worse at night"},
    )

    event = _only(patient=case.patient)
    assert event.actor == doctor and event.record.startswith(f"case {case.pk}, override ")
    changes = _old_new(event)
    assert changes["urgency"] == ("Self-care", "Urgent")
    assert changes["reason"] == (None, "Worse at night")
    case.refresh_from_db()
    assert changes["to be seen by"][1] == case.due_at.isoformat()


def test_a_discharge_is_recorded_as_the_case_closed_with_the_decision(doctor: User) -> None:
    case = _case()
    _as(doctor).post(
        reverse("triage:case_discharge", args=[case.pk]), {"advice": "Keep moving gently."}
    )

    event = _only(patient=case.patient)
    assert event.actor == doctor and event.record.startswith(f"case {case.pk}, decision ")
    # deciding a case nobody had claimed claims it, through the one door every decision takes
    assert _old_new(event) == {
        "status": ("Waiting", "Closed"),
        "decision": (None, "Discharged with advice"),
        "claimed by": (None, doctor.username),
        "advice": (None, "Keep moving gently."),
    }


# --- Referrals --------------------------------------------------------------------------------


def test_a_referral_drafted_edited_sent_and_completed_is_recorded_step_by_step(
    doctor: User,
) -> None:
    case = _case()
    destination = make_destination(name="Spinal clinic")
    client = _as(doctor)
    client.post(
        reverse("referrals:referral_new", args=[case.pk]),
        {"destination": destination.pk, "urgency": Urgency.SOON.value},
    )
    referral = Referral.objects.get()
    old_letter = referral.letter
    client.post(
        reverse("referrals:referral_edit", args=[referral.pk]),
        {"letter": "Dear colleague, please see.", "urgency": Urgency.URGENT.value},
    )
    for action in ("send", "acknowledge", "complete"):
        client.post(reverse("referrals:referral_action", args=[referral.pk, action]))

    drafted, edited, sent, acknowledged, completed = _changes(record=f"referral {referral.pk}")
    assert {e.actor for e in (drafted, edited, sent, acknowledged, completed)} == {doctor}
    assert {e.patient_id for e in (drafted, sent)} == {case.patient_id}
    assert drafted.action == Action.CREATE
    assert _old_new(drafted) == {
        "destination": (None, "Spinal clinic"),
        "urgency": (None, "Soon"),
        "status": (None, "Draft"),
    }
    assert _old_new(edited) == {
        "letter": (old_letter, "Dear colleague, please see."),
        "urgency": ("Soon", "Urgent"),
    }
    assert _old_new(sent)["status"] == ("Draft", "Sent")
    # the decision is the case's change, recorded by triage's one door
    (decided,) = _changes(record__startswith=f"case {case.pk}, decision ")
    assert decided.actor == doctor
    assert _old_new(decided)["decision"] == (None, "Referred")
    assert _old_new(decided)["status"] == ("Waiting", "Closed")
    assert _old_new(acknowledged) == {"status": ("Sent", "Acknowledged")}
    assert _old_new(completed) == {"status": ("Acknowledged", "Completed")}


def test_a_referral_printed_or_cancelled_is_recorded(doctor: User) -> None:
    case = _case()
    client = _as(doctor)
    first = Referral.objects.get(
        pk=_draft(client, case, make_destination(email="")),
    )
    second = Referral.objects.get(pk=_draft(client, case, make_destination()))
    client.post(reverse("referrals:referral_action", args=[first.pk, "print"]))
    client.post(reverse("referrals:referral_action", args=[second.pk, "cancel"]))

    assert _old_new(_changes(record=f"referral {first.pk}")[-1])["status"] == (
        "Draft",
        "Printed and handed to the patient",
    )
    assert _old_new(_changes(record=f"referral {second.pk}")[-1]) == {
        "status": ("Draft", "Cancelled")
    }


def _draft(client: Client, case: Case, destination: Destination) -> int:
    response = client.post(
        reverse("referrals:referral_new", args=[case.pk]),
        {"destination": destination.pk, "urgency": Urgency.ROUTINE.value},
    )
    return int(re.findall(r"/referrals/(\d+)/", response["Location"])[0])


# --- Programmes -------------------------------------------------------------------------------


def test_a_programme_prescribed_is_recorded_with_the_case_decision(doctor: User) -> None:
    programme = prescribe(by=doctor)

    (created,) = _changes(record=f"programme {programme.pk}")
    assert (created.actor, created.action, created.patient_id) == (
        doctor,
        Action.CREATE,
        programme.patient_id,
    )
    changes = _old_new(created)
    assert changes["status"] == (None, "Active")
    assert changes["template"] == (None, programme.template.name)
    assert changes["start date"] == (None, programme.start_date.isoformat())
    decision = _only(record__startswith=f"case {programme.case_id}, decision ")
    assert _old_new(decision)["status"] == ("Waiting", "Closed")
    assert _old_new(decision)["decision"] == (None, "Programme prescribed")


def test_a_programme_stopped_and_its_link_revoked_are_recorded(doctor: User) -> None:
    programme = prescribe(by=doctor)
    client = _as(doctor)
    client.post(reverse("programmes:revoke_link", args=[programme.pk]))
    client.post(
        reverse("programmes:programme_stop", args=[programme.pk]),
        {f"prg{programme.pk}-stop-reason": "Moved away"},
    )

    events = _changes(record=f"programme {programme.pk}", action=Action.CHANGE)
    revoked = next(e for e in events if "link version" in e.details["changes"])
    assert revoked.actor == doctor and _old_new(revoked)["link version"] == (1, 2)
    stopped = events[-1]
    assert stopped.actor == doctor
    assert _old_new(stopped)["status"] == ("Active", "Stopped by the clinic")
    assert _old_new(stopped)["event"] == (None, "Stopped: Moved away")


def test_the_patient_pausing_reminders_is_recorded_as_the_patient(doctor: User) -> None:
    programme = prescribe(by=doctor)
    token = links.page_token(programme)
    Client().post(reverse("programmes:pause", args=[token]))

    event = _changes(record=f"programme {programme.pk}")[-1]
    assert event.actor is None and event.actor_kind == AuditEvent.ActorKind.PATIENT
    assert event.patient_id == programme.patient_id
    assert _old_new(event)["reminders paused"] == (False, True)
    assert token not in str(event.details) + event.record + event.page
    assert Programme.objects.get(pk=programme.pk).reminders_paused


# --- The admin: the rota, destinations, the library -------------------------------------------


def test_the_rota_added_changed_and_deleted_in_the_admin_is_recorded(
    boss: User, doctor: User
) -> None:
    client = _as(boss)
    client.post(
        reverse("admin:triage_dutyslot_add"),
        {"clinician": doctor.pk, "weekday": Weekday.MONDAY, "starts": "09:00", "ends": "17:00"},
    )
    slot = DutySlot.objects.get()
    client.post(
        reverse("admin:triage_dutyslot_change", args=[slot.pk]),
        {"clinician": doctor.pk, "weekday": Weekday.TUESDAY, "starts": "09:00", "ends": "13:00"},
    )
    client.post(reverse("admin:triage_dutyslot_delete", args=[slot.pk]), {"post": "yes"})

    added, changed, deleted = _changes(record__startswith=f"duty slot {slot.pk}")
    assert {e.actor for e in (added, changed, deleted)} == {boss}
    assert [e.action for e in (added, changed, deleted)] == [
        Action.CREATE,
        Action.CHANGE,
        Action.DELETE,
    ]
    assert _old_new(added) == {
        "clinician": (None, "doc"),
        "weekday": (None, "Monday"),
        "starts": (None, "09:00:00"),
        "ends": (None, "17:00:00"),
    }
    assert _old_new(changed) == {
        "weekday": ("Monday", "Tuesday"),
        "ends": ("17:00:00", "13:00:00"),
    }
    assert _old_new(deleted)["weekday"] == ("Tuesday", None)
    assert changed.page == "admin:triage_dutyslot_change"
    assert not DutySlot.objects.exists()


def test_the_fallback_list_edited_in_the_list_is_recorded(boss: User, doctor: User) -> None:
    client = _as(boss)
    client.post(
        reverse("admin:triage_fallbackclinician_add"), {"clinician": doctor.pk, "position": "3"}
    )
    entry = doctor.fallback_entry
    client.post(
        reverse("admin:triage_fallbackclinician_changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": entry.pk,
            "form-0-position": "1",
            "_save": "Save",
        },
    )
    added, moved = _changes(record__startswith=f"fallback clinician {entry.pk}")
    assert _old_new(added) == {"clinician": (None, "doc"), "position": (None, 3)}
    assert moved.actor == boss and _old_new(moved) == {"position": (3, 1)}


def test_a_destination_changed_in_the_admin_is_recorded(boss: User) -> None:
    destination = make_destination(name="MRI", email="mri@example.org")
    _as(boss).post(
        reverse("admin:referrals_destination_change", args=[destination.pk]),
        {
            "kind": destination.kind,
            "name": "MRI",
            "email": "scans@example.org",
            "phone": destination.phone,
            "address": destination.address,
            "active": "",
        },
    )
    event = _only(record__startswith=f"destination {destination.pk}")
    assert event.actor == boss
    assert _old_new(event) == {
        "email": ("mri@example.org", "scans@example.org"),
        "active": (True, False),
    }


def test_an_exercise_deactivated_in_the_library_is_recorded(boss: User) -> None:
    prescribe()  # seeds the library
    exercise = Exercise.objects.get(slug="open-book")
    client = _as(boss)
    url = reverse("admin:programmes_exercise_change", args=[exercise.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in ((n, form[n].value()) for n in form.fields)
        if value not in (None, False, "")  # "": no picture or video to upload
    }
    data["caution_tags"] = list(exercise.caution_tags)
    data.pop("active", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    event = _only(record__startswith=f"exercise {exercise.pk}")
    assert event.actor == boss and _old_new(event) == {"active": (True, False)}


def test_a_template_exercise_changed_or_removed_in_its_phase_is_recorded_row_by_row(
    boss: User,
) -> None:
    prescribe()  # seeds the library
    phase = TemplatePhase.objects.filter(exercises__isnull=False).order_by("pk").first()
    assert phase is not None
    client = _as(boss)
    url = reverse("admin:programmes_templatephase_change", args=[phase.pk])
    page = client.get(url).context
    data: dict[str, Any] = {
        name: value
        for name, value in (
            (n, page["adminform"].form[n].value()) for n in page["adminform"].form.fields
        )
        if value is not None
    }
    (formset,) = [f.formset for f in page["inline_admin_formsets"]]
    management = formset.management_form
    for name in management.fields:
        data[management.add_prefix(name)] = management[name].value()
    changed, removed = formset.initial_forms[0], formset.initial_forms[1]
    for form in formset.forms:  # as the browser sends them, the blank extra row included
        for name in form.fields:
            value = form[name].value()
            if value is not None and name != "DELETE":
                data[form.add_prefix(name)] = value
    data[changed.add_prefix("sets")] = int(changed.instance.sets or 0) + 1
    data[removed.add_prefix("DELETE")] = "on"
    response = client.post(url, data)
    assert response.status_code == 302

    edited = _only(record__startswith=f"template exercise {changed.instance.pk}")
    assert edited.actor == boss and edited.action == Action.CHANGE
    assert _old_new(edited) == {
        "sets": (changed.instance.sets, int(changed.instance.sets or 0) + 1)
    }
    gone = _only(record__startswith=f"template exercise {removed.instance.pk}")
    assert gone.action == Action.DELETE
    assert _old_new(gone)["exercise"] == (str(removed.instance.exercise), None)
    assert not _changes(record__startswith="template exercise", action=Action.CREATE)


# --- Staff accounts and roles -----------------------------------------------------------------


def _user_form(user: User, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "groups": [g.pk for g in user.groups.all()],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    for flag in ("is_active", "is_staff", "is_superuser"):
        if getattr(user, flag):
            data[flag] = "on"
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else value
    return data


def test_a_staff_account_created_in_the_admin_is_recorded_without_its_password(
    boss: User,
) -> None:
    _as(boss).post(
        reverse("admin:auth_user_add"),
        {
            "username": "newdoc",
            "usable_password": "true",
            "password1": "a-fresh-password-77",
            "password2": "a-fresh-password-77",
        },
    )
    user = User.objects.get(username="newdoc")
    event = _only(record__startswith=f"user {user.pk}")
    assert (event.actor, event.action) == (boss, Action.CREATE)
    changes = _old_new(event)
    assert changes["username"] == (None, "newdoc")
    assert changes["password"] == (None, "set")
    assert user.password not in str(event.details)


def test_a_role_given_staff_rights_and_deactivation_are_recorded_old_and_new(
    boss: User, doctor: User
) -> None:
    lead = Group.objects.get_or_create(name=Role.LEAD)[0]
    clinician = Group.objects.get(name=Role.CLINICIAN)
    url = reverse("admin:auth_user_change", args=[doctor.pk])
    client = _as(boss)
    response = client.post(
        url,
        _user_form(doctor, groups=[clinician.pk, lead.pk], is_staff=True, first_name="Dora"),
    )
    assert response.status_code == 302
    client.post(url, _user_form(User.objects.get(pk=doctor.pk), is_active=False))

    promoted, deactivated = _changes(record__startswith=f"user {doctor.pk}")
    assert promoted.actor == boss
    assert _old_new(promoted) == {
        "first_name": ("", "Dora"),
        "is_staff": (False, True),
        "groups": ("clinician", "clinic lead, clinician"),
    }
    assert _old_new(deactivated) == {"is_active": (True, False)}


def test_superuser_rights_and_a_password_set_by_an_admin_never_store_the_hash(
    boss: User, doctor: User
) -> None:
    client = _as(boss)
    client.post(
        reverse("admin:auth_user_change", args=[doctor.pk]),
        _user_form(doctor, is_superuser=True),
    )
    old_hash = User.objects.get(pk=doctor.pk).password
    response = client.post(
        reverse("admin:auth_user_password_change", args=[doctor.pk]),
        {
            "password1": "another-long-password-9",
            "password2": "another-long-password-9",
            "usable_password": "true",
            "set-password": "1",
        },
    )
    assert response.status_code == 302
    new_hash = User.objects.get(pk=doctor.pk).password
    assert new_hash != old_hash

    superuser, password = _changes(record__startswith=f"user {doctor.pk}")
    assert _old_new(superuser) == {"is_superuser": (False, True)}
    assert password.actor == boss and _old_new(password) == {"password": (None, "changed")}
    every_row = str(list(AuditEvent.objects.values_list("details", "record")))
    for secret in (old_hash, new_hash, "another-long-password-9"):
        assert secret not in every_row
    assert "md5$" not in every_row and "pbkdf2" not in every_row


def test_staff_changing_their_own_password_is_recorded_without_it(doctor: User) -> None:
    client = _as(doctor)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "my-own-new-password-5",
            "new_password2": "my-own-new-password-5",
        },
    )
    assert response.status_code == 302

    event = _only(record__startswith=f"user {doctor.pk}")
    assert (event.actor, event.page) == (doctor, "password_change")
    assert _old_new(event) == {"password": (None, "changed")}
    assert User.objects.get(pk=doctor.pk).password not in str(event.details)


def test_a_roles_permissions_changed_in_the_admin_are_recorded(boss: User) -> None:
    group = Group.objects.get_or_create(name=Role.RECEPTION)[0]
    permission = Permission.objects.get(codename="view_destination")
    _as(boss).post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": group.name, "permissions": [permission.pk]},
    )
    event = _only(record__startswith=f"group {group.pk}")
    assert event.actor == boss
    (old, new) = _old_new(event)["permissions"]
    assert old == "" and "Can view destination" in new


# --- The rule-set settings ---------------------------------------------------------------------


def test_a_deploy_with_other_rule_set_settings_records_them_old_and_new(settings: Any) -> None:
    call_command("migrate", verbosity=0)  # a deploy with the same settings: nothing to say
    assert not _changes(record=audit_services.RULESET_SETTINGS)
    assert SettingsRecord.objects.filter(key=audit_services.RULESET_SETTINGS).exists()

    settings.TRIAGE_MEDIUM_PSYCHOSOCIAL_RISK_IS_ROUTINE = True
    call_command("migrate", verbosity=0)
    call_command("migrate", verbosity=0)  # and the next deploy has nothing new to say

    event = _only(record=audit_services.RULESET_SETTINGS)
    assert event.actor is None and event.actor_kind == AuditEvent.ActorKind.SYSTEM
    changes = _old_new(event)
    assert changes["medium psychosocial risk is routine"] == (False, True)
    assert changes["rule set"][1].endswith("+psychosocial-medium-routine")
    assert set(changes) == {"medium psychosocial risk is routine", "rule set"}


def test_a_deploy_with_another_exam_rule_set_records_it_old_and_new(monkeypatch: Any) -> None:
    from triage.rules import exam_rules

    call_command("migrate", verbosity=0)
    baseline = SettingsRecord.objects.get(key=audit_services.RULESET_SETTINGS)
    assert baseline.value["exam rule set"] == exam_rules.EXAM_RULESET_VERSION

    monkeypatch.setattr(exam_rules, "EXAM_RULESET_VERSION", "exam-2099.1")
    call_command("migrate", verbosity=0)

    event = _only(record=audit_services.RULESET_SETTINGS)
    assert _old_new(event) == {"exam rule set": (baseline.value["exam rule set"], "exam-2099.1")}


def test_a_baseline_from_before_the_exam_rule_set_records_its_arrival() -> None:
    call_command("migrate", verbosity=0)
    baseline = SettingsRecord.objects.get(key=audit_services.RULESET_SETTINGS)
    baseline.value = {k: v for k, v in baseline.value.items() if k != "exam rule set"}
    baseline.save(update_fields=["value"])

    assert audit_services.record_ruleset_settings() is True
    changes = _old_new(_only(record=audit_services.RULESET_SETTINGS))
    assert changes == {"exam rule set": (None, "exam-2026.1")}


# --- The reports, and nothing updated --------------------------------------------------------


def test_the_reports_show_each_change_old_and_new_on_the_page_and_in_the_csv(
    boss: User, doctor: User
) -> None:
    case = _case()
    _as(doctor).post(
        reverse("triage:case_override", args=[case.pk]),
        {"to_urgency": Urgency.URGENT.value, "reason": "Worse at night"},
    )
    _as(boss).post(
        reverse("admin:triage_dutyslot_add"),
        {"clinician": doctor.pk, "weekday": Weekday.MONDAY, "starts": "09:00", "ends": "17:00"},
    )
    lead = make_user(role=Role.LEAD, username="lead")
    client = _as(lead)

    page = client.get(reverse("audit:patient_access", args=[case.patient_id])).content.decode()
    assert "urgency: Self-care → Urgent" in page and "reason: — → Worse at night" in page
    clinic = client.get(reverse("audit:clinic_changes"))
    assert clinic.status_code == 200
    html = clinic.content.decode()
    assert "weekday: — → Monday" in html and "clinician: — → doc" in html
    assert "Worse at night" not in html  # a patient's change is in their own report
    assert reverse("audit:clinic_changes") in client.get(reverse("audit:index")).content.decode()

    exported = client.get(reverse("audit:clinic_changes"), {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(_streamed(exported))))
    (slot,) = [row for row in rows if row["record"].startswith("duty slot")]
    assert slot["who"] == "boss" and slot["action"] == "Created"
    assert "weekday: — → Monday" in slot["details"]
    staff = client.get(reverse("audit:staff_activity", args=[doctor.pk]), {"format": "csv"})
    details = _streamed(staff)
    assert "urgency: Self-care → Urgent" in details


@pytest.mark.parametrize("who", ["reception", "clinician"])
def test_only_the_lead_or_an_admin_reads_the_clinic_changes(who: str) -> None:
    assert _as(make_user(role=who)).get(reverse("audit:clinic_changes")).status_code == 403


def test_no_change_ever_updates_or_deletes_an_audit_row(boss: User, doctor: User) -> None:
    case = _case()
    with CaptureQueriesContext(connection) as queries:
        client = _as(doctor)
        client.post(reverse("triage:case_claim", args=[case.pk]))
        client.post(
            reverse("triage:case_discharge", args=[case.pk]), {"advice": "Keep moving gently."}
        )
        _as(boss).post(
            reverse("admin:auth_user_change", args=[doctor.pk]),
            _user_form(doctor, is_staff=True),
        )
        call_command("migrate", verbosity=0)
    touched = [
        q["sql"]
        for q in queries.captured_queries
        if "audit_auditevent" in q["sql"] and not q["sql"].lstrip().startswith(("SELECT", "INSERT"))
    ]
    assert touched == []
    assert len(_changes()) == 3
