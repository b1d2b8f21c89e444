"""The patient's "Ask the clinic" page, reached from their programme page by its signed link (no
login): the questions they have sent, each with the clinic's reply, and a short form for a new
one. A question is not the red-flag screen: the page says so before and after sending, and
offers the check-in (when one is open) and what to do now."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from audit import services as audit
from clinic.views import clinic_phone
from programmes import check_ins
from programmes.models import Programme
from programmes.patient_views import _render, _resolve, patient_view
from questions import services
from questions.forms import QuestionForm
from questions.models import Question
from triage.outcomes import safety_net_lists


@patient_view
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, token: str) -> HttpResponse:
    programme = _resolve(request, token)
    if isinstance(programme, HttpResponse):
        return programme
    if request.method == "POST":
        form = QuestionForm(request.POST)
        if form.is_valid():
            try:
                question = services.ask_clinic(
                    programme_id=programme.pk,
                    text=form.cleaned_data["text"],
                    submission_token=form.cleaned_data["submission_token"],
                )
            except services.QuestionRefused as exc:
                form.add_error("text", str(exc))
            else:
                messages.success(
                    request,
                    gettext(
                        "Your question is sent. A clinician will reply here, and we will email "
                        "you when they have."
                    ),
                )
                return redirect(f"{request.path}?sent={question.pk}#sent")
        return _page(request, programme, token, form, status=400)
    audit.record_view(
        request=request,
        record=f"programme {programme.pk} questions",
        patient=programme.patient_id,
        by_patient=True,
    )
    return _page(
        request, programme, token, QuestionForm(initial={"submission_token": uuid.uuid4()})
    )


def _page(
    request: HttpRequest, programme: Programme, token: str, form: QuestionForm, status: int = 200
) -> HttpResponse:
    questions = list(Question.objects.filter(programme=programme).order_by("-asked_at", "-pk"))
    waiting = sum(1 for q in questions if q.status == Question.Status.OPEN)
    sent = request.GET.get("sent", "")
    just_sent = next((q for q in questions if sent.isdigit() and q.pk == int(sent)), None)
    return _render(
        request,
        "questions/patient/ask.html",
        {
            "programme": programme,
            "token": token,
            "form": form,
            "questions": questions,
            "just_sent": just_sent,
            "full": waiting >= settings.QUESTIONS_MAX_OPEN,
            "open_check_in": check_ins.open_check_in(programme) if programme.is_live else None,
            "max_open": settings.QUESTIONS_MAX_OPEN,
            "clinic_phone": clinic_phone(),
        }
        | safety_net_lists(),
        status=status,
    )
