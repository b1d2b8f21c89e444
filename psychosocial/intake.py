"""The active questionnaire as the intake form asks it, and the record stored with an intake.

The intake form (patients.forms.IntakeForm) asks each item of the active tool and computes the
category with `psychosocial.scoring`; the item answers, scores and the tool's name and version
are stored on the intake beside its answers (`Intake.psychosocial_screen`): the intake contract
names its keys exactly, so nothing is added to `answers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psychosocial import scoring
from psychosocial.models import Tool

# The contract's answer this questionnaire produces, and its value when no tool is active.
ANSWER = "psychosocial_risk_category"
NOT_ASSESSED = "not_assessed"
FIELD_PREFIX = "psychosocial_item_"


@dataclass(frozen=True, slots=True)
class Question:
    field: str  # the form field's name
    position: int
    wording: str
    options: tuple[scoring.Option, ...]
    in_subscale: bool


@dataclass(frozen=True, slots=True)
class Questionnaire:
    """The active tool, loaded once: nothing below touches the database."""

    name: str
    version: str
    source: str
    subscale_name: str
    questions: tuple[Question, ...]
    spec: scoring.Tool

    @classmethod
    def from_tool(cls, tool: Tool) -> Questionnaire:
        spec = tool.spec()
        questions = tuple(
            Question(
                field=f"{FIELD_PREFIX}{item.position}",
                position=item.position,
                wording=item.wording,
                options=item_spec.options,
                in_subscale=item.in_subscale,
            )
            for item, item_spec in zip(tool.items.all(), spec.items, strict=True)
        )
        return cls(
            name=tool.name,
            version=tool.version,
            source=tool.source,
            subscale_name=tool.subscale_name,
            questions=questions,
            spec=spec,
        )

    def record(self, chosen: dict[str, str]) -> tuple[str, dict[str, Any]]:
        """The category for the answers chosen (form field -> option value), and what is stored
        with the intake: the tool, each item's wording, answer and score, the sums, the category.

        A tool whose bands give these answers no single category (the admin refuses one, so only
        a tool changed behind the admin's back) is stored as not assessed, and says so.
        """
        by_key = {str(q.position): chosen[q.field] for q in self.questions}
        try:
            result: scoring.Result | None = scoring.score(self.spec, by_key)
        except scoring.NoCategory:
            result = None
        items = []
        for question, item in zip(self.questions, self.spec.items, strict=True):
            value = chosen[question.field]
            label = next(o.label for o in question.options if o.value == value)
            items.append(
                {
                    "position": question.position,
                    "wording": question.wording,
                    "answer": label,
                    "value": value,
                    "score": item.score_of(value),
                    "in_subscale": question.in_subscale,
                }
            )
        category = result.category if result is not None else NOT_ASSESSED
        record: dict[str, Any] = {
            "tool": self.name,
            "version": self.version,
            "source": self.source,
            "subscale_name": self.subscale_name,
            "items": items,
            "total": sum(i["score"] for i in items),
            "subscale": result.subscale if result is not None else None,
            "category": category,
        }
        if result is None:
            record["problem"] = "the tool's bands give these answers no single category"
        return category, record


def active_questionnaire() -> Questionnaire | None:
    """The clinic's active questionnaire, or None when none is configured."""
    tool = Tool.objects.active_with_items()
    return Questionnaire.from_tool(tool) if tool is not None else None
