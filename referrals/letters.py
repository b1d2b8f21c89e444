"""The referral letter: its first draft, written from the patient, the answers and the fired rules,
and the PDF that goes to the destination (WeasyPrint, the clinic's letterhead, no remote assets)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from clinic.models import StaffProfile
from examination import prose, readable
from examination.models import Examination
from patients.forms import display_answer
from referrals.models import EXPECTED_WITHIN_DAYS, Referral
from triage.models import Case, Urgency
from triage.outcomes import fired_rules

# What each urgency asks of the destination, in the letter's words.
ASKED_FOR = {
    "EMERGENCY": _("an emergency assessment today"),
    "URGENT": _("an urgent assessment, within one day"),
    "SOON": _("an assessment soon, within a week"),
    "ROUTINE": _("a routine appointment, within four weeks"),
}

# The complaint's opening words, by the contract's pain_region.
_COMPLAINT = {
    "neck": _("Neck pain"),
    "upper_back": _("Upper back pain"),
    "thoracic": _("Mid-back (thoracic) pain"),
    "shoulder_blades": _("Pain between the shoulder blades"),
    "lower_back": _("Low back pain"),
}
# How the pain behaves, as the complaint describes it (these answers are the weak flags the rules
# count: the letter says them as findings, without the weak flags' citations).
_CHARACTER = {
    "pain_worsening_progressively": _("getting steadily worse"),
    "pain_constant_non_mechanical": _("constant and unchanged by movement, rest or position"),
    "night_pain_unrelieved_by_rest": _("worse at night, disturbing sleep"),
    "not_improving_after_4_weeks": _("no better after four weeks or more of self-care"),
}
# What the patient reports beside the complaint, in a clinician's words (intake-contract.md).
_SYMPTOMS = {
    "unexplained_weight_loss": _("unexplained weight loss in the last 3 to 6 months"),
    "fever_or_chills": _("fever, sweats or shivering"),
    "systemically_unwell": _("feeling generally unwell"),
    "progressive_limb_weakness": _("worsening weakness in an arm or leg"),
    "numbness_or_tingling_arms": _("numbness or pins and needles in an arm or hand"),
    "bilateral_arm_symptoms": _("numbness, tingling or weakness in both arms"),
    "hand_clumsiness": _("clumsy hands (dropping things, trouble with buttons or writing)"),
    "gait_disturbance": _("new unsteadiness, stiff or heavy legs"),
    "electric_shock_on_neck_flexion": _("electric-shock sensations on neck flexion (Lhermitte)"),
    "bladder_or_bowel_change": _("new bladder or bowel disturbance"),
    "saddle_anaesthesia": _("saddle numbness"),
    "bilateral_leg_symptoms": _("pain, numbness or weakness in both legs"),
    "dizziness_or_drop_attacks": _("dizziness or drop attacks"),
    "double_vision": _("double or disturbed vision"),
    "difficulty_speaking_or_swallowing": _("slurred speech or difficulty swallowing"),
    "facial_numbness_or_droop": _("facial numbness or droop"),
    "severe_headache": _("a new, sudden or worst-ever headache"),
    "jaw_claudication_or_scalp_tenderness": _("jaw pain on chewing or scalp tenderness"),
    "chest_pain": _("new or unexplained chest pain in the last 72 hours"),
    "chest_pressure_radiating_to_arm_or_jaw": _("chest pressure spreading to the arm or jaw"),
    "shortness_of_breath": _("new breathlessness"),
    "sweating_or_nausea_with_pain": _("sweating or nausea with the pain"),
    "exertional_pain_eases_with_rest": _("pain on exertion that eases with rest"),
    "tearing_pain_radiating_to_back": _("sudden tearing pain in the chest or back"),
    "pain_worse_on_deep_breath": _("pleuritic pain"),
    "coughing_blood": _("haemoptysis"),
    "recent_surgery_immobility_or_leg_swelling": _(
        "recent surgery, immobility or long-haul travel, or a swollen calf"
    ),
    "pain_related_to_eating_or_abdominal_symptoms": _(
        "pain related to meals or abdominal symptoms"
    ),
    "improves_with_exercise_not_rest": _("pain that eases with exercise but not with rest"),
    "morning_stiffness_over_30_min": _("morning stiffness lasting over 30 minutes"),
    "bilateral_shoulder_hip_girdle_aching": _(
        "aching and stiffness of both shoulder or hip girdles"
    ),
}
_HISTORY = {
    "osteoporosis": _("osteoporosis or a fragility fracture"),
    "long_term_steroids": _("oral steroids for 3 months or more"),
    "history_of_cancer": _("cancer"),
    "immunosuppressed": _("immunosuppression"),
    "iv_drug_use": _("intravenous drug use"),
    "recent_infection_or_spinal_procedure": _(
        "a bacterial infection or spinal procedure in the last 3 months"
    ),
    "previous_spinal_surgery": _("previous spinal surgery"),
    "cardiovascular_risk_factors": _("cardiovascular risk factors"),
    "inflammatory_arthritis_history": _("inflammatory arthritis"),
    "psoriasis_ibd_or_uveitis_history": _("psoriasis, inflammatory bowel disease or uveitis"),
    "family_history_spondyloarthritis": _("a family history of spondyloarthritis"),
}


def default_urgency(case: Case) -> Urgency:
    """The urgency to ask for: the case's own, and at least ROUTINE (a self-care case that a
    clinician refers is still a referral)."""
    urgency = Urgency(case.urgency)
    return urgency if urgency.key in EXPECTED_WITHIN_DAYS else Urgency.ROUTINE


def signature_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def signature(user: User) -> list[str]:
    """The letter's signature: full name, then profession and registration (clinic.StaffProfile)
    so that the receiver can check the register; the name alone while no profile is kept."""
    profile = StaffProfile.objects.filter(user=user).first()
    if profile is None:
        return [signature_name(user)]
    return [profile.signed_name, profile.signed_role]


def _listed(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return gettext("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _since(days: int) -> str:
    if days <= 0:
        return gettext("since today")
    if days == 1:
        return gettext("since yesterday")
    if days < 14:
        return ngettext("for %(count)d day", "for %(count)d days", days) % {"count": days}
    if days < 56:
        weeks = days // 7
        return ngettext("for %(count)d week", "for %(count)d weeks", weeks) % {"count": weeks}
    months = days // 30
    return ngettext("for about %(count)d month", "for about %(count)d months", months) % {
        "count": months
    }


def complaint(answers: dict[str, Any]) -> str:
    """The presenting complaint as a sentence or two: "Pain between the shoulder blades since
    today, 7/10 now, which came on suddenly. It is constant and unchanged by movement, ..."."""
    region = str(_COMPLAINT.get(answers.get("pain_region", ""), _("Spinal pain")))
    text = gettext("%(complaint)s %(since)s, %(score)s/10 now") % {
        "complaint": region,
        "since": _since(int(answers.get("duration_days", 0))),
        "score": answers.get("pain_score_now", "?"),
    }
    if answers.get("onset_sudden"):
        text += gettext(", which came on suddenly")
    text += "."
    character = [str(words) for name, words in _CHARACTER.items() if answers.get(name) is True]
    if character:
        text += " " + gettext("It is %(character)s.") % {"character": _listed(character)}
    if answers.get("recent_significant_trauma"):
        mechanism = display_answer("trauma_mechanism", answers.get("trauma_mechanism", ""))
        text += " " + gettext("It followed an injury: %(mechanism)s.") % {
            "mechanism": mechanism[:1].lower() + mechanism[1:]
        }
    return text


