"""A clinician's referral pages: choose a destination, edit the letter, send or print it, and
follow it to completion."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from clinic.roles import Role, role_required
from referrals import letters, services
from referrals.forms import LetterForm, ReferralNewForm
from referrals.models import Destination, Referral
from triage.models import Case, CaseDecision, Urgency
from triage.outcomes import safety_net_for

ACTIONS: dict[str, tuple[Callable[..., Referral], str]] = {
    "send": (services.send_referral, "The letter is on its way to {destination}."),
    "print": (services.mark_printed, "Marked as printed and handed to the patient."),
    "acknowledge": (services.acknowledge_referral, "Marked as acknowledged by {destination}."),
    "complete": (services.complete_referral, "Marked as completed."),
    "cancel": (services.cancel_referral, "The referral is cancelled."),
}


@role_required(Role.CLINICIAN)
def referral_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related("patient"), pk=case_id)
    form = ReferralNewForm(
        request.POST or None,
        initial={"urgency": letters.default_urgency(case).value},
    )
    if request.method == "POST" and form.is_valid():
        destination: Destination = form.cleaned_data["destination"]
        try:
            referral = services.draft_referral(
                case_id=case.pk,
                destination_id=destination.pk,
                clinician=request.user,  # type: ignore[arg-type]
                urgency=Urgency(form.cleaned_data["urgency"]),
            )
        except services.ReferralError as exc:
            form.add_error("destination", str(exc))
        else:
            messages.success(request, "Draft letter written: check and edit it before sending.")
            return redirect("referrals:referral_edit", pk=referral.pk)
    return render(
        request,
        "referrals/referral_new.html",
        {"case": case, "form": form, "safety_net": safety_net_for(CaseDecision.Kind.REFERRED)},
    )


@role_required(Role.CLINICIAN)
def referral_edit(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(
        Referral.objects.select_related("case__patient", "destination", "referred_by").defer(
            "letter_pdf"
        ),
        pk=pk,
    )
    is_draft = referral.status == Referral.Status.DRAFT
    form = LetterForm(
        request.POST if request.method == "POST" and is_draft else None,
        initial={"letter": referral.letter, "urgency": referral.urgency},
    )
    if request.method == "POST":
        if not is_draft:
            messages.error(request, "Only a draft's letter can be edited.")
            return redirect("referrals:referral_edit", pk=pk)
        if form.is_valid():
            services.update_letter(
                referral_id=pk,
                letter=form.cleaned_data["letter"],
                urgency=Urgency(form.cleaned_data["urgency"]),
            )
            messages.success(request, "Letter saved.")
            return redirect("referrals:referral_edit", pk=pk)
    return render(
        request,
        "referrals/referral_edit.html",
        {
            "referral": referral,
            "case": referral.case,
            "form": form,
            "is_draft": is_draft,
            "safety_net": safety_net_for(CaseDecision.Kind.REFERRED),
        },
    )


@role_required(Role.CLINICIAN)
def referral_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter as it was sent, or a draft's letter as it would be."""
    referral = get_object_or_404(
        Referral.objects.select_related("case__patient", "destination"), pk=pk
    )
    pdf = (
        bytes(referral.letter_pdf)
        if referral.letter_pdf is not None
        else letters.render_pdf(referral)
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="referral-{referral.reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@role_required(Role.CLINICIAN)
def referral_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("No such action")
    service, done = ACTIONS[action]
    try:
        referral = service(referral_id=pk)
    except Referral.DoesNotExist:
        raise Http404("No such referral") from None
    except services.ReferralError as exc:
        messages.error(request, str(exc))
        return redirect("referrals:referral_edit", pk=pk)
    messages.success(request, done.format(destination=referral.destination.name))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect(referral.get_absolute_url())
