from triage.rules import QUESTIONS


def test_contract_has_every_question_of_intake_1():
    assert len(QUESTIONS) == 56