def imaging_request(examination: Examination) -> dict[str, str] | None:
    """What the imaging decision aid of `examination` asks for, when it asks for imaging: the
    modality ("mri" or "xray") with its words, the rule and its reason and source, and the
    relevant findings in prose. None when the aid says no imaging or cannot say."""
    assessment = getattr(examination, "assessment", None)
    aid = assessment.imaging if assessment is not None else None
    if not aid or aid.get("decision") not in IMAGING_DESTINATIONS:
        return None
    reason = readable.rule_reason(str(aid.get("id", "")), str(aid.get("reason", "")), [])
    return {
        "decision": str(aid["decision"]),
        "modality": str(readable.DECISION_LABELS[aid["decision"]]),
        "rule": str(aid.get("id", "")),
        "reason": reason,
        "source": str(aid.get("source", "")),
        "findings": prose.examination_findings(examination),
    }


# The destination kind (referrals.Destination.Kind) for each modality the aid may ask for.
IMAGING_DESTINATIONS = {"mri": "mri", "xray": "xray"}


def _exam_reasons(examination: Examination | None) -> list[str]:
    """The reasons of the examination's rules that set an urgency, translated."""
    assessment = getattr(examination, "assessment", None) if examination else None
    if assessment is None:
        return []
    library = examination.library if examination is not None else {}
    return [
        readable.rule_reason(
            str(stored.get("id", "")),
            str(stored.get("reason", "")),
            list(stored.get("findings", [])),
            library,
        )
        for stored in assessment.rules
        if stored.get("urgency")
    ]


