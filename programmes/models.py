"""Home-exercise programmes: the exercise library and its templates (admin-edited), the programmes
clinicians prescribe from them, and what patients do with them (sessions, check-ins).

A prescribed programme is a copy of its template's phases and doses, adjusted by the clinician: a
later change to the library or a template never changes what a patient was given.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from programmes.media import (
    exercise_media_storage,
    validate_exercise_image,
    validate_exercise_video,
)

CAUTION_TAG_CHOICES = [
    ("overhead_load", _("Overhead load")),
    ("ballistic", _("Ballistic")),
    ("loaded_spinal_flexion", _("Loaded spinal flexion")),
    ("end_range_neck", _("End-range neck movement")),
    ("neural_tension", _("Neural tension")),
]
CAUTION_TAGS = dict(CAUTION_TAG_CHOICES)


def validate_caution_tags(value: Any) -> None:
    if not isinstance(value, list) or any(tag not in CAUTION_TAGS for tag in value):
        raise ValidationError(
            _("Caution tags must be a list of: %(tags)s"), params={"tags": ", ".join(CAUTION_TAGS)}
        )


def validate_weekdays(value: Any) -> None:
    if (
        not isinstance(value, list)
        or any(not isinstance(day, int) or not 0 <= day <= 6 for day in value)
        or len(set(value)) != len(value)
    ):
        raise ValidationError(
            _("Training days must be distinct weekdays, 0 (Monday) to 6 (Sunday)")
        )


class Dose(models.Model):
    """Sets, repetitions or a hold, and a load: the same four numbers wherever a dose is given."""

    sets = models.PositiveSmallIntegerField(default=2)
    reps = models.PositiveSmallIntegerField(_("repetitions"), null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    load_kg = models.DecimalField(
        _("load (kg)"), max_digits=5, decimal_places=1, null=True, blank=True
    )

    class Meta:
        abstract = True

    def dose_text(self, *, per_side: bool = False) -> str:
        # The multiplication sign reads as "sets of" on a phone and in a plain-text email.
        """E.g. "3 × 10 each side with 8 kg", "2 × 30 s hold", in the active language."""  # noqa: RUF002
        if self.hold_seconds:
            # Translators: sets times seconds held, e.g. "2 × 30 s hold".  # noqa: RUF003
            text = gettext("%(sets)s × %(seconds)s s hold") % {  # noqa: RUF001
                "sets": self.sets,
                "seconds": self.hold_seconds,
            }
        else:
            text = f"{self.sets} × {self.reps or 0}"  # noqa: RUF001
        if per_side:
            # Translators: a dose done on each side, e.g. "3 × 10 each side".  # noqa: RUF003
            text = gettext("%(dose)s each side") % {"dose": text}
        if self.load_kg:
            # Translators: a dose with its load, e.g. "3 × 10 with 8 kg".  # noqa: RUF003
            text = gettext("%(dose)s with %(load)s") % {
                "dose": text,
                "load": format_kg(self.load_kg),
            }
        return text


def format_kg(value: Decimal | float) -> str:
    """ "2.5 kg" in English, "2,5 kg" in German (the active language's decimal mark)."""
    number = Decimal(value).normalize()
    return f"{number_format(f'{number:f}')} kg"


def text_suffix(language: str | None, languages: tuple[str, ...]) -> str:
    """The suffix of a field's twin in `language` (the active one when not given): "_de" for
    German, "" (the English field itself) for English or a language the clinic does not write."""
    code = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
    return f"_{code}" if code in languages else ""


class PatientText:
    """A row's patient text in one language (`WrittenForPatients.text_in`): each field's twin in
    that language where it is written, the English where it is empty."""

    def __init__(self, row: WrittenForPatients, suffix: str) -> None:
        self._row = row
        self._suffix = suffix

    def __getattr__(self, field: str) -> str:
        if field.startswith("_") or field not in self._row.PATIENT_TEXT_FIELDS:
            raise AttributeError(field)
        if self._suffix:
            value = str(getattr(self._row, f"{field}{self._suffix}") or "")
            if value.strip():
                return value
        return str(getattr(self._row, field))

    def __str__(self) -> str:
        return self.__getattr__("name")


class WrittenForPatients:
    """A model whose patient text (PATIENT_TEXT_FIELDS) has a German twin `<field>_de` beside
    each field: the patient reads `text` (templates: `programme.text.name`), in the active
    language, the English where a clinic left the German empty."""

    PATIENT_TEXT_FIELDS: tuple[str, ...] = ("name",)
    # The languages besides English the text is written in (settings.LANGUAGES).
    TEXT_LANGUAGES: tuple[str, ...] = ("de",)

    def text_in(self, language: str | None = None) -> PatientText:
        return PatientText(self, text_suffix(language, self.TEXT_LANGUAGES))

    @property
    def text(self) -> PatientText:
        return self.text_in()


class Exercise(models.Model):
    """One exercise of the library, with the instructions a patient reads and its starting dose."""

    class Category(models.TextChoices):
        STRENGTH = "strength", _("Strength")
        MOBILITY = "mobility", _("Mobility")
        STRETCH = "stretch", _("Stretching")
        POSTURE = "posture", _("Posture")

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=16, choices=Category.choices)
    region = models.CharField(max_length=60)
    equipment = models.CharField(max_length=120, default="None")
    setup = models.TextField(_("set-up"), help_text=_("For the patient: how to get into position"))
    movement = models.TextField(help_text=_("For the patient: what to do"))
    good_form = models.TextField(help_text=_("For the patient: what good form feels like"))
    stop_if = models.TextField(_("when to stop"), help_text=_("For the patient: when to stop"))
    sets = models.PositiveSmallIntegerField(default=2)
    reps = models.PositiveSmallIntegerField(_("repetitions"), null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    per_side = models.BooleanField(default=False)
    load_min_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    load_max_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    load_step_kg = models.DecimalField(
        _("progression step (kg)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    progression = models.TextField(help_text=_("For the patient: how to build up"))
    caution_tags = models.JSONField(default=list, blank=True, validators=[validate_caution_tags])
    source = models.TextField(
        help_text=_("The published source(s) behind the exercise and its dose")
    )
    # A picture and a short video the clinic uploads (programmes/media.py): shown on the
    # patient's page, the picture in the printed handout too.
    image = models.FileField(
        _("picture"),
        upload_to="images/",
        storage=exercise_media_storage,
        blank=True,
        validators=[validate_exercise_image],
        help_text=_("JPEG, PNG or WebP. Shown on the patient's page and in the printed handout."),
    )
    image_alt = models.CharField(
        _("picture description (alt text)"),
        max_length=300,
        blank=True,
        help_text=_(
            "Required with a picture: what it shows, for a patient who cannot see it "
            '(e.g. "Lying on the back, chin tucked, head resting on a folded towel").'
        ),
    )
    video = models.FileField(
        _("video"),
        upload_to="videos/",
        storage=exercise_media_storage,
        blank=True,
        validators=[validate_exercise_video],
        help_text=_("A short MP4 or WebM clip, without sound needed. Shown on the patient's page."),
    )
    # The patient's text in German (programmes/core/library_de.py for the seeded library), edited
    # beside the English in the admin. Empty: the patient reads the English (`text`).
    name_de = models.CharField(_("name (German)"), max_length=120, blank=True)
    equipment_de = models.CharField(_("equipment (German)"), max_length=120, blank=True)
    setup_de = models.TextField(_("set-up (German)"), blank=True)
    movement_de = models.TextField(_("movement (German)"), blank=True)
    good_form_de = models.TextField(_("good form (German)"), blank=True)
    stop_if_de = models.TextField(_("when to stop (German)"), blank=True)
    progression_de = models.TextField(_("how to build up (German)"), blank=True)
    image_alt_de = models.CharField(_("picture description (German)"), max_length=300, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # The fields a patient reads, each with a German twin `<field>_de`.
    PATIENT_TEXT_FIELDS = (
        "name",
        "equipment",
        "setup",
        "movement",
        "good_form",
        "stop_if",
        "progression",
        "image_alt",
    )
    # The languages besides English the library is written in (settings.LANGUAGES).
    TEXT_LANGUAGES = ("de",)

    class Meta:
        ordering = ["category", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(image="") | ~models.Q(image_alt=""),
                name="exercise_image_has_alt_text",
            ),
            models.CheckConstraint(
                condition=models.Q(reps__isnull=False) | models.Q(hold_seconds__isnull=False),
                name="exercise_has_reps_or_hold",
            ),
            models.CheckConstraint(
                condition=models.Q(load_min_kg__isnull=True)
                | models.Q(load_max_kg__isnull=True)
                | models.Q(load_min_kg__lte=models.F("load_max_kg")),
                name="exercise_load_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.image and not self.image_alt.strip():
            raise ValidationError(
                {"image_alt": _("Describe the picture for a patient who cannot see it.")}
            )

    @property
    def caution_labels(self) -> list[str]:
        return [str(CAUTION_TAGS.get(tag, tag)) for tag in self.caution_tags]

    def text_in(self, language: str | None = None) -> ExerciseText:
        """What the patient reads, in `language` (the active one when not given): each field's
        German text for German, the English where the German is empty."""
        return ExerciseText(self, text_suffix(language, self.TEXT_LANGUAGES))

    @property
    def text(self) -> ExerciseText:
        """The patient's text in the active language (templates: `exercise.text.setup`)."""
        return self.text_in()


class ExerciseText:
    """An exercise's patient text in one language (`Exercise.text_in`). Each field is read when
    asked for, so that a query that loaded only the names loads nothing more."""

    def __init__(self, exercise: Exercise, suffix: str) -> None:
        self._exercise = exercise
        self._suffix = suffix

    def _shown(self, field: str) -> str:
        if self._suffix:
            value = str(getattr(self._exercise, f"{field}{self._suffix}") or "")
            if value.strip():
                return value
        return str(getattr(self._exercise, field))

    @property
    def name(self) -> str:
        return self._shown("name")

    @property
    def equipment(self) -> str:
        return self._shown("equipment")

    @property
    def setup(self) -> str:
        return self._shown("setup")

    @property
    def movement(self) -> str:
        return self._shown("movement")

    @property
    def good_form(self) -> str:
        return self._shown("good_form")

    @property
    def stop_if(self) -> str:
        return self._shown("stop_if")

    @property
    def progression(self) -> str:
        return self._shown("progression")

    @property
    def image_alt(self) -> str:
        return self._shown("image_alt")

    def __str__(self) -> str:
        return self.name


class ProgrammeTemplate(WrittenForPatients, models.Model):
    """A programme of several weeks in phases, ready to prescribe."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    summary = models.TextField(help_text=_("For the patient: what the programme is for"))
    # The patient's text in German (programmes/core/library_de.py for the seeded templates).
    # Empty: the patient reads the English (`text`).
    name_de = models.CharField(_("name (German)"), max_length=120, blank=True)
    summary_de = models.TextField(
        _("summary (German)"),
        blank=True,
        help_text=_("For a patient whose language is German. Empty: they read the English."),
    )
    for_whom = models.TextField(help_text=_("For the clinician: who it suits and who it does not"))
    source = models.TextField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    PATIENT_TEXT_FIELDS = ("name", "summary")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Advance(models.TextChoices):
    """How a patient moves on into a phase: by themselves when the check-ins are good, or only
    when a clinician agrees."""

    AUTO = "auto", _("Moves on when check-ins are good")
    CLINICIAN = "clinician", _("A clinician decides")


class TemplatePhase(WrittenForPatients, models.Model):
    template = models.ForeignKey(ProgrammeTemplate, on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    weeks = models.PositiveSmallIntegerField()
    goal = models.TextField(help_text=_("For the patient"))
    advance = models.CharField(
        max_length=16,
        choices=Advance.choices,
        default=Advance.AUTO,
        help_text=_("How the patient moves into this phase from the one before"),
    )
    name_de = models.CharField(_("name (German)"), max_length=120, blank=True)
    goal_de = models.TextField(
        _("goal (German)"),
        blank=True,
        help_text=_("For a patient whose language is German. Empty: they read the English."),
    )

    PATIENT_TEXT_FIELDS = ("name", "goal")

    class Meta:
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="template_phase_unique"),
            models.CheckConstraint(condition=models.Q(weeks__gte=1), name="template_phase_weeks"),
        ]

    def __str__(self) -> str:
        return f"{self.template} phase {self.position}: {self.name}"


class TemplateExercise(Dose):
    phase = models.ForeignKey(TemplatePhase, on_delete=models.CASCADE, related_name="exercises")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="in_templates")
    position = models.PositiveSmallIntegerField(default=0)
    days_per_week = models.PositiveSmallIntegerField(default=3)

    class Meta:
        ordering = ["phase", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "exercise"], name="template_exercise_unique"),
            models.CheckConstraint(
                condition=models.Q(days_per_week__gte=1, days_per_week__lte=7),
                name="template_exercise_days",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} in {self.phase}"


class ProgrammeQuerySet(models.QuerySet["Programme"]):
    def live(self) -> ProgrammeQuerySet:
        return self.filter(status__in=Programme.LIVE)

    def reminders_due(self, now: datetime) -> ProgrammeQuerySet:
        return self.filter(
            status=Programme.Status.ACTIVE,
            reminders_paused=False,
            unsubscribed_at__isnull=True,
            next_reminder_at__lte=now,
            # A patient without email, or who has not agreed to it, has the printed handout.
            patient__email__gt="",
            patient__email_consent=True,
        )


class Programme(WrittenForPatients, models.Model):
    """A home-exercise programme prescribed to a patient from a case."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ON_HOLD = "on_hold", _("On hold: the clinic is reviewing a check-in")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped by the clinic")

    LIVE = (Status.ACTIVE, Status.ON_HOLD)

    case = models.ForeignKey("triage.Case", on_delete=models.PROTECT, related_name="programmes")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="programmes"
    )
    template = models.ForeignKey(
        ProgrammeTemplate, on_delete=models.PROTECT, related_name="programmes"
    )
    name = models.CharField(max_length=120, help_text=_("The template's name when prescribed"))
    name_de = models.CharField(
        _("name (German)"),
        max_length=120,
        blank=True,
        help_text=_("The template's German name when prescribed"),
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    prescribed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="programmes_prescribed"
    )
    prescribed_at = models.DateTimeField(default=timezone.now)
    start_date = models.DateField()
    note = models.TextField(_("note to the patient"), blank=True)
    safety_net = models.TextField(help_text=_("The safety-net advice, as worded when prescribed"))
    baseline_pain = models.PositiveSmallIntegerField(
        help_text=_("Pain (0-10) at the intake the programme was prescribed from")
    )
    intake_answers = models.JSONField(
        help_text=_(
            "The answers of the intake prescribed from: a check-in's re-entry builds on them"
        )
    )
    current_phase = models.PositiveSmallIntegerField(default=1)
    phase_started_on = models.DateField()
    awaiting_review = models.BooleanField(
        default=False, help_text=_("The template asks a clinician before the next phase")
    )
    # The patient's choices, on their page.
    time_zone = models.CharField(max_length=64, default="Europe/London")
    training_days = models.JSONField(default=list, validators=[validate_weekdays])
    reminder_time = models.TimeField(default=time(18, 0))
    reminders_paused = models.BooleanField(default=False)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    next_reminder_at = models.DateTimeField(null=True, blank=True)
    # Every link to the patient's page carries this number; revoking the link raises it.
    link_version = models.PositiveIntegerField(default=1)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-prescribed_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_reminder_at"],
                name="programme_reminder_due_idx",
                condition=models.Q(
                    status="active", reminders_paused=False, unsubscribed_at__isnull=True
                ),
            ),
            models.Index(fields=["case", "prescribed_at"], name="programme_case_idx"),
        ]
        constraints = [
            # One live programme per patient: a second would double every reminder.
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(status__in=["active", "on_hold"]),
                name="programme_one_live_per_patient",
            ),
            models.CheckConstraint(
                condition=models.Q(baseline_pain__lte=10), name="programme_baseline_pain"
            ),
        ]

    def __str__(self) -> str:
        return f"Programme {self.pk}"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def total_weeks(self) -> int:
        return sum(phase.weeks for phase in self.phases.all())

    @property
    def end_date(self) -> date:
        return self.start_date + timedelta(weeks=self.total_weeks)

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE

    @property
    def emails_stopped(self) -> bool:
        return self.unsubscribed_at is not None

    @property
    def safety_net_shown(self) -> str:
        """The safety net in the language active now (the patient's page, their handout).

        It is kept as worded when prescribed, in the patient's language: shown as kept, unless
        the words kept are today's wording in another of the clinic's languages (a German
        patient's page switched to English), when today's wording in this one says the same. A
        safety net worded otherwise (an older wording) is shown as it was kept."""
        from triage.models import CaseDecision
        from triage.outcomes import safety_net_for

        def worded(code: str) -> str:
            with translation.override(code):
                return safety_net_for(CaseDecision.Kind.PROGRAMME_PRESCRIBED).as_text()

        here = worded(get_language())
        if self.safety_net != here and any(
            self.safety_net == worded(code) for code, _name in settings.LANGUAGES
        ):
            return here
        return self.safety_net

    def local_today(self, now: datetime | None = None) -> date:
        return (now or timezone.now()).astimezone(self.tz).date()

    def week_number(self, day: date) -> int:
        """1 for the first seven days from the start, and so on; 0 before the start."""
        if day < self.start_date:
            return 0
        return (day - self.start_date).days // 7 + 1


