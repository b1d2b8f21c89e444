"""What reception does and says for each triage outcome: the words on the outcome page.

Pure data, no Django. The actions per urgency follow the table in clinical/red-flags.md section 0
("Urgency levels used in this document"); safety-net advice goes with every non-emergency outcome
because single red flags are unreliable and the IFOMPT framework stresses safety-netting
(red-flags.md section 0, [S1] Finucane et al. JOSPT 2020). The chest-pain advice follows NICE CG95
[S12]: current chest pain that may be cardiac is a 999 call, not an appointment. The other
"call 999 / come back now" symptoms are the emergency indicators of red-flags.md section 2
(cauda equina [S10], cord compression [S6][S9], stroke / artery dissection [S11][S20], aortic
dissection [S13], pulmonary embolism [S14], spinal infection [S17]).

Change this text with the clinical lead, as you would a rule. `{sla}` is filled in from the
clinic's deadline for the urgency (settings.TRIAGE_SLA), so the words follow the clinic's policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

EMERGENCY_INSTRUCTION = (
    "Call 999 / send the patient to A&E now — do not book an appointment, "
    "do not let them drive themselves"
)

# Tell the patient: call 999 (or go to A&E) at once if any of these appear.
SAFETY_NET_999: tuple[str, ...] = (
    "chest pain, pressure or tightness — especially spreading to the arm, neck or jaw, or with "
    "sweating, feeling sick or breathlessness (NICE CG95)",
    "sudden breathlessness, or coughing up blood",
    "a sudden, severe tearing or ripping pain in the chest or back",
    "new difficulty passing urine, loss of bladder or bowel control, or numbness around the back "
    "passage, genitals or inner thighs (saddle numbness)",
    "new weakness in an arm or leg, new unsteadiness or falls, or dropping things",
    "a sudden severe or 'worst ever' headache, double vision, slurred speech, trouble "
    "swallowing or a drooping face",
)

# Tell the patient: contact the clinic (or GP / NHS 111 out of hours) the same day if:
SAFETY_NET_SAME_DAY: tuple[str, ...] = (
    "fever, sweats or shivering with the pain, or feeling very unwell",
    "new numbness or pins and needles in both arms or both legs",
    "pain that gets steadily worse, or is constant and keeps them awake at night",
    "unexplained weight loss",
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What reception sees for one urgency: the instruction to act on and what to tell the patient."""

    key: str
    title: str
    instruction: str
    steps: tuple[str, ...]
    safety_net: bool  # give SAFETY_NET_999 and SAFETY_NET_SAME_DAY to the patient


_OUTCOMES: dict[str, Outcome] = {
    "EMERGENCY": Outcome(
        key="EMERGENCY",
        title="Emergency",
        instruction=EMERGENCY_INSTRUCTION,
        steps=(
            "If the patient is with you: call 999 now, or send them straight to A&E with someone "
            "else driving. If they are on the phone: tell them to call 999 now.",
            "Do not book an appointment and do not give an exercise programme.",
            "Tell the duty clinician now: the case is at the top of their queue.",
        ),
        safety_net=False,
    ),
    "URGENT": Outcome(
        key="URGENT",
        title="Urgent",
        instruction="A clinician must see the patient today, within {sla}.",
        steps=(
            "Tell the duty clinician now; the case is in their queue marked Urgent.",
            "Book the first clinician slot today, within {sla}. If none is free, tell the duty "
            "clinician — do not book a later day.",
            "No exercise programme until a clinician has seen and cleared the patient.",
            "Give the patient the safety-net advice below.",
        ),
        safety_net=True,
    ),
    "SOON": Outcome(
        key="SOON",
        title="Soon",
        instruction="Book a clinician appointment within {sla}.",
        steps=(
            "Book a clinician (or GP) appointment within {sla}.",
            "Give the patient the safety-net advice below.",
        ),
        safety_net=True,
    ),
    "ROUTINE": Outcome(
        key="ROUTINE",
        title="Routine",
        instruction="Book a routine clinician appointment within {sla}.",
        steps=(
            "Book a routine clinician appointment within {sla}.",
            "Exercise advice may start before the appointment, with the safety-net advice below.",
        ),
        safety_net=True,
    ),
    "SELF_CARE": Outcome(
        key="SELF_CARE",
        title="Self-care",
        instruction=(
            "No appointment needed now: home-exercise advice, and a clinician reviews this intake "
            "within {sla}."
        ),
        steps=(
            "Tell the patient a clinician will review their answers within {sla}, and that their "
            "home-exercise programme comes by email once it is approved.",
            "Give the patient the safety-net advice below.",
        ),
        safety_net=True,
    ),
}

URGENCY_KEYS: tuple[str, ...] = tuple(_OUTCOMES)


