"""What reception does and says for each triage outcome: the words on the outcome page.

Data, and Django only for translation (every string is marked). The actions per urgency follow the table in clinical/red-flags.md section 0
("Urgency levels used in this document"); safety-net advice goes with every non-emergency outcome
because single red flags are unreliable and the IFOMPT framework stresses safety-netting
(red-flags.md section 0, [S1] Finucane et al. JOSPT 2020). The chest-pain advice follows NICE CG95
[S12]: current chest pain that may be cardiac is a 999 call, not an appointment. The other
"call 999 / come back now" symptoms are the emergency indicators of red-flags.md section 2
(cauda equina [S10], cord compression [S6][S9], stroke / artery dissection [S11][S20], aortic
dissection [S13], pulmonary embolism [S14], spinal infection [S17]).

Change this text with the clinical lead, as you would a rule. `{sla}` is filled in from the
clinic's deadline for the urgency (settings.TRIAGE_SLA), so the words follow the clinic's policy.

Two audiences, kept apart: `outcome_for` is what reception does (staff words); `patient_instruction`
is what the patient reads or is told after triage, written to them (second person, plain words, no
citations: the sources stay in these comments). Every page, email and offline page that tells a
patient what to do after triage takes the words from `patient_instruction`, so that no two can
disagree for one urgency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

EMERGENCY_INSTRUCTION = _(
    "Call 999 / send the patient to A&E now — do not book an appointment, "
    "do not let them drive themselves"
)

# Said to the patient (second person): call 999 (or go to A&E) at once if any of these start.
# The chest-pain item follows NICE CG95 [S12] (ACS: chest, arm, back or jaw pain with sweating,
# nausea or breathlessness); the others are red-flags.md section 2's emergency indicators: PE
# [S14], aortic dissection [S13], cauda equina / cord compression [S10][S6][S9], stroke and
# cervical artery dissection [S11][S20].
SAFETY_NET_999: tuple[StrOrPromise, ...] = (
    _(
        "chest pain, pressure or tightness, especially if it spreads to your arm, neck or jaw, "
        "or comes with sweating, feeling sick or being short of breath"
    ),
    _("sudden breathlessness, or coughing up blood"),
    _("a sudden, severe tearing or ripping pain in your chest or back"),
    _(
        "new trouble passing urine, losing control of your bladder or bowels, or numbness "
        "around your bottom, genitals or inner thighs"
    ),
    _("new weakness in an arm or leg, feeling newly unsteady or falling, or dropping things"),
    _(
        "a sudden, severe headache (the worst you have ever had), double vision, slurred "
        "speech, trouble swallowing or a drooping face"
    ),
)

# Said to the patient: contact the clinic (or NHS 111 when it is closed) the same day if any of
# these start. Infection [S17], myelopathy [S2][S6], non-mechanical pain [S6], weight loss [S16].
SAFETY_NET_SAME_DAY: tuple[StrOrPromise, ...] = (
    _("a fever, sweats or shivering with the pain, or you feel very unwell"),
    _("new numbness or pins and needles in both arms or both legs"),
    _("pain that keeps getting worse, or is there all the time and keeps you awake at night"),
    _("you lose weight without trying"),
)

CALL_999_HEADING = _("Call 999 or go to A&E at once if any of these start:")
SAME_DAY_HEADING = _(
    "Contact the clinic the same day if any of these start (when the clinic is closed, call "
    "NHS 111):"
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What reception sees for one urgency: the instruction to act on and what to tell the patient."""

    key: str
    title: StrOrPromise
    instruction: StrOrPromise
    steps: tuple[StrOrPromise, ...]
    safety_net: bool  # give SAFETY_NET_999 and SAFETY_NET_SAME_DAY to the patient


_OUTCOMES: dict[str, Outcome] = {
    "EMERGENCY": Outcome(
        key="EMERGENCY",
        title=_("Emergency"),
        instruction=EMERGENCY_INSTRUCTION,
        steps=(
            _(
                "If the patient is with you: call 999 now, or send them straight to A&E with "
                "someone else driving. If they are on the phone: tell them to call 999 now."
            ),
            _("Do not book an appointment and do not give an exercise programme."),
            _("Tell the duty clinician now: the case is at the top of their queue."),
        ),
        safety_net=False,
    ),
    "URGENT": Outcome(
        key="URGENT",
        title=_("Urgent"),
        instruction=_("A clinician must see the patient today, within {sla}."),
        steps=(
            _("Tell the duty clinician now; the case is in their queue marked Urgent."),
            _(
                "Book the first clinician slot today, within {sla}. If none is free, tell the "
                "duty clinician — do not book a later day."
            ),
            _("No exercise programme until a clinician has seen and cleared the patient."),
            _("Give the patient the safety-net advice below."),
        ),
        safety_net=True,
    ),
    "SOON": Outcome(
        key="SOON",
        title=_("Soon"),
        instruction=_("Book a clinician appointment within {sla}."),
        steps=(
            _("Book a clinician (or GP) appointment within {sla}."),
            _("Give the patient the safety-net advice below."),
        ),
        safety_net=True,
    ),
    "ROUTINE": Outcome(
        key="ROUTINE",
        title=_("Routine"),
        instruction=_("Book a routine clinician appointment within {sla}."),
        steps=(
            _("Book a routine clinician appointment within {sla}."),
            _(
                "Exercise advice may start before the appointment, with the safety-net advice "
                "below."
            ),
        ),
        safety_net=True,
    ),
    "SELF_CARE": Outcome(
        key="SELF_CARE",
        title=_("Self-care"),
        instruction=_(
            "No appointment needed now: home-exercise advice, and a clinician reviews this "
            "intake within {sla}."
        ),
        steps=(
            _(
                "Tell the patient a clinician will review their answers within {sla}, and that "
                "their home-exercise programme comes by email once it is approved."
            ),
            _("Give the patient the safety-net advice below."),
        ),
        safety_net=True,
    ),
}