class ProgrammePhase(WrittenForPatients, models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    weeks = models.PositiveSmallIntegerField()
    goal = models.TextField()
    advance = models.CharField(max_length=16, choices=Advance.choices, default=Advance.AUTO)
    # Copied from the template's phase when prescribed, as the English is.
    name_de = models.CharField(_("name (German)"), max_length=120, blank=True)
    goal_de = models.TextField(_("goal (German)"), blank=True)

    PATIENT_TEXT_FIELDS = ("name", "goal")

    class Meta:
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "position"], name="programme_phase_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Phase {self.position}: {self.name}"


class ProgrammeExercise(Dose):
    """One exercise of a prescribed phase, with the dose the clinician chose. A caution clash
    (the exercise's caution tags against the patient's answers) is kept only with the clinician's
    explicit choice to keep the exercise."""

    phase = models.ForeignKey(ProgrammePhase, on_delete=models.CASCADE, related_name="exercises")
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, related_name="prescribed")
    position = models.PositiveSmallIntegerField(default=0)
    days_per_week = models.PositiveSmallIntegerField(default=3)
    clashes = models.JSONField(
        default=list, blank=True, help_text=_("Caution clashes the clinician chose to accept")
    )
    clash_note = models.TextField(blank=True, help_text=_("Why the clinician kept it"))

    class Meta:
        ordering = ["phase", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(days_per_week__gte=1, days_per_week__lte=7),
                name="programme_exercise_days",
            ),
            models.CheckConstraint(
                condition=models.Q(clashes=[]) | ~models.Q(clash_note=""),
                name="programme_exercise_clash_has_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} in {self.phase}"

    @property
    def dose(self) -> str:
        return self.dose_text(per_side=self.exercise.per_side)


class SessionLog(models.Model):
    """A training session the patient logged on their page."""

    class Felt(models.TextChoices):
        EASY = "easy", _("Easy: I could have done more")
        RIGHT = "right", _("About right: hard work, good form")
        HARD = "hard", _("Very hard: the last reps were a struggle")
        FORM_BROKE = "form_broke", _("My form broke or my body twisted to manage the weight")
        PAINFUL = "painful", _("It hurt more than usual")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="sessions")
    performed_on = models.DateField()
    phase = models.PositiveSmallIntegerField()
    felt = models.CharField(max_length=16, choices=Felt.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-performed_on", "-pk"]
        indexes = [models.Index(fields=["programme", "performed_on"], name="session_day_idx")]

    def __str__(self) -> str:
        return f"Session {self.pk} on {self.performed_on}"


class SessionExercise(models.Model):
    session = models.ForeignKey(SessionLog, on_delete=models.CASCADE, related_name="exercises")
    exercise = models.ForeignKey(ProgrammeExercise, on_delete=models.CASCADE, related_name="logged")
    done = models.BooleanField(default=True)
    load_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["session", "exercise__position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "exercise"], name="session_exercise_once")
        ]

    def __str__(self) -> str:
        return f"{self.exercise} in session {self.session_id}"


class CheckInQuerySet(models.QuerySet["CheckIn"]):
    def to_send(self, now: datetime) -> CheckInQuerySet:
        return self.filter(
            sent_at__isnull=True,
            completed_at__isnull=True,
            due_at__lte=now,
            programme__status=Programme.Status.ACTIVE,
            programme__unsubscribed_at__isnull=True,
            programme__patient__email__gt="",
            programme__patient__email_consent=True,
        )


class CheckIn(models.Model):
    """A follow-up at a set week (week 0 is the start): pain, sessions done, the Neck Disability
    Index at the start and the end, and the red-flag screen."""

    class Outcome(models.TextChoices):
        HOLD = "hold", _("Same dose")
        NEXT_PHASE = "next_phase", _("Moved to the next phase")
        ADD_LOAD = "add_load", _("Load increased")
        REDUCE_LOAD = "reduce_load", _("Load reduced")
        ASK_CLINICIAN = "ask_clinician", _("Clinician asked to review progression")
        TRIAGE = "triage", _("Back to triage")

    class EnteredHow(models.TextChoices):
        """How a check-in reached the clinic: the patient's own answers through their link, or
        a member of staff's entry of them, asked by phone or at a visit (a patient without
        email, or one who rang)."""

        PATIENT = "", _("By the patient, on their page")
        PHONE = "phone", _("By phone")
        VISIT = "visit", _("At a visit")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="check_ins")
    week = models.PositiveSmallIntegerField()
    due_at = models.DateTimeField()
    asks_ndi = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True, help_text=_("When its email was queued"))
    completed_at = models.DateTimeField(null=True, blank=True)
    pain = models.PositiveSmallIntegerField(null=True, blank=True)
    sessions_done = models.PositiveSmallIntegerField(null=True, blank=True)
    sessions_planned = models.PositiveSmallIntegerField(null=True, blank=True)
    ndi_answers = models.JSONField(null=True, blank=True)
    ndi_points = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    ndi_percent = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    screen = models.JSONField(null=True, blank=True, help_text=_("The red-flag screen's answers"))
    red_flags = models.JSONField(default=list, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(blank=True)
    intake = models.OneToOneField(
        "patients.Intake",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="check_in",
        help_text=_("The intake it re-entered triage as"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="check_ins_entered",
        help_text=_("Empty: the patient answered it on their page"),
    )
    entered_how = models.CharField(
        max_length=8, choices=EnteredHow.choices, default=EnteredHow.PATIENT, blank=True
    )

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "week"]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="check_in_to_send_idx",
                condition=models.Q(sent_at__isnull=True, completed_at__isnull=True),
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["programme", "week"], name="check_in_once_a_week"),
            models.CheckConstraint(
                condition=models.Q(pain__isnull=True) | models.Q(pain__lte=10),
                name="check_in_pain_range",
            ),
            # Entered on the patient's behalf: by whom and how, both or neither.
            models.CheckConstraint(
                condition=models.Q(entered_by__isnull=True, entered_how="")
                | (models.Q(entered_by__isnull=False) & ~models.Q(entered_how="")),
                name="check_in_entered_by_and_how",
            ),
        ]

    def __str__(self) -> str:
        return f"Week {self.week} check-in"

    @property
    def is_start(self) -> bool:
        return self.week == 0

    @property
    def title(self) -> str:
        return check_in_title(self.week)


