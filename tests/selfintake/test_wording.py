"""The patient's wording of the intake contract (selfintake/wording.py): one entry for every
key of `intake/1`, the contract's own keys and no others; each asked question a question, to
the patient, in words marked for translation; and every coded answer in the patient's words."""

from __future__ import annotations

from django.utils.functional import Promise

from selfintake import wording
from selfintake.forms import CONTRACT_STEPS, DERIVED, MECHANISM
from tests.programmes.test_patient_wording import assert_written_to_the_patient
from triage.rules import QUESTIONS
from triage.rules.contract import DANGEROUS_MECHANISMS, LOW_ENERGY_MECHANISMS, PAIN_REGIONS, SEXES

ASKED = [q for q in QUESTIONS if q.name not in DERIVED]


def test_every_contract_key_has_a_patient_wording_and_nothing_else_does() -> None:
    assert list(wording.PATIENT_QUESTIONS) == [q.name for q in QUESTIONS]


def test_the_steps_ask_every_question_of_the_contract_once() -> None:
    asked = [q.name for step in CONTRACT_STEPS for q in step.questions()]
    assert sorted(asked) == sorted(q.name for q in ASKED)


def test_each_asked_question_is_a_question_to_the_patient_marked_for_translation() -> None:
    for question in ASKED:
        entry = wording.PATIENT_QUESTIONS[question.name]
        assert isinstance(entry.text, Promise), question.name
        text = str(entry.text)
        assert text.endswith("?"), question.name
        assert " you" in f" {text.lower()}", f"{question.name}: {text}"
        assert_written_to_the_patient(question.name, text)
        if entry.hint:
            assert isinstance(entry.hint, Promise), question.name
            assert_written_to_the_patient(f"{question.name} hint", str(entry.hint))


def test_the_medical_terms_come_with_an_example() -> None:
    # Where the contract's question turns on a medical word, the patient is given one.
    for name in (
        "osteoporosis",
        "long_term_steroids",
        "immunosuppressed",
        "recent_infection_or_spinal_procedure",
        "bladder_or_bowel_change",
        "saddle_anaesthesia",
        "inflammatory_arthritis_history",
        "psoriasis_ibd_or_uveitis_history",
        "recent_surgery_immobility_or_leg_swelling",
    ):
        assert str(wording.PATIENT_QUESTIONS[name].hint), name


def test_every_coded_answer_has_the_patients_words() -> None:
    assert set(wording.PAIN_REGION_LABELS) == set(PAIN_REGIONS)
    assert set(wording.SEX_LABELS) == set(SEXES)
    # How it happened: every injury a receptionist may choose, and "none" for a no.
    assert set(wording.MECHANISM_VALUES) == set(LOW_ENERGY_MECHANISMS) | DANGEROUS_MECHANISMS
    assert set(wording.MECHANISM_LABELS) == {"none", *wording.MECHANISM_VALUES}
    for labels in wording.CODED_LABELS.values():
        for label in labels.values():
            assert isinstance(label, Promise)
    assert MECHANISM in wording.CODED_LABELS