URGENCY_KEYS: tuple[str, ...] = tuple(_OUTCOMES)


def describe_duration(duration: timedelta) -> str:
    """A deadline as a receptionist says it: "15 minutes", "4 hours", "7 days", "4 weeks"."""
    minutes = int(duration.total_seconds() // 60)
    if minutes < 120:
        return _minutes(minutes)
    if minutes < 48 * 60 or minutes % (24 * 60):
        hours = minutes // 60
        rest = minutes % 60
        text = ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
        return f"{text} {_minutes(rest)}" if rest else text
    days = minutes // (24 * 60)
    if days >= 14 and days % 7 == 0:
        weeks = days // 7
        return ngettext("%(count)d week", "%(count)d weeks", weeks) % {"count": weeks}
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


def _minutes(count: int) -> str:
    return ngettext("%(count)d minute", "%(count)d minutes", count) % {"count": count}


def outcome_for(key: str, *, sla: timedelta) -> Outcome:
    """The outcome for an urgency key ("EMERGENCY" … "SELF_CARE"), its deadline written in."""
    template = _OUTCOMES[key]
    deadline = describe_duration(sla)
    return Outcome(
        key=template.key,
        title=template.title,
        instruction=str(template.instruction).format(sla=deadline),
        steps=tuple(str(step).format(sla=deadline) for step in template.steps),
        safety_net=template.safety_net,
    )


@dataclass(frozen=True, slots=True)
class FiredRule:
    """A rule that fired, as the outcome and case pages show it."""

    id: str
    urgency: str | None  # "EMERGENCY" … "SELF_CARE"; None for a weak flag
    label: StrOrPromise
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
            label=_OUTCOMES[key].title if key in _OUTCOMES else _("Weak flag"),
            reason=str(rule.get("reason", "")),
            source=str(rule.get("source", "")),
        )
        (with_urgency if key else weak).append(fired)
    return with_urgency, weak


# Said to the patient: come back to the clinic (or see your GP) after a discharge if:
SAFETY_NET_COME_BACK: tuple[StrOrPromise, ...] = (
    _("your pain is not getting better as your clinician expected, or is getting worse"),
    _("the pain stops you working, sleeping or doing your usual daily activities"),
    _("you notice new symptoms that you were not told to expect"),
)

# Said to the patient: while you wait for the referral, contact the clinic if:
SAFETY_NET_WHILE_WAITING: tuple[StrOrPromise, ...] = (
    _("you have heard nothing about your referral by the time you were told to expect it"),
)

# Said to the patient: with a home-exercise programme, stop the exercises and contact the clinic
# if (the programmes' own stop rules, programmes/core/library.py):
SAFETY_NET_EXERCISES: tuple[StrOrPromise, ...] = (
    _("an exercise brings on pain that spreads down an arm or leg, or pins and needles"),
    _("your pain is clearly worse the day after your exercises, session after session"),
)


@dataclass(frozen=True, slots=True)
class AdviceSection:
    heading: StrOrPromise
    items: tuple[StrOrPromise, ...]


@dataclass(frozen=True, slots=True)
class SafetyNet:
    """The safety-net advice that goes with a clinician's decision: when to call 999, when to
    contact the clinic the same day, when to come back. Written to the patient."""

    sections: tuple[AdviceSection, ...]

    def as_text(self) -> str:
        """Plain text, as stored with the decision and read to the patient."""
        return "\n\n".join(
            f"{section.heading}\n" + "\n".join(f"- {item}" for item in section.items)
            for section in self.sections
        )


_CALL_999 = AdviceSection(CALL_999_HEADING, SAFETY_NET_999)
_SAME_DAY = AdviceSection(SAME_DAY_HEADING, SAFETY_NET_SAME_DAY)

