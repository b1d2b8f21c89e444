"""Factory functions for the questions tests."""

from __future__ import annotations

import uuid

from programmes.models import Programme
from questions import services
from questions.models import Question


def ask(programme: Programme, text: str = "Is it normal that my neck is stiff?") -> Question:
    """A question from the programme's page, as the patient's form sends it."""
    return services.ask_clinic(programme_id=programme.pk, text=text, submission_token=uuid.uuid4())
