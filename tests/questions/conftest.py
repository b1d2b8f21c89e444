"""The programme tests' fixtures (a SELF_CARE case, a programme prescribed from it starting
today, the test's clock), for the questions a patient asks from that programme's page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from programmes.models import Programme
from questions import services
from questions.models import Question
from tests.programmes import conftest as programme_fixtures
from tests.questions.helpers import ask

_on_the_test_clock = programme_fixtures._on_the_test_clock
self_care_case = programme_fixtures.self_care_case
programme_template = programme_fixtures.programme_template
programme = programme_fixtures.programme


@pytest.fixture
def question(programme: Programme) -> Question:
    return ask(programme)


@pytest.fixture
def answered(question: Question, clinician: User) -> Question:
    return services.answer_question(
        question_id=question.pk, clinician=clinician, reply="Yes, for a day or two."
    )
