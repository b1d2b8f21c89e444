"""The Neck Disability Index (NDI): sections, scoring, bands and meaningful change.

Source: Vernon H, Mior S. The Neck Disability Index: a study of reliability and validity.
J Manipulative Physiol Ther 1991; Vernon H. The Neck Disability Index:
state-of-the-art, 1991-2008. J Manipulative Physiol Ther 2008;31:491-502 — clinical/red-flags.md
section 6 [S26]. The 5-point change is the minimal detectable change of Vernon's scoring
instructions, below the published MCIDs (programmes.core.thresholds).

Ten sections, each answered with one of six statements scored 0 (no difficulty) to 5 (worst);
total 0-50, doubled for a percentage. The statements below are the clinic's own plain-English
wording of each level (red-flags.md: no questionnaire text is reproduced); the order and the
meaning of each level follow the published index, so scores stay comparable with the literature.

Missing items follow Vernon's rule: score out of the maximum of the sections answered (16 of 45
is 35.6%). More than two missing sections (fewer than 8 answered) is refused: the score is then
too unreliable to compare with the 5-point change below. That cut-off is common practice, not
Vernon's; CLINIC POLICY TO CONFIRM with the clinical lead.

No Django here but its translation: every statement the patient reads is marked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

from django.utils.translation import gettext_lazy as _

from programmes.core.thresholds import MCID_POINTS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Band = Literal["none", "mild", "moderate", "severe", "complete"]
Change = Literal["improved", "worse", "no_clear_change"]

MAX_ITEM_SCORE = 5
# Fewer answered sections than this and the score is refused (see the module docstring):
# common practice, clinic policy to confirm.
MIN_ANSWERED = 8
# Vernon's bands on the raw /50 score: 0-4 none, 5-14 mild, 15-24 moderate, 25-34 severe,
# 35+ complete (red-flags.md section 6 [S26]). Each pair is (lower bound in points, band).
BANDS: tuple[tuple[int, Band], ...] = (
    (35, "complete"),
    (25, "severe"),
    (15, "moderate"),
    (5, "mild"),
    (0, "none"),
)
BAND_LABELS: dict[Band, StrOrPromise] = {
    "none": _("No disability"),
    "mild": _("Mild disability"),
    "moderate": _("Moderate disability"),
    "severe": _("Severe disability"),
    "complete": _("Complete disability"),
}


@dataclass(frozen=True, slots=True)
class NdiSection:
    """One section: six statements, the first scoring 0 (no difficulty), the last 5 (worst)."""

    key: str
    title: StrOrPromise
    statements: tuple[StrOrPromise, ...]
    # People who do not drive skip the driving section; the score is then out of the rest.
    optional: bool = False

    def __post_init__(self) -> None:
        if len(self.statements) != MAX_ITEM_SCORE + 1:
            raise ValueError(f"NDI section {self.key} needs {MAX_ITEM_SCORE + 1} statements")


SECTIONS: tuple[NdiSection, ...] = (
    NdiSection(
        key="pain_intensity",
        title=_("Pain intensity"),
        statements=(
            _("I have no pain right now."),
            _("My pain right now is very slight."),
            _("My pain right now is moderate."),
            _("My pain right now is quite bad."),
            _("My pain right now is very bad."),
            _("My pain right now is as bad as I can imagine."),
        ),
    ),
    NdiSection(
        key="personal_care",
        title=_("Personal care (washing, dressing and so on)"),
        statements=(
            _("I wash and dress myself as usual, and it does not make the pain worse."),
            _("I wash and dress myself as usual, but it makes the pain worse."),
            _("Washing and dressing hurt, so I do them slowly and carefully."),
            _("I manage most of my washing and dressing, but I need some help."),
            _("I need help every day with most of my washing and dressing."),
            _("I cannot get dressed, washing is a struggle and I stay in bed."),
        ),
    ),
    NdiSection(
        key="lifting",
        title=_("Lifting"),
        statements=(
            _("I can lift heavy things and it does not make the pain worse."),
            _("I can lift heavy things, but it makes the pain worse."),
            _(
                "Pain stops me lifting heavy things off the floor, but I can lift them if they are "
                "at a handy height, such as on a table."
            ),
            _(
                "Pain stops me lifting heavy things, but I can lift light or medium things if they "
                "are at a handy height."
            ),
            _("I can lift only very light things."),
            _("I am not able to lift or carry anything."),
        ),
    ),
    NdiSection(
        key="reading",
        title=_("Reading"),
        statements=(
            _("I can read for as long as I like with no neck pain."),
            _("I can read for as long as I like with a little neck pain."),
            _("I can read for as long as I like, but with moderate neck pain."),
            _("Moderate neck pain stops me reading for as long as I would like."),
            _("Severe neck pain means I can hardly read at all."),
            _("I am not able to read at all."),
        ),
    ),
    NdiSection(
        key="headaches",
        title=_("Headaches"),
        statements=(
            _("I do not get headaches."),
            _("I get mild headaches now and then."),
            _("I get moderate headaches now and then."),
            _("I get moderate headaches often."),
            _("I get severe headaches often."),
            _("I have a headache nearly all the time."),
        ),
    ),
    NdiSection(
        key="concentration",
        title=_("Concentration"),
        statements=(
            _("I can concentrate fully whenever I need to, without any difficulty."),
            _("I can concentrate fully whenever I need to, with a little difficulty."),
            _("I find it fairly hard to concentrate when I need to."),
            _("I find it hard to concentrate when I need to."),
            _("I find it very hard to concentrate when I need to."),
            _("I am not able to concentrate at all."),
        ),
    ),
    NdiSection(
        key="work",
        title=_("Work"),
        statements=(
            _("I can work as much as I like."),
            _("I can manage my usual work, but no extra."),
            _("I can manage most of my usual work, but no extra."),
            _("I am not able to manage my usual work."),
            _("I can barely do any work."),
            _("I am not able to do any work."),
        ),
    ),
    NdiSection(
        key="driving",
        title=_("Driving (skip this section if you do not drive)"),
        statements=(
            _("I can drive with no neck pain."),
            _("I can drive for as long as I like with a little neck pain."),
            _("I can drive for as long as I like, but with moderate neck pain."),
            _("Moderate neck pain stops me driving for as long as I would like."),
            _("Severe neck pain means I can hardly drive at all."),
            _("I am not able to drive at all."),
        ),
        optional=True,
    ),
    NdiSection(
        key="sleeping",
        title=_("Sleeping"),
        statements=(
            _("I sleep without any trouble."),
            _("I lose less than an hour's sleep a night."),
            _("I lose 1 to 2 hours' sleep a night."),
            _("I lose 2 to 3 hours' sleep a night."),
            _("I lose 3 to 5 hours' sleep a night."),
            _("I lose 5 to 7 hours' sleep a night."),
        ),
    ),
    NdiSection(
        key="recreation",
        title=_("Hobbies and leisure"),
        statements=(
            _("I can do all my usual hobbies and leisure activities with no neck pain."),
            _("I can do all my usual hobbies and leisure activities, with some neck pain."),
            _(
                "Neck pain stops me doing some of my usual hobbies and leisure activities, but I can "
                "do most of them."
            ),
            _("Neck pain means I can do only a few of my usual hobbies and leisure activities."),
            _("Neck pain means I can hardly do any of my hobbies or leisure activities."),
            _("I cannot do any hobbies or leisure activities."),
        ),
    ),
)
SECTIONS_BY_KEY: dict[str, NdiSection] = {section.key: section for section in SECTIONS}


@dataclass(frozen=True, slots=True)
class NdiScore:
    """A scored NDI. `points` is on the 0-50 scale (pro-rated when sections were skipped)."""

    raw: int
    answered: int
    percent: float
    points: float
    band: Band
    band_label: StrOrPromise


def _one_decimal(value: Fraction) -> float:
    # Half-up, from the exact fraction: 8 answered sections give quarter points (1.25 -> 1.3),
    # which float rounding (banker's, binary) would round inconsistently.
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def band_for(points: float) -> Band:
    """Vernon's band for a score on the 0-50 scale."""
    for lower, band in BANDS:
        if points >= lower:
            return band
    raise ValueError(f"NDI points must be 0 to 50, not {points}")


