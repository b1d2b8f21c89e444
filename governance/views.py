"""The clinical safety officer's and clinic lead's pages: the rule-set versions, trials and their
reports, sign-off, the clinic's choice, and the hazard log."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.roles import Role, has_role, role_required
from governance import active, hazards, services
from governance.forms import ChooseForm, SignOffForm, TrialForm
from governance.models import ActiveRuleSet, SignOff, Trial, TrialRun
from triage.models import Urgency
from triage.rules import registry

GOVERNANCE = (Role.SAFETY_OFFICER, Role.LEAD)
TRIALS_LISTED = 20


def _signed_versions() -> list[str]:
    """The versions signed off as their code stands now, in the registry's order."""
    signed = set(SignOff.objects.values_list("version", "fingerprint"))
    return [name for name in registry.names() if (name, registry.fingerprint(name)) in signed]


def _index_context(request: HttpRequest) -> dict[str, Any]:
    services.fail_stale_runs()
    row = ActiveRuleSet.objects.select_related("sign_off__signed_by", "chosen_by").first()
    found = active.active()
    sign_offs: dict[str, list[SignOff]] = {}
    for signed in SignOff.objects.select_related("signed_by", "trial").order_by("-signed_at"):
        sign_offs.setdefault(signed.version, []).append(signed)
    versions = []
    for version in registry.VERSIONS.values():
        fingerprint = registry.fingerprint(version.name)
        versions.append(
            {
                "version": version,
                "fingerprint": fingerprint,
                "in_force": [
                    s for s in sign_offs.get(version.name, []) if s.fingerprint == fingerprint
                ],
                "void": [
                    s for s in sign_offs.get(version.name, []) if s.fingerprint != fingerprint
                ],
            }
        )
    return {
        "row": row,
        "found": found,
        "not_signed_off": isinstance(found, active.NotSignedOff),
        "versions": versions,
        "trials": list(Trial.objects.select_related("run_by")[:TRIALS_LISTED]),
        "runs": list(
            TrialRun.objects.filter(trial__isnull=True).select_related("started_by")[:TRIALS_LISTED]
        ),
        "history": services.history(),
        "is_safety_officer": has_role(request.user, Role.SAFETY_OFFICER),
        # This page says the demo's rule set is unsigned in its first section, with why: not
        # the staff pages' banner above it as well (governance/context_processors.py).
        "ruleset_unsigned_demo": "",
    }


@require_GET
@role_required(*GOVERNANCE)
def index(request: HttpRequest) -> HttpResponse:
    signed = _signed_versions()
    context = _index_context(request) | {
        "trial_form": TrialForm(initial={"submission_token": uuid.uuid4()}),
        "choose_form": ChooseForm(signed=signed) if signed else None,
    }
    return render(request, "governance/index.html", context)


@require_POST
@role_required(*GOVERNANCE)
def trial_new(request: HttpRequest) -> HttpResponse:
    """Start a trial for a worker (a whole history can take longer than a web request may)."""
    form = TrialForm(request.POST)
    if form.is_valid():
        try:
            run = services.start_trial_run(
                form.cleaned_data["candidate"],
                by=request.user,  # type: ignore[arg-type]
                date_from=form.cleaned_data["date_from"],
                date_to=form.cleaned_data["date_to"],
            )
        except services.GovernanceError as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        else:
            return redirect("governance:trial_run", pk=run.pk)
    signed = _signed_versions()
    context = _index_context(request) | {
        "trial_form": form,
        "choose_form": ChooseForm(signed=signed) if signed else None,
    }
    return render(request, "governance/index.html", context, status=400)


def _run(pk: int) -> TrialRun:
    services.fail_stale_runs()
    return get_object_or_404(TrialRun.objects.select_related("started_by", "trial"), pk=pk)


@require_GET
@role_required(*GOVERNANCE)
def trial_run(request: HttpRequest, pk: int) -> HttpResponse:
    """A run waiting, running (its progress, polled), failed (to start again) or finished."""
    run = _run(pk)
    return render(request, "governance/trial_run.html", {"run": run})