# Keyed by the decision kinds of triage.models.CaseDecision.Kind.
_DECISION_SAFETY_NETS: dict[str, SafetyNet] = {
    "discharged": SafetyNet(
        (
            _CALL_999,
            _SAME_DAY,
            AdviceSection(_("Come back to the clinic (or see your GP) if:"), SAFETY_NET_COME_BACK),
        )
    ),
    "referred": SafetyNet(
        (
            _CALL_999,
            _SAME_DAY,
            AdviceSection(
                _("While you wait for your referral, contact the clinic if:"),
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
                _("Stop the exercises and contact the clinic if:"),
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


# --- What the patient reads after triage ----------------------------------------------------
#
# One instruction per urgency, in the patient's words, from red-flags.md section 0's "typical
# action": EMERGENCY is a 999 call now (never a wait for the clinic, never driving themselves);
# URGENT is the clinic's call the same day, with 999 for the emergency signs and NHS 111 if it
# gets worse or nobody has called; SOON, ROUTINE and SELF_CARE say what happens next, with the
# safety net that goes with every non-emergency outcome ([S1] IFOMPT framework: single red flags
# are unreliable, so every patient is told when to come back).


@dataclass(frozen=True, slots=True)
class PatientInstruction:
    """What a patient is told to do after triage: a heading, what to do now, and what to do if
    it gets worse before then. `safety_net` says whether the 999 and same-day lists go with it."""

    key: str
    heading: StrOrPromise
    now: StrOrPromise
    if_worse: StrOrPromise
    safety_net: bool

    @property
    def texts(self) -> tuple[str, str, str]:
        return (str(self.heading), str(self.now), str(self.if_worse))


_PATIENT_INSTRUCTIONS: dict[str, PatientInstruction] = {
    "EMERGENCY": PatientInstruction(
        key="EMERGENCY",
        heading=_("Call 999 now"),
        now=_(
            "What you told us needs emergency care. Call 999 now, or go straight to A&E. Do not "
            "drive yourself: ask someone to take you. Do not wait for the clinic to contact you."
        ),
        if_worse=_("If you are waiting for an ambulance and you feel worse, call 999 again."),
        safety_net=False,
    ),
    "URGENT": PatientInstruction(
        key="URGENT",
        heading=_("The clinic will call you today"),
        # True on reception's page while the database is down too (patients/offline.py): the
        # answers are not saved then, but reception phones the duty clinician.
        now=_(
            "What you told us means a clinician needs to speak to you today. The clinic will "
            "call you today, within {sla}."
        ),
        if_worse=_(
            "If it gets worse before the clinic calls, or any of the signs below start, call "
            "999. If you are not sure what to do, or nobody has called you by the end of the "
            "day, call NHS 111."
        ),
        safety_net=True,
    ),
    "SOON": PatientInstruction(
        key="SOON",
        heading=_("A clinician needs to see you this week"),
        now=_(
            "The clinic will contact you to arrange an appointment with a clinician within {sla}."
        ),
        if_worse=_(
            "If it gets worse before your appointment, contact the clinic the same day, or call "
            "NHS 111 when the clinic is closed. Call 999 if any of the signs below start."
        ),
        safety_net=True,
    ),
    "ROUTINE": PatientInstruction(
        key="ROUTINE",
        heading=_("The clinic will offer you an appointment"),
        now=_(
            "A clinician needs to see you, but it is not urgent. The clinic will offer you an "
            "appointment within {sla}."
        ),
        if_worse=_(
            "If it gets worse while you wait, contact the clinic: they may see you sooner. Call "
            "999 if any of the signs below start."
        ),
        safety_net=True,
    ),
    "SELF_CARE": PatientInstruction(
        key="SELF_CARE",
        heading=_("A clinician will look at your answers"),
        now=_(
            "Nothing you told us needs urgent care. A clinician will look at your answers within "
            "{sla} and tell you what happens next, for example exercises you can do at home."
        ),
        if_worse=_(
            "If it gets worse or you are worried, contact the clinic. Call 999 if any of the "
            "signs below start."
        ),
        safety_net=True,
    ),
}


def patient_instruction(key: str, *, sla: timedelta) -> PatientInstruction:
    """What the patient is told to do after triage at urgency `key` ("EMERGENCY" … "SELF_CARE"),
    the clinic's deadline for it written in: the one source for every patient page, email and
    offline page, so that none can disagree with another."""
    template = _PATIENT_INSTRUCTIONS[key]
    deadline = describe_duration(sla)
    return PatientInstruction(
        key=template.key,
        heading=str(template.heading),
        now=str(template.now).format(sla=deadline),
        if_worse=str(template.if_worse),
        safety_net=template.safety_net,
    )


def safety_net_lists() -> dict[str, object]:
    """The 999 and same-day lists with their headings, as the patient pages' partials take them
    (templates/programmes/patient/partials/call_999.html, instruction.html)."""
    return {
        "call_999_heading": CALL_999_HEADING,
        "safety_net_999": SAFETY_NET_999,
        "same_day_heading": SAME_DAY_HEADING,
        "safety_net_same_day": SAFETY_NET_SAME_DAY,
    }
