"""The code systems and identifiers the clinic's FHIR resources use.

Where a published code exists it is used, and named here with where it comes from; the clinic's
own concepts (urgency levels, rule IDs, contract keys) have code systems under `CLINIC`, which a
clinic's deployment may point at its own web address.
"""

from __future__ import annotations

from triage.models import Urgency

FHIR_VERSION = "4.0.1"
# The base of the clinic's own code systems, identifiers and extensions.
CLINIC = "https://clinic-triage.example/fhir"

# NHS England's identifier system for the NHS number (NHS Data Dictionary; FHIR UK Core).
NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
# LOINC 72514-3 "Pain severity - 0-10 verbal numeric rating [Score] - Reported".
LOINC = "http://loinc.org"
PAIN_SCORE = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
# The Neck Disability Index total (Vernon and Mior 1991; programmes/ndi.py). LOINC lists the
# index's answer lists, but no total-score code has been confirmed for this product, so the
# clinic's own code is used (with the text) rather than a guessed LOINC code.
NDI_SYSTEM = f"{CLINIC}/CodeSystem/outcome-measure"
NDI_SCORE = ("ndi-total", "Neck Disability Index total score")
# HL7 observation categories (terminology.hl7.org CodeSystem observation-category).
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
# HL7 risk probability (terminology.hl7.org CodeSystem risk-probability): low, moderate, high.
RISK_PROBABILITY = "http://terminology.hl7.org/CodeSystem/risk-probability"
# SNOMED CT 225338004 "Risk assessment (procedure)".
SNOMED = "http://snomed.info/sct"
RISK_ASSESSMENT_CODE = ("225338004", "Risk assessment")

URGENCY_SYSTEM = f"{CLINIC}/CodeSystem/urgency"
RULE_SYSTEM = f"{CLINIC}/CodeSystem/triage-rule"
RULESET_SYSTEM = f"{CLINIC}/CodeSystem/rule-set"
INTAKE_KEY_SYSTEM = f"{CLINIC}/CodeSystem/intake-1"
EXAM_KEY_SYSTEM = f"{CLINIC}/CodeSystem/exam-1"
DESTINATION_SYSTEM = f"{CLINIC}/CodeSystem/referral-destination"
STAFF_SYSTEM = f"{CLINIC}/Id/staff"
CLIENT_SYSTEM = f"{CLINIC}/Id/api-client"
INTAKE_ID_SYSTEM = f"{CLINIC}/Id/intake"
REFERRAL_ID_SYSTEM = f"{CLINIC}/Id/referral"

RULE_SOURCE_EXTENSION = f"{CLINIC}/StructureDefinition/rule-source"
# HL7's core extension for a string element's text in another language (FHIR R4, Extensions:
# translation), with its `lang` and `content` parts.
TRANSLATION_EXTENSION = "http://hl7.org/fhir/StructureDefinition/translation"
RULE_URGENCY_EXTENSION = f"{CLINIC}/StructureDefinition/rule-urgency"
OVERRIDE_METHOD = ("clinician-override", "A clinician's override of the urgency")

# The intake contract's questionnaire (triage/rules/contract.py, shared/intake-contract.md).
QUESTIONNAIRE_ID = "intake-1"
QUESTIONNAIRE_URL = f"{CLINIC}/Questionnaire/{QUESTIONNAIRE_ID}"

URGENCY_LABELS = {u.key: str(u.label) for u in Urgency}
# How each urgency reads on HL7's three-step risk scale, for systems that know only that.
RISK_OF = {
    "EMERGENCY": ("high", "High likelihood"),
    "URGENT": ("high", "High likelihood"),
    "SOON": ("moderate", "Moderate likelihood"),
    "ROUTINE": ("low", "Low likelihood"),
    "SELF_CARE": ("low", "Low likelihood"),
}
# ServiceRequest.priority (FHIR request-priority) for each urgency a referral asks for.
PRIORITY_OF = {"EMERGENCY": "stat", "URGENT": "urgent", "SOON": "asap", "ROUTINE": "routine"}
GENDER_OF = {"F": "female", "M": "male", "X": "other"}
SEX_OF = {"female": "F", "male": "M", "other": "X", "unknown": "X"}
