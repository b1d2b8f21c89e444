"""A clinician's referral pages: choose a destination, edit the letter, send or print it, and
follow it to completion."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit import services as audit
from clinic.params import parse_id
from clinic.roles import Role, role_required
from clinic.text import text_problem
from examination.models import Examination
from referrals import letters, services
from referrals.forms import LetterForm, ReferralNewForm
from referrals.models import Destination, Referral
from triage.models import Case, CaseDecision, Urgency
from triage.outcomes import safety_net_for

ACTIONS: dict[str, tuple[Callable[..., Referral], str | Promise]] = {
    "send": (services.send_referral, gettext_lazy("The letter is on its way to {destination}.")),
    "print": (services.mark_printed, gettext_lazy("Marked as printed and handed to the patient.")),
    "retry": (services.retry_letter, gettext_lazy("The letter to {destination} is sent again.")),
    "acknowledge": (
        services.acknowledge_referral,
        gettext_lazy("Marked as acknowledged by {destination}."),
    ),
    "complete": (services.complete_referral, gettext_lazy("Marked as completed.")),
    "cancel": (services.cancel_referral, gettext_lazy("The referral is cancelled.")),
}


# How much of each worklist section one page shows, and how far back "completed" reaches.
WORKLIST_ROWS = 100
COMPLETED_WITHIN = timedelta(days=30)


@dataclass(frozen=True)
class WorklistSection:
    slug: str
    title: str
    empty: str
    referrals: list[Referral]
    more: bool  # more than the page shows


@role_required(Role.CLINICIAN)
def worklist(request: HttpRequest) -> HttpResponse:
    """Referred cases after they leave the waiting queue: overdue to chase (no acknowledgement
    by the expected-by date) first, then awaiting acknowledgement, acknowledged and awaiting
    the appointment, and completed in the last 30 days."""
    now = timezone.now()
    rows = Referral.objects.worklist().with_letter_status()
    undelivered = Referral.objects.worklist().undelivered()
    awaiting = rows.filter(status__in=Referral.AWAITING).exclude(pk__in=undelivered.values("pk"))
    sections = [
        (
            "undelivered",
            gettext_lazy("Letter not delivered: print it, retry it or phone"),
            gettext_lazy("Every emailed letter has reached the outbox's mail server."),
            undelivered.order_by("sent_at", "pk"),
        ),
        (
            "overdue",
            gettext_lazy("Overdue to chase"),
            gettext_lazy("No referral is past its expected-by date without an acknowledgement."),
            awaiting.filter(expected_by__lt=now).order_by("expected_by", "pk"),
        ),
        (
            "awaiting",
            gettext_lazy("Awaiting acknowledgement"),
            gettext_lazy("No referral is waiting for its destination to acknowledge it."),
            awaiting.exclude(expected_by__lt=now).order_by("expected_by", "pk"),
        ),
        (
            "acknowledged",
            gettext_lazy("Acknowledged, awaiting the appointment"),
            gettext_lazy("No acknowledged referral is waiting to be completed."),
            rows.filter(status=Referral.Status.ACKNOWLEDGED).order_by("acknowledged_at", "pk"),
        ),
        (
            "completed",
            gettext_lazy("Completed in the last 30 days"),
            gettext_lazy("No referral was completed in the last 30 days."),
            rows.filter(
                status=Referral.Status.COMPLETED, completed_at__gte=now - COMPLETED_WITHIN
            ).order_by("-completed_at", "-pk"),
        ),
    ]
    shown = []
    for slug, title, empty, referrals in sections:
        page = list(referrals[: WORKLIST_ROWS + 1])
        shown.append(
            WorklistSection(
                slug=slug,
                title=str(title),
                empty=str(empty),
                referrals=page[:WORKLIST_ROWS],
                more=len(page) > WORKLIST_ROWS,
            )
        )
    return render(
        request,
        "referrals/worklist.html",
        {"sections": shown, "now": now, "rows_per_section": WORKLIST_ROWS},
    )


def _imaging_examination(request: HttpRequest, case: Case) -> Examination | None:
    """The examination an imaging referral follows (?imaging=<id>, or the form's field): one of
    this case's whose imaging decision aid asks for MRI or X-ray, else 404."""
    raw = request.POST.get("imaging", "") if request.method == "POST" else ""
    raw = raw or request.GET.get("imaging", "")
    if not raw:
        return None
    examination = (
        Examination.objects.filter(pk=parse_id(raw), case=case).select_related("assessment").first()
    )
    if examination is None or letters.imaging_request(examination) is None:
        raise Http404("No imaging asked for by an examination of this case")
    return examination


@role_required(Role.CLINICIAN)
def referral_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """Choose a destination and the urgency; the draft letter follows. With ?imaging=<exam id>
    (the case page's imaging decision aid), the form comes filled in: the imaging destination
    of the modality the aid asks for, and the letter asks for it with the aid's rule and the
    examination's findings. The clinician still checks the draft and sends it."""
    case = get_object_or_404(Case.objects.select_related("patient"), pk=case_id)
    imaging = _imaging_examination(request, case)
    request_for = letters.imaging_request(imaging) if imaging is not None else None
    initial: dict[str, Any] = {"urgency": letters.default_urgency(case).value}
    if imaging is not None and request_for is not None:
        initial["imaging"] = imaging.pk
        initial["destination"] = (
            Destination.objects.filter(
                active=True, kind=letters.IMAGING_DESTINATIONS[request_for["decision"]]
            )
            .values_list("pk", flat=True)
            .first()
        )
    form = ReferralNewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        destination: Destination = form.cleaned_data["destination"]
        try:
            referral = services.draft_referral(
                case_id=case.pk,
                destination_id=destination.pk,
                clinician=request.user,  # type: ignore[arg-type]
                urgency=Urgency(form.cleaned_data["urgency"]),
                imaging_examination_id=imaging.pk if imaging is not None else None,
            )
        except services.ReferralError as exc:
            form.add_error("destination", str(exc))
        except Destination.DoesNotExist:
            # An admin took it off the list between the page and the choice.
            form.add_error(
                "destination", _("This destination is no longer offered: choose another.")
            )
        else:
            messages.success(request, _("Draft letter written: check and edit it before sending."))
            return redirect("referrals:referral_edit", pk=referral.pk)
    return render(
        request,
        "referrals/referral_new.html",
        {
            "case": case,
            "form": form,
            "imaging": request_for,
            "safety_net": safety_net_for(CaseDecision.Kind.REFERRED),
        },
    )


@role_required(Role.CLINICIAN)
def referral_edit(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_object_or_404(
        Referral.objects.select_related("case__patient", "destination", "referred_by")
        .defer("letter_pdf")
        .with_letter_status(),
        pk=pk,
    )
    is_draft = referral.status == Referral.Status.DRAFT
    if request.method == "GET":
        audit.record_view(
            request=request, record=f"referral {referral.pk}", patient=referral.case.patient_id
        )
    form = LetterForm(
        request.POST if request.method == "POST" else None,
        initial={"letter": referral.letter, "urgency": referral.urgency},
    )
    if request.method == "POST" and form.is_valid():
        try:
            # The service says whether it is still a draft, under the row's lock.
            services.update_letter(
                referral_id=pk,
                letter=form.cleaned_data["letter"],
                urgency=Urgency(form.cleaned_data["urgency"]),
                by=request.user,  # type: ignore[arg-type]
            )
        except services.ReferralError as exc:
            # Sent, printed or cancelled since the page loaded (perhaps from another tab):
            # the letter as typed stays on the page, with why it was not saved.
            form.add_error(
                None,
                _("Not saved: %(why)s Your letter is kept below.") % {"why": exc},
            )
        else:
            messages.success(request, _("Letter saved."))
            return redirect("referrals:referral_edit", pk=pk)
    return render(
        request,
        "referrals/referral_edit.html",
        {
            "referral": referral,
            "case": referral.case,
            "form": form,
            # A refused edit shows the letter as typed, even when the referral is past draft.
            "is_draft": is_draft or form.is_bound,
            "safety_net": safety_net_for(CaseDecision.Kind.REFERRED),
        },
    )


@role_required(Role.CLINICIAN)
def referral_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter as it was sent, or a draft's letter as it would be."""
    referral = get_object_or_404(
        Referral.objects.select_related("case__patient", "destination"), pk=pk
    )
    audit.record_view(
        request=request, record=f"referral letter {referral.pk}", patient=referral.case.patient_id
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
        referral = service(referral_id=pk, by=request.user)  # type: ignore[operator]
    except Referral.DoesNotExist:
        raise Http404("No such referral") from None
    except services.ReferralError as exc:
        messages.error(request, str(exc))
        return redirect("referrals:referral_edit", pk=pk)
    messages.success(request, str(done).format(destination=referral.destination.name))
    back = _local_path(request, request.POST.get("next", ""))
    return redirect(back or referral.get_absolute_url())


def _local_path(request: HttpRequest, url: str) -> str:
    """`url` when it is a path on this site that a browser can go back to, else "".

    Never another site (an open redirect), and never a string that only looks local: a
    scheme-relative "//host", a backslash some browsers read as a slash, a control character.
    """
    if not url.startswith("/") or url.startswith(("//", "/\\")) or text_problem(url):
        return ""
    if not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return url
