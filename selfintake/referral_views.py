"""The public self-referral pages (SELF_REFERRAL_ENABLED; otherwise every one is a 404).

`/p/self-referral/`: the form. Its answer is always "check your email" (the same page whether
or not the address, name or birthday are known to the clinic: nothing is looked up), unless the
address or this client asked too often. `/p/r/<link>/`: the emailed confirmation link. Opening
it shows "Confirm and start", a POST: a mail scanner that follows links confirms nothing.
Confirming makes the new record and its self-intake link, and goes straight into the ordinary
self-intake pages (selfintake/patient_views.py) with this browser already let in: the date of
birth the self-intake would ask is the one typed on the form minutes ago, so asking it proves
nothing; what proves the person is the email link they just used. Another browser (the
self-intake link is emailed too, to carry on later) is asked the date of birth, as ever.

Pages carry the patient pages' headers (no cache, no index, no referrer), under /p/ with them
(kept out of logs, clinic/logging.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from clinic.views import clinic_phone
from programmes.emails import clinic_details
from programmes.patient_views import patient_view
from selfintake import links, referral
from selfintake.models import SelfReferral
from selfintake.referral_forms import SelfReferralForm

_CONFIRMED_SALT = "selfintake.referral.confirmed"
COOKIE = "selfreferral"
# A second "Confirm and start" this soon after the first (a double click, whose first answer the
# browser dropped with its cookie) goes on into the questions instead of "already used".
DOUBLE_CLICK = timedelta(seconds=60)


def _enabled() -> None:
    if not settings.SELF_REFERRAL_ENABLED:
        raise Http404("Self-referral is off")


def _render(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": clinic_phone(),
        "clinic": clinic_details(),
    } | (context or {})
    return render(request, template, context, status=status)


@patient_view
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponseBase:
    """The form; sent, "check your email"; too often, the form again with why."""
    _enabled()
    if request.method == "GET":
        return _render(request, "selfintake/referral/start.html", {"form": SelfReferralForm()})
    form = SelfReferralForm(request.POST)
    if form.is_a_bot:
        return redirect("selfintake:referral_sent")  # what a person sees; nothing kept or sent
    if form.is_valid():
        try:
            referral.request_self_referral(
                details=form.details(), submission_token=form.token, request=request
            )
        except referral.Throttled as throttled:
            until = timezone.localtime(throttled.until)
            form.add_error(
                None,
                gettext(
                    "Too many confirmation emails have been asked for lately, for this address "
                    "or from this device. Nothing was sent. You can try again after "
                    "%(until)s, or phone the clinic."
                )
                % {"until": date_format(until, "l j F, H:i")},
            )
            return _render(request, "selfintake/referral/start.html", {"form": form}, status=429)
        return redirect("selfintake:referral_sent")
    return _render(request, "selfintake/referral/start.html", {"form": form}, status=400)


@patient_view
@require_GET
def sent(request: HttpRequest) -> HttpResponseBase:
    _enabled()
    return _render(request, "selfintake/referral/sent.html")


def _problem(request: HttpRequest, problem: links.LinkProblem) -> HttpResponse:
    return _render(
        request,
        "selfintake/referral/link_problem.html",
        {"problem": str(problem), "kind": problem.kind},
        status=410 if problem.kind else 404,
    )


def _mark(response: HttpResponseBase, item: SelfReferral, link: str) -> None:
    """This browser confirmed this request: coming back to the link goes on to the questions."""
    value = signing.Signer(salt=_CONFIRMED_SALT).sign_object({"r": item.pk, "n": item.nonce})
    response.set_cookie(
        COOKIE,
        value,
        path=reverse("selfintake:referral_confirm", args=[link]),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _marked(request: HttpRequest, item: SelfReferral) -> bool:
    try:
        data = signing.Signer(salt=_CONFIRMED_SALT).unsign_object(request.COOKIES.get(COOKIE, ""))
    except (signing.BadSignature, ValueError, UnicodeError):
        return False
    return isinstance(data, dict) and data.get("r") == item.pk and data.get("n") == item.nonce


def _into_questions(item: SelfReferral, link: str) -> HttpResponseBase:
    """On into the self-intake, this browser let in (its cookie, for that link's path only)."""
    invitation = item.invitation
    assert invitation is not None
    intake_link = links.token(invitation)
    response = redirect(links.start_url(invitation, absolute=False))
    links.confirm_on(response, invitation, intake_link)
    _mark(response, item, link)
    return response


@patient_view
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, link: str) -> HttpResponseBase:
    """GET: "Confirm and start" (changes nothing). POST: confirm, and on to the questions."""
    _enabled()
    now = timezone.now()
    try:
        item = referral.referral_for(link, now=now)
    except links.LinkProblem as problem:
        used = referral.genuine_referral(link) if problem.kind == "used" else None
        if used is not None and used.invitation_id is not None:
            double_click = (
                request.method == "POST"
                and used.confirmed_at is not None
                and now - used.confirmed_at < DOUBLE_CLICK
            )
            if double_click or _marked(request, used):
                return _into_questions(used, link)
        return _problem(request, problem)
    if request.method == "GET":
        return _render(
            request,
            "selfintake/referral/confirm.html",
            {"link": link, "given_name": item.given_name, "expires_at": item.expires_at},
        )
    try:
        referral.confirm_self_referral(referral_id=item.pk, request=request, now=now)
    except links.LinkProblem as problem:
        return _problem(request, problem)
    item.refresh_from_db()
    return _into_questions(item, link)