def check_in_title(week: int) -> str:
    """What a check-in is called, in the language in use: the starting questionnaire (week 0),
    or the week's check-in. Sentences that name a check-in are written whole for each of the
    two (never this title lower-cased inside them: German capitalises its nouns)."""
    if week == 0:
        return gettext("Starting questionnaire")
    return gettext("Week %(week)s check-in") % {"week": week}


class ProgrammeEvent(models.Model):
    """The programme's history: who did what, when (the clinician, the patient through their
    link, or the system)."""

    class Kind(models.TextChoices):
        PRESCRIBED = "prescribed", _("Prescribed")
        SCHEDULE_CHANGED = "schedule_changed", _("Training days or reminder time changed")
        PAUSED = "paused", _("Reminders paused")
        RESUMED = "resumed", _("Reminders resumed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed from emails")
        RESUBSCRIBED = "resubscribed", _("Emails turned back on")
        LINK_REVOKED = "link_revoked", _("Link revoked")
        LINK_SENT = "link_sent", _("New link emailed")
        SESSION_LOGGED = "session_logged", _("Session logged")
        CHECK_IN = "check_in", _("Check-in completed")
        PROGRESSED = "progressed", _("Dose changed")
        REVIEW_REQUESTED = "review_requested", _("Clinician review requested")
        REVIEWED = "reviewed", _("Clinician reviewed progression")
        REENTERED = "reentered", _("Back to triage")
        STOPPED = "stopped", _("Stopped")
        COMPLETED = "completed", _("Completed")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programme_events",
        help_text=_("Empty: the patient (through their link) or the system"),
    )
    by_patient = models.BooleanField(default=False)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["programme", "at"], name="programme_event_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.programme_id})"
