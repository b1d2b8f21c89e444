"""The relevant findings of an examination as prose, for a referral letter and the imaging form:
"Hoffmann's sign positive on the right; tandem gait unsteady; active rotation 30° left, 70°
right".

Relevant means what a receiving clinician acts on: every abnormal finding (an upper motor neurone
sign, weakness and whether it is new or progressing, a sensory change, a reflex absent, reduced
or enhanced, nystagmus, midline tenderness, a painful or reduced movement, a positive test), and
cervical rotation whenever it was recorded, since the Canadian C-Spine Rule turns on it [S4].
Normal and untested findings are left out: the full record stays on the case page. Every phrase
is translated (gettext), with a side said as a person says it ("on the left", "on both sides").
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from examination import readable
from examination.models import Examination
from triage.rules.exam import (
    LEVELS,
    MOVEMENTS,
    REFLEXES,
    REGIONS,
    SIDED_SIGNS,
    SIDES,
    ExamContractError,
    Findings,
    Movement,
)


def _on(sides: Sequence[str]) -> str:
    """ "on the left", "on the right" or "on both sides"."""
    if len(sides) == len(SIDES):
        return _("on both sides")
    return _("on the left") if sides[0] == "left" else _("on the right")


def _by_side(values: Mapping[str, Any], wanted: Collection[Any]) -> list[str]:
    """The sides whose value is one of `wanted`, left first."""
    return [side for side in SIDES if values[side] is not None and values[side] in wanted]


def _mid_sentence(label: str) -> str:
    """A movement's label inside a sentence: English lower-cases it ("cervical extension");
    German keeps the capitals of its nouns and abbreviations ("HWS-Extension")."""
    return label if (translation.get_language() or "").startswith("de") else label.lower()


def _movement_words(movement: Movement) -> str:
    shown = (
        _("%(degrees)s°") % {"degrees": movement.degrees}
        if movement.degrees is not None
        else str(readable.VALUE_LABELS[movement.grade or "none"]).lower()
    )
    return _("%(range)s, painful") % {"range": shown} if movement.pain else shown


def _abnormal(movement: Movement | None) -> bool:
    return movement is not None and (
        movement.pain or movement.grade in ("reduced", "markedly_reduced", "none")
    )


def relevant_findings(findings: Findings) -> list[str]:
    """The relevant findings as phrases, in the order a clinician examines: neurological signs
    first (the upper motor neurone signs, then power, sensation, reflexes), then movement,
    palpation and the tests."""
    phrases: list[str] = []
    for sign in SIDED_SIGNS:
        sides = _by_side(getattr(findings, sign), {"positive"})
        if sides:
            phrases.append(
                {
                    "hoffmann": _("Hoffmann's sign positive %(sides)s"),
                    "babinski": _("extensor plantar response (Babinski) %(sides)s"),
                    "clonus": _("sustained clonus %(sides)s"),
                }[sign]
                % {"sides": _on(sides)}
            )
    if findings.romberg == "positive":
        phrases.append(_("Romberg's test positive"))
    if findings.tandem_gait == "abnormal":
        phrases.append(_("tandem gait unsteady"))
    if findings.nystagmus == "present":
        phrases.append(_("nystagmus"))

    for level in LEVELS:
        grades = findings.myotomes[level]
        weak = _by_side(grades, {0, 1, 2, 3, 4})
        if weak:
            power = ", ".join(f"{grades[side]}/5" for side in weak)
            phrases.append(
                _("weakness of %(muscles)s (%(level)s) %(sides)s, MRC %(grade)s")
                % {
                    "muscles": readable.MUSCLES[level],
                    "level": level,
                    "sides": _on(weak),
                    "grade": power,
                }
            )
    if findings.weak_myotomes() and findings.motor_deficit in (
        "long_standing",
        "new",
        "progressing",
    ):
        phrases.append(
            {
                "long_standing": _("the weakness is long-standing"),
                "new": _("the weakness is new"),
                "progressing": _("the weakness is progressing"),
            }[findings.motor_deficit]
        )
    for level in LEVELS:
        for value, words in (
            ("altered", _("altered sensation at %(point)s (%(level)s) %(sides)s")),
            ("absent", _("no sensation at %(point)s (%(level)s) %(sides)s")),
        ):
            sides = _by_side(findings.dermatomes[level], {value})
            if sides:
                phrases.append(
                    words
                    % {"point": readable.SENSORY_POINTS[level], "level": level, "sides": _on(sides)}
                )
    for reflex in REFLEXES:
        for grade, message in (
            (0, _("%(reflex)s reflex absent %(sides)s")),
            (1, _("%(reflex)s reflex reduced %(sides)s")),
            (4, _("%(reflex)s reflex enhanced, with clonus, %(sides)s")),
        ):
            sides = _by_side(findings.reflexes[reflex], {grade})
            if sides:
                phrases.append(
                    message % {"reflex": readable.REFLEX_LABELS[reflex], "sides": _on(sides)}
                )

    left = findings.movement("cervical", "rotation_left")
    right = findings.movement("cervical", "rotation_right")
    if left is not None or right is not None:
        parts = []
        if left is not None:
            parts.append(_("%(range)s left") % {"range": _movement_words(left)})
        if right is not None:
            parts.append(_("%(range)s right") % {"range": _movement_words(right)})
        phrases.append(_("active rotation %(ranges)s") % {"ranges": ", ".join(parts)})
    for region in REGIONS:
        for name in MOVEMENTS:
            if region == "cervical" and name in ("rotation_left", "rotation_right"):
                continue
            movement = findings.movement(region, name)
            if movement is not None and _abnormal(movement):
                phrases.append(
                    _("%(movement)s %(range)s")
                    % {
                        "movement": _mid_sentence(readable.movement_label(region, name)),
                        "range": _movement_words(movement),
                    }
                )

    if findings.midline_cervical_tenderness == "present":
        phrases.append(_("midline cervical tenderness"))
    if findings.midline_thoracic_tenderness == "present":
        phrases.append(_("midline thoracic tenderness"))

    positive: dict[str, list[str]] = {}
    for test in findings.positive_tests():
        positive.setdefault(test.test.code, []).append(test.side or "")
    names = {test.test.code: test.test.name for test in findings.tests}
    for code, sides in positive.items():
        if sides == [""]:
            phrases.append(_("%(test)s positive") % {"test": names[code]})
        else:
            phrases.append(
                _("%(test)s positive %(sides)s") % {"test": names[code], "sides": _on(sides)}
            )
    return phrases


def findings_in_prose(findings: Findings) -> str:
    """The relevant findings as one clause ("" when nothing is abnormal and rotation was not
    recorded): phrases joined by semicolons, the first capitalised."""
    text = "; ".join(relevant_findings(findings))
    return text[:1].upper() + text[1:]


def _read(examination: Examination) -> Findings | None:
    """The stored findings, typed; None for findings stored by an older contract (the page
    shows those as stored)."""
    try:
        return Findings.from_mapping(examination.findings, tests=examination.library)
    except ExamContractError:
        return None


def examination_findings(examination: Examination) -> str:
    """The examination's relevant findings in prose ("" when there are none to say)."""
    findings = _read(examination)
    return findings_in_prose(findings) if findings is not None else ""


def examination_paragraph(examination: Examination) -> str:
    """A letter's paragraph on the examination: its date, the relevant findings and the working
    impression ("" for findings stored by an older contract)."""
    findings = _read(examination)
    if findings is None:
        return ""
    found = findings_in_prose(findings)
    day = formats.date_format(timezone.localtime(examination.examined_at), "j F Y")
    text = (
        _("On examination on %(date)s: %(findings)s.") % {"date": day, "findings": found}
        if found
        else _("On examination on %(date)s no abnormal finding was recorded.") % {"date": day}
    )
    impression = readable.impression_label(findings)
    if impression:
        text += " " + _("Working impression: %(impression)s.") % {
            "impression": impression[:1].lower() + impression[1:]
        }
    return text
