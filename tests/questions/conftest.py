"""The programme tests' fixtures (a SELF_CARE case, a programme prescribed from it starting
today, the test's clock), for the questions a patient asks from that programme's page."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import User

from programmes.models import Programme
from questions import services
from questions.models import Question
from tests.programmes.conftest import (  # noqa: F401 (fixtures)
    _on_the_test_clock,
    programme,
    programme_template,
    self_care_case,
)


def ask(programme: Programme, text: str = "Is it normal that my neck is stiff?") -> Question:
    return services.ask_clinic(
        programme_id=programme.pk, text=text, submission_token=uuid.uuid4()
    )


@pytest.fixture
def question(programme: Programme) -> Question:
    return ask(programme)


@pytest.fixture
def answered(question: Question, clinician: User) -> Question:
    return services.answer_question(
        question_id=question.pk, clinician=clinician, reply="Yes, for a day or two."
    )
