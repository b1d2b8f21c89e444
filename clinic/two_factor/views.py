"""The second step of signing in, setting up an authenticator, and a member of staff's own
two-factor page (their authenticator, their backup codes)."""

from __future__ import annotations

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.lockout import locked_out
from clinic.two_factor import services
from clinic.two_factor.forms import CodeForm, SetupCodeForm


def _next(request: HttpRequest) -> str:
    """Where the person was going, if it is a page of this site; else their start page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _with_next(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next(request)})}"


def _credentials(request: HttpRequest) -> dict[str, str]:
    return {"username": request.user.get_username()}


def _signed_in_with(request: HttpRequest, device: object) -> None:
    """The session is verified from now on (django-otp keeps the device's id in it), under a new
    session key: a session id seen before the second factor is worth nothing after it."""
    django_otp.login(request, device)
    request.session.cycle_key()


@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """The sign-in's second step: a code from the authenticator app, or a backup code."""
    user = request.user
    if services.is_verified(request):
        return HttpResponseRedirect(_next(request))
    if not services.has_second_factor(user):
        if services.needed(request):
            return redirect(_with_next("two_factor:setup", request))
        return HttpResponseRedirect(_next(request))
    if AxesProxyHandler.is_locked(request, _credentials(request)):
        logout(request)
        return locked_out(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.verify_code(user=user, code=form.cleaned_data["code"])  # type: ignore[arg-type]
        if result.ok:
            assert result.device is not None
            _signed_in_with(request, result.device)
            services.record_verified(request=request, device=result.device)
            if not isinstance(result.device, TOTPDevice):
                left = services.remaining_backup_codes(user=user)  # type: ignore[arg-type]
                messages.warning(
                    request,
                    ngettext(
                        "You signed in with a backup code. You have %(left)d left.",
                        "You signed in with a backup code. You have %(left)d left.",
                        left,
                    )
                    % {"left": left},
                )
            return HttpResponseRedirect(_next(request))
        # A refused code counts as a failed sign-in (django-axes locks the account at the limit;
        # the audit records it), on top of django-otp's own wait between tries.
        user_login_failed.send(sender=__name__, credentials=_credentials(request), request=request)
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return locked_out(request)
        if result.wait_until is not None:
            form.add_error(
                "code", _("Too many wrong codes in a row: wait a few seconds, then try again.")
            )
        else:
            form.add_error(
                "code",
                _(
                    "That code is not right. Enter the code your app shows now (each code works "
                    "once), or a backup code you have not used."
                ),
            )
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return render(
        request,
        "two_factor/verify.html",
        {
            "form": form,
            "next": _next(request),
            "demo_code": services.demo_code(device) if device else None,
            "second_factor_pending": True,
        },
    )


@never_cache
def setup(request: HttpRequest) -> HttpResponse:
    """Setting up an authenticator: scan the QR code (or type the secret), confirm with a code,
    then the backup codes, shown once."""
    user = request.user
    if services.has_second_factor(user):
        if services.is_verified(request):
            return redirect("two_factor:manage")
        # Nobody adds an authenticator without the one they have: an admin resets it instead.
        return redirect(_with_next("two_factor:verify", request))
    device = services.authenticator_to_set_up(user=user)  # type: ignore[arg-type]
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = services.confirm_authenticator(
            user=user,  # type: ignore[arg-type]
            device_id=device.pk,
            code=form.cleaned_data["code"],
            request=request,
        )
        if done is not None:
            confirmed, codes = done
            _signed_in_with(request, confirmed)
            request.session[services.SESSION_HAS_DEVICE] = True
            request.session[services.SESSION_NEW_CODES] = codes
            return redirect(_with_next("two_factor:backup_codes", request))
        form.add_error(
            "code",
            _(
                "That code is not right. Enter the code your app shows now; if it still fails, "
                "check that your phone's clock is set automatically."
            ),
        )
    return render(
        request,
        "two_factor/setup.html",
        {
            "form": form,
            "next": _next(request),
            "qr_code": services.qr_code_svg(
                device, title=_("QR code to scan with your authenticator app")
            ),
            "secret": services.secret_for_typing(device),
            "demo_code": services.demo_code(device),
            "required": services.required_for(user),
            "second_factor_pending": not services.is_verified(request),
        },
    )


@never_cache
def backup_codes(request: HttpRequest) -> HttpResponse:
    """The backup codes just made, shown this once."""
    codes = request.session.pop(services.SESSION_NEW_CODES, None)
    if not codes:
        return redirect("two_factor:manage")
    return render(request, "two_factor/backup_codes.html", {"codes": codes, "next": _next(request)})


@never_cache
def manage(request: HttpRequest) -> HttpResponse:
    """A member of staff's own two-factor page."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return render(
        request,
        "two_factor/manage.html",
        {
            "device": device,
            "backup_codes_left": services.remaining_backup_codes(user=user) if device else 0,  # type: ignore[arg-type]
            "required": services.required_for(user),
        },
    )


@require_POST
def new_backup_codes(request: HttpRequest) -> HttpResponse:
    """A fresh set of backup codes; the old set stops working."""
    if not services.is_verified(request):
        return redirect(_with_next("two_factor:verify", request))
    codes = services.new_backup_codes(user=request.user, request=request)  # type: ignore[arg-type]
    request.session[services.SESSION_NEW_CODES] = codes
    return redirect("two_factor:backup_codes")