def describe_duration(duration: timedelta) -> str:
    """A deadline as a receptionist says it: "15 minutes", "4 hours", "7 days", "4 weeks"."""
    minutes = int(duration.total_seconds() // 60)
    if minutes < 120:
        return _plural(minutes, "minute")
    if minutes < 48 * 60 or minutes % (24 * 60):
        hours = minutes // 60
        rest = minutes % 60
        return _plural(hours, "hour") + (f" {_plural(rest, 'minute')}" if rest else "")
    days = minutes // (24 * 60)
    if days >= 14 and days % 7 == 0:
        return _plural(days // 7, "week")
    return _plural(days, "day")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def outcome_for(key: str, *, sla: timedelta) -> Outcome:
    """The outcome for an urgency key ("EMERGENCY" … "SELF_CARE"), its deadline written in."""
    template = _OUTCOMES[key]
    deadline = describe_duration(sla)
    return Outcome(
        key=template.key,
        title=template.title,
        instruction=template.instruction.format(sla=deadline),
        steps=tuple(step.format(sla=deadline) for step in template.steps),
        safety_net=template.safety_net,
    )


@dataclass(frozen=True, slots=True)
class FiredRule:
    """A rule that fired, as the outcome and case pages show it."""

    id: str
    urgency: str | None  # "EMERGENCY" … "SELF_CARE"; None for a weak flag
    label: str
    reason: str
    source: str

    @property
    def css(self) -> str:
        return self.urgency.lower() if self.urgency else "weak"


def fired_rules(stored: list[dict[str, str | None]]) -> tuple[list[FiredRule], list[FiredRule]]:
    """The stored rules of an assessment split into (rules with an urgency, weak flags)."""
    with_urgency: list[FiredRule] = []
    weak: list[FiredRule] = []
    for rule in stored:
        key = rule.get("urgency")
        fired = FiredRule(
            id=str(rule.get("id", "")),
            urgency=key,
            label=_OUTCOMES[key].title if key in _OUTCOMES else "Weak flag",
            reason=str(rule.get("reason", "")),
            source=str(rule.get("source", "")),
        )
        (with_urgency if key else weak).append(fired)
    return with_urgency, weak


# Tell the patient: come back to the clinic (or see their GP) if, after a discharge:
SAFETY_NET_COME_BACK: tuple[str, ...] = (
    "the pain is not getting better as the clinician expected, or is getting worse",
    "the pain stops them working, sleeping or doing their usual daily activities",
    "new symptoms appear that they were not told to expect",
)

# Tell the patient: while waiting for the referral, contact the clinic if:
SAFETY_NET_WHILE_WAITING: tuple[str, ...] = (
    "they have heard nothing about the referral by the time they were told to expect it",
)

# Tell the patient: with a home-exercise programme, stop the exercises and contact the clinic if:
SAFETY_NET_EXERCISES: tuple[str, ...] = (
    "an exercise brings on pain that spreads down an arm or leg, or pins and needles",
    "the pain is clearly worse the day after the exercises, session after session",
)


@dataclass(frozen=True, slots=True)
class AdviceSection:
    heading: str
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SafetyNet:
    """The safety-net advice that goes with a clinician's decision: when to call 999, when to
    contact the clinic the same day, when to come back."""

    sections: tuple[AdviceSection, ...]

    def as_text(self) -> str:
        """Plain text, as stored with the decision and read to the patient."""
        return "\n\n".join(
            section.heading + "\n" + "\n".join(f"- {item}" for item in section.items)
            for section in self.sections
        )


_CALL_999 = AdviceSection("Call 999 or go to A&E at once if any of these appear:", SAFETY_NET_999)
_SAME_DAY = AdviceSection(
    "Contact the clinic the same day (or the GP / NHS 111 out of hours) if:", SAFETY_NET_SAME_DAY
)

# Keyed by the decision kinds of triage.models.CaseDecision.Kind.
_DECISION_SAFETY_NETS: dict[str, SafetyNet] = {
    "discharged": SafetyNet(
        (
            _CALL_999,
            _SAME_DAY,
            AdviceSection("Come back to the clinic (or see the GP) if:", SAFETY_NET_COME_BACK),
        )
    ),
    "referred": SafetyNet(
        (
            _CALL_999,
            _SAME_DAY,
            AdviceSection(
                "While waiting for the referral, contact the clinic if:",
                (
                    *SAFETY_NET_WHILE_WAITING,
                    *SAFETY_NET_COME_BACK[:1],
                ),
            ),
        )
    ),
    "programme_prescribed": SafetyNet(
        (
            _CALL_999,
            _SAME_DAY,
            AdviceSection(
                "Stop the exercises and contact the clinic if:",
                (*SAFETY_NET_EXERCISES, *SAFETY_NET_COME_BACK[:1]),
            ),
        )
    ),
}

DECISION_KINDS: tuple[str, ...] = tuple(_DECISION_SAFETY_NETS)


def safety_net_for(decision: str) -> SafetyNet:
    """The safety-net advice for a decision kind ("discharged", "referred",
    "programme_prescribed"): every outcome gives the patient when to call 999 and when to come
    back (red-flags.md section 0)."""
    return _DECISION_SAFETY_NETS[decision]
