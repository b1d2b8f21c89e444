"""The psychosocial screening questionnaire a clinic holds a licence for, kept as data.

STarT MSK, STarT Back and the ÖMPSQ short form (`clinical/red-flags.md` section 5) are licensed:
the clinic enters the tool it may use in the admin, items in the licensed wording, with their
answers and scores and the bands that turn scores into a risk category. The intake asks the
active tool's items and computes `psychosocial_risk_category` from them (`psychosocial.scoring`);
with no active tool the answer is `not_assessed`. At most one tool is active.

No item wording ships with this code: we hold no licence for any of these tools.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from psychosocial import scoring

NUMERIC_MAX = 100  # a 0-10 scale is usual; nothing published goes above 0-100
MAX_OPTIONS = 20


class ToolQuerySet(models.QuerySet["Tool"]):
    def active_with_items(self) -> Tool | None:
        """The active tool with its items and bands (three queries; one when none is active)."""
        return self.filter(active=True).prefetch_related("items", "bands").first()


class Tool(models.Model):
    name = models.CharField(_("name"), max_length=200, help_text=_("For example “Keele STarT MSK”"))
    version = models.CharField(
        _("version"),
        max_length=50,
        help_text=_("As the licensed tool names it; stored with each intake"),
    )
    licence_holder = models.CharField(
        _("licence holder"), max_length=200, help_text=_("Who holds the licence to use this tool")
    )
    licence_notes = models.TextField(
        _("licence notes"), blank=True, help_text=_("Terms, reference, renewal date")
    )
    source = models.TextField(
        _("source"),
        help_text=_(
            "The published source of the tool and its scoring, for example “Hill JC et al., "
            "Arthritis Rheum 2008 (clinical/red-flags.md [S23])”"
        ),
    )
    subscale_name = models.CharField(
        _("subscale"),
        max_length=100,
        blank=True,
        help_text=_(
            "The name of the tool's subscale, if its bands use one (STarT Back: the psychosocial "
            "subscale, items 5-9). Mark its items below."
        ),
    )
    active = models.BooleanField(
        _("active"),
        default=False,
        help_text=_("Asked at every intake. Only one tool can be active."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ToolQuerySet.as_manager()

    class Meta:
        ordering = ["-active", "name", "version"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(
                fields=["active"],
                condition=models.Q(active=True),
                name="psychosocial_one_active_tool",
            ),
            models.UniqueConstraint(
                fields=["name", "version"], name="psychosocial_tool_name_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    def spec(self) -> scoring.Tool:
        """The tool as the scoring function reads it (its items and bands as loaded)."""
        return scoring.Tool(
            items=tuple(item.spec() for item in self.items.all()),
            bands=tuple(band.spec() for band in self.bands.all()),
        )


class Scale(models.TextChoices):
    YES_NO = "yes_no", _("Yes (1) or no (0)")
    NUMERIC = "numeric", _("A number, scored as itself (for example 0-10)")
    OPTIONS = "options", _("Labelled answers, each with its score (for example a Likert scale)")


class Item(models.Model):
    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"))
    wording = models.TextField(_("wording"), help_text=_("Exactly as licensed"))
    scale = models.CharField(_("answer scale"), max_length=10, choices=Scale.choices)
    scale_min = models.PositiveSmallIntegerField(
        _("lowest number"), null=True, blank=True, help_text=_("For a numeric scale")
    )
    scale_max = models.PositiveSmallIntegerField(
        _("highest number"), null=True, blank=True, help_text=_("For a numeric scale")
    )
    options = models.TextField(
        _("labelled answers"),
        blank=True,
        help_text=_(
            "For labelled answers: one a line, the words then = and the score, e.g. “Agree = 1”"
        ),
    )
    reverse_scored = models.BooleanField(
        _("reverse scored"), default=False, help_text=_("Highest answer scores lowest")
    )
    in_subscale = models.BooleanField(_("in the subscale"), default=False)

    class Meta:
        ordering = ["tool", "position"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(
                fields=["tool", "position"], name="psychosocial_item_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tool} item {self.position}"

    @property
    def key(self) -> str:
        return str(self.position)

    def answer_options(self) -> tuple[scoring.Option, ...]:
        """The answers this item offers, as its scale says. Raises ValidationError when the
        scale's settings do not make a list of answers (the admin form shows it)."""
        if self.scale == Scale.YES_NO:
            return (
                scoring.Option("no", str(_("No")), 0),
                scoring.Option("yes", str(_("Yes")), 1),
            )
        if self.scale == Scale.NUMERIC:
            low, high = self.scale_min, self.scale_max
            if low is None or high is None:
                raise ValidationError(
                    _("A numeric scale needs its lowest and highest number."), code="numeric"
                )
            if low >= high or high > NUMERIC_MAX:
                raise ValidationError(
                    _("A numeric scale runs from a lower to a higher number, at most %(max)s."),
                    code="numeric",
                    params={"max": NUMERIC_MAX},
                )
            return tuple(scoring.Option(str(n), str(n), n) for n in range(low, high + 1))
        return parse_options(self.options)

    def spec(self) -> scoring.Item:
        return scoring.Item(
            key=self.key,
            options=self.answer_options(),
            reverse_scored=self.reverse_scored,
            in_subscale=self.in_subscale,
        )


def parse_options(text: str) -> tuple[scoring.Option, ...]:
    """Labelled answers from lines of “words = score”; their values are 1, 2, ... in order."""
    options: list[scoring.Option] = []
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for number, line in enumerate(lines, start=1):
        label, equals, score = line.rpartition("=")
        label = label.strip()
        if not equals or not label or not score.strip().isdigit():
            raise ValidationError(
                _("Line %(line)s (“%(text)s”) is not “words = score” with a whole-number score."),
                code="options",
                params={"line": number, "text": line},
            )
        options.append(scoring.Option(str(number), label, int(score)))
    if len(options) < 2 or len(options) > MAX_OPTIONS:
        raise ValidationError(
            _("Labelled answers need from 2 to %(max)s lines, one for each answer."),
            code="options",
            params={"max": MAX_OPTIONS},
        )
    return tuple(options)


class Category(models.TextChoices):
    """The categories a tool may give; `not_assessed` is never a band: it means no tool."""

    LOW = "low", _("Low risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")


class Band(models.Model):
    """A category for totals in a range and, for a tool with a subscale, subscale sums in one."""

    tool = models.ForeignKey(Tool, on_delete=models.CASCADE, related_name="bands")
    position = models.PositiveSmallIntegerField(_("position"))
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    total_min = models.PositiveSmallIntegerField(_("total from"), null=True, blank=True)
    total_max = models.PositiveSmallIntegerField(_("total up to"), null=True, blank=True)
    subscale_min = models.PositiveSmallIntegerField(_("subscale from"), null=True, blank=True)
    subscale_max = models.PositiveSmallIntegerField(_("subscale up to"), null=True, blank=True)

    class Meta:
        ordering = ["tool", "position"]
        verbose_name = _("category band")
        verbose_name_plural = _("category bands")
        constraints = [
            models.UniqueConstraint(
                fields=["tool", "position"], name="psychosocial_band_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tool} band {self.position}: {self.category}"

    def spec(self) -> scoring.Band:
        return scoring.Band(
            category=self.category,  # type: ignore[arg-type]
            total_min=self.total_min,
            total_max=self.total_max,
            subscale_min=self.subscale_min,
            subscale_max=self.subscale_max,
        )