def compose_letter(*, case: Case, clinician: User, imaging: Examination | None = None) -> str:
    """The first draft of the letter's body, for the clinician to edit, in prose: the complaint
    from the answers, the relevant findings of the case's latest examination, why we refer (the
    reasons of the rules that set an urgency, the intake's and the examination's; weak flags are
    findings in the complaint, never citations), what else the patient reports, and the
    clinician's signature. The urgency asked for is printed above it from the referral itself,
    so an edit of the urgency cannot leave the letter saying another.

    `imaging`: an examination whose imaging decision aid asked for MRI or X-ray: the letter asks
    for that imaging, with the aid's rule, and its findings are the ones described."""
    patient = case.patient
    assessment = case.latest_intake_assessment
    answers: dict[str, Any] = (
        assessment.intake.answers if assessment is not None and assessment.intake else {}
    )
    rules, _weak = fired_rules(assessment.rules) if assessment is not None else ([], [])
    examination = imaging or Examination.objects.latest_of(case.pk)
    lines = [
        gettext("Dear colleague,"),
        "",
        gettext(
            "I would be grateful if you would see %(name)s, aged %(age)s, who was assessed at "
            "%(clinic)s."
        )
        % {
            "name": patient.full_name,
            "age": patient.age_on(timezone.localdate()),
            "clinic": settings.CLINIC_NAME,
        },
    ]
    request = imaging_request(imaging) if imaging is not None else None
    if request is not None:
        lines += [
            "",
            gettext("I am asking for %(modality)s: %(reason)s (%(rule)s; %(source)s).")
            % {
                "modality": request["modality"],
                "reason": request["reason"].rstrip("."),
                "rule": request["rule"],
                "source": request["source"],
            },
        ]
    if answers:
        lines += ["", complaint(answers)]
    paragraph = prose.examination_paragraph(examination) if examination is not None else ""
    if paragraph:
        lines += ["", paragraph]
    reasons = [gettext(rule.reason).rstrip(".") for rule in rules]
    reasons += [r.rstrip(".") for r in _exam_reasons(examination) if r.rstrip(".") not in reasons]
    if reasons:
        lines += [
            "",
            gettext("Why I am referring: %(reasons)s.") % {"reasons": ". ".join(reasons)},
        ]
    symptoms = [str(words) for name, words in _SYMPTOMS.items() if answers.get(name) is True]
    history = [str(words) for name, words in _HISTORY.items() if answers.get(name) is True]
    if symptoms:
        lines += [
            "",
            gettext("%(name)s also reports %(symptoms)s.")
            % {"name": patient.given_name, "symptoms": _listed(symptoms)},
        ]
    if history:
        lines += [
            "",
            gettext("Relevant history: %(history)s.") % {"history": _listed(history)},
        ]
    lines += [
        "",
        gettext("Please let us know when you have received this referral."),
        "",
        gettext("Yours sincerely,"),
        "",
        *signature(clinician),
        settings.CLINIC_NAME,
    ]
    return "\n".join(lines)


def _no_remote_assets(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"referral letters load no external resources ({url[:40]!r})")


def render_pdf(referral: Referral) -> bytes:
    """The letter as PDF, on the clinic's letterhead."""
    from weasyprint import HTML  # imported here: the system libraries load on first use

    case = referral.case
    html = render_to_string(
        "referrals/letter_pdf.html",
        {
            "clinic_name": settings.CLINIC_NAME,
            "referral": referral,
            "patient": case.patient,
            "destination": referral.destination,
            "urgency": Urgency(referral.urgency),
            "asked_for": ASKED_FOR[referral.urgency_key],
            "date": timezone.localdate(referral.sent_at or timezone.now()),
        },
    )
    pdf: bytes = HTML(string=html, url_fetcher=_no_remote_assets).write_pdf()
    return pdf