def score(answers: Mapping[str, int | None]) -> NdiScore:
    """Score an NDI from section key -> 0..5; a missing or None section was skipped."""
    unknown = sorted(set(answers) - set(SECTIONS_BY_KEY))
    if unknown:
        raise ValueError(f"not NDI sections: {', '.join(unknown)}")
    given: list[int] = []
    for key, value in answers.items():
        if value is None:
            continue
        # bool is an int in Python; a tick box's True is not a score.
        if type(value) is not int or not 0 <= value <= MAX_ITEM_SCORE:
            raise ValueError(
                f"NDI {key} must be a whole number 0 to {MAX_ITEM_SCORE}, not {value!r}"
            )
        given.append(value)
    if len(given) < MIN_ANSWERED:
        raise ValueError(
            f"only {len(given)} of {len(SECTIONS)} NDI sections answered; at least "
            f"{MIN_ANSWERED} are needed for a reliable score"
        )
    raw = sum(given)
    answered = len(given)
    # Vernon: score out of the answered maximum, i.e. pro-rate to the full 50.
    exact_points = Fraction(raw * len(SECTIONS), answered)
    points = _one_decimal(exact_points)
    band = band_for(points)
    return NdiScore(
        raw=raw,
        answered=answered,
        percent=_one_decimal(exact_points * 2),
        points=points,
        band=band,
        band_label=BAND_LABELS[band],
    )


def meaningful_change(before: NdiScore, after: NdiScore) -> Change:
    """Whether the NDI moved by at least the 5-point threshold; a lower score is better."""
    # Compare in tenths: the points are one-decimal floats and 35.6 - 30.6 is not exactly 5.0.
    change = round(after.points * 10) - round(before.points * 10)
    if change <= -MCID_POINTS * 10:
        return "improved"
    if change >= MCID_POINTS * 10:
        return "worse"
    return "no_clear_change"
