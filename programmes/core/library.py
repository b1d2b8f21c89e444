"""Seed data for the home-exercise library: exercises, programme templates and their sources.

Typed data (frozen dataclasses), no Django imports: `programmes.seed` creates the `Exercise`,
`ProgrammeTemplate`, `TemplatePhase` and `TemplateExercise` rows from it for the tests and the demo.
The seeding migration does not read it: it holds its own snapshot (0002_seed_library.json), so a
change here reaches existing databases only through a migration of its own.

The evidence the clinic works from: keep active rather than rest for non-specific neck and
upper-back pain (NICE CKS); from about four weeks of pain exercise therapy helps (CKS; JOSPT neck
pain guideline 2017; Cochrane 2015); specific strength work for the upper back (one-arm rows,
reverse flys; Andersen 2008) and kettlebell training (swings, deadlifts; Jay 2011) and stretching
(Tunwattanapong 2016) all help; start light and build up slowly (ACSM 2009); reminders help
people keep going (Lambert 2017).

Exercise fields (patient-facing text is plain UK English, second person, short sentences):
- `reps` is None for a hold or a timed carry, `hold_seconds` is None for a rep-based exercise;
  exactly one of the two is set. Short holds inside a rep (a 5-second chin nod) are in the text.
- `per_side`: the reps or hold are for each side.
- `load_min_kg` / `load_max_kg` / `load_step_kg`: None for bodyweight or band exercises. For
  kettlebells the step is one bell size (2 kg: 4, 6, 8, 10, 12 ...). For a farmer's carry the load
  is for each hand.
- `caution_tags`: prompts for the prescribing clinician (see `programmes.core.caution`), not bans.
  `neural_tension` marks a stretch that tensions the arm's nerves as a neurodynamic test does
  (the shoulder held down with the neck bent away: Butler 2000; Coppieters & Butler 2008).
  `loaded_spinal_flexion` marks any exercise that loads the spine in a forward-bent (hip-hinged)
  position, even when taught with a flat back, because that is where care is needed in
  osteoporosis or after a vertebral fracture.
- `sources`: keys into SOURCES. Strength exercises cite a strength-training source and ACSM 2009
  for the dose and progression; tagged exercises also cite the guidance behind the tag.

Template phases: `advance` is how the patient moves into that phase from the one before ("auto"
when the check-ins are good, or "clinician" when a clinician must agree); the first phase starts
when the programme is prescribed. Phases are 2 weeks each, so each move falls on a check-in
(weeks 2 and 4; the programme ends at the week-6 check-in). A template's `load_kg` is a
starting suggestion for the typical patient it suits; the clinician adjusts it when prescribing.

Note: the citations in SOURCES were checked against a published record of each (authors, title,
journal, year, pages), except jull_2009, acsm_2009, gross_2015 and ros_2018, which could not be
checked here (blanpied_2017: title and year, red-flags.md [S29]). Whether each supports its
exercise and dose is for the clinical lead to confirm.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CATEGORIES: dict[str, str] = {
    "strength": "Strength",
    "mobility": "Mobility",
    "stretch": "Stretching",
    "posture": "Posture",
}

CAUTION_TAGS: dict[str, str] = {
    "overhead_load": "Overhead load",
    "ballistic": "Ballistic",
    "loaded_spinal_flexion": "Loaded spinal flexion",
    "end_range_neck": "End-range neck movement",
    "neural_tension": "Neural tension",
}

SOURCES: dict[str, str] = {
    "nice_cks_neck_pain": (
        "National Institute for Health and Care Excellence. Clinical Knowledge Summaries: "
        "Neck pain - non-specific (revised 2013). https://cks.nice.org.uk/topics/"
        "neck-pain-non-specific/"
    ),
    "blanpied_2017": (
        "Blanpied PR, Gross AR, Elliott JM, et al. Neck Pain: Revision 2017. Clinical Practice "
        "Guidelines Linked to the International Classification of Functioning, Disability and "
        "Health From the Orthopaedic Section of the American Physical Therapy Association. "
        "J Orthop Sports Phys Ther 2017;47(7):A1-A83. doi:10.2519/jospt.2017.0302"
    ),
    "gross_2015": (
        "Gross A, Kay TM, Paquin JP, et al. Exercises for mechanical neck disorders. Cochrane "
        "Database Syst Rev 2015;(1):CD004250. doi:10.1002/14651858.CD004250.pub5"
    ),
    "andersen_2008": (
        "Andersen LL, Kjær M, Søgaard K, Hansen L, Kryger AI, Sjøgaard G. Effect of two "
        "contrasting types of physical exercise on chronic neck muscle pain. Arthritis Rheum "
        "2008;59(1):84-91"
    ),
    "jay_2011": (
        "Jay K, Frisch D, Hansen K, et al. Kettlebell training for musculoskeletal and "
        "cardiovascular health: a randomized controlled trial. Scand J Work Environ Health "
        "2011;37(3):196-203"
    ),
    "ylinen_2003": (
        "Ylinen J, Takala EP, Nykänen M, et al. Active neck muscle training in the treatment of "
        "chronic neck pain in women: a randomized controlled trial. JAMA 2003;289(19):2509-16"
    ),
    "tunwattanapong_2016": (
        "Tunwattanapong P, Kongkasuwan R, Kuptniratsaikul V. The effectiveness of a neck and "
        "shoulder stretching exercise program among office workers with neck pain: a randomized "
        "controlled trial. Clin Rehabil 2016;30(1):64-72"
    ),
    "chen_2018": (
        "Chen X, Coombes BK, Sjøgaard G, Jun D, O'Leary S, Johnston V. Workplace-based "
        "interventions for neck pain in office workers: systematic review and meta-analysis. "
        "Phys Ther 2018;98(1):40-62"
    ),
    "jull_2009": (
        "Jull GA, Falla D, Vicenzino B, Hodges PW. The effect of therapeutic exercise on "
        "activation of the deep cervical flexor muscles in people with chronic neck pain. "
        "Man Ther 2009;14(6):696-701"
    ),
    "acsm_2009": (
        "American College of Sports Medicine. American College of Sports Medicine position "
        "stand. Progression models in resistance training for healthy adults. Med Sci Sports "
        "Exerc 2009;41(3):687-708"
    ),
    "ros_2018": (
        "Royal Osteoporosis Society. Strong, Steady and Straight: an expert consensus statement "
        "on physical activity and exercise for osteoporosis. Bath: Royal Osteoporosis Society; "
        "2018"
    ),
    "brooke_wavell_2022": (
        "Brooke-Wavell K, Skelton DA, Barker KL, et al. Strong, steady and straight: UK "
        "consensus statement on physical activity and exercise for osteoporosis. Br J Sports "
        "Med 2022;56(15):837-46"
    ),
    "ifompt_2023": (
        "Rushton A, Carlesso LC, Flynn T, et al. International Framework for Examination of the "
        "Cervical Region for Potential of Vascular Pathologies of the Neck Prior to "
        "Musculoskeletal Intervention: International IFOMPT Cervical Framework. J Orthop Sports "
        "Phys Ther 2023;53(1):7-22"
    ),
    "coppieters_butler_2008": (
        "Coppieters MW, Butler DS. Do 'sliders' slide and 'tensioners' tension? An analysis of "
        "neurodynamic techniques and considerations regarding their application. Man Ther "
        "2008;13(3):213-21"
    ),
    "lambert_2017": (
        "Lambert TE, Harvey LA, Avdalis C, et al. An app with remote support achieves better "
        "adherence to home exercise programs than paper handouts in people with musculoskeletal "
        "conditions: a randomised trial. J Physiother 2017;63(3):161-7"
    ),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Exercise:
    """One exercise of the library, as the `Exercise` rows are seeded from it."""

    slug: str
    name: str
    category: str  # a key of CATEGORIES
    region: str
    equipment: str
    setup: str
    movement: str
    good_form: str
    stop_if: str
    sets: int
    reps: int | None
    hold_seconds: int | None
    per_side: bool
    load_min_kg: float | None
    load_max_kg: float | None
    load_step_kg: float | None
    progression: str
    caution_tags: tuple[str, ...]  # keys of CAUTION_TAGS
    sources: tuple[str, ...]  # keys of SOURCES

    @property
    def loaded(self) -> bool:
        return self.load_min_kg is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class Dose:
    """One exercise of a template phase: the exercise's slug and its starting dose."""

    slug: str
    sets: int
    reps: int | None
    hold_seconds: int | None
    load_kg: float | None
    days_per_week: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Phase:
    name: str
    weeks: int
    goal: str
    advance: Literal["auto", "clinician"]
    exercises: tuple[Dose, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Template:
    slug: str
    name: str
    summary: str
    for_whom: str
    sources: tuple[str, ...]
    phases: tuple[Phase, ...]


# Shared patient-facing sentences, so every exercise says them the same way.
_ARM_NERVE = (
    "Stop and contact the clinic if pain spreads down an arm, or you get pins and needles, "
    "numbness or weakness in an arm or hand."
)
_NECK_END_RANGE = (
    "Stop straight away and contact the clinic if you feel dizzy or faint, your vision blurs "
    "or doubles, you find it hard to speak or swallow, or your face feels numb. "
    "Stop and contact the clinic if pain spreads down an arm, or you get pins and needles or "
    "numbness in an arm or hand."
)
_BELL_STEP = "move up one kettlebell size (2 kg)"

EXERCISES: tuple[Exercise, ...] = (
    # --- Kettlebell strength work -------------------------------------------------------------
    Exercise(
        slug="kettlebell-one-arm-row",
        name="One-arm kettlebell row",
        category="strength",
        region="upper back",
        equipment="Kettlebell and a sturdy chair",
        setup=(
            "Stand side-on to a sturdy chair. Put your left hand on the seat. Step your right "
            "foot back. Bend at the hips so your back is flat and long. Hold the kettlebell in "
            "your right hand, with your arm hanging straight down."
        ),
        movement=(
            "Pull the kettlebell up towards your hip. Lead with your elbow and keep it close to "
            "your side. Squeeze your shoulder blade back at the top. Lower it slowly until your "
            "arm is straight. Do all your reps, then swap sides."
        ),
        good_form=(
            "Your back stays flat, like a table top. Your shoulders stay level and your chest "
            "faces the floor. You feel the work between your shoulder blade and your spine, not "
            "in your neck."
        ),
        stop_if=(
            "Drop the weight if your form breaks or your body twists to help the lift. Stop if "
            "pain in your back or neck builds during a set. " + _ARM_NERVE
        ),
        sets=3,
        reps=10,
        hold_seconds=None,
        per_side=True,
        load_min_kg=4.0,
        load_max_kg=20.0,
        load_step_kg=2.0,
        progression=(
            "Start light: most people begin with 4 to 8 kg. Add reps first, up to 12 each side. "
            f"When every set feels steady, {_BELL_STEP} and go back to 8 reps. Drop the weight "
            "when your form breaks."
        ),
        caution_tags=("loaded_spinal_flexion",),
        sources=("andersen_2008", "blanpied_2017", "acsm_2009", "brooke_wavell_2022"),
    ),
    Exercise(
        slug="kettlebell-reverse-fly",
        name="Bent-over kettlebell reverse fly",
        category="strength",
        region="upper back",
        equipment="Kettlebell and a sturdy chair",
        setup=(
            "Stand side-on to a sturdy chair and rest one hand on the seat. Bend at the hips "
            "until your chest points towards the floor. Keep your back flat. Hold a light "
            "kettlebell in your free hand, with the arm hanging down and the elbow slightly bent."
        ),
        movement=(
            "Lift the kettlebell out to the side in a wide arc, until your arm is level with your "
            "body. Keep the slight bend in your elbow. Pause, then lower it slowly. Do all your "
            "reps, then swap sides."
        ),
        good_form=(
            "The lift comes from your shoulder blade sliding back, not from a swing. Your elbow "
            "stays slightly bent. Your neck stays long and your eyes look at the floor."
        ),
        stop_if=(
            "Drop the weight if your form breaks, you start to swing the bell, or your body "
            "twists to lift it. Stop if you feel a pinch at the front of your shoulder. "
            + _ARM_NERVE
        ),
        sets=3,
        reps=10,
        hold_seconds=None,
        per_side=True,
        load_min_kg=4.0,
        load_max_kg=10.0,
        load_step_kg=2.0,
        progression=(
            "These are small muscles, so start very light: 4 kg is plenty for most people. Build "
            f"up to 15 slow reps each side before you {_BELL_STEP}. Drop the weight when your "
            "form breaks."
        ),
        caution_tags=("loaded_spinal_flexion",),
        sources=("andersen_2008", "blanpied_2017", "acsm_2009", "brooke_wavell_2022"),
    ),
    Exercise(
        slug="kettlebell-single-arm-deadlift",
        name="Single-arm kettlebell deadlift",
        category="strength",
        region="whole body",
        equipment="Kettlebell",
        setup=(
            "Stand with your feet hip-width apart. Put the kettlebell on the floor just outside "
            "your right foot. Stand tall and brace your tummy, as if you were about to cough."
        ),
        movement=(
            "Push your hips back and bend your knees to reach down. Grip the handle with your "
            "right hand. Keep your back flat. Push through your feet and stand up tall, with the "
            "bell hanging at your side. Push your hips back again to lower it to the floor with "
            "control. Do all your reps, then swap sides."
        ),
        good_form=(
            "Your back stays flat from your head to your hips. Your shoulders stay level and do "
            "not tip towards the bell. Your hips and legs do the work. At the top you stand tall "
            "without leaning back."
        ),
        stop_if=(
            "Drop the weight if your back starts to round, your form breaks, or your body leans "
            "or twists towards the bell. Stop if you feel sharp pain in your back. Stop and "
            "contact the clinic if pain spreads down an arm or a leg, or you get pins and "
            "needles or numbness."
        ),
        sets=3,
        reps=8,
        hold_seconds=None,
        per_side=True,
        load_min_kg=8.0,
        load_max_kg=24.0,
        load_step_kg=2.0,
        progression=(
            "Start light: 8 to 12 kg suits most beginners. Add reps first, up to 12 each side. "
            f"Then {_BELL_STEP} and go back to 8 reps. If you cannot keep your back flat at the "
            "bottom, drop the weight or stand the bell on a low step."
        ),
        caution_tags=("loaded_spinal_flexion",),
        sources=("jay_2011", "acsm_2009", "brooke_wavell_2022"),
    ),
    Exercise(
        slug="turkish-get-up",
        name="Turkish get-up",
        category="strength",
        region="whole body",
        equipment="Kettlebell",
        setup=(
            "Lie on your back. Hold the kettlebell in your right hand, with your arm straight up "
            "above your chest. Bend your right knee and put that foot flat on the floor. Rest "
            "your left arm on the floor, out to the side at an angle."
        ),
        movement=(
            "Keep your eyes on the bell and your right arm straight. Roll up onto your left "
            "elbow, then push up onto your left hand. Lift your hips. Sweep your left leg back "
            "under you into a kneel. Stand up. Then reverse each step, slowly, back to lying "
            "down. Do all your reps, then swap sides."
        ),
        good_form=(
            "Your arm stays straight and locked above your shoulder the whole time. Your wrist "
            "stays straight. Your shoulder stays down, away from your ear. Each step is slow and "
            "steady, and you could pause at any point."
        ),
        stop_if=(
            "Drop the weight if your arm wobbles or bends, your form breaks, or your body twists "
            "to keep the bell up. Bring the bell down under control: never let it fall. Stop and "
            "contact the clinic if you feel dizzy, pain spreads down an arm, or you get pins and "
            "needles in your hand."
        ),
        sets=2,
        reps=3,
        hold_seconds=None,
        per_side=True,
        load_min_kg=4.0,
        load_max_kg=16.0,
        load_step_kg=2.0,
        progression=(
            "Learn the steps first with no weight, or with a shoe balanced on your fist. Then "
            "start with a light bell, 4 to 8 kg. Add a rep each side before you add weight. "
            f"Only {_BELL_STEP} when every step feels smooth. Drop the weight when your form "
            "breaks."
        ),
        caution_tags=("overhead_load",),
        sources=("blanpied_2017", "acsm_2009", "brooke_wavell_2022"),
    ),
    Exercise(
        slug="kettlebell-swing",
        name="Two-hand kettlebell swing",
        category="strength",
        region="whole body",
        equipment="Kettlebell",
        setup=(
            "Stand with your feet a little wider than your hips. Put the kettlebell on the floor "
            "about a foot in front of you. Push your hips back, keep your back flat and grip the "
            "handle with both hands."
        ),
        movement=(
            "Hike the bell back between your legs. Then drive your hips forward and stand tall. "
            "The bell floats up to chest height from the push of your hips. Let it swing back "
            "down between your legs as you push your hips back again. After your last rep, let "
            "it swing back once more and park it on the floor in front of you."
        ),
        good_form=(
            "Your arms act like ropes: the power comes from your hips, not your shoulders. At "
            "the top you stand tall, with your bottom and tummy tight, and you do not lean back. "
            "At the bottom your back is flat and the bell passes high between your thighs. You "
            "breathe out sharply at the top."
        ),
        stop_if=(
            "Drop the weight, or stop the set, if your form breaks, your back rounds, you start "
            "lifting with your arms, or your body twists. Stop if you feel sharp pain in your "
            "back. Stop and contact the clinic if you feel dizzy, pain spreads down an arm or a "
            "leg, or you get pins and needles."
        ),
        sets=3,
        reps=10,
        hold_seconds=None,
        per_side=False,
        load_min_kg=8.0,
        load_max_kg=24.0,
        load_step_kg=2.0,
        progression=(
            "Have the swing taught to you by your clinician or a coach before you do it at home. "
            "Start light: 8 to 12 kg suits most beginners. Build up to 15 crisp reps a set, then "
            f"{_BELL_STEP} and go back to 10 reps. Drop the weight when your form breaks or you "
            "get tired."
        ),
        caution_tags=("ballistic", "loaded_spinal_flexion"),
        sources=("jay_2011", "acsm_2009", "brooke_wavell_2022"),
    ),
    Exercise(
        slug="kettlebell-overhead-press",
        name="One-arm kettlebell overhead press",
        category="strength",
        region="shoulders",
        equipment="Kettlebell",
        setup=(
            "Stand tall with your feet hip-width apart. Hold the kettlebell in your right hand at "
            "shoulder height, resting on the back of your forearm. Keep your wrist straight and "
            "your elbow tucked in front of your ribs. Squeeze your bottom and brace your tummy."
        ),
        movement=(
            "Press the bell straight up until your arm is straight, with your upper arm beside "
            "your ear. Pause. Lower it slowly back to your shoulder. Do all your reps, then swap "
            "sides."
        ),
        good_form=(
            "Your ribs stay down and you do not lean back or to the side. Your wrist stays "
            "straight. At the top your arm is straight and your shoulder blade turns up with it, "
            "without your shoulder hunching up to your ear."
        ),
        stop_if=(
            "Drop the weight if your form breaks, you lean back, or your body twists or bends "
            "sideways to push the bell up. Stop if you feel a pinch or sharp pain in your "
            "shoulder. Stop and contact the clinic if you feel dizzy, pain spreads down your "
            "arm, or you get pins and needles in your hand."
        ),
        sets=3,
        reps=8,
        hold_seconds=None,
        per_side=True,
        load_min_kg=4.0,
        load_max_kg=16.0,
        load_step_kg=2.0,
        progression=(
            "Start light: 4 to 8 kg suits most beginners. Add reps first, up to 12 each side. "
            f"Then {_BELL_STEP} and go back to 8 reps. Drop the weight when your form breaks."
        ),
        caution_tags=("overhead_load",),
        sources=("blanpied_2017", "acsm_2009", "brooke_wavell_2022"),
    ),
    Exercise(
        slug="kettlebell-halo",
        name="Kettlebell halo",
        category="strength",
        region="shoulders",
        equipment="Kettlebell",
        setup=(
            "Stand or sit tall. Hold the kettlebell upside down by the sides of the handle, at "
            "your chest, with the bell pointing up."
        ),
        movement=(
            "Slowly circle the bell around your head. Take it past one ear, behind your head, "
            "past the other ear and back to your chest. Do all your reps one way, then circle "
            "the other way."
        ),
        good_form=(
            "Your head stays still and level: the bell moves around your head, not your head "
            "around the bell. Keep the bell close to your head. Your ribs stay down and you do "
            "not arch your back."
        ),
        stop_if=(
            "Drop the weight if your form breaks, you arch your back, or your head or body moves "
            "or twists to let the bell past. Stop if you feel a pinch in your shoulder. Stop and contact "
            "the clinic if you feel dizzy, pain spreads down an arm, or you get pins and needles."
        ),
        sets=2,
        reps=8,
        hold_seconds=None,
        per_side=True,
        load_min_kg=4.0,
        load_max_kg=12.0,
        load_step_kg=2.0,
        progression=(
            "Start very light: 4 kg is enough for most people. Add reps first, up to 10 each "
            f"way. Only {_BELL_STEP} when the circles feel smooth. Drop the weight when your "
            "form breaks."
        ),
        # Judgement: the bell circles at and behind head height, so flag it with overhead work.
        caution_tags=("overhead_load",),
        sources=("blanpied_2017", "acsm_2009", "brooke_wavell_2022"),
    ),
    Exercise(
        slug="kettlebell-goblet-squat",
        name="Goblet squat",
        category="strength",
        region="whole body",
        equipment="Kettlebell",
        setup=(
            "Stand with your feet a little wider than your hips, toes turned out slightly. Hold "
            "the kettlebell by the sides of the handle, close to your chest, with your elbows "
            "pointing down."
        ),
        movement=(
            "Sit down between your heels, as low as is comfortable. Keep your chest up. Push "
            "through your whole foot to stand up tall."
        ),
        good_form=(
            "Your chest stays up and your back stays long. Your knees follow the line of your "
            "toes. Your heels stay on the floor. The bell stays close to your body."
        ),
        stop_if=(
            "Drop the weight if your form breaks, your back rounds, your heels lift, or your body "
            "twists or shifts to one side. Stop if you feel sharp pain in your knees or back. "
            "Stop and contact the clinic if pain spreads down a leg or you get pins and needles."
        ),
        sets=3,
        reps=10,
        hold_seconds=None,
        per_side=False,
        load_min_kg=6.0,
        load_max_kg=20.0,
        load_step_kg=2.0,
        progression=(
            "Start light: 6 to 12 kg suits most beginners. Add reps first, up to 15. Then "
            f"{_BELL_STEP} and go back to 10 reps. Drop the weight when your form breaks."
        ),
        caution_tags=(),
        sources=("jay_2011", "acsm_2009"),
    ),
    Exercise(
        slug="kettlebell-suitcase-carry",
        name="Suitcase carry",
        category="strength",
        region="whole body",
        equipment="Kettlebell",
        setup=(
            "Stand tall with the kettlebell on the floor beside your right foot. Bend your knees "
            "and push your hips back to pick it up, keeping your back flat. Stand tall."
        ),
        movement=(
            "Walk slowly and steadily for the set time, with the bell at your side. Turn around "
            "carefully when you need to. Put the bell down the way you picked it up. Rest, then "
            "carry it in your other hand."
        ),
        good_form=(
            "You stand tall, as if a string pulls the top of your head up. Your shoulders stay "
            "level: you do not lean away from the bell or let it pull you sideways. Your shoulder "
            "stays down, away from your ear. Your steps are even."
        ),
        stop_if=(
            "Drop the weight if your form breaks, or your body leans or twists to cope with the "
            "load. If your grip is about to go, put the bell down safely. " + _ARM_NERVE
        ),
        sets=3,
        reps=None,
        hold_seconds=30,
        per_side=True,
        load_min_kg=8.0,
        load_max_kg=24.0,
        load_step_kg=2.0,
        progression=(
            "Start light: 8 to 12 kg suits most beginners. Walk for longer first, up to 45 "
            f"seconds each side. Then {_BELL_STEP} and go back to 30 seconds. Drop the weight "
            "when your form breaks."
        ),
        caution_tags=(),
        sources=("blanpied_2017", "acsm_2009"),
    ),
    Exercise(
        slug="kettlebell-farmers-carry",
        name="Farmer's carry",
        category="strength",
        region="whole body",
        equipment="Two kettlebells of the same weight",
        setup=(
            "Stand between two kettlebells of the same weight. The weight in your programme is "
            "for each bell. Bend your knees and push your hips back to pick them up, keeping "
            "your back flat. Stand tall."
        ),
        movement=(
            "Walk slowly and steadily for the set time, with a bell at each side. Turn around "
            "carefully when you need to. Put the bells down the way you picked them up."
        ),
        good_form=(
            "You stand tall, with your chest open and your shoulders down and back. Your arms "
            "hang straight. Your head stays level and your steps are even."
        ),
        stop_if=(
            "Drop the weight if your form breaks, your shoulders hunch up, or your body leans or "
            "twists. If your grip is about to go, put the bells down safely. " + _ARM_NERVE
        ),
        sets=3,
        reps=None,
        hold_seconds=30,
        per_side=False,
        load_min_kg=8.0,
        load_max_kg=24.0,
        load_step_kg=2.0,
        progression=(
            "Start light: 8 to 12 kg in each hand suits most beginners. Walk for longer first, "
            f"up to 45 seconds. Then {_BELL_STEP} in each hand and go back to 30 seconds. Drop "
            "the weight when your form breaks."
        ),
        caution_tags=(),
        sources=("blanpied_2017", "acsm_2009"),
    ),
    Exercise(
        slug="kettlebell-shrug",
        name="Kettlebell shrug",
        category="strength",
        region="shoulder blades",
        equipment="Kettlebell",
        setup=(
            "Stand tall with your feet hip-width apart. Hold the kettlebell in your right hand, "
            "with your arm hanging straight by your side."
        ),
        movement=(
            "Lift your right shoulder straight up towards your ear. Pause for a second at the "
            "top. Lower it slowly all the way down. Do all your reps, then swap sides."
        ),
        good_form=(
            "Your arm stays straight and relaxed: it just hangs from your shoulder. Your head "
            "stays still and level. You move straight up and down, without rolling your shoulder."
        ),
        stop_if=(
            "Drop the weight if your form breaks, your head pokes forward, or your body leans or "
            "twists away from the bell. Stop if a headache builds during the set. " + _ARM_NERVE
        ),
        sets=3,
        reps=10,
        hold_seconds=None,
        per_side=True,
        load_min_kg=8.0,
        load_max_kg=24.0,
        load_step_kg=2.0,
        progression=(
            "Start light: 8 to 12 kg suits most beginners. Add reps first, up to 15 each side. "
            f"Then {_BELL_STEP} and go back to 10 reps. Drop the weight when your form breaks."
        ),
        caution_tags=(),
        sources=("andersen_2008", "acsm_2009"),
    ),
    # --- Band and bodyweight strength ----------------------------------------------------------
    Exercise(
        slug="band-row",
        name="Standing band row",
        category="strength",
        region="upper back",
        equipment="Resistance band",
        setup=(
            "Loop a resistance band round something sturdy at chest height, such as a banister "
            "or a door anchor. Hold one end in each hand. Step back until the band is slightly "
            "tight. Stand tall with your arms straight out in front."
        ),
        movement=(
            "Pull your elbows back past your ribs. Squeeze your shoulder blades back and down. "
            "Pause, then let your arms straighten slowly."
        ),
        good_form=(
            "You stay tall and still: your body does not lean back to help. Your elbows stay "
            "close to your sides. Your neck and shoulders stay relaxed, away from your ears."
        ),
        stop_if=(
            "Go back to an easier band if your body leans back or your shoulders hunch up. "
            + _ARM_NERVE
        ),
        sets=3,
        reps=12,
        hold_seconds=None,
        per_side=False,
        load_min_kg=None,
        load_max_kg=None,
        load_step_kg=None,
        progression=(
            "Start with a light band. Build up to 15 slow reps. Then step further back or use a "
            "stronger band, and go back to 10 reps."
        ),
        caution_tags=(),
        sources=("andersen_2008", "blanpied_2017", "acsm_2009"),
    ),
    Exercise(
        slug="band-pull-apart",
        name="Band pull-apart",
        category="strength",
        region="shoulder blades",
        equipment="Resistance band",
        setup=(
            "Stand tall. Hold a resistance band in front of you at shoulder height, with your "
            "hands shoulder-width apart and your arms straight."
        ),
        movement=(
            "Pull the band apart by moving your hands out to the sides, until the band nearly "
            "touches your chest. Squeeze your shoulder blades together. Return slowly."
        ),
        good_form=(
            "Your arms stay straight and level with your shoulders. Your shoulders stay down, "
            "away from your ears. Your ribs stay down, so you do not arch your back."
        ),
        stop_if=(
            "Stop if you feel a pinch at the front of your shoulder. Go back to an easier band if "
            "your shoulders hunch up. " + _ARM_NERVE
        ),
        sets=3,
        reps=12,
        hold_seconds=None,
        per_side=False,
        load_min_kg=None,
        load_max_kg=None,
        load_step_kg=None,
        progression=(
            "Start with a light band. Build up to 15 slow reps. Then hold your hands a little "
            "closer together, or use a stronger band."
        ),
        caution_tags=(),
        sources=("blanpied_2017", "acsm_2009"),
    ),
    Exercise(
        slug="prone-y-t-w",
        name="Lying Y-T-W raises",
        category="strength",
        region="shoulder blades",
        equipment="Exercise mat",
        setup=(
            "Lie face down on a mat or a firm bed. Rest your forehead on a small folded towel. "
            "Let your arms rest on the floor above your head."
        ),
        movement=(
            "Lift both arms a little off the floor in a Y shape, thumbs up. Hold for a second, "
            "then lower. Next lift them out to the sides in a T. Then bend your elbows and draw "
            "them back into a W, squeezing your shoulder blades. One Y, one T and one W make one "
            "rep."
        ),
        good_form=(
            "You lift from your shoulder blades, with your shoulders away from your ears. Your "
            "forehead stays on the towel and your neck stays long. Small lifts are fine."
        ),
        stop_if=(
            "Stop if you feel a pinch in your shoulder or your lower back aches. " + _ARM_NERVE
        ),
        sets=2,
        reps=8,
        hold_seconds=None,
        per_side=False,
        load_min_kg=None,
        load_max_kg=None,
        load_step_kg=None,
        progression=(
            "Start with small, slow lifts. Build up to 12 reps. Then hold each lift for 3 "
            "seconds at the top."
        ),
        caution_tags=(),
        sources=("blanpied_2017", "acsm_2009"),
    ),
    Exercise(
        slug="chin-nod-lying",
        name="Lying chin nod",
        category="strength",
        region="neck",
        equipment="Folded towel",
        setup=(
            "Lie on your back with your knees bent. Rest your head on a thin folded towel so "
            "your face is level. Relax your jaw and rest your tongue on the roof of your mouth."
        ),
        movement=(
            "Slowly nod your chin down, as if saying a small yes. The back of your head slides "
            "up the towel. Hold for 5 seconds and keep breathing. Relax back to the start."
        ),
        good_form=(
            "The movement is tiny and gentle. The muscles deep at the front of your neck work "
            "lightly. The big muscles at the sides of your neck stay soft: rest your fingers on "
            "them to check. Your head stays on the towel."
        ),
        stop_if=(
            "Stop if your neck pain builds or you get a headache. Stop and contact the clinic if "
            "you feel dizzy, or you get pins and needles or numbness in your face, arms or hands."
        ),
        sets=2,
        reps=10,
        hold_seconds=None,
        per_side=False,
        load_min_kg=None,
        load_max_kg=None,
        load_step_kg=None,
        progression=(
            "Start with 5-second holds. Build up to 10-second holds, keeping the big neck "
            "muscles soft. Then practise the nod sitting up, too."
        ),
        caution_tags=(),
        sources=("jull_2009", "blanpied_2017", "gross_2015"),
    ),
    # --- Neck mobility and stretches ----------------------------------------------------------
    Exercise(
        slug="neck-rotation-range",
        name="Neck turns",
        category="mobility",
        region="neck",
        equipment="None",
        setup="Sit tall with your shoulders relaxed. Look straight ahead.",
        movement=(
            "Slowly turn your head to look over your right shoulder, as far as feels "
            "comfortable. Pause for 2 seconds. Come back to the middle, then turn to the left."
        ),
        good_form=(
            "The movement is slow and smooth. Your chin stays level and your shoulders stay "
            "still. Ease into the end of the turn: do not force it or bounce."
        ),
        stop_if=_NECK_END_RANGE,
        sets=2,
        reps=8,
        hold_seconds=None,
        per_side=True,
        load_min_kg=None,
        load_max_kg=None,
        load_step_kg=None,
        progression=(
            "Start with small, easy turns. Go a little further each day, as comfort allows. You "
            "do not need to push into pain to improve."
        ),
        caution_tags=("end_range_neck",),
        sources=("blanpied_2017", "gross_2015", "ifompt_2023"),
    ),
    Exercise(
        slug="upper-trapezius-stretch",
        name="Side of neck stretch",
        category="stretch",
        region="neck",
        equipment="Chair",
        setup=(
            "Sit tall on a chair. Hold the edge of the seat with your right hand, so your right "
            "shoulder stays down."
        ),
        movement=(
            "Tip your left ear towards your left shoulder until you feel a stretch along the "
            "right side of your neck. Rest your left hand lightly on your head, without pulling. "
            "Hold, breathing slowly. Come back up slowly, then swap sides."
        ),
        good_form=(
            "You feel a gentle, even stretch, not pain. Your face keeps looking forward. Your "
            "shoulders stay level."
        ),
        stop_if=_NECK_END_RANGE,
        sets=2,
        reps=None,
        hold_seconds=30,
        per_side=True,
        load_min_kg=None,
        load_max_kg=None,
        load_step_kg=None,
        progression=(
            "Start with a gentle 20-second hold. Build up to 30 seconds. Let the stretch ease "
            "as you breathe out, rather than pulling harder."
        ),
        caution_tags=("end_range_neck", "neural_tension"),
        sources=("tunwattanapong_2016", "blanpied_2017", "ifompt_2023", "coppieters_butler_2008"),
    ),
    Exercise(
        slug="levator-scapulae-stretch",
        name="Back of neck stretch",
        category="stretch",
        region="neck",
        equipment="Chair",
        setup=(
            "Sit tall on a chair. Hold the edge of the seat with your right hand, so your right "
            "shoulder stays down."
        ),
        movement=(
            "Turn your head about halfway to the left. Then tip your chin down, as if looking at "
            "your left trouser pocket. Rest your left hand lightly on the back of your head, "
            "without pulling. Hold, breathing slowly. Come back up slowly, then swap sides."
        ),
        good_form=(
            "You feel a gentle stretch at the back of your neck on the right, down towards your "
            "shoulder blade. It is a stretch, not pain. Your shoulders stay level."
        ),
        stop_if=_NECK_END_RANGE,
        sets=2,
        reps=None,
        hold_seconds=30,
        per_side=True,
        load_min_kg=None,
        load_max_kg=None,
        load_step_kg=None,
        progression=(
            "Start with a gentle 20-second hold. Build up to 30 seconds. Let the stretch ease "
            "as you breathe out, rather than pulling harder."
        ),
        caution_tags=("end_range_neck", "neural_tension"),
        sources=("tunwattanapong_2016", "blanpied_2017", "ifompt_2023", "coppieters_butler_2008"),
    ),
    # --- Thoracic spine mobility --------------------------------------------------------------
    Exercise(
        slug="open-book",
        name="Open book",
        category="mobility",
        region="thoracic spine",
        equipment="Exercise mat",
        setup=(
            "Lie on your left side with your knees bent up to hip height. Rest your head on a "
            "pillow. Stretch both arms out in front of you at shoulder height, palms together."
        ),
        movement=(
            "Keep your knees together on the floor. Slowly lift your right arm up and over, "
            "opening your chest towards the ceiling. Let your head and eyes follow your hand. "
            "Pause and breathe out. Then bring your arm back. Do all your reps, then lie on your "
            "other side."
        ),
        good_form=(
            "The turn comes from your upper back, not your lower back. Your knees stay together "
            "on the floor. Your arm only goes as far as is comfortable."
        ),
        stop_if="Stop if you feel sharp pain in your back or shoulder. " + _ARM_NERVE,
        sets=2,
        reps=8,
        hold_seconds=None,
        per_side=True,
        load_min_kg=None,
        load_max_kg=None,
        load_step_kg=None,
        progression=(
            "Start with a small, easy turn. Go a little further over the weeks. Then add a "
            "3-second pause with a slow breath out at the end of each turn."
        ),
        caution_tags=(),
        sources=("blanpied_2017", "gross_2015"),
    ),
    Exercise(
        slug="thread-the-needle",
        name="Thread the needle",
        category="mobility",
        region="thoracic spine",
        equipment="Exercise mat",
        setup=(
            "Kneel on all fours on a mat, with your hands under your shoulders and your knees "
            "under your hips."
        ),
        movement=(
            "Lift your right hand and slide it, palm up, under your body towards the left. Let "
            "your right shoulder dip towards the floor. Pause. Then unwind and reach your right "
            "arm up towards the ceiling. Do all your reps, then swap sides."
        ),
        good_form=(
            "The twist comes from your upper back. Your hips stay over your knees. Your head "
            "follows the movement, without being forced."
        ),
        stop_if=(
            "Stop if you feel sharp pain in your back, shoulder or wrist. Stop and contact the "
            "clinic if you feel dizzy, pain spreads down an arm, or you get pins and needles."
        ),
        sets=2,
        reps=8,
        hold_seconds=None,
        per_side=True,
        load_min_kg=None,
        load_max_kg=None,
        load_step_kg=None,
        progression=(
            "Start with a small, easy twist. Reach a little further over the weeks. Then add a "
            "3-second pause at each end."
        ),
        caution_tags=(),
        sources=("blanpied_2017", "gross_2015"),
    ),
    Exercise(
        slug="cat-camel",
        name="Cat-camel",
        category="mobility",
        region="thoracic spine",
        equipment="Exercise mat",
        setup=(
            "Kneel on all fours on a mat, with your hands under your shoulders and your knees "
            "under your hips."
        ),
        movement=(
            "Slowly round your back up towards the ceiling and let your head drop. Then slowly "
            "let your chest sink and lift your head to look ahead. Move in a smooth wave, "
            "back and forth."
        ),
        good_form=(
            "The movement is slow and comfortable, right through your spine. Your arms stay "
            "straight. Breathe out as you round and in as you sink."
        ),
        stop_if=(
            "Stop if you feel sharp pain in your back or neck. Stop and contact the clinic if "
            "you feel dizzy, pain spreads down an arm or a leg, or you get pins and needles."
        ),
        sets=2,
        reps=10,
        hold_seconds=None,
        per_side=False,
        load_min_kg=None,
        load_max_kg=None,
        load_step_kg=None,
        progression=(
            "Start with small movements. Let them grow over the weeks, as comfort allows. Keep "
            "the pace slow."
        ),
        caution_tags=(),
        sources=("blanpied_2017", "gross_2015"),
    ),
    Exercise(
        slug="thoracic-extension-chair",
        name="Chair back extension",
        category="mobility",
        region="thoracic spine",
        equipment="Chair",
        setup=(
            "Sit on a chair with a firm back that comes up to about your shoulder blades. Sit "
            "back, so your upper back rests against the top of the chair. Cross your arms over "
            "your chest."
        ),
        movement=(
            "Gently lean back over the top of the chair, lifting your chest towards the ceiling. "
            "Go as far as is comfortable. Pause for a breath, then come back to sitting tall."
        ),
        good_form=(
            "The bend comes from your upper back, over the chair. Your bottom stays on the seat "
            "and your lower back stays still. Your head moves with your upper back: do not tip "
            "it back on its own."
        ),
        stop_if=(
            "Stop if you feel sharp pain in your back. Stop and contact the clinic if you feel "
            "dizzy, pain spreads down an arm, or you get pins and needles."
        ),
        sets=2,
        reps=10,
        hold_seconds=None,
        per_side=False,
        load_min_kg=None,
        load_max_kg=None,
        load_step_kg=None,
        progression=(
            "Start with small leans. Build up to 10 slow reps. Do a set in a break from your "
            "desk, as well as at home."
        ),
        caution_tags=(),
        sources=("chen_2018", "blanpied_2017"),
    ),
    Exercise(
        slug="thoracic-extension-roller",
        name="Upper back extension over a roller",
        category="mobility",
        region="thoracic spine",
        equipment="Foam roller or rolled towel",
        setup=(
            "Lie on your back with your knees bent and your feet flat. Place a foam roller or a "
            "firmly rolled towel across your back, under your shoulder blades. Support your "
            "head with your hands, elbows pointing up."
        ),
        movement=(
            "Keep your bottom on the floor. Gently let your upper back bend back over the "
            "roller. Pause and breathe out. Lift back up. Then shuffle so the roller sits a "
            "little higher up your back, and repeat."
        ),
        good_form=(
            "The bend comes from your upper back, over the roller. Your hands support your head "
            "and your neck stays relaxed. Your lower back stays still."
        ),
        stop_if=(
            "Stop if you feel sharp pain in your back or ribs. Stop and contact the clinic if "
            "you feel dizzy, pain spreads down an arm, or you get pins and needles."
        ),
        sets=2,
        reps=8,
        hold_seconds=None,
        per_side=False,
        load_min_kg=None,
        load_max_kg=None,
        load_step_kg=None,
        progression=(
            "Start with a rolled towel, which is softer. Move on to a foam roller when that "
            "feels easy. Build up to 10 slow reps."
        ),
        caution_tags=(),
        sources=("blanpied_2017", "gross_2015"),
    ),
    # --- Shoulder blades and desk posture -----------------------------------------------------
    Exercise(
        slug="scapular-wall-slide",
        name="Wall slide",
        category="mobility",
        region="shoulder blades",
        equipment="Wall",
        setup=(
            "Stand facing a wall, a short step away. Put your forearms on the wall, shoulder-"
            "width apart, with your elbows at shoulder height."
        ),
        movement=(
            "Slide your forearms up the wall as high as is comfortable. Let your shoulder blades "
            "glide up and round. Slide back down slowly."
        ),
        good_form=(
            "Your shoulders stay down, away from your ears. Your lower back stays still, without "
            "arching. The movement is smooth and pain-free."
        ),
        stop_if="Stop if you feel a pinch at the top of your shoulder. " + _ARM_NERVE,
        sets=2,
        reps=10,
        hold_seconds=None,
        per_side=False,
        load_min_kg=None,
        load_max_kg=None,
        load_step_kg=None,
        progression=(
            "Build up to 15 slow reps. Then, at the top of each slide, lift your forearms just "
            "off the wall and hold for 3 seconds."
        ),
        caution_tags=(),
        sources=("blanpied_2017",),
    ),
    Exercise(
        slug="scapular-retraction",
        name="Seated shoulder-blade squeeze",
        category="posture",
        region="shoulder blades",
        equipment="Chair",
        setup=(
            "Sit tall in your chair with your feet flat on the floor. Let your arms rest by your "
            "sides or on your thighs."
        ),
        movement=(
            "Gently draw your shoulder blades back and down, as if tucking them into your back "
            "pockets. Hold for 5 seconds. Relax."
        ),
        good_form=(
            "Your shoulders move back and down, not up towards your ears. Your chin stays level. "
            "Use about half your effort: this is a gentle squeeze."
        ),
        stop_if="Stop if the squeeze brings on neck pain or a headache. " + _ARM_NERVE,
        sets=2,
        reps=10,
        hold_seconds=None,
        per_side=False,
        load_min_kg=None,
        load_max_kg=None,
        load_step_kg=None,
        progression=(
            "Build up to 10-second holds. Then do a set every hour or so during your working day."
        ),
        caution_tags=(),
        sources=("chen_2018", "blanpied_2017"),
    ),
    Exercise(
        slug="chin-tuck-desk",
        name="Chin tuck at your desk",
        category="posture",
        region="neck",
        equipment="Chair",
        setup="Sit tall at your desk with your feet flat. Look straight ahead at your screen.",
        movement=(
            "Glide your head straight back, as if making a double chin. Keep your eyes level. "
            "Hold for 3 seconds. Relax forward to the start."
        ),
        good_form=(
            "Your head slides back on a level line, without tipping up or down. You feel a "
            "gentle stretch at the back of your neck. Your shoulders stay relaxed."
        ),
        stop_if=(
            "Stop if the tuck brings on a headache or your neck pain builds. Stop and contact "
            "the clinic if you feel dizzy, or you get pins and needles or numbness in your arms "
            "or hands."
        ),
        sets=2,
        reps=10,
        hold_seconds=None,
        per_side=False,
        load_min_kg=None,
        load_max_kg=None,
        load_step_kg=None,
        progression=(
            "Start with a few gentle tucks. Build up to 10, a few times a day. Link them to "
            "something you do often, like sending an email, so they become a habit."
        ),
        caution_tags=(),
        sources=("chen_2018", "blanpied_2017"),
    ),
    Exercise(
        slug="wall-angel",
        name="Wall angel",
        category="posture",
        region="upper back",
        equipment="Wall",
        setup=(
            "Stand with your back against a wall and your feet a small step away from it. Your "
            "bottom and upper back touch the wall. If the back of your head does not reach the "
            "wall easily, rest it on a folded towel: do not force it. Raise your arms into a "
            "goalpost shape, elbows bent, with the backs of your arms towards the wall."
        ),
        movement=(
            "Slowly slide your arms up the wall as far as is comfortable. Then slide them back "
            "down to the goalpost shape."
        ),
        good_form=(
            "Your lower back stays gently against the wall, without arching. Your shoulders stay "
            "down. Your arms only go as high as they can while staying close to the wall. Small "
            "movements are fine."
        ),
        stop_if="Stop if you feel a pinch in your shoulder. " + _ARM_NERVE,
        sets=2,
        reps=10,
        hold_seconds=None,
        per_side=False,
        load_min_kg=None,
        load_max_kg=None,
        load_step_kg=None,
        progression=(
            "Start with small slides. Go a little higher over the weeks, while your back and "
            "arms stay near the wall. Build up to 12 slow reps."
        ),
        caution_tags=(),
        sources=("chen_2018", "blanpied_2017"),
    ),
    Exercise(
        slug="doorway-pec-stretch",
        name="Doorway chest stretch",
        category="stretch",
        region="chest and shoulders",
        equipment="Doorway",
        setup=(
            "Stand in a doorway. Rest your forearms on the frame on each side, with your elbows "
            "just below shoulder height. Step one foot forward."
        ),
        movement=(
            "Gently lean your body forward until you feel a stretch across the front of your "
            "chest and shoulders. Hold, breathing slowly. Step back to let go."
        ),
        good_form=(
            "You feel a gentle stretch across your chest, not pain in your shoulders. Your "
            "shoulders stay down and your chin stays level. Your back stays straight, without "
            "arching."
        ),
        stop_if="Stop if you feel pain at the front of your shoulder. " + _ARM_NERVE,
        sets=2,
        reps=None,
        hold_seconds=30,
        per_side=False,
        load_min_kg=None,
        load_max_kg=None,
        load_step_kg=None,
        progression=(
            "Start with a gentle 20-second hold. Build up to 30 seconds, then 3 holds. Let the "
            "stretch ease as you breathe out, rather than leaning harder."
        ),
        caution_tags=(),
        sources=("tunwattanapong_2016", "chen_2018"),
    ),
    Exercise(
        slug="posture-reset-break",
        name="Posture reset break",
        category="posture",
        region="whole body",
        equipment="Chair",
        setup=(
            "Set a reminder on your phone or computer for every 30 to 45 minutes while you sit "
            "at a desk."
        ),
        movement=(
            "When the reminder goes, stop work. Stand up, or sit tall at the front of your chair. "
            "Let your arms hang. Roll your shoulders back and down a few times. Hold a tall, "
            "easy position and take slow breaths, letting your chest lift as you breathe in. "
            "Relax, then do it once more. Look away from the screen into the distance as you go."
        ),
        good_form=(
            "You feel taller and looser afterwards. Your shoulders sit down and back, not "
            "hunched. It feels easy and relaxing."
        ),
        stop_if=(
            "Sit down again if you feel dizzy when you stand, and contact the clinic if it "
            "keeps happening. " + _ARM_NERVE
        ),
        sets=2,
        reps=None,
        hold_seconds=30,
        per_side=False,
        load_min_kg=None,
        load_max_kg=None,
        load_step_kg=None,
        progression=(
            "Start with a reset every hour. Work towards one every 30 to 45 minutes. Keep your "
            "reminders on: regular breaks matter more than sitting perfectly."
        ),
        caution_tags=(),
        sources=("chen_2018", "lambert_2017", "nice_cks_neck_pain"),
    ),
)

EXERCISES_BY_SLUG: dict[str, Exercise] = {exercise.slug: exercise for exercise in EXERCISES}


def _dose(
    slug: str,
    sets: int,
    *,
    reps: int | None = None,
    hold_seconds: int | None = None,
    load_kg: float | None = None,
    days_per_week: int = 3,
) -> Dose:
    """One exercise of a template phase; keeps the template tables below short."""
    return Dose(
        slug=slug,
        sets=sets,
        reps=reps,
        hold_seconds=hold_seconds,
        load_kg=load_kg,
        days_per_week=days_per_week,
    )


TEMPLATES: tuple[Template, ...] = (
    Template(
        slug="desk-posture-mobility",
        name="Desk posture and mobility",
        summary=(
            "Gentle moves and short breaks to ease a stiff neck and upper back from desk work. "
            "No weights, just little and often through your day."
        ),
        for_whom=(
            "Desk workers with non-specific neck or upper-back pain, including pain of under "
            "four weeks. No load, nothing fast, no loaded forward bending and no end-range neck "
            "work, so it can be approved with osteoporosis, long-term steroids or dizziness. Too "
            "light on its own for chronic pain that needs strength work: move on to a kettlebell "
            "template when ready. Not for anyone with red flags awaiting assessment."
        ),
        sources=(
            "nice_cks_neck_pain",
            "chen_2018",
            "blanpied_2017",
            "lambert_2017",
            "ros_2018",
        ),
        phases=(
            Phase(
                name="Get moving",
                weeks=2,
                goal=(
                    "Break up long spells of sitting and ease the stiffness in your neck and "
                    "upper back."
                ),
                advance="auto",
                exercises=(
                    _dose("posture-reset-break", 2, hold_seconds=30, days_per_week=5),
                    _dose("chin-tuck-desk", 2, reps=10, days_per_week=5),
                    _dose("scapular-retraction", 2, reps=10, days_per_week=5),
                    _dose("doorway-pec-stretch", 2, hold_seconds=30, days_per_week=5),
                    _dose("thoracic-extension-chair", 2, reps=10, days_per_week=5),
                ),
            ),
            Phase(
                name="Build the habit",
                weeks=2,
                goal=(
                    "Make the breaks part of your working day and start to strengthen the "
                    "muscles that hold you upright."
                ),
                advance="auto",
                exercises=(
                    _dose("posture-reset-break", 2, hold_seconds=30, days_per_week=5),
                    _dose("chin-tuck-desk", 3, reps=10, days_per_week=5),
                    _dose("scapular-retraction", 3, reps=10, days_per_week=5),
                    _dose("doorway-pec-stretch", 2, hold_seconds=30, days_per_week=5),
                    _dose("thoracic-extension-chair", 2, reps=10, days_per_week=5),
                    _dose("wall-angel", 2, reps=10, days_per_week=3),
                    _dose("chin-nod-lying", 2, reps=10, days_per_week=3),
                ),
            ),
            Phase(
                name="Stronger posture",
                weeks=2,
                goal=(
                    "Build strength in your upper back and neck, so sitting well takes less effort."
                ),
                advance="auto",
                exercises=(
                    _dose("posture-reset-break", 2, hold_seconds=30, days_per_week=5),
                    _dose("chin-tuck-desk", 3, reps=10, days_per_week=5),
                    _dose("doorway-pec-stretch", 3, hold_seconds=30, days_per_week=5),
                    _dose("thoracic-extension-chair", 2, reps=10, days_per_week=5),
                    _dose("wall-angel", 3, reps=10, days_per_week=3),
                    _dose("chin-nod-lying", 3, reps=10, days_per_week=3),
                    _dose("prone-y-t-w", 2, reps=8, days_per_week=3),
                    _dose("scapular-wall-slide", 2, reps=10, days_per_week=3),
                ),
            ),
        ),
    ),
    Template(
        slug="upper-back-kettlebell-foundations",
        name="Upper back kettlebell foundations",
        summary=(
            "Light kettlebell work to strengthen your upper back, with moves to keep your spine "
            "supple. You start light and only add weight when your form is solid."
        ),
        for_whom=(
            "Adults with non-specific neck or upper-back pain of about four weeks or more, new "
            "to kettlebells, who can be taught a hip hinge. No swings and no overhead work. "
            "Rows, reverse flys and single-arm deadlifts load the spine in a forward-bent "
            "position (loaded spinal flexion): review them with osteoporosis or long-term "
            "steroids, or swap the rows for band rows. Not for an acute strain in its first "
            "weeks, or anyone with red flags or arm symptoms awaiting assessment."
        ),
        sources=("andersen_2008", "jay_2011", "blanpied_2017", "gross_2015", "acsm_2009"),
        phases=(
            Phase(
                name="Learn the moves",
                weeks=2,
                goal=(
                    "Learn each movement with a light kettlebell, and keep your upper back moving."
                ),
                advance="auto",
                exercises=(
                    _dose("kettlebell-one-arm-row", 2, reps=10, load_kg=6.0),
                    _dose("kettlebell-reverse-fly", 2, reps=10, load_kg=4.0),
                    _dose("kettlebell-single-arm-deadlift", 2, reps=8, load_kg=8.0),
                    _dose("kettlebell-suitcase-carry", 2, hold_seconds=30, load_kg=8.0),
                    _dose("band-pull-apart", 2, reps=12),
                    _dose("open-book", 2, reps=8),
                    _dose("thread-the-needle", 2, reps=8),
                ),
            ),
            Phase(
                name="Build up",
                weeks=2,
                goal="Add a set and a little weight, keeping every rep smooth and steady.",
                advance="auto",
                exercises=(
                    _dose("kettlebell-one-arm-row", 3, reps=10, load_kg=8.0),
                    _dose("kettlebell-reverse-fly", 3, reps=12, load_kg=4.0),
                    _dose("kettlebell-single-arm-deadlift", 3, reps=8, load_kg=10.0),
                    _dose("kettlebell-suitcase-carry", 3, hold_seconds=30, load_kg=10.0),
                    _dose("kettlebell-goblet-squat", 2, reps=10, load_kg=8.0),
                    _dose("band-pull-apart", 3, reps=12),
                    _dose("open-book", 2, reps=8),
                    _dose("cat-camel", 2, reps=10),
                ),
            ),
            Phase(
                name="Get stronger",
                weeks=2,
                goal=(
                    "Lift a little heavier with the same good form, so your upper back copes "
                    "better with daily life."
                ),
                advance="auto",
                exercises=(
                    _dose("kettlebell-one-arm-row", 3, reps=10, load_kg=10.0),
                    _dose("kettlebell-reverse-fly", 3, reps=10, load_kg=6.0),
                    _dose("kettlebell-single-arm-deadlift", 3, reps=8, load_kg=12.0),
                    _dose("kettlebell-suitcase-carry", 3, hold_seconds=40, load_kg=12.0),
                    _dose("kettlebell-goblet-squat", 3, reps=10, load_kg=10.0),
                    _dose("kettlebell-shrug", 3, reps=10, load_kg=8.0),
                    _dose("band-pull-apart", 3, reps=15),
                    _dose("thoracic-extension-roller", 2, reps=8),
                ),
            ),
        ),
    ),
    Template(
        slug="return-to-lifting",
        name="Return to lifting",
        summary=(
            "A step-by-step return to the gym after a neck or upper-back strain. You rebuild the "
            "basics first, then bring back swings, get-ups and overhead pressing once your "
            "clinician agrees."
        ),
        for_whom=(
            "People who lifted or used kettlebells before a recent gym or lifting strain, now "
            "with settling non-specific neck or upper-back pain of about four weeks or more. "
            "The last phase adds ballistic swings and overhead load (Turkish get-up, overhead "
            "press, halo) and opens only when a clinician agrees, usually at the week-4 "
            "check-in. Not for osteoporosis, long-term steroids or past vertebral fracture, "
            "dizziness with neck movement, shoulder instability or arm symptoms, or anyone new "
            "to kettlebells (use upper-back-kettlebell-foundations)."
        ),
        sources=(
            "jay_2011",
            "andersen_2008",
            "blanpied_2017",
            "acsm_2009",
            "brooke_wavell_2022",
        ),
        phases=(
            Phase(
                name="Rebuild the base",
                weeks=2,
                goal=(
                    "Get back to steady, controlled lifting with moderate weights and good form."
                ),
                advance="auto",
                exercises=(
                    _dose("kettlebell-one-arm-row", 3, reps=10, load_kg=8.0),
                    _dose("kettlebell-single-arm-deadlift", 3, reps=8, load_kg=12.0),
                    _dose("kettlebell-goblet-squat", 3, reps=10, load_kg=8.0),
                    _dose("kettlebell-suitcase-carry", 3, hold_seconds=30, load_kg=12.0),
                    _dose("band-pull-apart", 3, reps=12),
                    _dose("open-book", 2, reps=8),
                ),
            ),
            Phase(
                name="Add load",
                weeks=2,
                goal=(
                    "Lift a little heavier and strengthen the muscles round your shoulder blades, "
                    "ready for faster and overhead lifts."
                ),
                advance="auto",
                exercises=(
                    _dose("kettlebell-one-arm-row", 3, reps=10, load_kg=10.0),
                    _dose("kettlebell-single-arm-deadlift", 3, reps=8, load_kg=16.0),
                    _dose("kettlebell-goblet-squat", 3, reps=10, load_kg=12.0),
                    _dose("kettlebell-reverse-fly", 3, reps=10, load_kg=6.0),
                    _dose("kettlebell-farmers-carry", 3, hold_seconds=30, load_kg=12.0),
                    _dose("thread-the-needle", 2, reps=8),
                ),
            ),
            Phase(
                name="Back to full lifts",
                weeks=2,
                goal=(
                    "Bring back swings, get-ups and overhead pressing, light at first and with "
                    "crisp form."
                ),
                advance="clinician",
                exercises=(
                    _dose("kettlebell-swing", 3, reps=10, load_kg=12.0),
                    _dose("turkish-get-up", 2, reps=3, load_kg=6.0),
                    _dose("kettlebell-overhead-press", 3, reps=8, load_kg=8.0),
                    _dose("kettlebell-halo", 2, reps=8, load_kg=6.0),
                    _dose("kettlebell-one-arm-row", 3, reps=10, load_kg=12.0),
                    _dose("kettlebell-single-arm-deadlift", 3, reps=8, load_kg=16.0),
                    _dose("kettlebell-farmers-carry", 3, hold_seconds=40, load_kg=14.0),
                ),
            ),
        ),
    ),
    Template(
        slug="neck-and-shoulder-stretching",
        name="Neck and shoulder stretching",
        summary=(
            "Daily stretches and gentle strengthening for a stiff, sore neck and shoulders. You "
            "build up the holds slowly over six weeks."
        ),
        for_whom=(
            "Office workers and others with non-specific neck pain and stiffness, usually of "
            "four weeks or more, who do not get dizzy with neck movement. Includes end-range "
            "neck turns and stretches: screen for dizziness and vascular or upper-cervical "
            "warning signs first (IFOMPT framework). Use desk-posture-mobility instead for "
            "dizziness, inflammatory arthritis, or where end-range neck work is not advised."
        ),
        sources=(
            "tunwattanapong_2016",
            "ylinen_2003",
            "blanpied_2017",
            "gross_2015",
            "jull_2009",
            "ifompt_2023",
        ),
        phases=(
            Phase(
                name="Gentle range",
                weeks=2,
                goal="Ease stiffness with short, gentle stretches most days.",
                advance="auto",
                exercises=(
                    _dose("neck-rotation-range", 2, reps=8, days_per_week=5),
                    _dose("upper-trapezius-stretch", 2, hold_seconds=20, days_per_week=5),
                    _dose("levator-scapulae-stretch", 2, hold_seconds=20, days_per_week=5),
                    _dose("doorway-pec-stretch", 2, hold_seconds=30, days_per_week=5),
                    _dose("chin-nod-lying", 2, reps=10, days_per_week=5),
                    _dose("cat-camel", 2, reps=10, days_per_week=5),
                ),
            ),
            Phase(
                name="Longer holds",
                weeks=2,
                goal=(
                    "Hold each stretch a little longer and start to strengthen your neck and "
                    "shoulder blades."
                ),
                advance="auto",
                exercises=(
                    _dose("neck-rotation-range", 2, reps=10, days_per_week=5),
                    _dose("upper-trapezius-stretch", 2, hold_seconds=30, days_per_week=5),
                    _dose("levator-scapulae-stretch", 2, hold_seconds=30, days_per_week=5),
                    _dose("doorway-pec-stretch", 2, hold_seconds=30, days_per_week=5),
                    _dose("chin-nod-lying", 3, reps=10, days_per_week=5),
                    _dose("thread-the-needle", 2, reps=8, days_per_week=3),
                    _dose("band-pull-apart", 2, reps=12, days_per_week=3),
                ),
            ),
            Phase(
                name="Keep it going",
                weeks=2,
                goal=(
                    "Make stretching part of your week, with stronger shoulder blades to back it "
                    "up."
                ),
                advance="auto",
                exercises=(
                    _dose("neck-rotation-range", 2, reps=10, days_per_week=5),
                    _dose("upper-trapezius-stretch", 3, hold_seconds=30, days_per_week=5),
                    _dose("levator-scapulae-stretch", 3, hold_seconds=30, days_per_week=5),
                    _dose("doorway-pec-stretch", 3, hold_seconds=30, days_per_week=5),
                    _dose("chin-nod-lying", 3, reps=10, days_per_week=5),
                    _dose("band-pull-apart", 3, reps=12, days_per_week=3),
                    _dose("prone-y-t-w", 2, reps=10, days_per_week=3),
                ),
            ),
        ),
    ),
)