@require_GET
@role_required(*GOVERNANCE)
def trial_run_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's status for the page's poll; 286 once it has ended, which stops htmx polling."""
    run = _run(pk)
    return render(
        request,
        "governance/partials/trial_run_status.html",
        {"run": run},
        status=200 if run.is_active else 286,
    )


@require_POST
@role_required(*GOVERNANCE)
def trial_run_retry(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(pk)
    if run.is_active or run.status == TrialRun.Status.DONE:
        return redirect("governance:trial_run", pk=run.pk)
    try:
        again = services.retry_trial_run(run=run, by=request.user)  # type: ignore[arg-type]
    except services.GovernanceError as refused:
        messages.error(request, refused.message)
        return redirect("governance:trial_run", pk=run.pk)
    return redirect("governance:trial_run", pk=again.pk)


def _clinic_day(at: str) -> date:
    """The clinic's day of an instant a report stores (older reports kept it in UTC)."""
    return timezone.localtime(datetime.fromisoformat(at)).date()


def _trial_context(request: HttpRequest, trial: Trial) -> dict[str, Any]:
    report = trial.report
    names = [u for u in sorted(Urgency, key=lambda u: -u.value)]
    transitions = [
        {
            "then": then,
            "cells": [
                {
                    "now": now,
                    "count": report["transitions"][then.key][now.key],
                    "lowered": now.value < then.value,
                    "raised": now.value > then.value,
                }
                for now in names
            ],
        }
        for then in names
    ]
    labels = {u.key: u.label for u in Urgency}
    lowered = [
        case
        | {
            "from_label": labels[case["from"]],
            "to_label": labels[case["to"]],
            "overridden_label": labels.get(case.get("overridden_to") or "", ""),
            "day": _clinic_day(case["at"]),
        }
        for case in report["lowered_cases"]
    ]
    unnecessary = [
        o | {"from_label": labels[o["from"]], "to_label": labels[o["to"]]}
        for o in report["overrides_unnecessary"]
    ]
    current = registry.fingerprint(trial.candidate) if trial.candidate in registry.VERSIONS else ""
    return {
        "trial": trial,
        "report": report,
        "names": names,
        "transitions": transitions,
        "per_rule": [
            {"id": rule_id} | row
            for rule_id, row in report["per_rule"].items()
            if row["started"] or row["stopped"] or row["raised"] or row["lowered"]
        ],
        "lowered_cases": lowered,
        "unnecessary": unnecessary,
        "stale": trial.candidate_fingerprint != current,
        "sign_offs": list(trial.sign_offs.select_related("signed_by")),
        "may_sign": has_role(request.user, Role.SAFETY_OFFICER),
    }


@require_GET
@role_required(*GOVERNANCE)
def trial_detail(request: HttpRequest, pk: int) -> HttpResponse:
    trial = get_object_or_404(Trial.objects.select_related("run_by"), pk=pk)
    context = _trial_context(request, trial) | {"form": SignOffForm(lowered=trial.lowered)}
    return render(request, "governance/trial.html", context)


@require_http_methods(["POST"])
@role_required(Role.SAFETY_OFFICER)
def sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    trial = get_object_or_404(Trial, pk=pk)
    form = SignOffForm(request.POST, lowered=trial.lowered)
    if form.is_valid():
        try:
            signed = services.sign_off(
                version=trial.candidate,
                trial=trial,
                reason=form.cleaned_data["reason"],
                lowered_reviewed=bool(form.cleaned_data.get("lowered_reviewed")),
                by=request.user,  # type: ignore[arg-type]
            )
        except services.GovernanceError as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        else:
            messages.success(
                request,
                _("You signed off %(version)s (sign-off %(id)s).")
                % {"version": signed.version, "id": signed.pk},
            )
            return redirect("governance:trial", pk=trial.pk)
    context = _trial_context(request, trial) | {"form": form}
    return render(request, "governance/trial.html", context, status=400)


@require_POST
@role_required(*GOVERNANCE)
def choose(request: HttpRequest) -> HttpResponse:
    signed = _signed_versions()
    form = ChooseForm(request.POST, signed=signed)
    if form.is_valid():
        try:
            row = services.choose(
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                by=request.user,  # type: ignore[arg-type]
            )
        except services.GovernanceError as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        else:
            messages.success(
                request,
                _("New intakes are now triaged with %(version)s.") % {"version": row.version},
            )
            return redirect("governance:index")
    context = _index_context(request) | {
        "trial_form": TrialForm(initial={"submission_token": uuid.uuid4()}),
        "choose_form": form,
    }
    return render(request, "governance/index.html", context, status=400)


@require_GET
@role_required(*GOVERNANCE)
def hazard_log(request: HttpRequest) -> HttpResponse:
    return render(request, "governance/hazards.html", {"log": hazards.hazard_log()})
