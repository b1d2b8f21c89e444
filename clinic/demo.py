"""The demo clinic as data: staff logins, and patients written from the clinical reference.

Each patient carries only the answers that differ from NO_FLAGS, the answers of somebody with
ordinary mechanical pain and no red flag; `DemoPatient.complete_answers` builds the complete intake
(every key of contract `intake/1`). `expected` is the urgency the story is meant to show, and
`waited` how long the case has been in the queue when the demo starts, so that the queue shows
cases inside and past their deadlines. `python manage.py seed_demo` loads it all.

Names are invented; NHS numbers are in the 999 range, which is never issued to patients; phone
numbers are Ofcom's drama range and email addresses use example domains.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from clinic.roles import Role
from patients.services import PatientDetails
from triage.rules import QUESTIONS, Urgency

# The namespace of the demo intakes' submission tokens: the same patient gets the same token on
# every run, so seeding twice finds the intake already made.
DEMO_TOKEN_NAMESPACE = uuid.UUID("6f1c8a52-3d4e-4b8f-9a61-2c7d0e5b9f13")


@dataclass(frozen=True, kw_only=True)
class DemoLogin:
    username: str
    password: str
    role: Role | None
    superuser: bool = False
    does: str
    email: str = ""
    also: tuple[Role, ...] = ()
    on_duty_all_week: bool = False  # on the rota every day, all day: the demo's alerts reach them
    first_name: str = ""
    last_name: str = ""
    # The clinic.StaffProfile a demo clinician signs letters with: (profession, body, number).
    # Demo registrations are made up: the numbers are shaped like the register's, and fake.
    profile: tuple[str, str, str] | None = None
    # The published secret of the demo login's authenticator (base32, as an app takes it): the
    # demo's second factor, printed by `make run` (scripts/run-embedded) and the README.
    totp_secret: str


LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(
        username="reception",
        password="reception-demo",  # noqa: S106 - published demo password
        role=Role.RECEPTION,
        does="enter intakes, find patients",
        totp_secret="RECEPTIONDEMO234",  # noqa: S106 - published demo key
    ),
    DemoLogin(
        username="clinician",
        password="clinician-demo",  # noqa: S106 - published demo password
        role=Role.CLINICIAN,
        does="the clinician queue and cases",
        email="clinician@clinic.example",
        on_duty_all_week=True,
        first_name="Sam",
        last_name="Hughes",
        profile=("physiotherapist", "HCPC", "PH000001"),
        totp_secret="CLINICIANDEMO234",  # noqa: S106 - published demo key
    ),
    DemoLogin(
        username="admin",
        password="admin-demo-pass",  # noqa: S106 - published demo password
        role=None,
        superuser=True,
        does="the Django admin at /admin/",
        email="lead@clinic.example",
        also=(Role.LEAD,),
        totp_secret="ADMINDEMOADMIN23",  # noqa: S106 - published demo key
    ),
    DemoLogin(
        username="safety",
        password="safety-demo-pass",  # noqa: S106 - published demo password
        role=Role.SAFETY_OFFICER,
        does="try rule sets on past intakes, sign them off, the hazard log",
        first_name="Sofia",
        last_name="Khan",
        totp_secret="SAFETYDEMOSAFE23",  # noqa: S106 - published demo key
    ),
)

# Somebody with ordinary mechanical neck pain for two weeks, who has had it before, and answers
# "no" to every red-flag question. Age and sex come from the patient.
NO_FLAGS: Mapping[str, Any] = MappingProxyType(
    {
        **{q.name: False for q in QUESTIONS if q.kind is bool},
        "pain_region": "neck",
        "duration_days": 14,
        "pain_score_now": 4,
        "previous_similar_episodes": True,
        "trauma_mechanism": "none",
        "psychosocial_risk_category": "low",
    }
)
ASKED_OF_THE_PATIENT = frozenset({"age", "sex"})  # from the patient's details, not the answers


@dataclass(frozen=True, kw_only=True)
class DemoPatient:
    key: str
    story: str
    given_name: str
    family_name: str
    sex: str
    age: int
    birthday: tuple[int, int]  # (month, day); the year follows from `age` on the day of seeding
    nhs_number: str = ""
    email: str = ""
    phone: str = ""
    preferred_language: str = "en"
    email_consent: bool = False
    answers: Mapping[str, Any] = field(default_factory=dict)
    expected: Urgency
    waited: timedelta

    def __post_init__(self) -> None:
        unknown = set(self.answers) - (set(NO_FLAGS) - ASKED_OF_THE_PATIENT)
        if unknown:
            raise ValueError(f"demo patient {self.key}: not answers of the contract: {unknown}")

    @property
    def submission_token(self) -> uuid.UUID:
        return uuid.uuid5(DEMO_TOKEN_NAMESPACE, self.key)

    def date_of_birth(self, today: date) -> date:
        """The birth date that makes the patient `age` today."""
        month, day = self.birthday
        birthday_to_come = (month, day) > (today.month, today.day)
        return date(today.year - self.age - birthday_to_come, month, day)

    def details(self, today: date) -> PatientDetails:
        return PatientDetails(
            given_name=self.given_name,
            family_name=self.family_name,
            date_of_birth=self.date_of_birth(today),
            sex=self.sex,
            email=self.email,
            phone=self.phone,
            nhs_number=self.nhs_number,
            preferred_language=self.preferred_language,
            email_consent=self.email_consent,
        )

    def complete_answers(self) -> dict[str, Any]:
        """The complete intake: every key of the contract, yes/no answers as booleans.

        The age is the story's; the birth date moves with the day of seeding instead.
        """
        return {**NO_FLAGS, "age": self.age, "sex": self.sex, **self.answers}


E, U, S, R, SC = (
    Urgency.EMERGENCY,
    Urgency.URGENT,
    Urgency.SOON,
    Urgency.ROUTINE,
    Urgency.SELF_CARE,
)

PATIENTS: tuple[DemoPatient, ...] = (
    # EMERGENCY
    DemoPatient(
        key="interscapular-pain-sweating-breathless",
        story="58, sudden pain between the shoulder blades this morning, sweaty and short of "
        "breath; smokes and has high blood pressure",
        given_name="Graham",
        family_name="Whitfield",
        sex="M",
        age=58,
        birthday=(3, 14),
        nhs_number="9990001006",
        phone="07700 900101",
        answers={
            "pain_region": "shoulder_blades",
            "duration_days": 0,
            "onset_sudden": True,
            "pain_score_now": 7,
            "previous_similar_episodes": False,
            "sweating_or_nausea_with_pain": True,
            "shortness_of_breath": True,
            "cardiovascular_risk_factors": True,
        },
        expected=E,
        waited=timedelta(minutes=40),
    ),
    DemoPatient(
        key="cyclist-thrown-off-bike",
        story="34, thrown over the handlebars of her bike yesterday, neck pain since",
        given_name="Priya",
        family_name="Raman",
        sex="F",
        age=34,
        birthday=(8, 2),
        nhs_number="9990001375",
        email="priya.raman@example.com",
        phone="07700 900102",
        email_consent=True,
        answers={
            "duration_days": 1,
            "onset_sudden": True,
            "pain_score_now": 6,
            "previous_similar_episodes": False,
            "recent_significant_trauma": True,
            "trauma_mechanism": "bicycle_or_motorised_recreational_vehicle",
        },
        expected=E,
        waited=timedelta(minutes=6),
    ),
    DemoPatient(
        key="cancer-history-thoracic-pain-heavy-legs",
        story="67, breast cancer treated five years ago; thoracic pain for nearly four weeks, "
        "worse at night and getting worse, and now her legs feel heavy and unsteady",
        given_name="Margaret",
        family_name="Ellison",
        sex="F",
        age=67,
        birthday=(11, 23),
        nhs_number="9990002118",
        email="m.ellison@example.org",
        phone="07700 900103",
        email_consent=True,
        answers={
            "pain_region": "thoracic",
            "duration_days": 26,
            "pain_score_now": 6,
            "previous_similar_episodes": False,
            "pain_worsening_progressively": True,
            "night_pain_unrelieved_by_rest": True,
            "history_of_cancer": True,
            "gait_disturbance": True,
        },
        expected=E,
        waited=timedelta(minutes=10),
    ),
    # URGENT
    DemoPatient(
        key="prednisolone-minor-fall-thoracic-pain",
        story="72, on prednisolone for two years for her chest; slipped at home yesterday and "
        "had sudden pain in the middle of her back",
        given_name="Dorothy",
        family_name="Pike",
        sex="F",
        age=72,
        birthday=(5, 30),
        nhs_number="9990002487",
        phone="07700 900104",
        answers={
            "pain_region": "thoracic",
            "duration_days": 1,
            "onset_sudden": True,
            "pain_score_now": 8,
            "previous_similar_episodes": False,
            "recent_significant_trauma": True,
            "trauma_mechanism": "minor_fall_standing_height",
            "long_term_steroids": True,
        },
        expected=U,
        waited=timedelta(hours=6),
    ),
    DemoPatient(
        key="cancer-history-thoracic-night-pain",
        story="61, prostate cancer three years ago; three weeks of thoracic pain that wakes him "
        "at night",
        given_name="Derek",
        family_name="Osei",
        sex="M",
        age=61,
        birthday=(1, 9),
        nhs_number="9990002851",
        email="derek.osei@example.com",
        phone="07700 900105",
        email_consent=True,
        answers={
            "pain_region": "thoracic",
            "duration_days": 21,
            "pain_score_now": 5,
            "previous_similar_episodes": False,
            "night_pain_unrelieved_by_rest": True,
            "history_of_cancer": True,
        },
        expected=U,
        waited=timedelta(hours=1, minutes=30),
    ),
    DemoPatient(
        key="clumsy-hands-tingling-both-arms",
        story="64, stiff neck for two months; now drops cups, struggles with buttons, and both "
        "hands tingle",
        given_name="Alan",
        family_name="Brooks",
        sex="M",
        age=64,
        birthday=(9, 17),
        nhs_number="9990003599",
        email="alan.brooks@example.net",
        email_consent=True,
        answers={
            "duration_days": 60,
            "pain_score_now": 3,
            "not_improving_after_4_weeks": True,
            "numbness_or_tingling_arms": True,
            "bilateral_arm_symptoms": True,
            "hand_clumsiness": True,
        },
        expected=U,
        waited=timedelta(hours=3),
    ),
    DemoPatient(
        key="rear-end-collision-two-days-ago",
        story="29, her car was shunted from behind at a junction two days ago; stiff, sore neck",
        given_name="Chloe",
        family_name="Marsh",
        sex="F",
        age=29,
        birthday=(6, 11),
        nhs_number="9990003963",
        email="chloe.marsh@example.com",
        phone="07700 900107",
        email_consent=True,
        answers={
            "duration_days": 2,
            "pain_score_now": 5,
            "previous_similar_episodes": False,
            "recent_significant_trauma": True,
            "trauma_mechanism": "simple_rear_end_collision",
        },
        expected=U,
        waited=timedelta(minutes=25),
    ),
    # SOON
    DemoPatient(
        key="polymyalgia-picture",
        story="74, three weeks of aching across both shoulders and hips, stiff for an hour every "
        "morning; no headache or jaw pain",
        given_name="Joan",
        family_name="Hargreaves",
        sex="F",
        age=74,
        birthday=(2, 3),
        nhs_number="9990004331",
        phone="07700 900108",
        answers={
            "pain_region": "shoulder_blades",
            "duration_days": 21,
            "pain_score_now": 5,
            "previous_similar_episodes": False,
            "morning_stiffness_over_30_min": True,
            "bilateral_shoulder_hip_girdle_aching": True,
        },
        expected=S,
        waited=timedelta(days=9),
    ),
    DemoPatient(
        key="rheumatoid-arthritis-neck-flare",
        story="52, rheumatoid arthritis for ten years; a fortnight of neck pain with morning "
        "stiffness",
        given_name="Aleksandra",
        family_name="Nowak",
        sex="F",
        age=52,
        birthday=(10, 28),
        nhs_number="9990004706",
        email="a.nowak@example.org",
        phone="07700 900109",
        preferred_language="pl",
        email_consent=True,
        answers={
            "morning_stiffness_over_30_min": True,
            "inflammatory_arthritis_history": True,
        },
        expected=S,
        waited=timedelta(days=2),
    ),
    DemoPatient(
        key="shoulder-blade-ache-after-meals",
        story="47, an ache under the right shoulder blade after fatty meals, with indigestion",
        given_name="Martin",
        family_name="Doyle",
        sex="M",
        age=47,
        birthday=(4, 19),
        nhs_number="9990005079",
        phone="07700 900110",
        answers={
            "pain_region": "shoulder_blades",
            "duration_days": 10,
            "previous_similar_episodes": False,
            "pain_related_to_eating_or_abdominal_symptoms": True,
        },
        expected=S,
        waited=timedelta(days=4),
    ),
    # ROUTINE
    DemoPatient(
        key="pins-and-needles-one-arm",
        story="44, two weeks of neck pain with pins and needles down the right arm into the thumb",
        given_name="Imran",
        family_name="Chaudhry",
        sex="M",
        age=44,
        birthday=(7, 7),
        nhs_number="9990005443",
        email="imran.chaudhry@example.com",
        phone="07700 900111",
        preferred_language="ur",
        email_consent=True,
        answers={
            "pain_score_now": 5,
            "numbness_or_tingling_arms": True,
        },
        expected=R,
        waited=timedelta(days=12),
    ),
    DemoPatient(
        key="high-psychosocial-risk",
        story="41, ten weeks of neck and shoulder pain, off work, sure it will never get better; "
        "STarT MSK high risk",
        given_name="Rachel",
        family_name="Lindqvist",
        sex="F",
        age=41,
        birthday=(12, 5),
        nhs_number="9990005818",
        email="rachel.lindqvist@example.com",
        email_consent=True,
        answers={
            "duration_days": 70,
            "pain_score_now": 6,
            "not_improving_after_4_weeks": True,
            "psychosocial_risk_category": "high",
        },
        expected=R,
        waited=timedelta(days=31),
    ),
    DemoPatient(
        key="teenage-swimmer",
        story="15, a swimmer with ten days of neck pain after a hard training block; no injury",
        given_name="Oliver",
        family_name="Bennett",
        sex="M",
        age=15,
        birthday=(3, 27),
        nhs_number="9990006180",
        email="bennett.family@example.org",
        phone="07700 900113",
        answers={
            "duration_days": 10,
            "pain_score_now": 3,
            "previous_similar_episodes": False,
        },
        expected=R,
        waited=timedelta(days=5),
    ),
    # SELF_CARE
    DemoPatient(
        key="desk-worker-mechanical-neck-pain",
        story="34, works at a desk; three weeks of neck ache, worse by the end of the day and "
        "eased by moving about; no flags",
        given_name="Laura",
        family_name="Fitzgerald",
        sex="F",
        age=34,
        birthday=(9, 1),
        nhs_number="9990006555",
        email="laura.fitzgerald@example.com",
        phone="07700 900114",
        email_consent=True,
        answers={"duration_days": 21},
        expected=SC,
        waited=timedelta(days=3),
    ),
    DemoPatient(
        key="deadlift-strain-upper-back",
        story="27, felt a pull in his upper back deadlifting four days ago",
        given_name="Tomás",
        family_name="Silva",
        sex="M",
        age=27,
        birthday=(5, 12),
        nhs_number="9990007292",
        email="tomas.silva@example.net",
        preferred_language="pt",
        email_consent=True,
        answers={
            "pain_region": "upper_back",
            "duration_days": 4,
            "onset_sudden": True,
            "pain_score_now": 5,
            "previous_similar_episodes": False,
            "trauma_mechanism": "exertional_strain",
        },
        expected=SC,
        waited=timedelta(hours=7),
    ),
    # SELF_CARE, already on a home-exercise programme (seed_demo prescribes it, ten days ago)
    DemoPatient(
        key="desk-worker-chronic-neck-on-programme",
        story="45, accountant; two months of neck and upper-back ache at the desk, no flags; "
        "on the kettlebell foundations programme for ten days, check-ins going well",
        given_name="Nadia",
        family_name="Haddad",
        sex="F",
        age=45,
        birthday=(2, 17),
        nhs_number="9990008043",
        email="nadia.haddad@example.com",
        phone="07700 900117",
        email_consent=True,
        answers={"duration_days": 60, "pain_score_now": 5, "pain_region": "upper_back"},
        expected=SC,
        waited=timedelta(days=1),
    ),
    # SELF_CARE, on a home-exercise programme in German (seed_demo prescribes it, eight days ago)
    DemoPatient(
        key="german-speaking-developer-on-programme",
        story="39, software developer who reads her health information in German; six weeks "
        "of a stiff, aching neck at the desk, no flags; on the desk posture programme for eight "
        "days, in German",
        given_name="Greta",
        family_name="Hoffmann",
        sex="F",
        age=39,
        birthday=(6, 3),
        nhs_number="9990009007",
        email="greta.hoffmann@example.de",
        phone="07700 900118",
        preferred_language="de",
        email_consent=True,
        answers={"duration_days": 42, "pain_score_now": 5},
        expected=SC,
        waited=timedelta(hours=30),
    ),
    DemoPatient(
        key="low-back-ache-after-gardening",
        story="53, low back ache after a weekend of gardening; has had the same before",
        given_name="Harjit",
        family_name="Sandhu",
        sex="M",
        age=53,
        birthday=(8, 22),
        nhs_number="9990007667",
        phone="07700 900116",
        preferred_language="pa",
        answers={
            "pain_region": "lower_back",
            "duration_days": 5,
        },
        expected=SC,
        waited=timedelta(hours=20),
    ),
)
