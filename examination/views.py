"""The clinician's examination page: from a claimed case, the examination form; a refused
submit shows the one error summary with every answer kept; a good one stores the examination,
triage reads it, and the case page shows it (examination/panels.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit import services as audit
from clinic.params import parse_id
from clinic.roles import Role, role_required
from examination import readable
from examination.forms import ExaminationForm
from examination.models import Examination, OrthopaedicTest
from examination.services import record_examination
from triage.models import Case
from triage.rules.exam import (
    CCR_LOW_RISK_FACTORS,
    ROM_MAXIMUM,
    ROM_SOURCE,
    ExamContractError,
)
from triage.services import CaseActionRefused


def _correcting(request: HttpRequest, case: Case) -> Examination | None:
    """The examination this one corrects (?corrects=<id>, or the form's field), if any: one of
    this case's, else 404."""
    raw = request.POST.get("corrects") if request.method == "POST" else None
    raw = raw or request.GET.get("corrects", "")
    if not raw:
        return None
    found = Examination.objects.filter(pk=parse_id(raw), case=case).select_related("examiner")
    examination = found.first()
    if examination is None:
        raise Http404("No such examination of this case")
    return examination


@require_http_methods(["GET", "POST"])
@role_required(Role.CLINICIAN)
def examination_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related("patient", "claimed_by"), pk=case_id)
    corrects = _correcting(request, case)
    # A page opened on a case nobody holds (or another's) goes back to it; a submit keeps what
    # was entered and says why it was refused (someone else may have claimed it meanwhile).
    held = case.status == Case.Status.OPEN and case.claimed_by_id == request.user.pk
    if request.method == "GET" and not held:
        messages.error(
            request,
            _("Claim this case before recording an examination.")
            if case.status == Case.Status.OPEN and case.claimed_by_id is None
            else _("Only the clinician holding this open case records an examination."),
        )
        return redirect("triage:case_detail", pk=case.pk)
    tests = list(OrthopaedicTest.objects.active())
    library = {test.code: test.spec() for test in tests}
    status = 200
    if request.method == "POST":
        form = ExaminationForm(request.POST, library=library, correcting=corrects is not None)
        if form.is_valid() and form.findings is not None:
            try:
                examination = record_examination(
                    case_id=case.pk,
                    clinician=request.user,  # type: ignore[arg-type]
                    findings=form.findings,
                    submission_token=form.cleaned_data["submission_token"],
                    corrects_id=corrects.pk if corrects is not None else None,
                    correction_reason=form.cleaned_data.get("correction_reason", ""),
                    library=library,
                )
            except ExamContractError as refused:  # the library changed since the page loaded
                for problem in refused.problems:
                    form._add_problem(problem)
                status = 400
            except CaseActionRefused as refused:
                form.add_error(None, str(refused))
                status = 409
            else:
                messages.success(
                    request,
                    _("Examination recorded; triage has read it with the intake.")
                    if corrects is None
                    else _("Correction recorded; triage has read it with the intake."),
                )
                return redirect(f"{case.get_absolute_url()}#examination-{examination.pk}")
        else:
            status = 400
    else:
        initial: dict[str, Any] = {"submission_token": uuid.uuid4()}
        if corrects is not None:
            initial |= ExaminationForm.initial_from(corrects.findings)
        form = ExaminationForm(initial=initial, library=library, correcting=corrects is not None)
    audit.record_view(
        request=request, record=f"case {case.pk}, examination form", patient=case.patient_id
    )
    return render(
        request,
        "examination/examination_new.html",
        {
            "case": case,
            "patient": case.patient,
            "form": form,
            "corrects": corrects,
            "tests": [(test, _test_fields(form, test)) for test in tests],
            "rom_rows": _rom_rows(form),
            "myotomes": {
                "key": "myotomes",
                "caption": _("Myotomes"),
                "rows": _sided_rows(form, "neurological.myotomes", readable.myotome_label),
            },
            "dermatomes": {
                "key": "dermatomes",
                "caption": _("Dermatomes"),
                "rows": _sided_rows(form, "neurological.dermatomes", readable.dermatome_label),
            },
            "reflexes": {
                "key": "reflexes",
                "caption": _("Reflexes"),
                "rows": _sided_rows(
                    form, "neurological.reflexes", lambda r: str(readable.REFLEX_LABELS[r])
                ),
            },
            "signs": {
                "key": "signs",
                "caption": _("Upper motor neurone signs"),
                "rows": _sided_rows(
                    form, "upper_motor_neurone", lambda s: str(readable.SIGN_LABELS[s])
                ),
            },
            "ccr_fields": [form[f"canadian_c_spine__{factor}"] for factor in CCR_LOW_RISK_FACTORS],
            "rom_source": ROM_SOURCE,
            "fills": _fills(),
        },
        status=status,
    )


@dataclass(frozen=True, slots=True)
class Fill:
    """A button that answers what is still unanswered in its part of the form with `value`."""

    value: str
    label: str
    pain: str = ""  # for a movement filled in: whether it hurt


def _fills() -> dict[str, list[Fill]]:
    not_tested = Fill("not_tested", _("Unanswered: not tested"))
    return {
        "rom": [Fill("full", _("Unanswered: full, no pain"), pain="no"), not_tested],
        "myotomes": [Fill("5", _("Unanswered: 5 normal")), not_tested],
        "dermatomes": [Fill("normal", _("Unanswered: normal")), not_tested],
        "reflexes": [Fill("2", _("Unanswered: 2 normal")), not_tested],
        "signs": [Fill("negative", _("Unanswered: negative")), not_tested],
        "ccr": [Fill("not_assessed", _("Unanswered: not assessed"))],
        "tests": [Fill("not_done", _("Unanswered: not done"))],
    }


def _rom_rows(form: ExaminationForm) -> list[dict[str, Any]]:
    from triage.rules.exam import MOVEMENTS, REGIONS

    return [
        {
            "label": readable.movement_label(region, name),
            "how": form.bound(f"range_of_movement.{region}.{name}"),
            "degrees": form.bound(f"range_of_movement.{region}.{name}.degrees"),
            "pain": form.bound(f"range_of_movement.{region}.{name}.pain"),
            "maximum": ROM_MAXIMUM[(region, name)],
        }
        for region in REGIONS
        for name in MOVEMENTS
    ]


def _sided_rows(form: ExaminationForm, prefix: str, label: Any) -> list[dict[str, Any]]:
    from triage.rules.exam import LEVELS, REFLEXES, SIDED_SIGNS

    keys = {
        "neurological.myotomes": LEVELS,
        "neurological.dermatomes": LEVELS,
        "neurological.reflexes": tuple(REFLEXES),
        "upper_motor_neurone": SIDED_SIGNS,
    }[prefix]
    return [
        {
            "label": label(key),
            "left": form.bound(f"{prefix}.{key}.left"),
            "right": form.bound(f"{prefix}.{key}.right"),
        }
        for key in keys
    ]


def _test_fields(form: ExaminationForm, test: OrthopaedicTest) -> dict[str, Any]:
    base = f"orthopaedic_tests.{test.code}"
    if test.needs_side:
        return {"left": form.bound(f"{base}.left"), "right": form.bound(f"{base}.right")}
    return {"both": form.bound(base)}
