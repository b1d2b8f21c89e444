"""The clinicians' side: the questions worklist and a question's page, where it is read (a
recorded view of the patient's record) and answered or closed."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from audit import services as audit
from clinic.roles import Role, role_required
from questions import services
from questions.forms import CloseForm, ReplyForm
from questions.models import Question

WORKLIST_ROWS = 100


@require_GET
@role_required(Role.CLINICIAN)
def worklist(request: HttpRequest) -> HttpResponse:
    """Questions from patients: those waiting for a reply, the longest waiting first, then those
    dealt with, the latest first. Names and dates only: a question is read on its own page,
    which records the reading."""
    rows = list(Question.objects.worklist()[: WORKLIST_ROWS + 1])
    shown = rows[:WORKLIST_ROWS]
    return render(
        request,
        "questions/worklist.html",
        {
            "waiting": [q for q in shown if q.status == Question.Status.OPEN],
            "dealt_with": [q for q in shown if q.status != Question.Status.OPEN],
            "more": len(rows) > WORKLIST_ROWS,
            "rows": WORKLIST_ROWS,
            "now": timezone.now(),
        },
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.CLINICIAN)
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(
        Question.objects.select_related("patient", "programme", "replied_by", "closed_by"), pk=pk
    )
    reply_form = ReplyForm()
    close_form = CloseForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        bound: ReplyForm | CloseForm = (
            ReplyForm(request.POST) if action == "reply" else CloseForm(request.POST)
        )
        if bound.is_valid():
            try:
                if isinstance(bound, ReplyForm):
                    services.answer_question(
                        question_id=question.pk,
                        clinician=request.user,  # type: ignore[arg-type]
                        reply=bound.cleaned_data["reply"],
                    )
                    done = (
                        gettext(
                            "Your reply is on the patient's page; they are emailed that it is there."
                        )
                        if services.reply_goes_by_email(question)
                        else gettext(
                            "Your reply is on the patient's page. They are not emailed (no "
                            "address, no agreement to email, or unsubscribed): phone them if it "
                            "cannot wait until they next open it."
                        )
                    )
                else:
                    services.close_question(
                        question_id=question.pk,
                        clinician=request.user,  # type: ignore[arg-type]
                        note=bound.cleaned_data["note"],
                    )
                    done = gettext("The question is closed.")
            except services.QuestionRefused as exc:
                bound.add_error(None, str(exc))
            else:
                messages.success(request, done)
                return redirect("questions:question_detail", pk=question.pk)
        if isinstance(bound, ReplyForm):
            reply_form = bound
        else:
            close_form = bound
        status = 400
    else:
        audit.record_view(
            request=request, record=f"question {question.pk}", patient=question.patient_id
        )
    earlier = list(
        Question.objects.filter(programme_id=question.programme_id, asked_at__lt=question.asked_at)
        .select_related("replied_by", "closed_by")
        .order_by("-asked_at", "-pk")[:10]
    )
    return render(
        request,
        "questions/question_detail.html",
        {
            "question": question,
            "patient": question.patient,
            "reply_form": reply_form,
            "close_form": close_form,
            "earlier": earlier,
            "emailed": services.reply_goes_by_email(question),
        },
        status=status,
    )
