"""The round trip an outside checker runs, with patients from shared/clinical/red-flags.md: each
intake typed into reception's form, read out as a QuestionnaireResponse, and submitted back as a
new intake, by reference to the patient and again by a contained Patient matched on the NHS
number, triages to the same urgency with the same rule IDs: in the database, and in the
RiskAssessment each side exports."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from patients.forms import DERIVED_ANSWERS
from patients.models import Intake
from tests.interop.helpers import api_client, body, get, post, validated
from tests.patients.helpers import answers
from tests.support.clock import Clock

pytestmark = pytest.mark.django_db

URL = "/fhir/QuestionnaireResponse"
# NHS numbers with a valid check digit, from the 999 range the NHS keeps for testing: one a story.
NHS_NUMBERS = [f"99900000{n}" for n in ("18", "26", "34", "42", "50", "69", "77", "85", "93")] + [
    f"9990000{n}" for n in ("107", "115", "123", "131", "158", "166", "174")
]


@dataclass(frozen=True)
class Story:
    """A patient of red-flags.md: their age, what they answer yes to (and the numbers and
    choices), the urgency it is, and a rule ID of its section that must fire."""

    name: str
    age: int
    urgency: str
    rule: str | None  # None: no rule fires (self-care)
    given: dict[str, Any] = field(default_factory=dict)
    sex: str = "F"
    language: str = "en"


STORIES = [
    Story(
        "cauda equina (2b)",
        48,
        "EMERGENCY",
        "SPHINCTER_OR_SADDLE_SYMPTOMS",
        {
            "pain_region": "lower_back",
            "bladder_or_bowel_change": True,
            "saddle_anaesthesia": True,
            "bilateral_leg_symptoms": True,
            "duration_days": 3,
        },
        sex="M",
    ),
    Story(
        "acute coronary syndrome with upper-back pain (2a)",
        62,
        "EMERGENCY",
        "ACS_SUSPECTED",
        {
            "pain_region": "upper_back",
            "sweating_or_nausea_with_pain": True,
            "shortness_of_breath": True,
            "cardiovascular_risk_factors": True,
            "duration_days": 0,
            "onset_sudden": True,
        },
    ),
    Story(
        "degenerative cervical myelopathy (2b)",
        67,
        "URGENT",
        "MYELOPATHY_FEATURES",
        {
            "pain_region": "neck",
            "hand_clumsiness": True,
            "gait_disturbance": True,
            "bilateral_arm_symptoms": True,
            "numbness_or_tingling_arms": True,
            "duration_days": 120,
            "previous_similar_episodes": True,
        },
        sex="M",
    ),
    Story(
        "fragility fracture on long-term steroids (2e)",
        74,
        "URGENT",
        "FRAGILITY_FRACTURE_SUSPECTED",
        {
            "pain_region": "thoracic",
            "osteoporosis": True,
            "long_term_steroids": True,
            "onset_sudden": True,
            "duration_days": 5,
            "pain_score_now": 8,
        },
    ),
    Story(
        "spinal infection in somebody who injects drugs (2d)",
        36,
        "EMERGENCY",
        "SPINAL_INFECTION_SUSPECTED",
        {
            "pain_region": "thoracic",
            "iv_drug_use": True,
            "fever_or_chills": True,
            "night_pain_unrelieved_by_rest": True,
            "systemically_unwell": True,
            "duration_days": 9,
        },
        sex="M",
    ),
    Story(
        "cervical artery dissection (2a)",
        44,
        "EMERGENCY",
        "CERVICAL_ARTERIAL_OR_STROKE_SIGNS",
        {
            "pain_region": "neck",
            "onset_sudden": True,
            "severe_headache": True,
            "dizziness_or_drop_attacks": True,
            "double_vision": True,
            "duration_days": 1,
        },
    ),
    Story(
        "aortic dissection (2a)",
        66,
        "EMERGENCY",
        "AORTIC_DISSECTION_SUSPECTED",
        {
            "pain_region": "shoulder_blades",
            "tearing_pain_radiating_to_back": True,
            "onset_sudden": True,
            "duration_days": 0,
            "pain_score_now": 10,
        },
        sex="M",
    ),
    Story(
        "metastatic spinal cord compression (2c)",
        69,
        "EMERGENCY",
        "MSCC_SUSPECTED",
        {
            "pain_region": "upper_back",
            "history_of_cancer": True,
            "progressive_limb_weakness": True,
            "gait_disturbance": True,
            "night_pain_unrelieved_by_rest": True,
            "duration_days": 21,
        },
    ),
    Story(
        "inflammatory back pain (2f)",
        29,
        "ROUTINE",
        "INFLAMMATORY_BACK_PAIN_PATTERN",
        {
            "pain_region": "lower_back",
            "duration_days": 200,
            "morning_stiffness_over_30_min": True,
            "improves_with_exercise_not_rest": True,
            "psoriasis_ibd_or_uveitis_history": True,
            "previous_similar_episodes": True,
        },
        sex="M",
    ),
    Story(
        "polymyalgia rheumatica (2f)",
        72,
        "SOON",
        "PMR_POSSIBLE",
        {
            "pain_region": "shoulder_blades",
            "bilateral_shoulder_hip_girdle_aching": True,
            "morning_stiffness_over_30_min": True,
            "duration_days": 30,
            "previous_similar_episodes": True,
        },
    ),
    Story(
        "whiplash with a dangerous mechanism (2e)",
        41,
        "EMERGENCY",
        "MAJOR_TRAUMA_MECHANISM",
        {
            "pain_region": "neck",
            "recent_significant_trauma": True,
            "trauma_mechanism": "high_speed_or_rollover_collision",
            "duration_days": 1,
            "pain_score_now": 7,
        },
    ),
    Story(
        "low-energy whiplash two weeks on (2e)",
        35,
        "SOON",
        "LOW_RISK_TRAUMA_SUBACUTE",
        {
            "pain_region": "neck",
            "recent_significant_trauma": True,
            "trauma_mechanism": "simple_rear_end_collision",
            "duration_days": 14,
            "previous_similar_episodes": True,
        },
        sex="M",
    ),
    Story(
        "plain mechanical neck pain",
        38,
        "SELF_CARE",
        None,
        {"pain_region": "neck", "duration_days": 10, "pain_score_now": 4},
    ),
    Story(
        "plain mechanical neck pain, a German-speaking patient",
        52,
        "SELF_CARE",
        None,
        {"pain_region": "neck", "duration_days": 6, "previous_similar_episodes": True},
        language="de",
    ),
]


def _at_reception(client: Client, story: Story, index: int, today: date) -> Intake:
    """The story typed into reception's intake form, as a browser posts it."""
    given = answers(**story.given)
    data = {
        "given_name": "Robin",
        "family_name": f"Story{index}",
        "date_of_birth": date(today.year - story.age - 1, 12, 31).isoformat(),
        "sex": story.sex,
        "email": "",
        "phone": "01632 960001",
        "nhs_number": NHS_NUMBERS[index],
        "preferred_language": story.language,
        "email_consent": "no",
        "submission_token": str(uuid.uuid4()),
    }
    for name, value in given.items():
        if name not in DERIVED_ANSWERS:
            data[name] = ("yes" if value else "no") if isinstance(value, bool) else str(value)
    if not given["recent_significant_trauma"]:
        data["trauma_mechanism"] = ""  # asked only after a yes
    resp = client.post(reverse("patients:intake_new"), data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    intake: Intake = Intake.objects.latest("pk")
    return intake


def _fired(risk: dict[str, Any]) -> tuple[str, list[str]]:
    urgency = risk["prediction"][0]["qualitativeRisk"]["coding"][0]["code"]
    return urgency, [c["coding"][0]["code"] for c in risk.get("reasonCode", [])]


def _submitted(resp: Any) -> tuple[Intake, dict[str, Any]]:
    assert resp.status_code == 201, resp.content
    bundle = body(resp)
    validated(bundle)
    made = {e["resource"]["resourceType"]: e["resource"] for e in bundle["entry"]}
    return Intake.objects.get(pk=int(made["QuestionnaireResponse"]["id"])), made["RiskAssessment"]


@pytest.mark.parametrize(
    ("index", "story"), [pytest.param(n, s, id=s.name) for n, s in enumerate(STORIES)]
)
def test_an_intake_exported_and_submitted_back_triages_the_same(
    index: int, story: Story, reception_client: Client, clock: Clock
) -> None:
    _client, token = api_client()
    nhs_number = NHS_NUMBERS[index]
    original = _at_reception(reception_client, story, index, clock.now.date())
    rules = [r["id"] for r in original.assessment.rules]
    assert original.assessment.urgency_key == story.urgency, rules
    assert (story.rule in rules) if story.rule else rules == []
    exported = body(get(f"{URL}/{original.pk}", token))
    validated(exported)
    risk = body(get(f"/fhir/RiskAssessment/{original.assessment.pk}", token))
    assert _fired(risk) == (story.urgency, rules)

    # Back by reference to the patient, as exported.
    by_reference, by_reference_risk = _submitted(post(URL, copy.deepcopy(exported), token))
    # Back from a system that knows the patient by their details only.
    contained = copy.deepcopy(exported)
    contained["subject"] = {"reference": "#p"}
    contained["identifier"] = {"system": "urn:booking", "value": f"story-{nhs_number}"}
    patient = original.patient
    contained["contained"] = [
        {
            "resourceType": "Patient",
            "id": "p",
            "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs_number}],
            "name": [{"family": patient.family_name, "given": [patient.given_name]}],
            "gender": {"F": "female", "M": "male"}[patient.sex],
            "birthDate": patient.date_of_birth.isoformat(),
        }
    ]
    by_details, by_details_risk = _submitted(post(URL, contained, token))

    for again, again_risk in ((by_reference, by_reference_risk), (by_details, by_details_risk)):
        assert again.pk != original.pk and again.patient_id == original.patient_id
        assert again.answers == original.answers
        assert again.assessment.urgency == original.assessment.urgency
        assert [r["id"] for r in again.assessment.rules] == rules
        assert _fired(again_risk) == _fired(risk)
